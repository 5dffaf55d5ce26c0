/**
 * The allow-list's promise, request shape by request shape: for a developer's role (neither approved nor
 * break-glass), every way AWS offers to run a listed model is allowed, and the same shape with a model the list
 * does not name is denied. Each shape is written out as AWS authorizes it (the service authorization reference and
 * the inference-profile, batch, async, bedrock-mantle and API-key pages of the Amazon Bedrock user guide), not read
 * from the code, and proven with the IAM simulator against FullAWSAccess and the synthesized SCP; preview (from the
 * CloudTrail record of the call) and `check --explain` must answer as the simulator does.
 */
import type { GuardrailConfigInput } from "../../src/config/schema";
import { explainRequest, previewerFor } from "../../src/policy/explain";
import { guardrailFor } from "./helpers";
import { simulateScp } from "./simulator";

const MEMBER = "111122223333";
const DEVELOPER = `arn:aws:iam::${MEMBER}:role/app/Developer`;
const DEVELOPER_AS_CLOUDTRAIL_WRITES_IT = {
  type: "AssumedRole",
  arn: `arn:aws:sts::${MEMBER}:assumed-role/Developer/session`,
  accountId: MEMBER,
  sessionContext: { sessionIssuer: { type: "Role", arn: DEVELOPER, accountId: MEMBER } },
};

/** A listed model by its exact versioned id, one by a wildcard entry, and a model no entry names. */
const LISTED_EXACT = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const LISTED_BY_WILDCARD = "anthropic.claude-haiku-4-5-20251001-v1:0";
const UNLISTED = "anthropic.claude-opus-4-1-20250805-v1:0";

const CONFIG: GuardrailConfigInput = {
  approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"],
  scp: {
    modelAllowList: [
      `arn:aws:bedrock:*::foundation-model/${LISTED_EXACT}`,
      "arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku-4-5*",
      "arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0",
      "arn:aws:bedrock:*::foundation-model/openai.gpt-oss-120b-1:0",
    ],
  },
};
const guardrail = guardrailFor(CONFIG);

/** The Regions each geography's system-defined profiles route to, as AWS documents them, and a source Region. */
const GEOGRAPHIES: Record<string, { source: string; destinations: string[] }> = {
  us: { source: "us-east-1", destinations: ["us-east-1", "us-east-2", "us-west-1", "us-west-2"] },
  eu: {
    source: "eu-west-1",
    destinations: ["eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1"].concat([
      "eu-west-2",
      "eu-west-3",
    ]),
  },
  apac: {
    source: "ap-southeast-1",
    destinations: ["ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1"].concat(
      ["ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5"],
      ["ap-southeast-7", "me-central-1"],
    ),
  },
  jp: { source: "ap-northeast-1", destinations: ["ap-northeast-1", "ap-northeast-3"] },
  au: { source: "ap-southeast-2", destinations: ["ap-southeast-2", "ap-southeast-4"] },
  ca: { source: "ca-central-1", destinations: ["ca-central-1", "ca-west-1"] },
  // A global profile is authorized on the model in the call's Region and on the model with an empty Region.
  global: { source: "us-east-1", destinations: ["us-east-1", ""] },
};

const model = (region: string, id: string) => `arn:aws:bedrock:${region}::foundation-model/${id}`;
const inRegion = (region: string, resource: string) => `arn:aws:bedrock:${region}:${MEMBER}:${resource}`;

interface Authorization {
  action: string;
  resource: string;
  context?: Record<string, string[]>;
}

/** One request shape for a model id: every authorization IAM makes for it. */
interface Shape {
  name: string;
  authorizations: (modelId: string) => Authorization[];
}

const invoke = (action: string, resources: string[]): Authorization[] =>
  resources.map((resource) => ({ action, resource }));

