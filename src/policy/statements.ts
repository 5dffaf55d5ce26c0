/**
 * The guardrail's SCP statements, built from the compiled Guardrail alone (pure, deterministic).
 * Every Bedrock / Marketplace / API-key statement is a Deny with the same exemption condition, so
 * "who is exempt" has one answer for all of them: `ArnNotLike aws:PrincipalArn =
 * guardrail.exemptions.scp` (approved + break-glass). The one exception is the API-key creation
 * statement, which also exempts the member remediation role: remediation deactivates leaked keys
 * with iam:UpdateServiceSpecificCredential. The last statement (protect-exempted.ts) keeps anyone
 * else from taking over those exempt names or the tool's own roles and functions.
 * Action names come from action-lists.ts only.
 */
import { parseArn } from "../arn/arn-like";
import { formatArn } from "../arn/partition";
import { type Guardrail, memberRolePattern } from "../guardrail/guardrail";
import {
  API_KEY_CREATION_ACTIONS,
  BEARER_TOKEN_ACTIONS,
  CALLED_VIA_BEDROCK_ACTIONS,
  INFERENCE_ACTIONS,
  MANTLE_MODEL_ACTIONS,
  MARKETPLACE_SUBSCRIBE_ACTIONS,
  MODEL_ACCESS_ACTIONS,
  SERVICE_LINKED_ROLE_ACTIONS,
  TRAINING_AND_THROUGHPUT_ACTIONS,
} from "./action-lists";
import { mantleModelPatterns } from "./mantle-models";
import { buildProtectExemptedStatements } from "./protect-exempted";
import { buildProtectGuardrailStatements } from "./protect-guardrail";
import {
  BEARER_TOKEN_TYPE_KEYS,
  LONG_TERM,
  MANTLE_MODEL_KEY,
  MARKETPLACE_PRODUCT_KEY,
  SHORT_TERM,
  SID,
} from "./statement-ids";
import type { ScpCondition, ScpStatement } from "./types";

/**
 * aws:CalledViaLast values when a Bedrock endpoint calls Marketplace on the caller's behalf. The
 * classic endpoint's principal is documented; what a subscription triggered through bedrock-mantle
 * carries is not, so both principals are listed (a value that never occurs costs nothing).
 */
export const BEDROCK_SERVICE_PRINCIPAL = "bedrock.amazonaws.com";
export const BEDROCK_MANTLE_SERVICE_PRINCIPAL = "bedrock-mantle.amazonaws.com";
const SUBSCRIBE_CALLED_VIA = [BEDROCK_SERVICE_PRINCIPAL, BEDROCK_MANTLE_SERVICE_PRINCIPAL];

function bedrockResourcePattern(partition: string, type: string, id = "*"): string {
  return formatArn({ partition, service: "bedrock", region: "*", account: "*", resource: `${type}/${id}` });
}

/**
 * Resources an inference request is authorized on besides the model, left out of the deny
 * (NotResource) so that only the model decides. IAM authorizes a call through a cross-Region,
 * global or application inference profile or a prompt router on the router/profile *and* on the
 * foundation model in every Region it may route to (a global profile's with an empty Region); the
 * Responses API authorizes on the account's project and on the model; an async invocation on its
 * async-invoke ARN and on the model; a batch job on its job ARN and on the model; a Converse call that
 * uses a system tool (Nova's web grounding, arn:<partition>:bedrock::<account>:system-tool/<id>, no
 * Region) on the tool and on the model (the service authorization reference lists system-tool among
 * the invoke actions' resources). A tool is not a model. Leaving these out opens nothing the model's
 * own authorization does not still decide. If AWS ever authorized one of these alone, without the
 * model, that call would pass this statement: see docs/limits.md.
 */
const INFERENCE_PASS_THROUGH_TYPES = [
  "inference-profile",
  "application-inference-profile",
  "prompt-router",
  "default-prompt-router",
  "project",
  "async-invoke",
  "model-invocation-job",
  "system-tool",
];
/** Model types buying throughput and customizing are authorized on (IAM service authorization reference). */
const TRAINABLE_TYPES = ["foundation-model", "custom-model"];

const resourceType = (pattern: string) => {
  const resource = parseArn(pattern)?.resource ?? "";
  return resource.slice(0, resource.indexOf("/"));
};
/**
 * The allow-list entries a statement's actions can be authorized on: an entry of another type can
 * never match their request, so leaving it out changes no decision and keeps the SCP small.
 */
const entriesOfTypes = (list: readonly string[], types: readonly string[]) =>
  list.filter((p) => types.includes(resourceType(p)));

