/**
 * The calls AWS services make for the user (docs/scp.md, "Models AWS services run for you"), each proven by the IAM
 * simulator and by the tool's own evaluator on a realistic config: an allow-list with the models the features use,
 * approved principals that are human roles only. The principal the SCP sees is either a customer service role the
 * feature runs as (agents, knowledge bases, flows, batch, evaluation, customization, SageMaker Unified Studio, an
 * AgentCore runtime: not service-linked, so SCPs apply) or the caller itself through a forward access session
 * (aws:ViaAWSService, aws:CalledVia: RetrieveAndGenerate, inline agents, Rerank, Bedrock's Marketplace subscription).
 * Each legitimate call is allowed, and each attack on the same path stays denied: a service role running an unlisted
 * model, a caller laundering an unlisted model through a service, or passing an approved role to a service.
 */
import type { GuardrailConfigInput } from "../../src/config/schema";
import { evaluateScp } from "../../src/policy/evaluate";
import { buildScpStatements } from "../../src/policy/statements";
import { guardrailFor } from "./helpers";
import { type SimulatedRequest, simulateScp } from "./simulator";

const MEMBER = "111122223333";
const REGION = "us-east-1";
const APPROVED_PRODUCT = "prod-approved00001";

/** Human roles only are approved; the features' models are listed, each with its cross-Region profiles. */
const CONFIG: GuardrailConfigInput = {
  approvedPrincipalArns: [
    "arn:aws:iam::*:role/BedrockModelAccessAdmin",
    "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_BedrockAdmin_????????????????",
  ],
  breakGlassPrincipalArns: ["arn:aws:iam::123456789012:role/BreakGlass"],
  scp: {
    exemptedPrincipalAdminArns: ["arn:aws:iam::*:role/iam-pipeline/IamDeployer"],
    approvedMarketplaceProductIds: [APPROVED_PRODUCT],
    modelAllowList: [
      "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4*",
      "arn:aws:bedrock:*:*:inference-profile/us.anthropic.claude-sonnet-4*",
      // A knowledge base's embedding and reranking models, a distillation's student: models of their own.
      "arn:aws:bedrock:*::foundation-model/amazon.titan-embed-text-v2:0",
      "arn:aws:bedrock:*::foundation-model/amazon.rerank-v1:0",
      "arn:aws:bedrock:*::foundation-model/amazon.nova-micro-v1:0",
    ],
  },
};

const role = (name: string) => `arn:aws:iam::${MEMBER}:role/${name}`;
/** Customer service roles (example names; any name that is not approved decides the same). */
const AGENT_ROLE = role("service-role/AmazonBedrockExecutionRoleForAgents_EXAMPLE");
const KB_ROLE = role("service-role/AmazonBedrockExecutionRoleForKnowledgeBase_example");
const FLOW_ROLE = role("service-role/AmazonBedrockExecutionRoleForFlows_EXAMPLE");
const BATCH_ROLE = role("service-role/BedrockBatchInferenceRole");
const EVALUATION_ROLE = role("service-role/BedrockEvaluationRole");
const CUSTOMIZATION_ROLE = role("service-role/BedrockDistillationRole");
const STUDIO_CONSUMPTION_ROLE = role("AmazonDataZoneBedrockFMConsumptionRole");
const AGENTCORE_ROLE = role("AgentCoreRuntimeExecutionRole");
/** The human caller (not approved), and an approved one. */
const DEVELOPER = role("DeveloperRole");
const APPROVED_ROLE = role("BedrockModelAccessAdmin");

const bedrock = (resource: string, region = REGION, account = MEMBER) =>
  `arn:aws:bedrock:${region}:${account}:${resource}`;
const model = (id: string, region = REGION) => bedrock(`foundation-model/${id}`, region, "");
const SONNET = "anthropic.claude-sonnet-4-20250514-v1:0";
const LISTED = model(SONNET);
const LISTED_ROUTED = model(SONNET, "us-west-2");
const LISTED_PROFILE = bedrock(`inference-profile/us.${SONNET}`);
const APP_PROFILE = bedrock("application-inference-profile/a1b2c3d4e5f6");
const EMBEDDING = model("amazon.titan-embed-text-v2:0");
const RERANKER = model("amazon.rerank-v1:0");
const UNLISTED = model("deepseek.r1-v1:0");
const UNLISTED_EMBEDDING = model("cohere.embed-english-v3");
const UNLISTED_RERANKER = model("cohere.rerank-v3-5:0");
const UNLISTED_PROFILE = bedrock("inference-profile/us.deepseek.r1-v1:0");
const UNLISTED_ROUTED = model("deepseek.r1-v1:0", "us-west-2");

