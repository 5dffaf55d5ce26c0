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
  /** Buying provisioned throughput and customizing: both authorized on a foundation or custom model. */
  trainingAllowList: "DenyThroughputAndCustomizationOutsideModelAllowList",
  mantleAllowList: "DenyMantleOutsideModelAllowList",
  apiKeyCreation: "DenyBedrockApiKeyCreation",
  apiKeyUse: "DenyBedrockApiKeyUse",
  serviceLinkedRoles: "DenyModelInvokingServiceLinkedRoles",
  protectExempted: "ProtectExemptedPrincipals",
  protectDeployment: "ProtectGuardrailDeployment",
  protectData: "ProtectGuardrailStateAndInvocation",
  /** With remediation.operatorPrincipalArns: the item writes operators may make, split off protectData. */
  protectStateItems: "ProtectGuardrailStateItems",
  protectJobItems: "ProtectGuardrailJobItems",
  protectTagged: "ProtectGuardrailTaggedResources",
  protectTag: "ProtectGuardrailTag",
  protectRoleTags: "ProtectGuardrailRoleTags",
  /** Event source mappings onto the tool's functions: matched by lambda:FunctionArn, not by a Resource. */
  protectEventSources: "ProtectGuardrailEventSourceMappings",
  protectMetrics: "ProtectGuardrailMetrics",
  organizationEscape: "DenyLeavingOrganization",
} as const;

/**
 * Condition keys and values the statements use that readers of CloudTrail (preview's request model)
 * need too; here, beside the Sids, so that those readers do not load the action classification.
 */
export const BEARER_TOKEN_TYPE_KEYS = {
  bedrock: "bedrock:BearerTokenType",
  mantle: "bedrock-mantle:BearerTokenType",
  claudePlatform: "aws-external-anthropic:BearerTokenType",
} as const;
export const SHORT_TERM = "SHORT_TERM";
export const LONG_TERM = "LONG_TERM";
export const MANTLE_MODEL_KEY = "bedrock-mantle:Model";
/** The Marketplace product a subscription names (multivalued). */
export const MARKETPLACE_PRODUCT_KEY = "aws-marketplace:ProductId";
/** The function an event source mapping feeds: the only way a policy names it when the mapping is created. */
export const FUNCTION_ARN_KEY = "lambda:FunctionArn";

/**
 * ProtectGuardrailEventSourceMappings: having Lambda invoke the tool's functions as themselves, outside
 * the deny of lambda:InvokeFunction, with batches from a queue, stream or Kafka topic of one's choosing:
 * creating a mapping onto a function, or updating one (an update can change the function it feeds). Neither
 * names the function as a resource (creating names none), so the statement matches lambda:FunctionArn.
 * Deleting a mapping stays allowed: the tool creates none. Here, not in action-lists.ts, because preview's request
 * model reads it too, and detect loads that model without the action classification.
 */
export const EVENT_SOURCE_MAPPING_ACTIONS = ["lambda:CreateEventSourceMapping", "lambda:UpdateEventSourceMapping"];
