/** Names and tags AWS would refuse fail at config time, naming the key: the config enforces the limits AWS does. */
import { ConfigError, parseConfig } from "../../src/config/load";
import { MAX_TAGS_PER_RESOURCE, TOOL_TAGS } from "../../src/config/aws-limits";

const base = { approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"] };

function problems(extra: object): string[] {
  try {
    parseConfig({ ...base, ...extra });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));

describe("scp.tags", () => {
  it("counts the tool's own tags against AWS's 50 per resource", () => {
    const room = MAX_TAGS_PER_RESOURCE - Object.keys(TOOL_TAGS).length;
    expect(problems({ scp: { tags: tags(room) } })).toEqual([]);
    expect(problems({ scp: { tags: tags(room + 1) } })).toEqual([
      `scp.tags: ${room + 1} tags plus the tool's 1 make 51: AWS allows 50 per resource`,
    ]);
  });

  it.each([
    [{ ["k".repeat(129)]: "v" }, /scp\.tags: key "k{40}\.\.\." is 129 characters: AWS allows 1-128/],
    [{ owner: "v".repeat(257) }, /scp\.tags: "owner": the value is 257 characters: AWS allows up to 256/],
    [{ "aws:owner": "me" }, /scp\.tags: key "aws:owner": the aws: prefix is reserved for AWS/],
    [{ "AWS:owner": "me" }, /the aws: prefix is reserved/],
    [{ "cost;center": "x" }, /scp\.tags: "cost;center": keys and values may only hold letters/],
    [{ "managed-by": "terraform" }, /scp\.tags: "managed-by" is set by the tool \(managed-by=bedrock-guardrail\)/],
  ])("%j is refused, naming the key", (t, message) => {
    const p = problems({ scp: { tags: t } });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(message);
  });

  it("accepts the limits themselves, other scripts, and the tool's own value for its key", () => {
    expect(
      problems({
        scp: {
          tags: { ["k".repeat(128)]: "v".repeat(256), équipe: "sécurité", "managed-by": "bedrock-guardrail", e: "" },
        },
      }),
    ).toEqual([]);
  });
});

describe("names that become AWS resource names", () => {
  it.each([
    [
      { scp: { name: "n".repeat(126) } },
      /^scp\.name: must be at most 125 characters \(AWS allows 128 for a policy name; 3 are kept for the "-2"/,
    ],
    [{ scp: { name: "has space" } }, /^scp\.name: must be a policy name: only letters/],
    [{ remediation: { memberRoleName: "r".repeat(65) } }, /^remediation\.memberRoleName: must be at most 64/],
    [{ remediation: { rotatedSecretName: "keys/{account}/{usr}" } }, /unknown placeholder\(s\) \{usr\}/],
    [{ remediation: { rotatedSecretName: "keys {user}" } }, /may only hold letters, digits and \/_\+=\.@-/],
    [
      { remediation: { rotatedSecretName: `${"s".repeat(400)}/{user}/{accessKeyId}` } },
      /can grow to 594 characters once filled: Secrets Manager allows 512/,
    ],
    [
      { monitor: { cloudwatchLogs: { logGroups: ["bad group"] } } },
      /logGroups\[0\]: must be a CloudWatch Logs group name/,
    ],
    [{ monitor: { eventbridge: { centralBusName: "b".repeat(257) } } }, /centralBusName: must be at most 256/],
  ])("%j is refused, naming the key", (extra, message) => {
    const p = problems(extra);
    expect(p.join("\n")).toMatch(message);
  });

  it("the defaults are within every limit, and a log group may be given by ARN", () => {
    expect(problems({})).toEqual([]);
    const arn = "arn:aws:logs:eu-west-1:333333333333:log-group:org-trail:*";
    expect(problems({ monitor: { cloudwatchLogs: { logGroups: ["aws-cloudtrail-logs-org", arn] } } })).toEqual([]);
  });
});