const SHAPES: Shape[] = [
  ...["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"].flatMap((action) => [
    // InvokeModel and Converse (and the Chat Completions API of bedrock-runtime) authorize as InvokeModel,
    // InvokeModelWithResponseStream and ConverseStream as InvokeModelWithResponseStream.
    {
      name: `${action} in the caller's Region`,
      authorizations: (id: string) => invoke(action, [model("us-east-1", id)]),
    },
    ...Object.entries(GEOGRAPHIES).map(([geography, { source, destinations }]) => ({
      name: `${action} through the ${geography}. profile`,
      authorizations: (id: string) =>
        invoke(action, [
          inRegion(source, `inference-profile/${geography}.${id}`),
          ...destinations.map((region) => model(region, id)),
        ]),
    })),
    {
      name: `${action} through an application inference profile that wraps the model's us. profile`,
      authorizations: (id: string) =>
        invoke(action, [
          inRegion("us-east-1", "application-inference-profile/a1b2c3d4e5f6"),
          ...GEOGRAPHIES.us.destinations.map((region) => model(region, id)),
        ]),
    },
  ]),
  {
    name: "bedrock:CreateModelInvocationJob (batch inference) on the model",
    authorizations: (id) =>
      invoke("bedrock:CreateModelInvocationJob", [
        inRegion("us-east-1", "model-invocation-job/j1k2l3m4n5o6"),
        model("us-east-1", id),
      ]),
  },
  {
    // The reference lists no inference-profile resource for the batch action: the job and the routed models.
    name: "bedrock:CreateModelInvocationJob (batch inference) through the us. profile",
    authorizations: (id) =>
      invoke("bedrock:CreateModelInvocationJob", [
        inRegion("us-east-1", "model-invocation-job/j1k2l3m4n5o6"),
        ...GEOGRAPHIES.us.destinations.map((region) => model(region, id)),
      ]),
  },
  {
    name: "StartAsyncInvoke (authorized as bedrock:InvokeModel on the invocation and the model)",
    authorizations: (id) =>
      invoke("bedrock:InvokeModel", [inRegion("us-east-1", "async-invoke/p1q2r3s4t5u6"), model("us-east-1", id)]),
  },
  {
    name: "a short-term Bedrock API key on bedrock-runtime",
    authorizations: (id) => [
      { action: "bedrock:CallWithBearerToken", resource: "*", context: { "bedrock:BearerTokenType": ["SHORT_TERM"] } },
      ...invoke("bedrock:InvokeModel", [model("us-east-1", id)]),
    ],
  },
];

/** bedrock-mantle names a model by its bare id (no version suffix or snapshot date); a client may send Bedrock's. */
const MANTLE_SHAPES: { name: string; listed: string; unlisted: string; bearer?: boolean }[] = [
  {
    name: "mantle's id of an exactly listed model",
    listed: "anthropic.claude-sonnet-4-5",
    unlisted: "anthropic.claude-opus-4-1",
  },
  {
    name: "mantle's id of a wildcard entry's model",
    listed: "anthropic.claude-haiku-4-5",
    unlisted: "anthropic.claude-opus-4-1",
  },
  {
    name: "an open-weight model (OpenAI-compatible API)",
    listed: "openai.gpt-oss-120b",
    unlisted: "openai.gpt-oss-20b",
  },
  { name: "Bedrock's id sent as it is", listed: LISTED_EXACT, unlisted: UNLISTED },
  { name: "with a short-term API key", listed: "amazon.nova-pro", unlisted: "amazon.nova-premier", bearer: true },
];

const mantle = (modelId: string, bearer?: boolean): Authorization[] => [
  ...(bearer
    ? [
        {
          action: "bedrock-mantle:CallWithBearerToken",
          resource: "*",
          context: { "bedrock-mantle:BearerTokenType": ["SHORT_TERM"] },
        },
      ]
    : []),
  {
    action: "bedrock-mantle:CreateInference",
    resource: `arn:aws:bedrock-mantle:us-east-1:${MEMBER}:project/default`,
    context: { "bedrock-mantle:Model": [modelId] },
  },
];

const simulated = (authorizations: Authorization[]) =>
  Promise.all(authorizations.map((a) => simulateScp(guardrail, a, DEVELOPER)));

