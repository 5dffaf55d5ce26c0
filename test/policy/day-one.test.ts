/**
 * Day one in a realistic organization, as a platform team meets it: the config in test/fixtures/day-one/ (read as the
 * CLI reads it) lints clean, and every call its people and features make on the approved models passes the
 * synthesized SCP, while the same call on a model the list does not name, or by a principal that is not approved,
 * stays denied. The organization approves Claude Sonnet 4.5 through `global.` and `us.` profiles, Amazon Nova Pro
 * through `eu.`, Titan and Cohere embeddings and Cohere rerank for a knowledge base (Cohere through Marketplace), a
 * fine-tune of Nova Pro with provisioned throughput, an application inference profile for cost tagging, batch
 * inference, a Bedrock Marketplace model's endpoint, a CI role and Identity Center admins as approved principals,
 * Identity Center developers, and Bedrock API keys, short-term and long-term, on both endpoints, the long-term ones
 * created by the admins alone (scp.allowLongTermBedrockApiKeyUse).
 *
 * Each call is written out as AWS authorizes it (the service authorization reference and the Amazon Bedrock user
 * guide's inference-profile, provisioned-throughput, batch, knowledge-base, rerank, Marketplace and API-key pages;
 * facts in docs/scp.md), not read from the code, and proven with the IAM simulator against FullAWSAccess and the SCP;
 * then preview replays the day's CloudTrail records (test/fixtures/day-one/cloudtrail.json) and must deny none.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "../../src/config/load";
import type { GuardrailConfigInput } from "../../src/config/schema";
import { bundledDefinition, compileGuardrail } from "../../src/guardrail/guardrail";
import { previewerFor } from "../../src/policy/explain";
import { lintScp } from "../../src/policy/lint";
import { guardrailFor } from "./helpers";
import { type SimulatedRequest, simulateScp } from "./simulator";

const FIXTURES = path.join(__dirname, "..", "fixtures", "day-one");
const config = loadConfig(path.join(FIXTURES, "guardrail.config.json"));
const guardrail = compileGuardrail(bundledDefinition(), config);
const DAY = (JSON.parse(readFileSync(path.join(FIXTURES, "cloudtrail.json"), "utf8")) as { Records: TrailRecord[] })
  .Records;

type TrailRecord = Record<string, unknown> & { userIdentity: { userName?: string } };

const US = "111122223333";
const EU = "222233334444";
const role = (account: string, pathAndName: string) => `arn:aws:iam::${account}:role/${pathAndName}`;
const APP = role(US, "app/support-bot-backend");
const DEVELOPER = role(US, "aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_0123456789abcdef");
const DEVELOPER_EU = role(EU, "aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Developer_fedcba9876543210");
const ADMIN = role(US, "aws-reserved/sso.amazonaws.com/AWSReservedSSO_BedrockAdmin_0123456789abcdef");
const ADMIN_EU = role(EU, "aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_BedrockAdmin_fedcba9876543210");
const ADMIN_LOOKALIKE = role(US, "aws-reserved/sso.amazonaws.com/AWSReservedSSO_BedrockAdmin_Sandbox_0123456789abcdef");
const CI = role("210987654321", "ci/bedrock-platform-deployer");
const CI_ELSEWHERE = role(US, "ci/bedrock-platform-deployer");
const IAM_PIPELINE = role("210987654321", "ci/iam-pipeline");
const BREAK_GLASS = role("123456789012", "BreakGlass");
const KB_ROLE = role(US, "service-role/AmazonBedrockExecutionRoleForKnowledgeBase_abcde");
const BATCH_ROLE = role(US, "service-role/BedrockBatchInferenceRole");
const KEY_USER = `arn:aws:iam::${US}:user/BedrockAPIKey-7k2m`;

const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const OPUS = "anthropic.claude-opus-4-1-20250805-v1:0";
const arn = (region: string, account: string, resource: string) => `arn:aws:bedrock:${region}:${account}:${resource}`;
const model = (region: string, id: string) => arn(region, "", `foundation-model/${id}`);
const US_REGIONS = ["us-east-1", "us-east-2", "us-west-1", "us-west-2"];
const EU_REGIONS = ["eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1"].concat(
  "eu-west-2",
  "eu-west-3",
);
const CUSTOM_MODEL = arn("us-east-1", US, "custom-model/amazon.nova-pro-v1:0:300k/a1b2c3d4e5f6");
const PROVISIONED = arn("us-east-1", US, "provisioned-model/f2k8m4q9x1z7");
const APP_PROFILE = arn("us-east-1", US, "application-inference-profile/k3x9p2m7q1z8");
/** What a call of any Bedrock Marketplace model endpoint of the account is authorized on (the IAM reference). */
const MARKETPLACE_ENDPOINTS = arn("us-east-1", US, "marketplace/model-endpoint/all-access");
const PROJECT = `arn:aws:bedrock-mantle:us-east-1:${US}:project/default`;
const VIA_BEDROCK = { "aws:ViaAWSService": ["true"], "aws:CalledViaLast": ["bedrock.amazonaws.com"] };

