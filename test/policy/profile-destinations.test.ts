/**
 * A call through a cross-Region inference profile, decided by preview and `check --explain` as IAM decides it. IAM
 * authorizes the call on the profile, on the model in the call's Region, and on the model in every Region the
 * profile routes to (a global profile: on the model with an empty Region); AWS documents each geography's Regions,
 * but which of them one model's profile uses is not in the record. So, with the simulator: every Region of the
 * geography allowed is an allowed call, the call's own Region denied or every other one denied (a cross-Region
 * profile routes beyond the call's Region) a denied call, and only a split between them is undetermined.
 *
 * @slow (simulates every geography's Regions for several allow-lists)
 */
import type { GuardrailConfigInput } from "../../src/config/schema";
import { explainRequest, previewerFor } from "../../src/policy/explain";
import { guardrailFor, MINIMAL_CONFIG } from "./helpers";
import { PRINCIPALS } from "./history";
import { simulateScp } from "./simulator";

const MEMBER = "111122223333";
const PRINCIPAL = `arn:aws:iam::${MEMBER}:role/app/ChatbotBackend`;
const MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0";

/**
 * Each geography's Regions as AWS documents them (the Amazon Bedrock user guide's cross-Region inference pages and
 * the CDK's CrossRegionInferenceProfileRegion), written out here so that the test does not read the code's list,
 * and the Region a call through it is made in.
 */
const GEOGRAPHIES: Record<string, { source: string; regions: string[] }> = {
  us: { source: "us-east-1", regions: ["us-east-1", "us-east-2", "us-west-1", "us-west-2"] },
  eu: {
    source: "eu-west-1",
    regions: [
      "eu-central-1",
      "eu-central-2",
      "eu-north-1",
      "eu-south-1",
      "eu-south-2",
      "eu-west-1",
      "eu-west-2",
    ].concat("eu-west-3"),
  },
  apac: {
    source: "ap-southeast-1",
    regions: ["ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2"].concat(
      ["ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7"],
      ["me-central-1"],
    ),
  },
  jp: { source: "ap-northeast-1", regions: ["ap-northeast-1", "ap-northeast-3"] },
  au: { source: "ap-southeast-2", regions: ["ap-southeast-2", "ap-southeast-4"] },
  ca: { source: "ca-central-1", regions: ["ca-central-1", "ca-west-1"] },
};

const entry = (region: string) => `arn:aws:bedrock:${region}::foundation-model/anthropic.claude-sonnet-4-5*`;

/** Allow-lists of the model: by a Region wildcard, in every Region, in named Regions, in the empty Region. */
const ALLOW_LISTS: Record<string, string[]> = {
  "us-*": [entry("us-*")],
  "*": [entry("*")],
  "us-east-1": [entry("us-east-1")],
  "us-east-*": [entry("us-east-*")],
  "eu-*, ap-*, me-*": [entry("eu-*"), entry("ap-*"), entry("me-*")],
  "ap-northeast-?": [entry("ap-northeast-?")],
  "us-* and the empty Region": [entry("us-*"), entry("")],
};

type Answer = "allow" | "deny" | "undetermined";

const invoke = (resource: string) => ({ action: "bedrock:InvokeModel", resource });
const model = (region: string) => `arn:aws:bedrock:${region}::foundation-model/${MODEL}`;

/** The simulator's answer for a call through `profileId` from `source`, over the Regions it may route to. */
async function simulated(config: GuardrailConfigInput, profileId: string, source: string, regions: string[]) {
  const guardrail = guardrailFor(config);
  // The empty-Region ARN a global profile authorizes on too (the harness simulates it unvalidated).
  const simulate = (resource: string) => simulateScp(guardrail, invoke(resource), PRINCIPAL);
  const always = [`arn:aws:bedrock:${source}:${MEMBER}:inference-profile/${profileId}`, model(source)];
  for (const resource of always) if ((await simulate(resource)) === "ExplicitlyDenied") return "deny";
  const others = regions.filter((region) => region !== source);
  const routed = await Promise.all(others.map((region) => simulate(model(region))));
  if (routed.every((r) => r === "ExplicitlyDenied")) return "deny";
  return routed.every((r) => r === "Allowed") ? "allow" : "undetermined";
}

function previewed(config: GuardrailConfigInput, profileId: string, source: string): Answer {
  const p = previewerFor(guardrailFor(config)).previewRecord({
    eventSource: "bedrock.amazonaws.com",
    eventName: "Converse",
    awsRegion: source,
    recipientAccountId: MEMBER,
    userIdentity: PRINCIPALS.appRole,
    requestParameters: { modelId: profileId },
  });
  return p.kind === "allowed" ? "allow" : p.kind === "denied" ? "deny" : "undetermined";
}

function explained(config: GuardrailConfigInput, profileId: string, source: string): Answer {
  const resource = `arn:aws:bedrock:${source}:${MEMBER}:inference-profile/${profileId}`;
  return explainRequest(previewerFor(guardrailFor(config)), {
    principalArn: PRINCIPAL,
    action: "bedrock:Converse",
    resource,
  }).decision;
}

describe("a call through a geography's cross-Region profile", () => {
  for (const [name, list] of Object.entries(ALLOW_LISTS)) {
    it(`is decided as the simulator decides it over the geography's Regions (allow-list ${name})`, async () => {
      const config = { ...MINIMAL_CONFIG, scp: { modelAllowList: list } };
      for (const [geography, { source, regions }] of Object.entries(GEOGRAPHIES)) {
        const profileId = `${geography}.${MODEL}`;
        const expected = await simulated(config, profileId, source, regions);
        expect(`${profileId}: preview ${previewed(config, profileId, source)}`).toBe(
          `${profileId}: preview ${expected}`,
        );
        expect(`${profileId}: explain ${explained(config, profileId, source)}`).toBe(
          `${profileId}: explain ${expected}`,
        );
      }
    });
  }

  it("a Region wildcard that covers the geography allows it; one that covers part of it is undetermined", () => {
    const profileId = `us.${MODEL}`;
    expect(previewed({ ...MINIMAL_CONFIG, scp: { modelAllowList: [entry("us-*")] } }, profileId, "us-east-1")).toBe(
      "allow",
    );
    expect(
      previewed({ ...MINIMAL_CONFIG, scp: { modelAllowList: [entry("us-east-*")] } }, profileId, "us-east-1"),
    ).toBe("undetermined");
    expect(
      previewed({ ...MINIMAL_CONFIG, scp: { modelAllowList: [entry("us-east-1")] } }, profileId, "us-east-1"),
    ).toBe("deny");
  });
});

describe("a call through a global profile", () => {
  it("is authorized on the model in the call's Region and with an empty Region, as the simulator says", async () => {
    const profileId = `global.${MODEL}`;
    for (const [name, list] of Object.entries(ALLOW_LISTS)) {
      const config = { ...MINIMAL_CONFIG, scp: { modelAllowList: list } };
      // A global profile's destinations are one ARN, the model with an empty Region: nothing is undetermined.
      const expected = await simulated(config, profileId, "us-east-1", [""]);
      expect(`${name}: preview ${previewed(config, profileId, "us-east-1")}`).toBe(`${name}: preview ${expected}`);
      expect(`${name}: explain ${explained(config, profileId, "us-east-1")}`).toBe(`${name}: explain ${expected}`);
    }
  });
});
