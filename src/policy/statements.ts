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
import { formatArn } from "../arn/partition";
import { type Guardrail, memberRolePattern } from "../guardrail/guardrail";
import {
  API_KEY_CREATION_ACTIONS,
  BATCH_INFERENCE_ACTIONS,
  BEDROCK_BEARER_TOKEN_ACTIONS,
  INVOKE_ACTIONS,
  MANTLE_BEARER_TOKEN_ACTIONS,
  MANTLE_MODEL_ACTIONS,
  MARKETPLACE_SUBSCRIBE_ACTIONS,
  MODEL_CUSTOMIZATION_ACTIONS,
  PROVISIONED_THROUGHPUT_ACTIONS,
} from "./action-lists";
import { mantleModelPatterns } from "./mantle-models";
import { buildProtectExemptedStatement } from "./protect-exempted";
import { SID } from "./statement-ids";
import type { ScpCondition, ScpStatement } from "./types";

/**
 * aws:CalledViaLast values when a Bedrock endpoint calls Marketplace on the caller's behalf. The
 * classic endpoint's principal is documented; what a subscription triggered through bedrock-mantle
 * carries is not, so both principals are listed (a value that never occurs costs nothing).
 */
export const BEDROCK_SERVICE_PRINCIPAL = "bedrock.amazonaws.com";
export const BEDROCK_MANTLE_SERVICE_PRINCIPAL = "bedrock-mantle.amazonaws.com";
const SUBSCRIBE_CALLED_VIA = [BEDROCK_SERVICE_PRINCIPAL, BEDROCK_MANTLE_SERVICE_PRINCIPAL];

/**
 * Resources a request is authorized on that must not decide the allow-list: the batch job ARN,
 * the existing provisioned throughput being re-pointed, the custom model a customization job
 * writes. Left out of the deny (NotResource), so that only the model decides.
 */
function bedrockResourcePattern(partition: string, type: string): string {
  return formatArn({ partition, service: "bedrock", region: "*", account: "*", resource: `${type}/*` });
}

/** iam:ServiceSpecificCredentialServiceName of a Bedrock long-term API key. */
export const BEDROCK_API_KEY_SERVICE_NAME = "bedrock.amazonaws.com";
export const BEARER_TOKEN_TYPE_KEYS = {
  bedrock: "bedrock:BearerTokenType",
  mantle: "bedrock-mantle:BearerTokenType",
} as const;
export const SHORT_TERM = "SHORT_TERM";
export const LONG_TERM = "LONG_TERM";
export const MANTLE_MODEL_KEY = "bedrock-mantle:Model";

export { SID };

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
 * Which bearer-token calls to deny: long-term only (the default) denies every type but SHORT_TERM,
 * so a call whose type AWS does not state is denied too (StringNotEquals holds when the key is
 * absent); both types: every bearer-token call; short-term only: SHORT_TERM.
 */
function bearerTokenCondition(key: string, long: boolean, short: boolean): ScpCondition {
  if (long && short) return {};
  return long ? { StringNotEquals: { [key]: [SHORT_TERM] } } : { StringEquals: { [key]: [SHORT_TERM] } };
}

function allowListStatements(guardrail: Guardrail, list: string[]): ScpStatement[] {
  const mantleModels = mantleModelPatterns(list);
  return [
    denyOutside(guardrail, SID.invokeAllowList, INVOKE_ACTIONS, list),
    denyOutside(guardrail, SID.batchAllowList, BATCH_INFERENCE_ACTIONS, [
      ...list,
      bedrockResourcePattern(guardrail.partition, "model-invocation-job"),
    ]),
    denyOutside(guardrail, SID.provisionedAllowList, PROVISIONED_THROUGHPUT_ACTIONS, [
      ...list,
      bedrockResourcePattern(guardrail.partition, "provisioned-model"),
    ]),
    denyOutside(guardrail, SID.customizationAllowList, MODEL_CUSTOMIZATION_ACTIONS, [
      ...list,
      bedrockResourcePattern(guardrail.partition, "custom-model"),
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
  const { denyLongTermBedrockApiKeys: long, denyShortTermBedrockApiKeys: short } = guardrail.config.scp;
  const out: ScpStatement[] = [];
  if (long) {
    out.push(
      deny(
        SID.apiKeyCreation,
        API_KEY_CREATION_ACTIONS,
        withExemption(
          guardrail,
          { StringEquals: { "iam:ServiceSpecificCredentialServiceName": [BEDROCK_API_KEY_SERVICE_NAME] } },
          [memberRolePattern(guardrail.config)],
        ),
      ),
    );
  }
  if (long || short) {
    out.push(
      deny(
        SID.apiKeyUse,
        BEDROCK_BEARER_TOKEN_ACTIONS,
        withExemption(guardrail, bearerTokenCondition(BEARER_TOKEN_TYPE_KEYS.bedrock, long, short)),
      ),
      deny(
        SID.mantleApiKeyUse,
        MANTLE_BEARER_TOKEN_ACTIONS,
        withExemption(guardrail, bearerTokenCondition(BEARER_TOKEN_TYPE_KEYS.mantle, long, short)),
      ),
    );
  }
  return out;
}

/**
 * Statements in their fixed order: model-access APIs, Marketplace via Bedrock, listed products,
 * the allow-list family (invoke, batch, provisioned throughput, customization, mantle), API keys
 * (creation, use on each endpoint), protect exempted principals.
 */
export function buildScpStatements(guardrail: Guardrail): ScpStatement[] {
  const scp = guardrail.config.scp;
  const statements: ScpStatement[] = [deny(SID.modelAccess, guardrail.iamActions, exemptionCondition(guardrail))];
  if (scp.denyMarketplaceSubscribeViaBedrock) {
    statements.push(
      deny(
        SID.subscribeViaBedrock,
        MARKETPLACE_SUBSCRIBE_ACTIONS,
        withExemption(guardrail, { StringEquals: { "aws:CalledViaLast": [...SUBSCRIBE_CALLED_VIA] } }),
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
          "ForAnyValue:StringEquals": { "aws-marketplace:ProductId": [...scp.denyMarketplaceProductIds] },
        }),
      ),
    );
  }
  if (scp.modelAllowList) statements.push(...allowListStatements(guardrail, [...scp.modelAllowList]));
  statements.push(...apiKeyStatements(guardrail));
  const protect = buildProtectExemptedStatement(guardrail);
  if (protect) statements.push(protect);
  return statements;
}