/**
 * Custom models whose base model is listed: a custom model's ARN embeds its base model's id
 * (custom-model/<base id>[:<variant>]/<12 characters>), so each listed foundation-model id yields
 * custom-model/<id>*. Custom models of other bases (shared through RAM and copied in, or imported,
 * custom-model/imported/...) stay denied.
 */
function customModelsOfListedBases(partition: string, list: readonly string[]): string[] {
  return list
    .filter((p) => resourceType(p) === "foundation-model")
    .map((p) => {
      const id = (parseArn(p)?.resource ?? "").slice("foundation-model/".length);
      return bedrockResourcePattern(partition, "custom-model", id.endsWith("*") ? id : `${id}*`);
    });
}

/** A foundation-model entry whose id ends in its version number (amazon.nova-pro-v1:0). */
const ENDS_IN_VERSION = /:\d+$/;

/** A foundation-model entry naming neither its version nor ending in `*` (amazon.nova-pro-v1): it stands for them. */
const namesNoVersion = (p: string): boolean =>
  resourceType(p) === "foundation-model" && !p.endsWith("*") && !ENDS_IN_VERSION.test(p);

/** The entry, and beside a versionless one <entry>:* (AWS names a model's versions after its id and a colon). */
const withVersions = (p: string): string[] => (namesNoVersion(p) ? [p, `${p}:*`] : [p]);

/**
 * The allow-list entries buying throughput and customizing are authorized on, each foundation model with its
 * context-length variants (foundation-model/<id>:<context>, such as amazon.nova-pro-v1:0:300k): buying
 * provisioned throughput for a foundation model must name such a variant, and fine-tuning most models does.
 * AWS names a model's versions and variants after its id and a colon, so an entry gets <entry>:* beside it, or,
 * when its id ends in its version number, becomes <entry>* (one character, not one pattern: after a version
 * only a variant follows); an entry ending in * matches them already.
 */
function trainableEntries(list: readonly string[]): string[] {
  return entriesOfTypes(list, TRAINABLE_TYPES).flatMap((p) =>
    resourceType(p) === "foundation-model" && ENDS_IN_VERSION.test(p) ? [`${p}*`] : withVersions(p),
  );
}

/**
 * The allow-list entries inference is authorized on (the profiles and routers are left out as pass-through), each
 * foundation-model entry that ends neither in its version number nor in `*` (amazon.nova-pro-v1, anthropic.claude-v2)
 * with <entry>:* beside it: AWS names a model's versions after its id and a colon, and such an entry stands for them
 * for throughput and customization (trainableEntries) and on bedrock-mantle (mantle-models.ts) already, so without it
 * the model was denied on demand only (amazon.nova-pro-v1:0). An entry ending in its version stays exact: on demand
 * names the model itself, never a context variant (amazon.nova-pro-v1:0:300k).
 */
function inferenceEntries(list: readonly string[]): string[] {
  return list.filter((p) => !INFERENCE_PASS_THROUGH_TYPES.includes(resourceType(p))).flatMap(withVersions);
}

/** iam:ServiceSpecificCredentialServiceName of a Bedrock long-term API key. */
export const BEDROCK_API_KEY_SERVICE_NAME = "bedrock.amazonaws.com";
export { BEARER_TOKEN_TYPE_KEYS, LONG_TERM, MANTLE_MODEL_KEY, SHORT_TERM, SID };

/**
 * Claude Platform on AWS: a way to reach Anthropic's models outside Bedrock (inference, batch,
 * workspaces, keys), billed through Marketplace. Denied as a whole service unless
 * scp.allowClaudePlatform; every one of its actions is classified, and a new one fails the build.
 */
export const CLAUDE_PLATFORM_SERVICE = "aws-external-anthropic";

/**
 * Services that invoke Bedrock models with a service-linked role, which no SCP restricts: Amazon Lex
 * V2 bots (QnAIntent, assisted slot resolution; the console adds bedrock:InvokeModel to the bot's
 * service-linked role). Creating such a role is denied instead (docs/limits.md lists what that
 * cannot do about roles that already exist, and the services looked at).
 */
export const MODEL_INVOKING_SLR_SERVICES = ["lexv2.amazonaws.com"];

/** The exemption every statement carries; ArnNotLike keeps IAM's wildcard semantics (see src/arn). */
function exemptionCondition(guardrail: Guardrail): ScpCondition {
  return { ArnNotLike: { "aws:PrincipalArn": [...guardrail.exemptions.scp] } };
}

function withExemption(guardrail: Guardrail, condition: ScpCondition, extra: string[] = []): ScpCondition {
  // Key order is fixed (service condition first, exemption last) so the minified JSON is stable.
  const exempt = [...new Set([...guardrail.exemptions.scp, ...extra])];
  return { ...condition, ArnNotLike: { "aws:PrincipalArn": exempt } };
}

