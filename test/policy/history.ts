/**
 * Generated CloudTrail histories for preview's tests: calls an organization with REALISTIC_CONFIG
 * makes (approved and other roles, Identity Center, IAM users and API keys, root, service-linked
 * roles and services), on every kind of event the SCP statements name (Claude Platform on AWS's among
 * them) or that carries an API key, with the fields the records really carry (and sometimes without them).
 */
import fc from "fast-check";

const MEMBER = "111122223333";
const PLATFORM = "210987654321";

const role = (account: string, pathAndName: string) => ({
  type: "AssumedRole",
  arn: `arn:aws:sts::${account}:assumed-role/${pathAndName.split("/").pop()}/session`,
  accountId: account,
  accessKeyId: "ASIAEXAMPLEEXAMPLE01",
  sessionContext: {
    sessionIssuer: { type: "Role", arn: `arn:aws:iam::${account}:role/${pathAndName}`, accountId: account },
  },
});

/** Principals as CloudTrail writes them. */
export const PRINCIPALS = {
  approvedRole: role(PLATFORM, "platform/ml-platform-deployer"),
  approvedAnyAccount: role(MEMBER, "BedrockModelAccessAdmin"),
  approvedIdentityCenter: role(
    MEMBER,
    "aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_BedrockAdmin_0123456789abcdef",
  ),
  otherIdentityCenter: role(MEMBER, "aws-reserved/sso.amazonaws.com/AWSReservedSSO_DataAnalyst_fedcba9876543210"),
  breakGlass: role("123456789012", "BreakGlass"),
  appRole: role(MEMBER, "app/ChatbotBackend"),
  pipeline: role(MEMBER, "iam-pipeline/IamDeployer"),
  iamUser: {
    type: "IAMUser",
    arn: `arn:aws:iam::${MEMBER}:user/ci-bot`,
    accountId: MEMBER,
    accessKeyId: "AKIAEXAMPLEEXAMPLE01",
    userName: "ci-bot",
  },
  apiKeyUser: {
    type: "IAMUser",
    arn: `arn:aws:iam::${MEMBER}:user/BedrockAPIKey-x1y2`,
    accountId: MEMBER,
    userName: "BedrockAPIKey-x1y2",
  },
  root: { type: "Root", arn: `arn:aws:iam::${MEMBER}:root`, accountId: MEMBER },
  serviceLinked: role(MEMBER, "aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_X"),
  awsService: { type: "AWSService", invokedBy: "lexv2.amazonaws.com" },
  noSessionIssuer: {
    type: "AssumedRole",
    arn: `arn:aws:sts::${MEMBER}:assumed-role/Mystery/session`,
    accountId: MEMBER,
  },
} as const;

const LISTED_MODELS = [
  "anthropic.claude-sonnet-4-5-20250929-v1:0",
  "amazon.nova-pro-v1:0",
  "cohere.command-r-plus-v1:0",
];
const UNLISTED_MODELS = ["deepseek.r1-v1:0", "openai.gpt-oss-120b-1:0", "anthropic.claude-3-haiku-20240307-v1:0"];
const MODEL_IDS = [
  ...LISTED_MODELS,
  ...UNLISTED_MODELS,
  "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
  "us.deepseek.r1-v1:0",
  "eu.amazon.nova-pro-v1:0",
  "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
  `arn:aws:bedrock:us-east-1:${MEMBER}:application-inference-profile/abcdef123456`,
  `arn:aws:bedrock:us-east-1:${MEMBER}:default-prompt-router/meta.llama:1`,
];
const MANTLE_MODELS = ["anthropic.claude-haiku-4-5", "openai.gpt-oss-120b", "deepseek.r1", "amazon.nova-pro"];

type Event = { source: string; name: string; params?: Record<string, unknown>; additional?: Record<string, unknown> };

const bearer = fc.constantFrom<Record<string, unknown> | undefined>(
  undefined,
  undefined,
  { callWithBearerToken: true, bearerTokenType: "LONG_TERM" },
  { callWithBearerToken: true, bearerTokenType: "SHORT_TERM" },
  { callWithBearerToken: true, bearerTokenType: "ABSK" },
  { callWithBearerToken: true },
);

const invoke = fc
  .record({
    name: fc.constantFrom(
      "InvokeModel",
      "Converse",
      "ConverseStream",
      "InvokeModelWithResponseStream",
      "StartAsyncInvoke",
      "InvokeModelWithBidirectionalStream",
    ),
    modelId: fc.constantFrom(...MODEL_IDS),
    key: bearer,
  })
  .map(
    ({ name, modelId, key }): Event => ({
      source: "bedrock.amazonaws.com",
      name,
      params: { modelId },
      ...(key ? { additional: key } : {}),
    }),
  );

