/**
 * The decision table: every request the guardrail cares about x representative principals ->
 * allow/deny, computed from the built statements. `check` prints it; tests prove each cell
 * against an IAM simulator.
 */
import { formatArn } from "../arn/partition";
import type { Guardrail } from "../guardrail/guardrail";
import {
  API_KEY_CREATION_ACTIONS,
  BEARER_TOKEN_ACTIONS,
  INFERENCE_ACTIONS,
  MANTLE_MODEL_ACTIONS,
  MARKETPLACE_SUBSCRIBE_ACTIONS,
  TRAINING_AND_THROUGHPUT_ACTIONS,
} from "./action-lists";
import { evaluateScp, type ScpRequest } from "./evaluate";
import { foundationModelIdOf, mantleNameOfEntry } from "./mantle-models";
import {
  EXAMPLE_MEMBER_ACCOUNT,
  type ExampleSite,
  exampleSite,
  instantiatePattern,
  otherRegionOf,
  type RepresentativePrincipal,
  representativePrincipals,
  siteArns,
} from "./principals";
import { protectScenarios } from "./protect-scenarios";
import { MARKETPLACE_PRODUCT_KEY } from "./statement-ids";
import {
  BEARER_TOKEN_TYPE_KEYS,
  BEDROCK_API_KEY_SERVICE_NAME,
  BEDROCK_MANTLE_SERVICE_PRINCIPAL,
  BEDROCK_SERVICE_PRINCIPAL,
  buildScpStatements,
  CLAUDE_PLATFORM_SERVICE,
  MODEL_INVOKING_SLR_SERVICES,
  LONG_TERM,
  MANTLE_MODEL_KEY,
  SHORT_TERM,
} from "./statements";
import type { ScpStatement } from "./types";

export interface Scenario {
  id: string;
  label: string;
  action: string;
  resource: string;
  context?: Record<string, string[]>;
  /** True for requests the guardrail is not meant to touch. */
  unrelated?: boolean;
}

type Cell = "allow" | "deny" | "not-applicable";

interface DecisionRow {
  scenario: Scenario;
  cells: { principal: RepresentativePrincipal; cell: Cell; deniedBy?: string }[];
}

export interface DecisionTable {
  principals: RepresentativePrincipal[];
  rows: DecisionRow[];
}

/** A model no allow-list example names: DeepSeek is sold outside Marketplace, so only the allow-list stops it. */
const UNLISTED_MODEL_ID = "deepseek.r1-v1:0";
/** The same model as bedrock-mantle names it in bedrock-mantle:Model. */
const UNLISTED_MANTLE_MODEL = "deepseek.r1";

/** The resources the table's requests name, in the guardrail's partition and home Region (where its SCP applies). */
interface Examples {
  site: ExampleSite;
  /** A Region a cross-Region profile routes to, other than the home Region. */
  otherRegion: string;
  /** A concrete ARN matched by a pattern of the config. */
  concrete(pattern: string): string;
  /** A model no allow-list example names: DeepSeek is sold outside Marketplace, so only the allow-list stops it. */
  unlistedModel: string;
  mantleProject: string;
  user: string;
  bucketObject: string;
}

function examplesFor(guardrail: Guardrail): Examples {
  const site = exampleSite(guardrail);
  const { partition, region } = site;
  const { concrete, iam } = siteArns(site);
  return {
    site,
    otherRegion: otherRegionOf(site),
    concrete,
    unlistedModel: formatArn({
      partition,
      service: "bedrock",
      region,
      resource: `foundation-model/${UNLISTED_MODEL_ID}`,
    }),
    mantleProject: formatArn({
      partition,
      service: "bedrock-mantle",
      region,
      account: EXAMPLE_MEMBER_ACCOUNT,
      resource: "project/default",
    }),
    user: iam(EXAMPLE_MEMBER_ACCOUNT, "user/ci-deploy"),
    bucketObject: formatArn({ partition, service: "s3", resource: "example-bucket/report.csv" }),
  };
}

/** The list's action of that name (lists may be reordered or regenerated; names are what the table shows). */
const pick = (list: readonly string[], name: string): string =>
  list.find((a) => a.endsWith(`:${name}`)) ?? `${list[0].split(":")[0]}:${name}`;
