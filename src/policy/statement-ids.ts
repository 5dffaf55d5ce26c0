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
