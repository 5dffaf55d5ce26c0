/**
 * The walk-arounds of issue 8, each proven closed (or deliberately open) by the IAM simulator and
 * by the tool's own evaluator: FullAWSAccess + the generated SCPs, aws:PrincipalArn set.
 */
import type { GuardrailConfigInput } from "../../src/config/schema";
import { decisionTable } from "../../src/policy/decision-table";
import { evaluateScp } from "../../src/policy/evaluate";
import { mantleModelPatterns } from "../../src/policy/mantle-models";
import { buildScpStatements } from "../../src/policy/statements";
import { FULL_CONFIG, guardrailFor, MINIMAL_CONFIG } from "./helpers";
import { type SimulatedRequest, simulateScp } from "./simulator";

const MEMBER = "111122223333";
const SECURITY = "444455556666";
const DEVELOPER = `arn:aws:iam::${MEMBER}:role/DeveloperRole`;
const APPROVED = `arn:aws:iam::${MEMBER}:role/BedrockModelAccessAdmin`;
const BREAK_GLASS = "arn:aws:iam::123456789012:role/BreakGlass";
const MEMBER_ROLE = `arn:aws:iam::${MEMBER}:role/bedrock-guardrail/BedrockGuardrailRemediation`;
const ADMIN = `arn:aws:iam::${SECURITY}:role/iam-pipeline/IamDeployer`;
const SECURITY_ADMIN = `arn:aws:iam::${SECURITY}:role/SecurityAccountAdmin`;
const PROJECT = `arn:aws:bedrock-mantle:us-east-1:${MEMBER}:project/default`;
const LISTED_MODEL = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0";
const UNLISTED_MODEL = "arn:aws:bedrock:us-east-1::foundation-model/deepseek.r1-v1:0";
const PROVISIONED = `arn:aws:bedrock:us-east-1:${MEMBER}:provisioned-model/abcd1234efgh`;
const CUSTOM_MODEL = `arn:aws:bedrock:us-east-1:${MEMBER}:custom-model/my-fine-tune`;
const IDC = `arn:aws:iam::${MEMBER}:role/aws-reserved/sso.amazonaws.com/eu-west-1`;

const WITH_ADMIN: GuardrailConfigInput = {
  ...FULL_CONFIG,
  scp: { ...FULL_CONFIG.scp, exemptedPrincipalAdminArns: ["arn:aws:iam::*:role/iam-pipeline/IamDeployer"] },
};
const PROVISIONED_LISTED: GuardrailConfigInput = {
  ...FULL_CONFIG,
  scp: { modelAllowList: [...FULL_CONFIG.scp!.modelAllowList!, "arn:aws:bedrock:*:*:provisioned-model/*"] },
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

type Case = [
  label: string,
  config: GuardrailConfigInput,
  principal: string,
  request: SimulatedRequest,
  "allow" | "deny",
];

const CASES: Case[] = [
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
    "customization: the custom model it writes does not decide",
    FULL_CONFIG,
    DEVELOPER,
    { action: "bedrock:CreateModelCustomizationJob", resource: CUSTOM_MODEL },
    "allow",
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

describe.each(CASES)("%s", (_label, config, principal, request, expected) => {
  const guardrail = guardrailFor(config);
  it(`is ${expected === "deny" ? "denied" : "allowed"} by the simulator and by the evaluator`, async () => {
    expect(await simulateScp(guardrail, request, principal)).toBe(expected === "deny" ? "ExplicitlyDenied" : "Allowed");
    const verdict = evaluateScp(buildScpStatements(guardrail), { ...request, principalArn: principal });
    expect(verdict.decision).toBe(expected);
  });
});

describe("the mantle model patterns derived from scp.modelAllowList", () => {
  it("take each foundation-model entry's model id, without a version suffix; other entries yield nothing", () => {
    expect(
      mantleModelPatterns([
        "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4*",
        "arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0",
        "arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-3-70b-instruct-v1",
        "arn:aws:bedrock:*:*:inference-profile/us.anthropic.claude-sonnet-4*",
        "arn:aws:bedrock:*:*:provisioned-model/*",
        "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-sonnet-4*",
      ]),
    ).toEqual(["anthropic.claude-sonnet-4*", "amazon.nova-pro", "meta.llama3-3-70b-instruct"]);
  });
});

describe("in GovCloud", () => {
  const gov = guardrailFor({
    approvedPrincipalArns: ["arn:aws-us-gov:iam::*:role/BedrockModelAccessAdmin"],
    aws: { region: "us-gov-west-1" },
    scp: { modelAllowList: ["arn:aws-us-gov:bedrock:*::foundation-model/anthropic.claude-sonnet-4*"] },
  });
  it("the StackSets execution role may still manage the protected roles (its pattern is in the partition)", () => {
    const stackSets = "arn:aws-us-gov:iam::111122223333:role/stacksets-exec-0123abcd";
    const memberRole = "arn:aws-us-gov:iam::111122223333:role/bedrock-guardrail/BedrockGuardrailRemediation";
    const request = { action: "iam:UpdateAssumeRolePolicy", resource: memberRole };
    expect(evaluateScp(buildScpStatements(gov), { ...request, principalArn: stackSets }).decision).toBe("allow");
    expect(evaluateScp(buildScpStatements(gov), { ...request, principalArn: DEVELOPER }).decision).toBe("deny");
  });

  it("the decision table's StackSets column is a GovCloud role, allowed on every protect row", () => {
    const table = decisionTable(gov);
    const stackSets = table.principals.find((p) => p.role === "stacksets-exec-role")!;
    expect(stackSets.principalArn.startsWith("arn:aws-us-gov:iam::")).toBe(true);
    const protectRows = table.rows.filter((r) => r.scenario.id.startsWith("protect:"));
    expect(protectRows.length).toBeGreaterThan(2);
    for (const row of protectRows)
      expect(row.cells.find((c) => c.principal.role === "stacksets-exec-role")!.cell).toBe("allow");
  });
});
