/**
 * The Sid of every statement the guardrail can emit. Its own module so that the action lists
 * (derived from policies/action-classification.json by Sid) and the statement builders share one
 * spelling without importing each other.
 */
export const SID = {
  modelAccess: "DenyBedrockModelAccessApis",
  subscribeViaBedrock: "DenyMarketplaceSubscribeViaBedrock",
  subscribeProducts: "DenyMarketplaceSubscribeListedProducts",
  inferenceAllowList: "DenyInferenceOutsideModelAllowList",
  provisionedAllowList: "DenyProvisionedThroughputOutsideModelAllowList",
  customizationAllowList: "DenyCustomizationOutsideModelAllowList",
  mantleAllowList: "DenyMantleOutsideModelAllowList",
  apiKeyCreation: "DenyBedrockApiKeyCreation",
  apiKeyUse: "DenyBedrockApiKeyUse",
  protectExempted: "ProtectExemptedPrincipals",
} as const;

/**
 * Condition keys and values the statements use that readers of CloudTrail (preview's request model)
 * need too; here, beside the Sids, so that those readers do not load the action classification.
 */
export const BEARER_TOKEN_TYPE_KEYS = {
  bedrock: "bedrock:BearerTokenType",
  mantle: "bedrock-mantle:BearerTokenType",
} as const;
export const SHORT_TERM = "SHORT_TERM";
export const LONG_TERM = "LONG_TERM";
export const MANTLE_MODEL_KEY = "bedrock-mantle:Model";