const deny = (Sid: string, Action: string[], Condition: ScpCondition): ScpStatement => ({
  Sid,
  Effect: "Deny",
  Action: [...Action],
  Resource: "*",
  Condition,
});

const denyOutside = (guardrail: Guardrail, Sid: string, Action: string[], allowed: string[]): ScpStatement => ({
  Sid,
  Effect: "Deny",
  Action: [...Action],
  NotResource: [...new Set(allowed)],
  Condition: exemptionCondition(guardrail),
});

/**
 * Which bearer-token calls to deny, in one statement for every endpoint whose type key is given (each request carries
 * only its own endpoint's key; an absent key satisfies the negated and IfExists operators, so another endpoint's key
 * never decides): long-term only (the default) denies every type but SHORT_TERM; both types: every bearer-token
 * call; short-term only: SHORT_TERM. A call whose type AWS does not state is denied in every mode (fail closed).
 */
function bearerTokenCondition(long: boolean, short: boolean, keys: readonly string[]): ScpCondition {
  if (long && short) return {};
  const values = Object.fromEntries(keys.map((k) => [k, [SHORT_TERM]]));
  return long ? { StringNotEquals: values } : { StringEqualsIfExists: values };
}

function allowListStatements(guardrail: Guardrail, list: string[]): ScpStatement[] {
  const { partition } = guardrail;
  const mantleModels = mantleModelPatterns(list);
  const passThrough = INFERENCE_PASS_THROUGH_TYPES.map((type) => bedrockResourcePattern(partition, type));
  return [
    denyOutside(guardrail, SID.inferenceAllowList, INFERENCE_ACTIONS, [...inferenceEntries(list), ...passThrough]),
    // Both authorized on a foundation or custom model; the listed models' context variants (which buying
    // throughput names), the existing throughput an update re-points, and the custom models of listed bases
    // (which a listed model's fine-tune produces, and which need throughput to be invoked), are left out so
    // that only the model decides.
    denyOutside(guardrail, SID.trainingAllowList, TRAINING_AND_THROUGHPUT_ACTIONS, [
      ...trainableEntries(list),
      bedrockResourcePattern(partition, "provisioned-model"),
      ...customModelsOfListedBases(partition, list),
    ]),
    // StringNotLike without IfExists: a request without bedrock-mantle:Model is denied as well.
    deny(
      SID.mantleAllowList,
      MANTLE_MODEL_ACTIONS,
      withExemption(guardrail, mantleModels.length > 0 ? { StringNotLike: { [MANTLE_MODEL_KEY]: mantleModels } } : {}),
    ),
  ];
}

function apiKeyStatements(guardrail: Guardrail): ScpStatement[] {
  const out: ScpStatement[] = [];
  if (guardrail.config.scp.denyLongTermBedrockApiKeys) {
    out.push(
      deny(
        SID.apiKeyCreation,
        API_KEY_CREATION_ACTIONS,
        withExemption(
          guardrail,
          // Whether IAM takes the service name in another case is not documented: ignoring case denies it either way.
          { StringEqualsIgnoreCase: { "iam:ServiceSpecificCredentialServiceName": [BEDROCK_API_KEY_SERVICE_NAME] } },
          [memberRolePattern(guardrail.config)],
        ),
      ),
    );
  }
  const use = apiKeyUseStatement(guardrail);
  return use ? [...out, use] : out;
}

/**
 * DenyBedrockApiKeyUse. With scp.allowLongTermBedrockApiKeyUse, a long-term key's call passes on bedrock and
 * bedrock-mantle, whose keys only approved and break-glass principals can then mint (DenyBedrockApiKeyCreation),
 * but not on Claude Platform on AWS: its keys are its own, not IAM service-specific credentials, and that statement
 * does not keep their creation to anyone. Its long-term keys stay denied, as with the use denied everywhere.
 */