const on = (action: string, resources: string[], context?: Record<string, string[]>): SimulatedRequest[] =>
  resources.map((resource) => ({ action, resource, ...(context ? { context } : {}) }));
/** A call through a cross-Region profile: the profile, and the model in every Region of its geography. */
const throughProfile = (action: string, geography: string, source: string, id: string, regions: string[], at = US) =>
  on(action, [arn(source, at, `inference-profile/${geography}.${id}`), ...regions.map((r) => model(r, id))]);
/** A call through a global profile: the profile, the model in the call's Region and the model with no Region. */
const throughGlobal = (action: string, id: string) =>
  on(action, [arn("us-east-1", US, `inference-profile/global.${id}`), model("us-east-1", id), model("", id)]);
const bearer = (prefix: string, type: string) =>
  on(`${prefix}:CallWithBearerToken`, ["*"], { [`${prefix}:BearerTokenType`]: [type] });
const mantle = (modelId: string) =>
  on("bedrock-mantle:CreateInference", [PROJECT], { "bedrock-mantle:Model": [modelId] });

type Call = [name: string, principal: string, authorizations: SimulatedRequest[]];

/** The developers' calls with a long-term API key (its bearer-token request first), on the listed Claude. */
const LONG_TERM_KEY_CALLS: Call[] = [
  [
    "a long-term API key on bedrock-runtime",
    KEY_USER,
    [
      ...bearer("bedrock", "LONG_TERM"),
      ...throughProfile("bedrock:InvokeModel", "us", "us-east-1", SONNET, US_REGIONS),
    ],
  ],
  [
    "a long-term API key on bedrock-mantle",
    KEY_USER,
    [...bearer("bedrock-mantle", "LONG_TERM"), ...mantle("anthropic.claude-sonnet-4-5")],
  ],
];