/** A forward access session: the caller's own principal, through the service. */
const VIA_BEDROCK = {
  "aws:ViaAWSService": ["true"],
  "aws:CalledVia": ["bedrock.amazonaws.com"],
  "aws:CalledViaFirst": ["bedrock.amazonaws.com"],
  "aws:CalledViaLast": ["bedrock.amazonaws.com"],
};
const invoke = (resource: string, context?: Record<string, string[]>): SimulatedRequest => ({
  action: "bedrock:InvokeModel",
  resource,
  ...(context ? { context } : {}),
});
const call = (action: string, resource = "*", context?: Record<string, string[]>): SimulatedRequest => ({
  action,
  resource,
  ...(context ? { context } : {}),
});

type Case = [path: string, principal: string, request: SimulatedRequest, expected: "allow" | "deny"];

/** Every authorization of a legitimate call with an approved model: each must be allowed. */
const LEGITIMATE: Case[] = [
  [
    "agent: the caller invokes the agent alias",
    DEVELOPER,
    call("bedrock:InvokeAgent", bedrock("agent-alias/AGENT1/ALIAS1")),
    "allow",
  ],
  ["agent: its service role invokes the listed model", AGENT_ROLE, invoke(LISTED), "allow"],
  ["agent: its service role through the listed model's profile", AGENT_ROLE, invoke(LISTED_PROFILE), "allow"],
  ["agent: ... and the model in a destination Region", AGENT_ROLE, invoke(LISTED_ROUTED), "allow"],
  ["inline agent: the caller's InvokeInlineAgent", DEVELOPER, call("bedrock:InvokeInlineAgent"), "allow"],
  ["inline agent: the model, as the caller through Bedrock", DEVELOPER, invoke(LISTED, VIA_BEDROCK), "allow"],
  ["knowledge base: ingestion", DEVELOPER, call("bedrock:StartIngestionJob", bedrock("knowledge-base/KB1")), "allow"],
  ["knowledge base: its role embeds with the listed model", KB_ROLE, invoke(EMBEDDING), "allow"],
  ["knowledge base: its role parses with the listed model", KB_ROLE, invoke(LISTED), "allow"],
  [
    "knowledge base: the caller's Retrieve",
    DEVELOPER,
    call("bedrock:Retrieve", bedrock("knowledge-base/KB1")),
    "allow",
  ],
  ["knowledge base: the caller's RetrieveAndGenerate", DEVELOPER, call("bedrock:RetrieveAndGenerate"), "allow"],
  ["knowledge base: generation, as the caller through Bedrock", DEVELOPER, invoke(LISTED, VIA_BEDROCK), "allow"],
  ["rerank: the caller's Rerank", DEVELOPER, call("bedrock:Rerank"), "allow"],
  ["rerank: the listed reranking model", DEVELOPER, invoke(RERANKER, VIA_BEDROCK), "allow"],
  [
    "flow: the caller invokes the flow alias",
    DEVELOPER,
    call("bedrock:InvokeFlow", bedrock("flow/FLOW1/alias/ALIAS1")),
    "allow",
  ],
  [
    "flow: its role renders a managed prompt",
    FLOW_ROLE,
    call("bedrock:RenderPrompt", bedrock("prompt/PROMPT12345:1")),
    "allow",
  ],
  ["flow: its role invokes the prompt node's listed model", FLOW_ROLE, invoke(LISTED), "allow"],
  [
    "prompt management: Converse with a prompt version",
    DEVELOPER,
    call("bedrock:RenderPrompt", bedrock("prompt/PROMPT12345:1")),
    "allow",
  ],
  ["prompt management: ... on the prompt's listed model", DEVELOPER, invoke(LISTED), "allow"],
  [
    "guardrail: ApplyGuardrail (no model)",
    DEVELOPER,
    call("bedrock:ApplyGuardrail", bedrock("guardrail/gr12345")),
    "allow",
  ],
  [
    "guardrail: an invoke with a guardrail attached",
    DEVELOPER,
    invoke(LISTED, { "bedrock:GuardrailIdentifier": [bedrock("guardrail/gr12345:1")] }),
    "allow",
  ],
  [
    "batch: the caller's job, on its job ARN",
    DEVELOPER,
    call("bedrock:CreateModelInvocationJob", bedrock("model-invocation-job/abcd1234efgh")),
    "allow",
  ],
  [
    "batch: the caller's job, on the listed model",
    DEVELOPER,
    call("bedrock:CreateModelInvocationJob", LISTED),
    "allow",
  ],
  ["batch: its service role invokes the listed profile", BATCH_ROLE, invoke(LISTED_PROFILE), "allow"],
  ["batch: ... and the listed model", BATCH_ROLE, invoke(LISTED), "allow"],
  [
    "evaluation: the caller's job (authorized on the evaluated model)",
    DEVELOPER,
    call("bedrock:CreateEvaluationJob", LISTED),
    "allow",
  ],
  ["evaluation: its role invokes the evaluated model", EVALUATION_ROLE, invoke(LISTED), "allow"],
  ["evaluation: its role invokes the listed judge through a profile", EVALUATION_ROLE, invoke(LISTED_PROFILE), "allow"],
  [
    "distillation: the caller's job on the listed student",
    DEVELOPER,
    call("bedrock:CreateModelCustomizationJob", model("amazon.nova-micro-v1:0:128k")),
    "allow",
  ],
  [
    "distillation: ... and the custom model it writes",
    DEVELOPER,
    call("bedrock:CreateModelCustomizationJob", bedrock("custom-model/amazon.nova-micro-v1:0:128k/a1b2c3d4e5f6")),
    "allow",
  ],
  ["distillation: its role invokes the listed teacher's profile", CUSTOMIZATION_ROLE, invoke(LISTED_PROFILE), "allow"],
  ["distillation: ... and the teacher in a destination Region", CUSTOMIZATION_ROLE, invoke(LISTED_ROUTED), "allow"],
  ["model import: the caller's import job", DEVELOPER, call("bedrock:CreateModelImportJob"), "allow"],
  ["async invoke: the async-invoke ARN", DEVELOPER, invoke(bedrock("async-invoke/abcd1234efgh")), "allow"],
  [
    "SageMaker Unified Studio: the consumption role through the project's application profile",
    STUDIO_CONSUMPTION_ROLE,
    invoke(APP_PROFILE),
    "allow",
  ],
  [
    "SageMaker Unified Studio: ... on the listed model",
    STUDIO_CONSUMPTION_ROLE,
    invoke(LISTED, { "bedrock:InferenceProfileArn": [APP_PROFILE] }),
    "allow",
  ],
  ["AgentCore runtime: its execution role invokes the listed model", AGENTCORE_ROLE, invoke(LISTED), "allow"],
  [
    "first call of an approved Marketplace model by a service role: Bedrock's subscription",
    KB_ROLE,
    call("aws-marketplace:Subscribe", "*", { ...VIA_BEDROCK, "aws-marketplace:ProductId": [APPROVED_PRODUCT] }),
    "allow",
  ],
  [
    "passing a service role of one's own to a feature",
    DEVELOPER,
    call("iam:PassRole", AGENT_ROLE, { "iam:PassedToService": ["bedrock.amazonaws.com"] }),
    "allow",
  ],
];