const SUBSCRIBE = pick(MARKETPLACE_SUBSCRIBE_ACTIONS, "Subscribe");
const INVOKE = pick(INFERENCE_ACTIONS, "InvokeModel");
const CUSTOMIZE = pick(TRAINING_AND_THROUGHPUT_ACTIONS, "CreateModelCustomizationJob");
const CREATE_PROVISIONED = pick(TRAINING_AND_THROUGHPUT_ACTIONS, "CreateProvisionedModelThroughput");
const MANTLE_INFERENCE = pick(MANTLE_MODEL_ACTIONS, "CreateInference");
const MANTLE_FINE_TUNING = pick(MANTLE_MODEL_ACTIONS, "CreateFineTuningJob");
const MANTLE_RESERVATION = pick(MANTLE_MODEL_ACTIONS, "CreateReservation");
const CREATE_API_KEY = pick(API_KEY_CREATION_ACTIONS, "CreateServiceSpecificCredential");

/** The model-access APIs and the Marketplace subscription, through either Bedrock endpoint. */
function accessScenarios(guardrail: Guardrail): Scenario[] {
  const scp = guardrail.config.scp;
  const out: Scenario[] = guardrail.iamActions.map((action) => ({ id: action, label: action, action, resource: "*" }));
  for (const [id, via, name] of [
    ["subscribe-via-bedrock", BEDROCK_SERVICE_PRINCIPAL, "Bedrock"],
    ["subscribe-via-mantle", BEDROCK_MANTLE_SERVICE_PRINCIPAL, "bedrock-mantle"],
  ])
    out.push({
      id,
      label: `${SUBSCRIBE} via ${name}`,
      action: SUBSCRIBE,
      resource: "*",
      context: { "aws:CalledViaLast": [via] },
    });
  // An approved model's product: Bedrock's subscription on anyone's first call passes.
  const [approved] = scp.approvedMarketplaceProductIds;
  if (approved)
    out.push({
      id: "subscribe-approved-product-via-bedrock",
      label: `${SUBSCRIBE} to ${approved} via Bedrock`,
      action: SUBSCRIBE,
      resource: "*",
      context: { "aws:CalledViaLast": [BEDROCK_SERVICE_PRINCIPAL], [MARKETPLACE_PRODUCT_KEY]: [approved] },
    });
  out.push({ id: "subscribe-direct", label: `${SUBSCRIBE} (direct)`, action: SUBSCRIBE, resource: "*" });
  if (scp.denyMarketplaceProductIds.length > 0) {
    const product = scp.denyMarketplaceProductIds[0];
    out.push({
      id: "subscribe-listed-product",
      label: `${SUBSCRIBE} to ${product}`,
      action: SUBSCRIBE,
      resource: "*",
      context: { [MARKETPLACE_PRODUCT_KEY]: [product] },
    });
  }
  return [...out, ...otherCapacityScenarios(guardrail)];
}

/**
 * Other ways to model capacity: Marketplace model endpoints (and the SageMaker endpoint Bedrock
 * creates as the caller), Claude Platform on AWS, a service-linked role of a service that invokes
 * models with it. Ids "approved-only:" are denied to every principal that is not exempt;
 * "approved-only-if:" only when the setting in the scenario says so.
 */