const control = fc.oneof(
  fc.constantFrom<Event>(
    { source: "bedrock.amazonaws.com", name: "PutUseCaseForModelAccess" },
    {
      source: "bedrock.amazonaws.com",
      name: "CreateFoundationModelAgreement",
      params: { modelId: "amazon.nova-pro-v1:0" },
    },
    { source: "bedrock.amazonaws.com", name: "PutFoundationModelEntitlement" },
    { source: "bedrock.amazonaws.com", name: "ListFoundationModels" },
    {
      source: "bedrock.amazonaws.com",
      name: "CreateModelCustomizationJob",
      params: { baseModelIdentifier: "amazon.nova-pro-v1:0" },
    },
    {
      source: "bedrock.amazonaws.com",
      name: "CreateModelCustomizationJob",
      params: { baseModelIdentifier: "meta.llama3-8b-instruct-v1:0" },
    },
    {
      source: "bedrock.amazonaws.com",
      name: "CreateProvisionedModelThroughput",
      params: { modelId: "deepseek.r1-v1:0" },
    },
    { source: "bedrock.amazonaws.com", name: "CreateModelInvocationJob", params: { modelId: "amazon.nova-pro-v1:0" } },
    { source: "bedrock.amazonaws.com", name: "CreateModelInvocationJob", params: { jobName: "no-model" } },
    { source: "aws-marketplace.amazonaws.com", name: "Subscribe", params: { productId: "prod-abcdefgh12345" } },
    { source: "aws-marketplace.amazonaws.com", name: "Subscribe", params: { productId: "prod-otherproduct99" } },
    { source: "aws-marketplace.amazonaws.com", name: "Subscribe" },
    {
      source: "iam.amazonaws.com",
      name: "CreateServiceSpecificCredential",
      params: { userName: "dev", serviceName: "bedrock.amazonaws.com" },
    },
    {
      source: "iam.amazonaws.com",
      name: "CreateServiceSpecificCredential",
      params: { userName: "dev", serviceName: "codecommit.amazonaws.com" },
    },
    {
      source: "iam.amazonaws.com",
      name: "UpdateServiceSpecificCredential",
      params: { serviceSpecificCredentialId: "ACCAX", status: "Active" },
    },
    { source: "iam.amazonaws.com", name: "CreateRole", params: { roleName: "BedrockModelAccessAdmin", path: "/" } },
    { source: "iam.amazonaws.com", name: "CreateRole", params: { roleName: "SomeAppRole" } },
    { source: "iam.amazonaws.com", name: "PutRolePolicy", params: { roleName: "BedrockModelAccessAdmin" } },
    {
      source: "lambda.amazonaws.com",
      name: "UpdateFunctionCode20150331v2",
      params: { functionName: "bedrock-guardrail-realtime" },
    },
    { source: "lambda.amazonaws.com", name: "UpdateFunctionCode20150331v2", params: { functionName: "orders-api" } },
  ),
  fc
    .record({
      model: fc.option(fc.constantFrom(...MANTLE_MODELS), { nil: undefined }),
      key: bearer,
      // AWS records every mantle inference (Responses, Chat Completions, Messages) as CreateInference.
      name: fc.constantFrom("CreateInference", "CreateFineTuningJob", "ListModels"),
    })
    .map(
      ({ model, key, name }): Event => ({
        source: "bedrock-mantle.amazonaws.com",
        name,
        params: { ...(model ? { model } : {}), ...(key ?? {}) },
      }),
    ),
);

/**
 * Claude Platform on AWS: its event names are its IAM action names (unconfirmed, see the rule); where
 * a call made with an API key says so is not documented, so both places.
 */
const claudePlatform = fc
  .record({
    name: fc.constantFrom("CreateInference", "CreateBatchInference", "CreateWorkspace", "ListWorkspaces"),
    key: bearer,
    inParams: fc.boolean(),
  })
  .map(
    ({ name, key, inParams }): Event => ({
      source: "aws-external-anthropic.amazonaws.com",
      name,
      ...(key && inParams ? { params: key } : {}),
      ...(key && !inParams ? { additional: key } : {}),
    }),
  );

export const recordArb = (day0: number, days: number) =>
  fc
    .record({
      principal: fc.constantFrom(...Object.values(PRINCIPALS)),
      event: fc.oneof(
        { weight: 2, arbitrary: invoke },
        { weight: 3, arbitrary: control },
        { weight: 1, arbitrary: claudePlatform },
      ),
      second: fc.integer({ min: 0, max: days * 86_400 - 1 }),
      error: fc.constantFrom(undefined, undefined, undefined, undefined, "AccessDenied", "ValidationException"),
      region: fc.constantFrom("us-east-1", "us-west-2", "eu-west-1"),
      calledVia: fc.constantFrom(undefined, undefined, "bedrock.amazonaws.com"),
      id: fc.uuid(),
    })
    .map(({ principal, event, second, error, region, calledVia, id }) => ({
      eventVersion: "1.09",
      eventID: id,
      eventTime: new Date(day0 + second * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
      eventSource: event.source,
      eventName: event.name,
      awsRegion: region,
      recipientAccountId: "accountId" in principal ? principal.accountId : MEMBER,
      userIdentity: calledVia && principal.type !== "AWSService" ? { ...principal, invokedBy: calledVia } : principal,
      requestParameters: event.params ?? null,
      ...(event.additional ? { additionalEventData: event.additional } : {}),
      ...(error ? { errorCode: error, errorMessage: "x" } : {}),
    }));