/** The attacks on the same paths: each must stay denied. */
const ATTACKS: Case[] = [
  ["agent: its service role invokes an unlisted model", AGENT_ROLE, invoke(UNLISTED), "deny"],
  [
    "agent: ... through the unlisted model's profile, in its destination Region",
    AGENT_ROLE,
    invoke(UNLISTED_ROUTED),
    "deny",
  ],
  ["knowledge base: its role embeds with an unlisted model", KB_ROLE, invoke(UNLISTED_EMBEDDING), "deny"],
  [
    "rerank: an unlisted reranking model, as the caller through Bedrock",
    DEVELOPER,
    invoke(UNLISTED_RERANKER, VIA_BEDROCK),
    "deny",
  ],
  [
    "laundering: an unlisted model as the caller through Bedrock (inline agent, RAG)",
    DEVELOPER,
    invoke(UNLISTED, VIA_BEDROCK),
    "deny",
  ],
  ["flow: its role invokes an unlisted model", FLOW_ROLE, invoke(UNLISTED), "deny"],
  [
    "batch: the caller's job on an unlisted model",
    DEVELOPER,
    call("bedrock:CreateModelInvocationJob", UNLISTED),
    "deny",
  ],
  ["batch: its service role invokes an unlisted model", BATCH_ROLE, invoke(UNLISTED), "deny"],
  ["evaluation: its role invokes an unlisted judge", EVALUATION_ROLE, invoke(UNLISTED), "deny"],
  ["distillation: an unlisted student", DEVELOPER, call("bedrock:CreateModelCustomizationJob", UNLISTED), "deny"],
  ["distillation: its role invokes an unlisted teacher's model", CUSTOMIZATION_ROLE, invoke(UNLISTED_ROUTED), "deny"],
  [
    "SageMaker Unified Studio: an application profile onto an unlisted model",
    STUDIO_CONSUMPTION_ROLE,
    invoke(UNLISTED, { "bedrock:InferenceProfileArn": [APP_PROFILE] }),
    "deny",
  ],
  ["AgentCore runtime: its execution role invokes an unlisted model", AGENTCORE_ROLE, invoke(UNLISTED), "deny"],
  [
    "model import: invoking an imported model whose ARN is not listed",
    DEVELOPER,
    invoke(bedrock("imported-model/a1b2c3d4e5f6")),
    "deny",
  ],
  [
    "a service role's first call of an unapproved Marketplace model: Bedrock's subscription",
    KB_ROLE,
    call("aws-marketplace:Subscribe", "*", { ...VIA_BEDROCK, "aws-marketplace:ProductId": ["prod-unapproved0001"] }),
    "deny",
  ],
  ["a service role accepting a model's agreement", AGENT_ROLE, call("bedrock:CreateFoundationModelAgreement"), "deny"],
  [
    "laundering: passing an approved role to a feature, to run any model as it",
    DEVELOPER,
    call("iam:PassRole", APPROVED_ROLE, { "iam:PassedToService": ["bedrock.amazonaws.com"] }),
    "deny",
  ],
];