function otherCapacityScenarios(guardrail: Guardrail): Scenario[] {
  const { partition, region } = exampleSite(guardrail);
  const arn = (service: string, resource: string) =>
    formatArn({ partition, service, region, account: EXAMPLE_MEMBER_ACCOUNT, resource });
  const out: Scenario[] = [
    {
      id: "approved-only:marketplace-endpoint",
      label: "bedrock:CreateMarketplaceModelEndpoint",
      action: "bedrock:CreateMarketplaceModelEndpoint",
      resource: "*",
    },
    {
      id: "approved-only-if:sagemaker-via-bedrock",
      label: "sagemaker:CreateEndpoint via Bedrock",
      action: "sagemaker:CreateEndpoint",
      resource: arn("sagemaker", "endpoint/marketplace-model"),
      context: { "aws:CalledViaLast": [BEDROCK_SERVICE_PRINCIPAL] },
    },
    {
      id: "approved-only:service-linked-role",
      label: `iam:CreateServiceLinkedRole ${MODEL_INVOKING_SLR_SERVICES[0]}`,
      action: "iam:CreateServiceLinkedRole",
      resource: formatArn({
        partition,
        service: "iam",
        account: EXAMPLE_MEMBER_ACCOUNT,
        resource: `role/aws-service-role/${MODEL_INVOKING_SLR_SERVICES[0]}/AWSServiceRoleForLexV2Bots_Example`,
      }),
      context: { "iam:AWSServiceName": [MODEL_INVOKING_SLR_SERVICES[0]] },
    },
    {
      id: "approved-only-if:claude-platform",
      label: `${CLAUDE_PLATFORM_SERVICE}:CreateInference`,
      action: `${CLAUDE_PLATFORM_SERVICE}:CreateInference`,
      resource: formatArn({
        partition,
        service: CLAUDE_PLATFORM_SERVICE,
        region,
        account: EXAMPLE_MEMBER_ACCOUNT,
        resource: "workspace/default",
      }),
    },
  ];
  return out;
}

/** A Bedrock ARN at the example site (any account-less type when account is empty). */
function bedrockArn(examples: Examples, resource: string, account = EXAMPLE_MEMBER_ACCOUNT, region?: string): string {
  return formatArn({
    partition: examples.site.partition,
    service: "bedrock",
    region: region ?? examples.site.region,
    account,
    resource,
  });
}

/**
 * The ways a listed model is reached besides its own ARN: through a cross-Region profile of it (the
 * profile is authorized, then the model in each destination Region), the Responses API's project
 * (authorized with bedrock:ModelArn), an async invocation, and a custom model whose base it is.
 */
function listedModelRoutes(examples: Examples, modelId: string): Scenario[] {
  const model = bedrockArn(examples, `foundation-model/${modelId}`, "");
  return [
    {
      id: "listed-model:profile",
      label: `${INVOKE} listed model's inference profile`,
      action: INVOKE,
      resource: bedrockArn(examples, `inference-profile/us.${modelId}`),
    },
    {
      id: "listed-model:profile-destination",
      label: `${INVOKE} listed model, destination Region`,
      action: INVOKE,
      resource: bedrockArn(examples, `foundation-model/${modelId}`, "", examples.otherRegion),
      context: { "bedrock:InferenceProfileArn": [bedrockArn(examples, `inference-profile/us.${modelId}`)] },
    },
    {
      id: "listed-model:responses-project",
      label: `${INVOKE} project/default, listed model`,
      action: INVOKE,
      resource: bedrockArn(examples, "project/default"),
      context: { "bedrock:ModelArn": [model] },
    },
    {
      id: "listed-model:async-invoke",
      label: `${INVOKE} async-invoke (StartAsyncInvoke)`,
      action: INVOKE,
      resource: bedrockArn(examples, "async-invoke/abcd1234efgh"),
    },
    {
      // The tool's ARN has no Region; the model it runs with is authorized as in the rows above.
      id: "listed-model:system-tool",
      label: `${INVOKE} system-tool (Nova web grounding)`,
      action: INVOKE,
      resource: bedrockArn(examples, "system-tool/amazon.nova_grounding", EXAMPLE_MEMBER_ACCOUNT, ""),
    },
    {
      id: "listed-model:custom-model-of-listed-base",
      label: `${CUSTOMIZE} custom model of a listed base`,
      action: CUSTOMIZE,
      resource: bedrockArn(examples, `custom-model/${modelId}/abcd1234efgh`),
    },
  ];
}

/**
 * Using a model on the classic endpoint and on bedrock-mantle: listed models (when there is an
 * allow-list) and an unlisted one. Ids: "listed-model:*" rows are allowed, "unlisted-model:*" rows
 * are denied whenever an allow-list is set.
 */