describe("a developer's call on a listed model is allowed on every path AWS offers; on an unlisted one denied", () => {
  for (const shape of SHAPES) {
    it(shape.name, async () => {
      for (const listed of [LISTED_EXACT, LISTED_BY_WILDCARD]) {
        const results = await simulated(shape.authorizations(listed));
        expect(`${listed}: ${results.join(", ")}`).toBe(`${listed}: ${results.map(() => "Allowed").join(", ")}`);
      }
      // The same shape on a model the list does not name: every authorization on that model is denied.
      const unlisted = shape.authorizations(UNLISTED);
      const results = await simulated(unlisted);
      const onModel = unlisted
        .map((a, i) => [a.resource, results[i]])
        .filter(([resource]) => resource.endsWith(`foundation-model/${UNLISTED}`));
      expect(onModel.length).toBeGreaterThan(0);
      for (const [resource, result] of onModel) expect(`${resource}: ${result}`).toBe(`${resource}: ExplicitlyDenied`);
    });
  }

  for (const shape of MANTLE_SHAPES) {
    it(`bedrock-mantle:CreateInference: ${shape.name}`, async () => {
      expect(await simulated(mantle(shape.listed, shape.bearer))).toEqual(
        mantle(shape.listed, shape.bearer).map(() => "Allowed"),
      );
      expect((await simulated(mantle(shape.unlisted, shape.bearer))).at(-1)).toBe("ExplicitlyDenied");
    });
  }

  it("throughput for a listed model's context variant (:0:200k) is allowed, an unlisted one's denied", async () => {
    const buy = (id: string) => invoke("bedrock:CreateProvisionedModelThroughput", [model("us-east-1", id)]);
    expect(await simulated(buy("anthropic.claude-haiku-4-5-20251001-v1:0:200k"))).toEqual(["Allowed"]);
    expect(await simulated(buy("amazon.nova-pro-v1:0:300k"))).toEqual(["Allowed"]);
    expect(await simulated(buy(`${UNLISTED}:200k`))).toEqual(["ExplicitlyDenied"]);
  });
});

describe("preview and check --explain answer as the simulator does", () => {
  const previewer = previewerFor(guardrail);
  const previewed = (eventSource: string, eventName: string, awsRegion: string, params: object, extra = {}) => {
    const p = previewer.previewRecord({
      eventSource,
      eventName,
      awsRegion,
      recipientAccountId: MEMBER,
      userIdentity: DEVELOPER_AS_CLOUDTRAIL_WRITES_IT,
      requestParameters: params,
      ...extra,
    });
    return p.kind === "allowed" ? "allow" : p.kind === "denied" ? "deny" : p.kind;
  };
  const explained = (action: string, resource: string, context?: Record<string, string[]>) =>
    explainRequest(previewer, { principalArn: DEVELOPER, action, resource, context }).decision;

  it("on a model id, through every geography's profile, batch, async, mantle and a short-term API key", () => {
    const runtime = "bedrock.amazonaws.com";
    const shortTerm = { additionalEventData: { callWithBearerToken: true, bearerTokenType: "SHORT_TERM" } };
    for (const [id, expected] of [
      [LISTED_EXACT, "allow"],
      [LISTED_BY_WILDCARD, "allow"],
      [UNLISTED, "deny"],
    ]) {
      const answers: string[] = [];
      for (const event of ["Converse", "ConverseStream", "InvokeModel", "StartAsyncInvoke", "CreateModelInvocationJob"])
        answers.push(`${event}: ${previewed(runtime, event, "us-east-1", { modelId: id })}`);
      for (const [geography, { source }] of Object.entries(GEOGRAPHIES)) {
        answers.push(
          `Converse ${geography}.: ${previewed(runtime, "Converse", source, { modelId: `${geography}.${id}` })}`,
        );
        answers.push(`explain ${geography}.: ${explained("bedrock:Converse", `${geography}.${id}`)}`);
      }
      answers.push(`short-term key: ${previewed(runtime, "InvokeModel", "us-east-1", { modelId: id }, shortTerm)}`);
      const shortTermContext = { "bedrock:BearerTokenType": ["SHORT_TERM"] };
      answers.push(`explain short-term key: ${explained("bedrock:InvokeModel", id, shortTermContext)}`);
      for (const answer of answers) expect(`${id} ${answer}`).toMatch(new RegExp(`: ${expected}$`));
    }
    for (const shape of MANTLE_SHAPES)
      for (const [modelId, expected] of [
        [shape.listed, "allow"],
        [shape.unlisted, "deny"],
      ]) {
        const answer = previewed("bedrock-mantle.amazonaws.com", "CreateInference", "us-east-1", { model: modelId });
        const explainedAnswer = explained("bedrock-mantle:CreateInference", "*", { "bedrock-mantle:Model": [modelId] });
        expect(`${modelId}: preview ${answer}, explain ${explainedAnswer}`).toBe(
          `${modelId}: preview ${expected}, explain ${expected}`,
        );
      }
  });
});
