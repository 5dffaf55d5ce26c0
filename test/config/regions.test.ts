/**
 * The Regions a config names: one of another partition than aws.region's is a config error naming the key; one
 * this version does not know (a typo, or a Region AWS added since) is a lint warning naming the key and the value.
 */
import { isKnownRegion } from "../../src/arn/partition";
import type { GuardrailConfigInput } from "../../src/config/schema";
import { lintScp } from "../../src/policy/lint";
import { guardrailFor } from "../policy/helpers";
import { configProblems } from "./helpers";

/** A * partition, accepted with a Region of any partition. */
const ok = { approvedPrincipalArns: ["arn:*:iam::*:role/BedrockModelAccessAdmin"] };

/** Every Region key of the config, set to `region` (eventbridge enabled, so its list is read). */
const everyRegionKey = (region: string): GuardrailConfigInput => ({
  ...ok,
  monitor: { athena: { regions: [region] }, eventbridge: { enabled: true, regions: [region] } },
  remediation: { regions: [region] },
});

const regionWarnings = (config: GuardrailConfigInput) =>
  lintScp(guardrailFor(config))
    .findings.filter((f) => f.code === "unknown-region")
    .map((f) => `${f.level}: ${f.message}`);

describe("Regions of a partition this tool does not support", () => {
  it.each([
    ["us-iso-east-1", "aws-iso"],
    ["us-isob-east-1", "aws-iso-b"],
    ["eu-isoe-west-1", "aws-iso-e"],
  ])("%s is refused in aws.region and in every Region list, naming its partition", (region, partition) => {
    const message = `${region} is in the ${partition} partition, which this tool does not support`;
    expect(configProblems({ ...ok, aws: { region } })).toEqual([expect.stringContaining(`aws.region: ${message}`)]);
    expect(configProblems(everyRegionKey(region))).toEqual(
      ["monitor.athena.regions[0]", "monitor.eventbridge.regions[0]", "remediation.regions[0]"].map((key) =>
        expect.stringContaining(`${key}: ${message}`),
      ),
    );
  });
});

describe("Regions of another partition than aws.region's", () => {
  it("are refused in each Region list, naming the key, the Region and both partitions", () => {
    expect(configProblems(everyRegionKey("us-gov-west-1"))).toEqual(
      ["monitor.athena.regions[0]", "monitor.eventbridge.regions[0]", "remediation.regions[0]"].map(
        (key) =>
          `${key}: us-gov-west-1 is in partition aws-us-gov, but aws.region us-east-1 is in aws: ` +
          "list Regions of aws, or set aws.region to a Region of aws-us-gov",
      ),
    );
  });

  it("are refused the other way round (a commercial Region in a China config)", () => {
    expect(configProblems({ ...everyRegionKey("eu-west-1"), aws: { region: "cn-north-1" } })).toHaveLength(3);
  });

  it("are accepted in aws.region's own partition, and for the state bucket, which may live elsewhere", () => {
    expect(configProblems({ ...everyRegionKey("us-gov-east-1"), aws: { region: "us-gov-west-1" } })).toEqual([]);
    expect(
      configProblems({ ...ok, aws: { stateBackend: { type: "s3", bucket: "tf-state", region: "us-gov-west-1" } } }),
    ).toEqual([]);
  });
});

describe("Regions this version does not know", () => {
  it("are a warning naming each key and value, not an error", () => {
    const config: GuardrailConfigInput = {
      ...everyRegionKey("us-esat-1"),
      aws: { region: "us-east-9", stateBackend: { type: "s3", bucket: "tf-state", region: "eu-wset-1" } },
    };
    expect(configProblems(config)).toEqual([]);
    expect(lintScp(guardrailFor(config)).errors).toEqual([]);
    const unknown = "is not a region this version knows; if AWS added it, ignore this";
    expect(regionWarnings(config)).toEqual([
      `warning: aws.region us-east-9 ${unknown}`,
      `warning: aws.stateBackend.region eu-wset-1 ${unknown}`,
      `warning: monitor.athena.regions[0] us-esat-1 ${unknown}`,
      `warning: monitor.eventbridge.regions[0] us-esat-1 ${unknown}`,
      `warning: remediation.regions[0] us-esat-1 ${unknown}`,
    ]);
  });

  it("do not include the Regions of each partition, which lint clean", () => {
    for (const [aws, region] of [
      ["us-east-1", "ap-southeast-7"],
      ["us-gov-west-1", "us-gov-east-1"],
      ["cn-north-1", "cn-northwest-1"],
    ])
      expect(regionWarnings({ ...everyRegionKey(region), aws: { region: aws } })).toEqual([]);
  });

  it("are told apart by partition: a GovCloud or China name is known only as itself", () => {
    expect(["us-gov-west-1", "cn-northwest-1", "mx-central-1"].every(isKnownRegion)).toBe(true);
    expect(["us-gov-west-3", "cn-south-1", "us-iso-east-1"].some(isKnownRegion)).toBe(false);
  });
});