/** Every call of the day, each authorization of it: the simulator must allow them all. */
const LEGITIMATE: Call[] = [
  ["the app: Converse, Claude through the global. profile", APP, throughGlobal("bedrock:InvokeModel", SONNET)],
  [
    "the app: ConverseStream, Claude through the us. profile",
    APP,
    throughProfile("bedrock:InvokeModelWithResponseStream", "us", "us-east-1", SONNET, US_REGIONS),
  ],
  [
    "a developer (Identity Center, us-east-1 instance): Claude through us. from us-west-2",
    DEVELOPER,
    throughProfile("bedrock:InvokeModel", "us", "us-west-2", SONNET, US_REGIONS),
  ],
  [
    "a developer (Identity Center path with a Region): Nova Pro through the eu. profile",
    DEVELOPER_EU,
    throughProfile("bedrock:InvokeModel", "eu", "eu-west-1", "amazon.nova-pro-v1:0", EU_REGIONS, EU),
  ],
  [
    "knowledge base: its role embeds with Titan",
    KB_ROLE,
    on("bedrock:InvokeModel", [model("us-east-1", "amazon.titan-embed-text-v2:0")]),
  ],
  [
    "knowledge base: its role embeds with Cohere",
    KB_ROLE,
    on("bedrock:InvokeModel", [model("us-east-1", "cohere.embed-english-v3")]),
  ],
  [
    "knowledge base: Bedrock subscribes to Cohere Embed on the role's first call in the account",
    KB_ROLE,
    on("aws-marketplace:Subscribe", ["*"], { ...VIA_BEDROCK, "aws-marketplace:ProductId": ["prod-cohereembed0001"] }),
  ],
  [
    "rerank: the developer's Rerank and, through Bedrock, Cohere Rerank",
    DEVELOPER,
    [
      ...on("bedrock:Rerank", ["*"]),
      ...on("bedrock:InvokeModel", [model("us-east-1", "cohere.rerank-v3-5:0")], VIA_BEDROCK),
      ...on("aws-marketplace:Subscribe", ["*"], {
        ...VIA_BEDROCK,
        "aws-marketplace:ProductId": ["prod-coherererank001"],
      }),
    ],
  ],
  [
    "the Identity Center admin submits the Anthropic use-case form",
    ADMIN,
    on("bedrock:PutUseCaseForModelAccess", ["*"]),
  ],
  ["the same admin from the eu-west-1 instance", ADMIN_EU, on("bedrock:PutUseCaseForModelAccess", ["*"])],
  [
    "CI fine-tunes Nova Pro (the base's context variant, and the custom model it writes)",
    CI,
    on("bedrock:CreateModelCustomizationJob", [model("us-east-1", "amazon.nova-pro-v1:0:300k"), CUSTOM_MODEL]),
  ],
  [
    "a developer buys throughput for the fine-tune",
    DEVELOPER,
    on("bedrock:CreateProvisionedModelThroughput", [CUSTOM_MODEL]),
  ],
  ["the app invokes the fine-tune's provisioned model", APP, on("bedrock:InvokeModel", [PROVISIONED])],
  ["the app calls a Bedrock Marketplace model's endpoint", APP, on("bedrock:InvokeModel", [MARKETPLACE_ENDPOINTS])],
  [
    "a developer creates an application inference profile from the us. profile (cost tagging)",
    DEVELOPER,
    on("bedrock:CreateInferenceProfile", [APP_PROFILE, arn("us-east-1", US, `inference-profile/us.${SONNET}`)]),
  ],
  [
    "the app: Converse through the application profile, onto Claude's us. Regions",
    APP,
    on("bedrock:InvokeModel", [APP_PROFILE, ...US_REGIONS.map((r) => model(r, SONNET))]),
  ],
  [
    "batch: the developer's job through the us. profile (the job and the routed models)",
    DEVELOPER,
    on("bedrock:CreateModelInvocationJob", [
      arn("us-east-1", US, "model-invocation-job/n1g2h3t4l5y6"),
      ...US_REGIONS.map((r) => model(r, SONNET)),
    ]),
  ],
  [
    "batch: the job's role through the us. profile",
    BATCH_ROLE,
    throughProfile("bedrock:InvokeModel", "us", "us-east-1", SONNET, US_REGIONS),
  ],
  [
    "a short-term API key on bedrock-runtime (the developer's own session)",
    DEVELOPER,
    [
      ...bearer("bedrock", "SHORT_TERM"),
      ...throughProfile("bedrock:InvokeModel", "us", "us-east-1", SONNET, US_REGIONS),
    ],
  ],
  [
    "a short-term API key on bedrock-mantle, mantle's id of the listed Claude",
    DEVELOPER,
    [...bearer("bedrock-mantle", "SHORT_TERM"), ...mantle("anthropic.claude-sonnet-4-5")],
  ],
  ["bedrock-mantle signed with the developer's session, Nova Pro", DEVELOPER, mantle("amazon.nova-pro")],
  [
    "the admin creates the developers' long-term API key",
    ADMIN,
    on("iam:CreateServiceSpecificCredential", [KEY_USER], {
      "iam:ServiceSpecificCredentialServiceName": ["bedrock.amazonaws.com"],
    }),
  ],
  ...LONG_TERM_KEY_CALLS,
  [
    "a developer passes the knowledge base's role to Bedrock",
    DEVELOPER,
    on("iam:PassRole", [KB_ROLE], { "iam:PassedToService": ["bedrock.amazonaws.com"] }),
  ],
  ["the IAM pipeline updates the CI role's trust policy", IAM_PIPELINE, on("iam:UpdateAssumeRolePolicy", [CI])],
  ["break-glass: anything, an unlisted model included", BREAK_GLASS, throughGlobal("bedrock:InvokeModel", OPUS)],
];