function apiKeyUseStatement(guardrail: Guardrail): ScpStatement | undefined {
  const { denyLongTermBedrockApiKeys: long, denyShortTermBedrockApiKeys: short, ...scp } = guardrail.config.scp;
  const keys = Object.values(BEARER_TOKEN_TYPE_KEYS);
  if (!long || !scp.allowLongTermBedrockApiKeyUse)
    return long || short
      ? deny(SID.apiKeyUse, BEARER_TOKEN_ACTIONS, withExemption(guardrail, bearerTokenCondition(long, short, keys)))
      : undefined;
  // Short-term keys denied too: every bearer-token call but a Bedrock long-term key's. A Claude Platform call
  // carries neither Bedrock key, so the IfExists holds for it whatever its type.
  const bedrockKeys = keys.filter((k) => k !== BEARER_TOKEN_TYPE_KEYS.claudePlatform);
  if (short)
    return deny(
      SID.apiKeyUse,
      BEARER_TOKEN_ACTIONS,
      withExemption(guardrail, bearerTokenCondition(false, true, bedrockKeys)),
    );
  // Else only Claude Platform's long-term keys, when it is allowed at all (DenyBedrockModelAccessApis denies it whole).
  const claudePlatformKey = BEARER_TOKEN_TYPE_KEYS.claudePlatform;
  const claudePlatformAction = BEARER_TOKEN_ACTIONS.filter((a) => a.startsWith(`${CLAUDE_PLATFORM_SERVICE}:`));
  return scp.allowClaudePlatform
    ? deny(
        SID.apiKeyUse,
        claudePlatformAction,
        withExemption(guardrail, bearerTokenCondition(true, false, [claudePlatformKey])),
      )
    : undefined;
}

/**
 * The model-access APIs (the definition's), the other classified approved-only actions (Marketplace
 * model endpoints), and Claude Platform on AWS as one service wildcard unless it is allowed.
 */
function modelAccessActions(guardrail: Guardrail): string[] {
  const claudePlatform = `${CLAUDE_PLATFORM_SERVICE}:`;
  const others = MODEL_ACCESS_ACTIONS.filter((a) => !guardrail.iamActions.includes(a) && !a.startsWith(claudePlatform));
  return [
    ...guardrail.iamActions,
    ...others,
    ...(guardrail.config.scp.allowClaudePlatform ? [] : [`${claudePlatform}*`]),
  ];
}

/**
 * Statements in their fixed order: model-access APIs, Marketplace via Bedrock, listed products,
 * the allow-list family (inference, throughput and customization, mantle), API keys (creation, use
 * on any endpoint), model-invoking service-linked roles, the protection of exempted principals and
 * of the tool's own deployment, then of the guardrail's resources.
 */
export function buildScpStatements(guardrail: Guardrail): ScpStatement[] {
  const scp = guardrail.config.scp;
  const statements: ScpStatement[] = [
    deny(SID.modelAccess, modelAccessActions(guardrail), exemptionCondition(guardrail)),
  ];
  if (scp.denyMarketplaceSubscribeViaBedrock) {
    statements.push(
      deny(
        SID.subscribeViaBedrock,
        CALLED_VIA_BEDROCK_ACTIONS,
        withExemption(guardrail, {
          StringEquals: { "aws:CalledViaLast": [...SUBSCRIBE_CALLED_VIA] },
          // The approved models' products pass. ForAllValues, not ForAnyValue: a request that shows no product
          // (an absent key holds vacuously) stays denied; Bedrock's subscription names its model's one product.
          ...(scp.approvedMarketplaceProductIds.length > 0
            ? { "ForAllValues:StringNotEquals": { [MARKETPLACE_PRODUCT_KEY]: [...scp.approvedMarketplaceProductIds] } }
            : {}),
        }),
      ),
    );
  }
  if (scp.denyMarketplaceProductIds.length > 0) {
    statements.push(
      deny(
        SID.subscribeProducts,
        MARKETPLACE_SUBSCRIBE_ACTIONS,
        // aws-marketplace:ProductId is multivalued, hence the ForAnyValue qualifier.
        withExemption(guardrail, {
          "ForAnyValue:StringEquals": { [MARKETPLACE_PRODUCT_KEY]: [...scp.denyMarketplaceProductIds] },
        }),
      ),
    );
  }
  if (scp.modelAllowList) statements.push(...allowListStatements(guardrail, [...scp.modelAllowList]));
  statements.push(...apiKeyStatements(guardrail));
  statements.push(
    deny(
      SID.serviceLinkedRoles,
      SERVICE_LINKED_ROLE_ACTIONS,
      withExemption(guardrail, { StringEquals: { "iam:AWSServiceName": MODEL_INVOKING_SLR_SERVICES } }),
    ),
  );
  statements.push(...buildToolProtectionStatements(guardrail));
  return statements;
}

/**
 * The statements that protect the exempted principals and the tool's own resources (its roles, functions, rules,
 * state, topic, key, ...), the SCP's last: one list, which the library's monitor and member role compare with their
 * app's organization policies' (src/infra/construct-props.ts).
 */
export function buildToolProtectionStatements(guardrail: Guardrail): ScpStatement[] {
  return [...buildProtectExemptedStatements(guardrail), ...buildProtectGuardrailStatements(guardrail)];
}
