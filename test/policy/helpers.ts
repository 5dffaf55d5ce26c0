import type { GuardrailConfigInput } from "../../src/config/schema";
import type { Guardrail } from "../../src/guardrail/guardrail";
import { guardrailFrom, MINIMAL_CONFIG } from "../support/fixtures";

export { MINIMAL_CONFIG };

/** Every SCP control on, an Identity Center approved role and a break-glass role. */
export const FULL_CONFIG: GuardrailConfigInput = {
  approvedPrincipalArns: [
    "arn:aws:iam::*:role/BedrockModelAccessAdmin",
    // The safe Identity Center form: the permission-set name, then sixteen ? for the random suffix.
    "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_BedrockAdmin_????????????????",
  ],
  breakGlassPrincipalArns: ["arn:aws:iam::123456789012:role/BreakGlass"],
  scp: {
    denyMarketplaceProductIds: ["prod-abcdefgh12345"],
    modelAllowList: [
      "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4*",
      "arn:aws:bedrock:*:*:inference-profile/us.anthropic.claude-sonnet-4*",
    ],
  },
};

/** FULL_CONFIG in AWS GovCloud (US): every ARN in the aws-us-gov partition, a GovCloud home Region. */
export const GOVCLOUD_CONFIG: GuardrailConfigInput = {
  ...(JSON.parse(JSON.stringify(FULL_CONFIG).replaceAll("arn:aws:", "arn:aws-us-gov:")) as GuardrailConfigInput),
  aws: { region: "us-gov-west-1" },
};

export function guardrailFor(config: GuardrailConfigInput): Guardrail {
  return guardrailFrom(config);
}

/** The model ids of the realistic allow-list. */
export const REALISTIC_MODEL_IDS = [
  "anthropic.claude-sonnet-4-5*",
  "anthropic.claude-haiku-4-5*",
  "anthropic.claude-opus-4-1*",
  "amazon.nova-pro-v1:0",
  "amazon.nova-lite-v1:0",
  "amazon.nova-micro-v1:0",
  "meta.llama3-3-70b-instruct-v1:0",
  "mistral.mistral-large-2407-v1:0",
  "cohere.command-r-plus-v1:0",
  "amazon.titan-embed-text-v2:0",
];

/** A foundation-model pattern and the cross-Region profile that routes to it, for each model id. */
export const modelsWithProfiles = (ids: readonly string[]): string[] =>
  ids.flatMap((id) => [`arn:aws:bedrock:*::foundation-model/${id}`, `arn:aws:bedrock:*:*:inference-profile/us.${id}`]);

/** Twenty allow-listed models: ten foundation-model patterns and the ten cross-Region profiles that route to them. */
const TWENTY_MODELS = modelsWithProfiles(REALISTIC_MODEL_IDS);

/**
 * The review's realistic organization: ten approved patterns, a break-glass role, a 20-model
 * allow-list, EventBridge forwarding and access-key rotation.
 */
export const REALISTIC_CONFIG: GuardrailConfigInput = {
  approvedPrincipalArns: [
    "arn:aws:iam::*:role/BedrockModelAccessAdmin",
    "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_BedrockAdmin_????????????????",
    "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_MLPlatformOps_????????????????",
    "arn:aws:iam::210987654321:role/platform/ml-platform-deployer",
    "arn:aws:iam::210987654321:role/platform/bedrock-provisioner",
    "arn:aws:iam::345678901234:role/DataScienceLead",
    "arn:aws:iam::345678901234:role/ModelGovernance",
    "arn:aws:iam::456789012345:role/service/sagemaker-bedrock-bridge",
    "arn:aws:iam::567890123456:role/ml/ResearchPlatformAdmin",
    "arn:aws:iam::678901234567:role/ml/FineTuningPipeline",
  ],
  breakGlassPrincipalArns: ["arn:aws:iam::123456789012:role/BreakGlass"],
  monitor: { eventbridge: { enabled: true, regions: ["us-east-1", "us-west-2", "eu-west-1"] } },
  remediation: { mode: "enforce", accessKey: "rotate" },
  scp: {
    exemptedPrincipalAdminArns: ["arn:aws:iam::*:role/iam-pipeline/IamDeployer"],
    denyMarketplaceProductIds: ["prod-abcdefgh12345"],
    modelAllowList: TWENTY_MODELS,
  },
};