/** The same calls on a model the list does not name, or by a principal that is not approved: each must be denied. */
const ATTACKS: Call[] = [
  ["the app: an unlisted Claude through the global. profile", APP, throughGlobal("bedrock:InvokeModel", OPUS)],
  [
    "a developer: an unlisted Nova through the eu. profile",
    DEVELOPER_EU,
    throughProfile("bedrock:InvokeModel", "eu", "eu-west-1", "amazon.nova-premier-v1:0", EU_REGIONS, EU),
  ],
  [
    "knowledge base: its role embeds with an unlisted Cohere model",
    KB_ROLE,
    on("bedrock:InvokeModel", [model("us-east-1", "cohere.embed-multilingual-v3")]),
  ],
  [
    "knowledge base: Bedrock subscribes to a product nobody approved",
    KB_ROLE,
    on("aws-marketplace:Subscribe", ["*"], { ...VIA_BEDROCK, "aws-marketplace:ProductId": ["prod-unapproved0001"] }),
  ],
  [
    "rerank: an unlisted reranking model, through Bedrock",
    DEVELOPER,
    on("bedrock:InvokeModel", [model("us-east-1", "amazon.rerank-v1:0")], VIA_BEDROCK),
  ],
  ["a developer submits the use-case form", DEVELOPER, on("bedrock:PutUseCaseForModelAccess", ["*"])],
  [
    "a developer deploys a Marketplace model to an endpoint of its own",
    DEVELOPER,
    on("bedrock:CreateMarketplaceModelEndpoint", ["*"]),
  ],
  [
    "the app calls a Marketplace endpoint in an account the list does not name",
    role(EU, "app/support-bot-backend"),
    on("bedrock:InvokeModel", [arn("us-east-1", EU, "marketplace/model-endpoint/all-access")]),
  ],
  [
    "a permission set named like the admins' plus a suffix",
    ADMIN_LOOKALIKE,
    on("bedrock:CreateFoundationModelAgreement", ["*"]),
  ],
  [
    "a role named like the CI role in another account",
    CI_ELSEWHERE,
    on("bedrock:CreateFoundationModelAgreement", ["*"]),
  ],
  [
    "a developer fine-tunes an unlisted base",
    DEVELOPER,
    on("bedrock:CreateModelCustomizationJob", [model("us-east-1", "meta.llama3-1-70b-instruct-v1:0:128k")]),
  ],
  [
    "a developer buys throughput for a custom model of an unlisted base",
    DEVELOPER,
    on("bedrock:CreateProvisionedModelThroughput", [
      arn("us-east-1", US, "custom-model/meta.llama3-1-70b-instruct-v1:0:128k/z9y8x7w6v5u4"),
    ]),
  ],
  [
    "the app invokes another provisioned model",
    APP,
    on("bedrock:InvokeModel", [arn("us-east-1", US, "provisioned-model/q7w8e9r0t1y2")]),
  ],
  [
    "an application profile onto an unlisted model",
    APP,
    on("bedrock:InvokeModel", [APP_PROFILE, ...US_REGIONS.map((r) => model(r, OPUS))]),
  ],
  [
    "batch on an unlisted model",
    DEVELOPER,
    on("bedrock:CreateModelInvocationJob", [arn("us-east-1", US, "model-invocation-job/a1"), model("us-east-1", OPUS)]),
  ],
  [
    "a short-term API key on an unlisted model",
    DEVELOPER,
    [...bearer("bedrock", "SHORT_TERM"), ...on("bedrock:InvokeModel", [model("us-east-1", OPUS)])],
  ],
  [
    "a long-term API key on an unlisted model, bedrock-runtime",
    KEY_USER,
    [...bearer("bedrock", "LONG_TERM"), ...on("bedrock:InvokeModel", [model("us-east-1", OPUS)])],
  ],
  [
    "a long-term API key on an unlisted model, bedrock-mantle",
    KEY_USER,
    [...bearer("bedrock-mantle", "LONG_TERM"), ...mantle("anthropic.claude-opus-4-1")],
  ],
  ...["Create", "Reset", "Update"].map(
    (verb): Call => [
      `a developer mints, re-mints or re-activates a long-term API key (iam:${verb}ServiceSpecificCredential)`,
      DEVELOPER,
      on(`iam:${verb}ServiceSpecificCredential`, [KEY_USER], {
        "iam:ServiceSpecificCredentialServiceName": ["bedrock.amazonaws.com"],
      }),
    ],
  ),
  [
    "a developer passes the approved CI role to a service",
    DEVELOPER,
    on("iam:PassRole", [CI], { "iam:PassedToService": ["lambda.amazonaws.com"] }),
  ],
  ["a developer re-trusts the CI role", DEVELOPER, on("iam:UpdateAssumeRolePolicy", [CI])],
];