function modelScenarios(guardrail: Guardrail, examples: Examples): Scenario[] {
  const list = guardrail.config.scp.modelAllowList;
  const out: Scenario[] = [];
  if (list) {
    out.push({
      id: "listed-model:invoke",
      label: `${INVOKE} listed model`,
      action: INVOKE,
      resource: examples.concrete(list[0]),
    });
    const foundationModel = list.find((p) => p.includes(":foundation-model/"));
    if (foundationModel) {
      out.push({
        id: "listed-model:provision",
        label: `${CREATE_PROVISIONED} listed model`,
        action: CREATE_PROVISIONED,
        resource: examples.concrete(foundationModel),
      });
      const modelId = examples.concrete(foundationModel).split("foundation-model/")[1];
      out.push(...listedModelRoutes(examples, modelId));
      // The same model on mantle: by the id mantle itself uses (the entry's version and date removed before its
      // wildcards are filled, not derived from the SCP's patterns, so an entry that misses mantle's id, such as
      // ...-20250929-v1:*, shows as a denied row), and as Bedrock lists it.
      const mantleId = instantiatePattern(mantleNameOfEntry(foundationModelIdOf(foundationModel) ?? modelId));
      const mantleIds = [["", mantleId], ...(mantleId === modelId ? [] : [["-bedrock-id", modelId]])];
      for (const [suffix, id] of mantleIds)
        out.push({
          id: `listed-model:mantle${suffix}`,
          label: `${MANTLE_INFERENCE} listed model ${id}`,
          action: MANTLE_INFERENCE,
          resource: examples.mantleProject,
          context: { [MANTLE_MODEL_KEY]: [id] },
        });
    }
  }
  for (const action of [...INFERENCE_ACTIONS, CREATE_PROVISIONED, CUSTOMIZE]) {
    out.push({
      id: `unlisted-model:${action}`,
      label: `${action} unlisted model`,
      action,
      resource: examples.unlistedModel,
    });
  }
  out.push(
    {
      // Its profile is not denied (nothing is, see statements.ts): the destination model is.
      id: "unlisted-model:profile-destination",
      label: `${INVOKE} unlisted model, destination Region of its profile`,
      action: INVOKE,
      resource: bedrockArn(examples, `foundation-model/${UNLISTED_MODEL_ID}`, "", examples.otherRegion),
      context: { "bedrock:InferenceProfileArn": [bedrockArn(examples, `inference-profile/us.${UNLISTED_MODEL_ID}`)] },
    },
    {
      id: "unlisted-model:custom-model-of-unlisted-base",
      label: `${CUSTOMIZE} custom model of an unlisted base`,
      action: CUSTOMIZE,
      resource: bedrockArn(examples, `custom-model/${UNLISTED_MODEL_ID}/abcd1234efgh`),
    },
  );
  for (const action of [MANTLE_INFERENCE, MANTLE_FINE_TUNING])
    out.push({
      id: `unlisted-model:${action}`,
      label: `${action} unlisted model`,
      action,
      resource: examples.mantleProject,
      context: { [MANTLE_MODEL_KEY]: [UNLISTED_MANTLE_MODEL] },
    });
  out.push(
    {
      id: "unlisted-model:mantle-no-model-key",
      label: `${MANTLE_INFERENCE} without a model key`,
      action: MANTLE_INFERENCE,
      resource: examples.mantleProject,
    },
    {
      id: "unlisted-model:mantle-reservation",
      label: `${MANTLE_RESERVATION} (no model key)`,
      action: MANTLE_RESERVATION,
      resource: examples.mantleProject,
    },
  );
  return out;
}

/** Creating a Bedrock long-term API key (vs a CodeCommit credential) and calling with a bearer token. */
function apiKeyScenarios(examples: Examples): Scenario[] {
  const credentialFor = (service: string) => ({ "iam:ServiceSpecificCredentialServiceName": [service] });
  return [
    {
      id: "api-key:create",
      label: `${CREATE_API_KEY} for Bedrock`,
      action: CREATE_API_KEY,
      resource: examples.user,
      context: credentialFor(BEDROCK_API_KEY_SERVICE_NAME),
    },
    {
      id: "unrelated:codecommit-credential",
      label: `${CREATE_API_KEY} for CodeCommit`,
      action: CREATE_API_KEY,
      resource: examples.user,
      context: credentialFor("codecommit.amazonaws.com"),
      unrelated: true,
    },
    ...[
      [pick(BEARER_TOKEN_ACTIONS, "CallWithBearerToken"), BEARER_TOKEN_TYPE_KEYS.bedrock, LONG_TERM],
      [BEARER_TOKEN_ACTIONS.find((a) => a.startsWith("bedrock-mantle:"))!, BEARER_TOKEN_TYPE_KEYS.mantle, LONG_TERM],
      [pick(BEARER_TOKEN_ACTIONS, "CallWithBearerToken"), BEARER_TOKEN_TYPE_KEYS.bedrock, SHORT_TERM],
    ].map(([action, key, type]) => ({
      id: `api-key:use-${type === LONG_TERM ? "long" : "short"}:${action}`,
      label: `${action} ${type}`,
      action,
      resource: "*",
      context: { [key]: [type] },
    })),
  ];
}

