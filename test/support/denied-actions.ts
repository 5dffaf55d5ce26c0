/**
 * What the SCP must deny, written out by hand, independently of policies/ and src/policy: the policy
 * tests take their expected cells from here, so an action dropped from the definition or the SCP
 * fails them instead of silently leaving the table and the expectation together. Add an action here
 * in the same change that makes the SCP deny it.
 */

/** Enabling a model (the first-use agreement and the entitlement): denied to all but approved and break-glass. */
export const MODEL_ACCESS_ACTIONS: readonly string[] = [
  "bedrock:PutUseCaseForModelAccess",
  "bedrock:CreateFoundationModelAgreement",
  "bedrock:PutFoundationModelEntitlement",
];

/**
 * Taking accounts out of every SCP's reach: leaving the organization, and disabling the SCP policy type in
 * the root (which detaches every SCP). Denied to all but break-glass and the admins who deploy the guardrail.
 */
export const ORGANIZATION_ESCAPE_ACTIONS: readonly string[] = [
  "organizations:LeaveOrganization",
  "organizations:DisablePolicyType",
];

/**
 * Minting a long-term Bedrock API key (an IAM service-specific credential for bedrock.amazonaws.com), re-minting its
 * secret, and setting its status (re-activating one remediation deactivated): denied to all but approved and
 * break-glass (and the member role, which deactivates leaked keys) while scp.denyLongTermBedrockApiKeys is on.
 */
export const API_KEY_CREATION_ACTIONS: readonly string[] = [
  "iam:CreateServiceSpecificCredential",
  "iam:ResetServiceSpecificCredential",
  "iam:UpdateServiceSpecificCredential",
];

/** A call made with a Bedrock API key, on the two Bedrock endpoints: the bearer-token authorization it also needs. */
export const BEDROCK_BEARER_TOKEN_ACTIONS: readonly string[] = [
  "bedrock:CallWithBearerToken",
  "bedrock-mantle:CallWithBearerToken",
];