/** The unlisted profile itself is left out (pass-through): its models decide, and they are denied above. */
const PASS_THROUGH: Case[] = [
  ["the unlisted model's profile ARN alone", AGENT_ROLE, invoke(UNLISTED_PROFILE), "allow"],
];

const guardrail = guardrailFor(CONFIG);
const statements = buildScpStatements(guardrail);

describe.each([...LEGITIMATE, ...ATTACKS, ...PASS_THROUGH])("%s", (_path, principal, request, expected) => {
  it(`is ${expected === "deny" ? "denied" : "allowed"} by the simulator and by the evaluator`, async () => {
    expect(await simulateScp(guardrail, request, principal)).toBe(expected === "deny" ? "ExplicitlyDenied" : "Allowed");
    expect(evaluateScp(statements, { ...request, principalArn: principal }).decision).toBe(expected);
  });
});

describe("a distillation job, if IAM authorized it on a teacher given as a profile (docs/limits.md)", () => {
  // The simulator refuses the request (no.resource.types): the reference lists no profile for this action, the
  // reading the SCP relies on. The tool's evaluator shows what the statements would decide if IAM made it anyway.
  const onTeacherProfile = call("bedrock:CreateModelCustomizationJob", LISTED_PROFILE);
  it("is denied with a listed teacher (fail closed), and passes for an approved principal", () => {
    expect(evaluateScp(statements, { ...onTeacherProfile, principalArn: DEVELOPER }).deniedBy).toBe(
      "DenyThroughputAndCustomizationOutsideModelAllowList",
    );
    expect(evaluateScp(statements, { ...onTeacherProfile, principalArn: APPROVED_ROLE }).decision).toBe("allow");
  });

  it("is not a request the IAM reference allows for the action", async () => {
    await expect(simulateScp(guardrail, onTeacherProfile, DEVELOPER)).rejects.toThrow("no.resource.types");
  });
});

describe("what the approved principals' exemption does not reach", () => {
  it("an approved human's own call passes, its feature's service role does not: list the model instead", async () => {
    expect(await simulateScp(guardrail, invoke(UNLISTED), APPROVED_ROLE)).toBe("Allowed");
    expect(await simulateScp(guardrail, invoke(UNLISTED), AGENT_ROLE)).toBe("ExplicitlyDenied");
  });
});
