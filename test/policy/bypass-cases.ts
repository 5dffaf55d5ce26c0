/**
 * The walk-arounds the simulator tests prove closed (or deliberately open), as data: each case is a
 * config, a principal, a request and the expected decision. bypasses.test.ts runs them through the
 * IAM simulator and the tool's own evaluator; compaction.test.ts evaluates them before and after
 * the statement compaction.
 */
import type { GuardrailConfigInput } from "../../src/config/schema";
import { FULL_CONFIG, MINIMAL_CONFIG } from "./helpers";
import type { SimulatedRequest } from "./simulator";

export const MEMBER = "111122223333";
export const SECURITY = "444455556666";
export const DEVELOPER = `arn:aws:iam::${MEMBER}:role/DeveloperRole`;
export const APPROVED = `arn:aws:iam::${MEMBER}:role/BedrockModelAccessAdmin`;
export const BREAK_GLASS = "arn:aws:iam::123456789012:role/BreakGlass";
export const MEMBER_ROLE = `arn:aws:iam::${MEMBER}:role/bedrock-guardrail/BedrockGuardrailRemediation`;
export const ADMIN = `arn:aws:iam::${SECURITY}:role/iam-pipeline/IamDeployer`;
export const SECURITY_ADMIN = `arn:aws:iam::${SECURITY}:role/SecurityAccountAdmin`;
const PROJECT = `arn:aws:bedrock-mantle:us-east-1:${MEMBER}:project/default`;
const LISTED_MODEL = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0";
const UNLISTED_MODEL = "arn:aws:bedrock:us-east-1::foundation-model/deepseek.r1-v1:0";
const PROVISIONED = `arn:aws:bedrock:us-east-1:${MEMBER}:provisioned-model/abcd1234efgh`;
const CUSTOM_MODEL = `arn:aws:bedrock:us-east-1:${MEMBER}:custom-model/my-fine-tune`;
// A custom model's ARN embeds its base model's id: custom-model/<base id>[:<variant>]/<12 characters>.
export const LISTED_CUSTOM_MODEL =
  `arn:aws:bedrock:us-east-1:${MEMBER}:custom-model/` + "anthropic.claude-sonnet-4-20250514-v1:0/a1b2c3d4e5f6";
export const UNLISTED_CUSTOM_MODEL = `arn:aws:bedrock:us-east-1:${MEMBER}:custom-model/deepseek.r1-v1:0/a1b2c3d4e5f6`;
const IMPORTED_CUSTOM_MODEL = `arn:aws:bedrock:us-east-1:${MEMBER}:custom-model/imported/a1b2c3d4e5f6`;
const IDC = `arn:aws:iam::${MEMBER}:role/aws-reserved/sso.amazonaws.com/eu-west-1`;
const IDC_US_EAST_1 = `arn:aws:iam::${MEMBER}:role/aws-reserved/sso.amazonaws.com`;
const ACCOUNT_BEDROCK = `arn:aws:bedrock:us-east-1:${MEMBER}`;
const LISTED_PROFILE = `${ACCOUNT_BEDROCK}:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0`;

