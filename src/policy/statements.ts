/**
 * The guardrail's SCP statements, built from the compiled Guardrail alone (pure, deterministic).
 * Every Bedrock/Marketplace statement is a Deny with the same exemption condition, so "who is
 * exempt" has one answer for all of them: `ArnNotLike aws:PrincipalArn = guardrail.exemptions.scp`.
 * The last statement (protect-exempted.ts) keeps anyone else from taking over those exempt names.
 */
import type { Guardrail } from "../guardrail/guardrail";
import { buildProtectExemptedStatement, PROTECT_EXEMPTED_SID } from "./protect-exempted";
import type { ScpCondition, ScpStatement } from "./types";

/** The Marketplace call Bedrock makes with the caller's permissions when a Marketplace model is first invoked. */
export const MARKETPLACE_SUBSCRIBE = "aws-marketplace:Subscribe";
/** aws:CalledViaLast value when Bedrock calls Marketplace on the caller's behalf. */
export const BEDROCK_SERVICE_PRINCIPAL = "bedrock.amazonaws.com";
/**
 * The IAM actions model invocation authorizes against. Converse and ConverseStream have no IAM
 * action of their own: they authorize as InvokeModel and InvokeModelWithResponseStream (there is no
 * `bedrock:Converse`), and so do StartAsyncInvoke and batch inference for the model they run.
 */
export const INVOKE_ACTIONS = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"];

/**
 * Batch inference is its own action, authorized on the job ARN and on the model it runs. The job ARN
 * is always left out of the deny (NotResource), so that only the model decides.
 */
export const BATCH_INFERENCE_ACTION = "bedrock:CreateModelInvocationJob";
export const BATCH_JOB_ARN_PATTERN = "arn:aws:bedrock:*:*:model-invocation-job/*";

export const SID = {
  modelAccess: "DenyBedrockModelAccessApis",
  subscribeViaBedrock: "DenyMarketplaceSubscribeViaBedrock",
  subscribeProducts: "DenyMarketplaceSubscribeListedProducts",
  invokeAllowList: "DenyInvokeOutsideModelAllowList",
  batchAllowList: "DenyBatchInferenceOutsideModelAllowList",
  protectExempted: PROTECT_EXEMPTED_SID,
} as const;

/** The exemption every statement carries; ArnNotLike keeps IAM's wildcard semantics (see src/arn). */
export function exemptionCondition(guardrail: Guardrail): ScpCondition {
  return { ArnNotLike: { "aws:PrincipalArn": [...guardrail.exemptions.scp] } };
}

function withExemption(guardrail: Guardrail, condition: ScpCondition): ScpCondition {
  // Key order is fixed (service condition first, exemption last) so the minified JSON is stable.
  return { ...condition, ...exemptionCondition(guardrail) };
}

/**
 * Statements in their fixed order: model-access APIs, Marketplace via Bedrock, listed products, invoke allow-list,
 * protect exempted.
 */
export function buildScpStatements(guardrail: Guardrail): ScpStatement[] {
  const scp = guardrail.config.scp;
  const statements: ScpStatement[] = [
    {
      Sid: SID.modelAccess,
      Effect: "Deny",
      Action: [...guardrail.iamActions],
      Resource: "*",
      Condition: exemptionCondition(guardrail),
    },
  ];
  if (scp.denyMarketplaceSubscribeViaBedrock) {
    statements.push({
      Sid: SID.subscribeViaBedrock,
      Effect: "Deny",
      Action: [MARKETPLACE_SUBSCRIBE],
      Resource: "*",
      Condition: withExemption(guardrail, { StringEquals: { "aws:CalledViaLast": [BEDROCK_SERVICE_PRINCIPAL] } }),
    });
  }
  if (scp.denyMarketplaceProductIds.length > 0) {
    statements.push({
      Sid: SID.subscribeProducts,
      Effect: "Deny",
      Action: [MARKETPLACE_SUBSCRIBE],
      Resource: "*",
      // aws-marketplace:ProductId is multivalued, hence the ForAnyValue qualifier.
      Condition: withExemption(guardrail, {
        "ForAnyValue:StringEquals": { "aws-marketplace:ProductId": [...scp.denyMarketplaceProductIds] },
      }),
    });
  }
  if (scp.modelAllowList) {
    statements.push({
      Sid: SID.invokeAllowList,
      Effect: "Deny",
      Action: [...INVOKE_ACTIONS],
      NotResource: [...scp.modelAllowList],
      Condition: exemptionCondition(guardrail),
    });
    statements.push({
      Sid: SID.batchAllowList,
      Effect: "Deny",
      Action: [BATCH_INFERENCE_ACTION],
      NotResource: [...scp.modelAllowList, BATCH_JOB_ARN_PATTERN],
      Condition: exemptionCondition(guardrail),
    });
  }
  const protect = buildProtectExemptedStatement(guardrail);
  if (protect) statements.push(protect);
  return statements;
}