const simulated = (principal: string, authorizations: SimulatedRequest[]) =>
  Promise.all(
    authorizations.map(async (a) => `${a.action} ${a.resource}: ${await simulateScp(guardrail, a, principal)}`),
  );

describe("the day-one config", () => {
  it("passes the linter without an error or a warning", () => {
    expect(lintScp(guardrail).findings.map((f) => `${f.level}: ${f.message}`)).toEqual([]);
  });
});

describe.each(LEGITIMATE)("legitimate: %s", (_name, principal, authorizations) => {
  it("is allowed on every authorization", async () => {
    const results = await simulated(principal, authorizations);
    expect(results).toEqual(results.map((r) => r.replace(/: \w+$/, ": Allowed")));
  });
});

describe.each(ATTACKS)("attack: %s", (_name, principal, authorizations) => {
  it("is denied", async () => {
    expect((await simulated(principal, authorizations)).filter((r) => r.endsWith(": ExplicitlyDenied"))).not.toEqual(
      [],
    );
  });
});

describe("preview over the day's CloudTrail records", () => {
  const previewer = previewerFor(guardrail);
  const previews = DAY.map((record) => ({ record, preview: previewer.previewRecord(record) }));

  it("denies none of them, and the simulator allows every request preview rebuilds", async () => {
    expect(previews.filter(({ preview }) => preview.kind === "denied")).toEqual([]);
    for (const { record, preview } of previews)
      if (preview.kind === "allowed")
        for (const r of preview.requests)
          expect(
            `${record.eventName} ${r.action} ${r.resource}: ${await simulateScp(guardrail, r, r.principalArn)}`,
          ).toBe(`${record.eventName} ${r.action} ${r.resource}: Allowed`);
    expect(previews.filter(({ preview }) => preview.kind === "allowed").length).toBe(18);
    // No statement names it with this config, so preview leaves it out; the admin's key creation is decided (allowed).
    expect(
      previews.filter(({ preview }) => preview.kind === "not-guarded").map(({ record }) => record.eventName),
    ).toEqual(["CreateInferenceProfile"]);
  });

  it("leaves the call through the application profile undetermined, naming the profile whose models decide", () => {
    const undetermined = previews.flatMap(({ preview }) => (preview.kind === "undetermined" ? [preview.missing] : []));
    expect(undetermined).toEqual([
      `the models ${APP_PROFILE} routes to (statement DenyInferenceOutsideModelAllowList depends on them; the ` +
        "record does not show them)",
    ]);
  });
});

describe("before the team sets scp.allowLongTermBedrockApiKeyUse (its default is off)", () => {
  const { allowLongTermBedrockApiKeyUse: _, ...scp } = config.scp;
  const withDefault = guardrailFor({ ...(config as GuardrailConfigInput), scp });
  const keyCalls = DAY.filter((r) => r.userIdentity.userName === "BedrockAPIKey-7k2m");

  it("preview offers that setting for the key's calls, not lifting the creation control nor approving its user", () => {
    expect(keyCalls.map((r) => r.eventSource)).toEqual(["bedrock.amazonaws.com", "bedrock-mantle.amazonaws.com"]);
    for (const record of keyCalls) {
      const p = previewerFor(withDefault).previewRecord(record);
      expect(`${record.eventSource}: ${p.kind === "denied" && p.suggestion}`).toBe(
        `${record.eventSource}: set scp.allowLongTermBedrockApiKeyUse to true`,
      );
    }
  });

  it("where the key's bearer-token request alone is denied: the models those calls reach are listed", async () => {
    for (const [name, principal, [bearerRequest, ...onModel]] of LONG_TERM_KEY_CALLS) {
      expect(`${name}: ${await simulateScp(withDefault, bearerRequest, principal)}`).toBe(`${name}: ExplicitlyDenied`);
      for (const a of onModel)
        expect(`${name}: ${await simulateScp(withDefault, a, principal)}`).toBe(`${name}: Allowed`);
    }
  });
});
