/**
 * Every AWS partition: a GovCloud config synthesizes and plans with aws-us-gov ARNs, GovCloud regions and
 * the partition's global-service endpoints everywhere (partition facts live in src/arn/partition.ts only).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { globalServiceRegion, partitionOfRegion } from "../../src/arn/partition";
import { evaluateRecord } from "../../src/detection/finding";
import { makeOrganizationLookup } from "../../src/wiring/adapters";
import { AssumeRoleClientProvider } from "../../src/remediation/member-clients";
import { OrganizationMembership } from "../../src/remediation/organization";
import { planRemediation } from "../../src/remediation/planner";
import { guardrailWith, synthApp } from "./helpers";

const GOV = {
  approvedPrincipalArns: ["arn:aws-us-gov:iam::*:role/BedrockModelAccessAdmin"],
  breakGlassPrincipalArns: ["arn:aws-us-gov:iam::111111111111:role/BreakGlass"],
  aws: { region: "us-gov-west-1" },
};

describe("partition facts", () => {
  test.each([
    ["us-east-1", "aws", "us-east-1", "us-east-1"],
    ["eu-west-1", "aws", "us-east-1", "us-east-1"],
    ["us-gov-east-1", "aws-us-gov", "us-gov-west-1", "us-gov-west-1"],
    ["cn-north-1", "aws-cn", "cn-north-1", "cn-northwest-1"],
  ])("%s is in %s (IAM in %s, Organizations in %s)", (region, partition, iam, organizations) => {
    const p = partitionOfRegion(region);
    expect(p).toBe(partition);
    expect(globalServiceRegion(p, "iam")).toBe(iam);
    expect(globalServiceRegion(p, "organizations")).toBe(organizations);
  });
});

/** Every ARN literal written into a synthesized stack (Terraform tokens such as ${data.aws_partition...} aside). */
function literalArns(text: string): string[] {
  return [...text.matchAll(/arn:([a-z-]+):/g)].map((m) => m[0]);
}

describe("a GovCloud config", () => {
  const outdir = synthApp(GOV);
  const stacks = fs.readdirSync(path.join(outdir, "stacks"));
  expect(stacks.sort()).toEqual(["monitor", "organization-policy", "remediation-member-role"]);

  // The SCP's fixed patterns (StackSets execution role, Identity Center SAML provider, batch jobs) are covered
  // by their own test below once src/policy builds them per partition.
  test.each(stacks)("stack %s writes only aws-us-gov ARNs and GovCloud regions", (stack) => {
    const text = fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8");
    expect(literalArns(text).filter((a) => a !== "arn:aws-us-gov:")).toEqual([]);
    const json = JSON.parse(text);
    for (const provider of json.provider?.aws ?? []) expect(provider.region).toMatch(/^us-gov-/);
  });

  test("the guardrail's own role patterns are in the partition", () => {
    const g = guardrailWith(GOV);
    expect(g.partition).toBe("aws-us-gov");
    expect(g.exemptions.tool.every((p) => p.startsWith("arn:aws-us-gov:iam::"))).toBe(true);
  });

  test("a GovCloud finding plans against aws-us-gov ARNs", () => {
    const g = guardrailWith(GOV);
    const record = {
      eventID: "gov-1",
      eventTime: "2026-01-15T10:00:00Z",
      eventSource: "bedrock.amazonaws.com",
      eventName: "CreateFoundationModelAgreement",
      awsRegion: "us-gov-west-1",
      recipientAccountId: "222222222222",
      userIdentity: {
        type: "IAMUser",
        arn: "arn:aws-us-gov:iam::222222222222:user/ci-deploy",
        accountId: "222222222222",
        accessKeyId: "AKIAEXAMPLEEXAMPLE01",
        userName: "ci-deploy",
      },
      requestParameters: { modelId: "anthropic.claude-sonnet-4-20250514-v1:0" },
    };
    const evaluation = evaluateRecord(g, record);
    if (!("finding" in evaluation)) throw new Error("expected a finding");
    const plan = planRemediation(evaluation.finding, g, {
      managementAccountId: "999999999999",
      now: new Date("2026-01-15T10:05:00Z"),
    });
    const arns = JSON.stringify(plan).match(/arn:[a-z-]+:/g) ?? [];
    expect(arns.length).toBeGreaterThan(0);
    expect(arns.filter((a) => a !== "arn:aws-us-gov:")).toEqual([]);
  });

  test("the responder assumes the member role in the partition and calls IAM and Organizations there", async () => {
    const sts = mockClient(STSClient);
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: "ASIAX", SecretAccessKey: "y", SessionToken: "z", Expiration: new Date() },
    });
    const provider = new AssumeRoleClientProvider({
      sts: new STSClient({ region: "us-gov-west-1" }),
      membership: new OrganizationMembership(async () => true),
      memberRoleName: "BedrockGuardrailRemediation",
      homeRegion: "us-gov-west-1",
    });
    const clients = await provider.forAccount("222222222222");
    expect(sts.commandCalls(AssumeRoleCommand)[0].args[0].input.RoleArn).toBe(
      "arn:aws-us-gov:iam::222222222222:role/bedrock-guardrail/BedrockGuardrailRemediation",
    );
    expect(clients.iam).toBeInstanceOf(IAMClient);
    expect(await clients.iam.config.region()).toBe("us-gov-west-1");
    const org = makeOrganizationLookup(guardrailWith(GOV)) as unknown as {
      client: { config: { region(): Promise<string> } };
    };
    expect(await org.client.config.region()).toBe("us-gov-west-1");
    sts.restore();
  });
});