function scenarios(guardrail: Guardrail): Scenario[] {
  const examples = examplesFor(guardrail);
  return [
    ...accessScenarios(guardrail),
    ...modelScenarios(guardrail, examples),
    ...apiKeyScenarios(examples),
    ...protectScenarios(guardrail),
    {
      id: "unrelated:list-models",
      label: "bedrock:ListFoundationModels",
      action: "bedrock:ListFoundationModels",
      resource: "*",
      unrelated: true,
    },
    {
      id: "unrelated:s3",
      label: "s3:GetObject",
      action: "s3:GetObject",
      resource: examples.bucketObject,
      unrelated: true,
    },
  ];
}

function decide(
  statements: readonly ScpStatement[],
  scenario: Scenario,
  principal: RepresentativePrincipal,
): { cell: Cell; deniedBy?: string } {
  if (!principal.scpApplies) return { cell: "not-applicable" };
  const request: ScpRequest = {
    action: scenario.action,
    resource: scenario.resource,
    principalArn: principal.principalArn,
    context: scenario.context,
  };
  const verdict = evaluateScp(statements, request);
  return { cell: verdict.decision, deniedBy: verdict.deniedBy };
}

/**
 * `statements`: buildScpStatements(guardrail), in the builder's order (the first statement that denies names the
 * cell, so not the documents' order), when the caller has built them already.
 */
export function decisionTable(
  guardrail: Guardrail,
  statements: readonly ScpStatement[] = buildScpStatements(guardrail),
): DecisionTable {
  const principals = representativePrincipals(guardrail);
  const rows = scenarios(guardrail).map((scenario) => ({
    scenario,
    cells: principals.map((principal) => ({ principal, ...decide(statements, scenario, principal) })),
  }));
  return { principals, rows };
}

const CELL_TEXT: Record<Cell, string> = { allow: "allow", deny: "DENY", "not-applicable": "n/a" };

/**
 * A row's cells and its "denied by" column: the Sid of its DENY cells; when they differ within the
 * row, each DENY cell carries a letter the column spells out (a=Sid b=Sid).
 */
function rowCells(row: DecisionRow): string[] {
  const sids = [...new Set(row.cells.flatMap((c) => (c.cell === "deny" && c.deniedBy ? [c.deniedBy] : [])))];
  const letter = (sid: string | undefined) => String.fromCharCode(97 + sids.indexOf(sid ?? ""));
  const cells = row.cells.map((c) =>
    c.cell === "deny" && sids.length > 1 ? `DENY(${letter(c.deniedBy)})` : CELL_TEXT[c.cell],
  );
  const deniedBy = sids.length > 1 ? sids.map((sid) => `${letter(sid)}=${sid}`).join(" ") : (sids[0] ?? "");
  return [row.scenario.label, ...cells, deniedBy];
}

/** Plain-text table: one row per request, one column per principal, the denying Sid, then a legend of the ARNs. */
export function formatDecisionTable(table: DecisionTable): string {
  const header = ["request", ...table.principals.map((p) => p.short), "denied by"];
  const body = table.rows.map(rowCells);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cols: string[]) =>
    cols
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  const legend = table.principals.map((p) => `  ${p.short.padEnd(12)} ${p.label}: ${p.principalArn} (${p.source})`);
  return [
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...body.map(line),
    "",
    "Principals:",
    ...legend,
    "",
    "allow = not denied by this SCP (the principal's own IAM policies still apply); n/a = SCPs never apply to this " +
      "principal.",
  ].join("\n");
}