export const WITH_ADMIN: GuardrailConfigInput = {
  ...FULL_CONFIG,
  scp: { ...FULL_CONFIG.scp, exemptedPrincipalAdminArns: ["arn:aws:iam::*:role/iam-pipeline/IamDeployer"] },
};
const PROVISIONED_LISTED: GuardrailConfigInput = {
  ...FULL_CONFIG,
  scp: { modelAllowList: [...FULL_CONFIG.scp!.modelAllowList!, "arn:aws:bedrock:*:*:provisioned-model/*"] },
};
const EXACT_IDS: GuardrailConfigInput = {
  ...FULL_CONFIG,
  scp: {
    modelAllowList: [
      "arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0",
      "arn:aws:bedrock:*::foundation-model/openai.gpt-oss-120b-1:0",
    ],
  },
};
/** Claude pinned to one dated snapshot: mantle names it without the date (anthropic.claude-sonnet-4-5). */
export const PINNED_CLAUDE: GuardrailConfigInput = {
  ...FULL_CONFIG,
  scp: {
    modelAllowList: [
      "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
      "arn:aws:bedrock:*:*:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    ],
  },
};
/** Wildcard entries: on mantle they yield only themselves (their suffix stripped would name other models). */
const allowListOf = (modelId: string): GuardrailConfigInput => ({
  ...FULL_CONFIG,
  scp: { modelAllowList: [`arn:aws:bedrock:*::foundation-model/${modelId}`] },
});
const ANY_CLAUDE_OF_A_DATE = allowListOf("anthropic.claude-*-20250929-v1:0");
const ANY_MODEL_OF_A_DATE = allowListOf("*-20250929-v1:0");
const IDC_BREAK_GLASS: GuardrailConfigInput = {
  ...FULL_CONFIG,
  breakGlassPrincipalArns: [
    "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_BreakGlass_????????????????",
  ],
};
const UNSAFE_IDC: GuardrailConfigInput = {
  approvedPrincipalArns: ["arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_BedrockAdmin_*"],
};

const mantle = (action: string, model?: string): SimulatedRequest => ({
  action: `bedrock-mantle:${action}`,
  resource: PROJECT,
  ...(model ? { context: { "bedrock-mantle:Model": [model] } } : {}),
});
const credential = (action: string, service: string): SimulatedRequest => ({
  action: `iam:${action}`,
  resource: `arn:aws:iam::${MEMBER}:user/ci-deploy`,
  context: { "iam:ServiceSpecificCredentialServiceName": [service] },
});
const bearer = (prefix: "bedrock" | "bedrock-mantle", type?: string): SimulatedRequest => ({
  action: `${prefix}:CallWithBearerToken`,
  resource: "*",
  ...(type ? { context: { [`${prefix}:BearerTokenType`]: [type] } } : {}),
});

export type Case = [
  label: string,
  config: GuardrailConfigInput,
  principal: string,
  request: SimulatedRequest,
  "allow" | "deny",
];

export const CASES: Case[] = [
  // bedrock-mantle, with an allow-list.
  ["mantle inference, unlisted model", FULL_CONFIG, DEVELOPER, mantle("CreateInference", "deepseek.r1"), "deny"],
  [
    "mantle inference, listed model",
    FULL_CONFIG,
    DEVELOPER,
    mantle("CreateInference", "anthropic.claude-sonnet-4-5"),
    "allow",
  ],
  ["mantle inference with no model key", FULL_CONFIG, DEVELOPER, mantle("CreateInference"), "deny"],
  [
    "mantle inference, unlisted model, approved role",
    FULL_CONFIG,
    APPROVED,
    mantle("CreateInference", "deepseek.r1"),
    "allow",
  ],
  ["mantle fine-tuning, unlisted model", FULL_CONFIG, DEVELOPER, mantle("CreateFineTuningJob", "deepseek.r1"), "deny"],
  [
    "mantle fine-tuning, listed model",
    FULL_CONFIG,
    DEVELOPER,
    mantle("CreateFineTuningJob", "anthropic.claude-sonnet-4-5"),
    "allow",
  ],
  ["mantle capacity reservation (names no model)", FULL_CONFIG, DEVELOPER, mantle("CreateReservation"), "deny"],
  ["mantle reservation, break-glass", FULL_CONFIG, BREAK_GLASS, mantle("CreateReservation"), "allow"],
  ["mantle inference, no allow-list", MINIMAL_CONFIG, DEVELOPER, mantle("CreateInference", "deepseek.r1"), "allow"],
  ["mantle model listing (read)", FULL_CONFIG, DEVELOPER, mantle("ListModels"), "allow"],
  // Classic endpoint: buying and customizing.
  [
    "provisioned throughput, unlisted model",
    FULL_CONFIG,
    DEVELOPER,
    { action: "bedrock:CreateProvisionedModelThroughput", resource: UNLISTED_MODEL },
    "deny",
  ],
  [
    "provisioned throughput, listed model",
    FULL_CONFIG,
    DEVELOPER,
    { action: "bedrock:CreateProvisionedModelThroughput", resource: LISTED_MODEL },
    "allow",
  ],
  [
    "re-pointing throughput: the existing provisioned model does not decide",
    FULL_CONFIG,
    DEVELOPER,
    { action: "bedrock:UpdateProvisionedModelThroughput", resource: PROVISIONED },
    "allow",
  ],
  [
    "re-pointing throughput to an unlisted model",
    FULL_CONFIG,
    DEVELOPER,
    { action: "bedrock:UpdateProvisionedModelThroughput", resource: UNLISTED_MODEL },
    "deny",
  ],
  [
    "customization, unlisted base model",
    FULL_CONFIG,
    DEVELOPER,
    { action: "bedrock:CreateModelCustomizationJob", resource: UNLISTED_MODEL },
    "deny",
  ],
  [
    "customization, listed base model",
    FULL_CONFIG,
    DEVELOPER,
    { action: "bedrock:CreateModelCustomizationJob", resource: LISTED_MODEL },
    "allow",
  ],
  [
    "customization: a custom model of a listed base (the one it writes, or one it starts from)",
    FULL_CONFIG,
    DEVELOPER,
    { action: "bedrock:CreateModelCustomizationJob", resource: LISTED_CUSTOM_MODEL },
    "allow",
  ],
  [
    "customization of a custom model whose base is not listed (shared through RAM and copied in)",
    FULL_CONFIG,
    DEVELOPER,
    { action: "bedrock:CreateModelCustomizationJob", resource: UNLISTED_CUSTOM_MODEL },
    "deny",
  ],
  [
    "customization of an imported model",
    FULL_CONFIG,
    DEVELOPER,
    { action: "bedrock:CreateModelCustomizationJob", resource: IMPORTED_CUSTOM_MODEL },
    "deny",
  ],
  [
    "customization of a custom model of a listed base, by name only (no base in the ARN)",
    FULL_CONFIG,
    DEVELOPER,
    { action: "bedrock:CreateModelCustomizationJob", resource: CUSTOM_MODEL },
    "deny",
  ],
  // What listing provisioned-model/* reopens: invoking existing throughput, never buying more of an unlisted model.
  [
    "invoking provisioned throughput, not listed",
    FULL_CONFIG,
    DEVELOPER,
    { action: "bedrock:InvokeModel", resource: PROVISIONED },
    "deny",
  ],
  [
    "invoking provisioned throughput, provisioned-model/* listed",
    PROVISIONED_LISTED,
    DEVELOPER,
    { action: "bedrock:InvokeModel", resource: PROVISIONED },
    "allow",
  ],
  [
    "buying throughput on an unlisted model, provisioned-model/* listed",
    PROVISIONED_LISTED,
    DEVELOPER,
    { action: "bedrock:CreateProvisionedModelThroughput", resource: UNLISTED_MODEL },
    "deny",
  ],
  // False denials of listed models: profiles, routers, the Responses API, async invocation.
  [
    "a listed model through its cross-Region profile (the profile)",
    FULL_CONFIG,
    DEVELOPER,
    { action: "bedrock:InvokeModel", resource: LISTED_PROFILE },
    "allow",
  ],
  [
    "a listed model through its cross-Region profile (a destination Region's model)",
    FULL_CONFIG,
    DEVELOPER,
    {
      action: "bedrock:InvokeModel",
      resource: LISTED_MODEL.replace("us-east-1", "us-west-2"),
      context: { "bedrock:InferenceProfileArn": [LISTED_PROFILE] },
    },
    "allow",
  ],
  [
    "an unlisted model through its profile: the destination Region's model is still denied",
    FULL_CONFIG,
    DEVELOPER,
    {
      action: "bedrock:InvokeModel",
      resource: UNLISTED_MODEL.replace("us-east-1", "us-west-2"),
      context: { "bedrock:InferenceProfileArn": [LISTED_PROFILE.replace("anthropic.claude-sonnet-4", "deepseek.r1")] },
    },
    "deny",
  ],
  [
    "a listed model through an application inference profile",
    FULL_CONFIG,
    DEVELOPER,
    {
      action: "bedrock:InvokeModelWithResponseStream",
      resource: `${ACCOUNT_BEDROCK}:application-inference-profile/abc123`,
    },
    "allow",
  ],
  [
    "a prompt router (its models are authorized on their own)",
    FULL_CONFIG,
    DEVELOPER,
    { action: "bedrock:InvokeModel", resource: `${ACCOUNT_BEDROCK}:default-prompt-router/anthropic.claude:1` },
    "allow",
  ],
  [
    "the Responses API: project/default with a listed bedrock:ModelArn",
    FULL_CONFIG,
    DEVELOPER,
    {
      action: "bedrock:InvokeModel",
      resource: `${ACCOUNT_BEDROCK}:project/default`,
      context: { "bedrock:ModelArn": [LISTED_MODEL] },
    },
    "allow",
  ],
  [
    "the Responses API: the unlisted model's own authorization (with bedrock:ProjectArn)",
    FULL_CONFIG,
    DEVELOPER,
    {
      action: "bedrock:InvokeModel",
      resource: UNLISTED_MODEL,
      context: { "bedrock:ProjectArn": [`${ACCOUNT_BEDROCK}:project/default`] },
    },
    "deny",
  ],
  // Converse with a system tool (Nova web grounding): authorized on the tool (no Region) and on the model.
  ...["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"].map(
    (action): Case => [
      `${action} on a system tool, beside a listed model`,
      FULL_CONFIG,
      DEVELOPER,
      { action, resource: `arn:aws:bedrock::${MEMBER}:system-tool/amazon.nova_grounding` },
      "allow",
    ],
  ),
  [
    "the model a system tool runs with, unlisted",
    FULL_CONFIG,
    DEVELOPER,
    { action: "bedrock:InvokeModelWithResponseStream", resource: UNLISTED_MODEL },
    "deny",
  ],
  [
    "batch inference through a listed model's profile, and its job ARN",
    FULL_CONFIG,
    DEVELOPER,
    { action: "bedrock:CreateModelInvocationJob", resource: `${ACCOUNT_BEDROCK}:model-invocation-job/j1` },
    "allow",
  ],
  [
    "batch inference of an unlisted model",
    FULL_CONFIG,
    DEVELOPER,
    { action: "bedrock:CreateModelInvocationJob", resource: UNLISTED_MODEL },
    "deny",
  ],
  // Buying throughput names a context variant of the model (amazon.nova-pro-v1:0:300k), and so does fine-tuning most
  // models: an exact entry's own variants are the listed model, another model's are not.
  ...["bedrock:CreateProvisionedModelThroughput", "bedrock:CreateModelCustomizationJob"].flatMap((action): Case[] => [
    [
      `${action}, a context variant of an exactly listed model`,
      EXACT_IDS,
      DEVELOPER,
      { action, resource: "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0:300k" },
      "allow",
    ],
    [
      `${action}, a context variant of a model beside an exactly listed one`,
      EXACT_IDS,
      DEVELOPER,
      { action, resource: "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-premier-v1:0:1000k" },
      "deny",
    ],
  ]),
  [
    "fine-tuning a model listed by an id without a version, through its context variant",
    allowListOf("amazon.titan-text-express-v1"),
    DEVELOPER,
    {
      action: "bedrock:CreateModelCustomizationJob",
      resource: "arn:aws:bedrock:us-west-2::foundation-model/amazon.titan-text-express-v1:0:8k",
    },
    "allow",
  ],
  [
    "fine-tuning a model whose id merely starts with an id listed without a version",
    allowListOf("amazon.titan-text-express-v1"),
    DEVELOPER,
    {
      action: "bedrock:CreateModelCustomizationJob",
      resource: "arn:aws:bedrock:us-west-2::foundation-model/amazon.titan-text-express-v10:0:8k",
    },
    "deny",
  ],
  // An id listed without its version (amazon.nova-pro-v1, not amazon.nova-pro-v1:0) stands for its versions on demand
  // too, as it does for throughput, customization and bedrock-mantle; a model whose id merely starts with it does not.
  ...(
    ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:CreateModelInvocationJob"] as const
  ).flatMap((action): Case[] => [
    [
      `${action}, a model listed by an id without its version, by its versioned id`,
      allowListOf("amazon.nova-pro-v1"),
      DEVELOPER,
      { action, resource: "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0" },
      "allow",
    ],
    [
      `${action}, a model whose id merely starts with an id listed without a version`,
      allowListOf("amazon.nova-pro-v1"),
      DEVELOPER,
      { action, resource: "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v10:0" },
      "deny",
    ],
  ]),
  [
    "invoking a model listed by an id without its version, in a Region its us. profile routes to",
    allowListOf("amazon.nova-pro-v1"),
    DEVELOPER,
    { action: "bedrock:InvokeModel", resource: "arn:aws:bedrock:us-west-1::foundation-model/amazon.nova-pro-v1:0" },
    "allow",
  ],
  [
    "buying throughput for a context variant of an exactly listed model's newer version",
    EXACT_IDS,
    DEVELOPER,
    {
      action: "bedrock:CreateProvisionedModelThroughput",
      resource: "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:1:300k",
    },
    "deny",
  ],
  [
    "invoking a context variant of an exactly listed model (on-demand names the model itself)",
    EXACT_IDS,
    DEVELOPER,
    {
      action: "bedrock:InvokeModel",
      resource: "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0:300k",
    },
    "deny",
  ],
  // bedrock-mantle model keys as clients send them: listed and bare.
  ["mantle, the exact listed id", EXACT_IDS, DEVELOPER, mantle("CreateInference", "amazon.nova-pro-v1:0"), "allow"],
  [
    "mantle, the bare id of an exact listing",
    EXACT_IDS,
    DEVELOPER,
    mantle("CreateInference", "amazon.nova-pro"),
    "allow",
  ],
  ["mantle, GPT-OSS's listed id", EXACT_IDS, DEVELOPER, mantle("CreateInference", "openai.gpt-oss-120b-1:0"), "allow"],
  ["mantle, GPT-OSS's bare id", EXACT_IDS, DEVELOPER, mantle("CreateInference", "openai.gpt-oss-120b"), "allow"],
  [
    "mantle, a sibling of a listed model",
    EXACT_IDS,
    DEVELOPER,
    mantle("CreateInference", "amazon.nova-premier"),
    "deny",
  ],
  ["mantle, a bigger GPT-OSS", EXACT_IDS, DEVELOPER, mantle("CreateInference", "openai.gpt-oss-1200b"), "deny"],
  [
    "mantle, a pinned Claude snapshot by mantle's id",
    PINNED_CLAUDE,
    DEVELOPER,
    mantle("CreateInference", "anthropic.claude-sonnet-4-5"),
    "allow",
  ],
  [
    "mantle, a pinned Claude snapshot as Bedrock lists it",
    PINNED_CLAUDE,
    DEVELOPER,
    mantle("CreateInference", "anthropic.claude-sonnet-4-5-20250929-v1:0"),
    "allow",
  ],
  [
    "mantle, the next Claude version beside a pinned one",
    PINNED_CLAUDE,
    DEVELOPER,
    mantle("CreateInference", "anthropic.claude-sonnet-4-6"),
    "deny",
  ],
  [
    "mantle, the previous Claude version beside a pinned one",
    PINNED_CLAUDE,
    DEVELOPER,
    mantle("CreateInference", "anthropic.claude-sonnet-4"),
    "deny",
  ],
  // A wildcard before the date and version: mantle's undated id would be every Claude model (every model).
  [
    "mantle, another Claude model beside anthropic.claude-*-20250929-v1:0",
    ANY_CLAUDE_OF_A_DATE,
    DEVELOPER,
    mantle("CreateInference", "anthropic.claude-opus-4-1"),
    "deny",
  ],
  [
    "mantle, DeepSeek beside *-20250929-v1:0",
    ANY_MODEL_OF_A_DATE,
    DEVELOPER,
    mantle("CreateInference", "deepseek.r1"),
    "deny",
  ],
  [
    "mantle, GPT-OSS beside *-20250929-v1:0",
    ANY_MODEL_OF_A_DATE,
    DEVELOPER,
    mantle("CreateInference", "openai.gpt-oss-120b"),
    "deny",
  ],
  [
    "mantle, the snapshot a wildcard entry lists, as Bedrock lists it",
    ANY_CLAUDE_OF_A_DATE,
    DEVELOPER,
    mantle("CreateInference", "anthropic.claude-sonnet-4-5-20250929-v1:0"),
    "allow",
  ],
  [
    "mantle, the snapshot a wildcard entry lists, by mantle's id (fail closed; the lint warns)",
    ANY_CLAUDE_OF_A_DATE,
    DEVELOPER,
    mantle("CreateInference", "anthropic.claude-sonnet-4-5"),
    "deny",
  ],
  // Identity Center in us-east-1: no Region in the role path; one config entry covers both shapes.
  [
    "approved permission set of a us-east-1 instance",
    FULL_CONFIG,
    `${IDC_US_EAST_1}/AWSReservedSSO_BedrockAdmin_0123456789abcdef`,
    { action: "bedrock:CreateFoundationModelAgreement", resource: "*" },
    "allow",
  ],
  [
    "approved permission set of a us-east-1 instance, invoking an unlisted model",
    FULL_CONFIG,
    `${IDC_US_EAST_1}/AWSReservedSSO_BedrockAdmin_0123456789abcdef`,
    { action: "bedrock:InvokeModel", resource: UNLISTED_MODEL },
    "allow",
  ],
  [
    "BedrockAdmin_Sandbox of a us-east-1 instance",
    FULL_CONFIG,
    `${IDC_US_EAST_1}/AWSReservedSSO_BedrockAdmin_Sandbox_0123456789abcdef`,
    { action: "bedrock:CreateFoundationModelAgreement", resource: "*" },
    "deny",
  ],
  [
    "a set named Other_AWSReservedSSO_BedrockAdmin (the single-pattern trap)",
    FULL_CONFIG,
    `${IDC}/AWSReservedSSO_Other_AWSReservedSSO_BedrockAdmin_0123456789abcdef`,
    { action: "bedrock:CreateFoundationModelAgreement", resource: "*" },
    "deny",
  ],
  [
    "break-glass permission set of a us-east-1 instance, re-trusting an approved role",
    IDC_BREAK_GLASS,
    `${IDC_US_EAST_1}/AWSReservedSSO_BreakGlass_0123456789abcdef`,
    { action: "iam:UpdateAssumeRolePolicy", resource: APPROVED },
    "allow",
  ],
  // Statements 1-2 through mantle.
  [
    "Subscribe called via bedrock-mantle",
    MINIMAL_CONFIG,
    DEVELOPER,
    {
      action: "aws-marketplace:Subscribe",
      resource: "*",
      context: { "aws:CalledViaLast": ["bedrock-mantle.amazonaws.com"] },
    },
    "deny",
  ],
  // Bedrock API keys.
  [
    "creating a Bedrock API key",
    MINIMAL_CONFIG,
    DEVELOPER,
    credential("CreateServiceSpecificCredential", "bedrock.amazonaws.com"),
    "deny",
  ],
  // Whether IAM takes the service name in another case is not documented: the statement ignores case.
  [
    "creating a Bedrock API key, the service named in another case",
    MINIMAL_CONFIG,
    DEVELOPER,
    credential("CreateServiceSpecificCredential", "Bedrock.AmazonAWS.com"),
    "deny",
  ],
  [
    "creating a CodeCommit credential",
    MINIMAL_CONFIG,
    DEVELOPER,
    credential("CreateServiceSpecificCredential", "codecommit.amazonaws.com"),
    "allow",
  ],
  [
    "re-activating a Bedrock API key",
    MINIMAL_CONFIG,
    DEVELOPER,
    credential("UpdateServiceSpecificCredential", "bedrock.amazonaws.com"),
    "deny",
  ],
  [
    "the member role deactivating a Bedrock API key",
    MINIMAL_CONFIG,
    MEMBER_ROLE,
    credential("UpdateServiceSpecificCredential", "bedrock.amazonaws.com"),
    "allow",
  ],
  [
    "the member role creating a Bedrock API key (its own policy never allows it)",
    MINIMAL_CONFIG,
    MEMBER_ROLE,
    credential("CreateServiceSpecificCredential", "bedrock.amazonaws.com"),
    "allow",
  ],
  [
    "creating a Bedrock API key, approved role",
    MINIMAL_CONFIG,
    APPROVED,
    credential("CreateServiceSpecificCredential", "bedrock.amazonaws.com"),
    "allow",
  ],
  ["calling Bedrock with a long-term key", MINIMAL_CONFIG, DEVELOPER, bearer("bedrock", "LONG_TERM"), "deny"],
  [
    "calling bedrock-mantle with a long-term key",
    MINIMAL_CONFIG,
    DEVELOPER,
    bearer("bedrock-mantle", "LONG_TERM"),
    "deny",
  ],
  ["calling Bedrock with a bearer token of no stated type", MINIMAL_CONFIG, DEVELOPER, bearer("bedrock"), "deny"],
  ["calling Bedrock with a short-term key", MINIMAL_CONFIG, DEVELOPER, bearer("bedrock", "SHORT_TERM"), "allow"],
  [
    "calling Bedrock with a short-term key, opt-in on",
    { ...MINIMAL_CONFIG, scp: { denyShortTermBedrockApiKeys: true } },
    DEVELOPER,
    bearer("bedrock", "SHORT_TERM"),
    "deny",
  ],
  [
    "calling Bedrock with a long-term key, approved role",
    MINIMAL_CONFIG,
    APPROVED,
    bearer("bedrock", "LONG_TERM"),
    "allow",
  ],
  [
    "API-key controls off",
    { ...MINIMAL_CONFIG, scp: { denyLongTermBedrockApiKeys: false } },
    DEVELOPER,
    bearer("bedrock", "LONG_TERM"),
    "allow",
  ],
  // The tool's trust anchors, attacked by an admin of the security account who is not a listed admin.
  [
    "re-trusting the query-job role",
    WITH_ADMIN,
    SECURITY_ADMIN,
    {
      action: "iam:UpdateAssumeRolePolicy",
      resource: `arn:aws:iam::${SECURITY}:role/bedrock-guardrail/bedrock-guardrail-query-job`,
    },
    "deny",
  ],
  [
    "re-trusting the realtime role",
    WITH_ADMIN,
    SECURITY_ADMIN,
    {
      action: "iam:UpdateAssumeRolePolicy",
      resource: `arn:aws:iam::${SECURITY}:role/bedrock-guardrail/bedrock-guardrail-realtime`,
    },
    "deny",
  ],
  [
    "passing the query-job role to a new function",
    WITH_ADMIN,
    SECURITY_ADMIN,
    { action: "iam:PassRole", resource: `arn:aws:iam::${SECURITY}:role/bedrock-guardrail/bedrock-guardrail-query-job` },
    "deny",
  ],
  [
    "replacing the realtime function's code",
    WITH_ADMIN,
    SECURITY_ADMIN,
    {
      action: "lambda:UpdateFunctionCode",
      resource: `arn:aws:lambda:us-east-1:${SECURITY}:function:bedrock-guardrail-realtime`,
    },
    "deny",
  ],
  [
    "changing the query-job function's configuration",
    WITH_ADMIN,
    SECURITY_ADMIN,
    {
      action: "lambda:UpdateFunctionConfiguration",
      resource: `arn:aws:lambda:us-east-1:${SECURITY}:function:bedrock-guardrail-query-job`,
    },
    "deny",
  ],
  [
    "opening the realtime function to another account",
    WITH_ADMIN,
    SECURITY_ADMIN,
    {
      action: "lambda:AddPermission",
      resource: `arn:aws:lambda:us-east-1:${SECURITY}:function:bedrock-guardrail-realtime`,
    },
    "deny",
  ],
  [
    "the listed admin (the deploying pipeline) updating the function",
    WITH_ADMIN,
    ADMIN,
    {
      action: "lambda:UpdateFunctionCode",
      resource: `arn:aws:lambda:us-east-1:${SECURITY}:function:bedrock-guardrail-realtime`,
    },
    "allow",
  ],
  [
    "the listed admin re-trusting the query-job role",
    WITH_ADMIN,
    ADMIN,
    {
      action: "iam:UpdateAssumeRolePolicy",
      resource: `arn:aws:iam::${SECURITY}:role/bedrock-guardrail/bedrock-guardrail-query-job`,
    },
    "allow",
  ],
  [
    "an unrelated function",
    WITH_ADMIN,
    SECURITY_ADMIN,
    { action: "lambda:UpdateFunctionCode", resource: `arn:aws:lambda:us-east-1:${SECURITY}:function:reporting` },
    "allow",
  ],
  [
    "re-trusting the member role",
    WITH_ADMIN,
    `arn:aws:iam::${MEMBER}:role/Admin`,
    { action: "iam:UpdateAssumeRolePolicy", resource: MEMBER_ROLE },
    "deny",
  ],
  // The member role needs none of statements 1-4.
  [
    "the member role accepting a model agreement",
    MINIMAL_CONFIG,
    MEMBER_ROLE,
    { action: "bedrock:CreateFoundationModelAgreement", resource: "*" },
    "deny",
  ],
  [
    "the member role deleting a model agreement (remediation)",
    MINIMAL_CONFIG,
    MEMBER_ROLE,
    { action: "bedrock:DeleteFoundationModelAgreement", resource: "*" },
    "allow",
  ],
  // Identity Center: a permission set whose name extends the approved one.
  [
    "BedrockAdmin_Sandbox with the approved AWSReservedSSO_BedrockAdmin_*",
    UNSAFE_IDC,
    `${IDC}/AWSReservedSSO_BedrockAdmin_Sandbox_0123456789abcdef`,
    { action: "bedrock:CreateFoundationModelAgreement", resource: "*" },
    "allow",
  ],
  [
    "BedrockAdmin_Sandbox with the sixteen-? form",
    FULL_CONFIG,
    `${IDC}/AWSReservedSSO_BedrockAdmin_Sandbox_0123456789abcdef`,
    { action: "bedrock:CreateFoundationModelAgreement", resource: "*" },
    "deny",
  ],
  [
    "BedrockAdmin itself with the sixteen-? form",
    FULL_CONFIG,
    `${IDC}/AWSReservedSSO_BedrockAdmin_0123456789abcdef`,
    { action: "bedrock:CreateFoundationModelAgreement", resource: "*" },
    "allow",
  ],
];
