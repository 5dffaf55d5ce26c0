/**
 * Exemption patterns that look like ARNs but can never match the aws:PrincipalArn IAM evaluates (or
 * would mean something else inside an SCP) are refused at load, naming the key and the reason.
 */
import { principalPatternProblem } from "../../src/config/arn-pattern";
import { configProblems } from "./helpers";

/** aws.region in the pattern's own partition: a pattern of another partition is refused for that (config.test.ts). */
const REGION_OF_PARTITION: Record<string, string> = { "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1" };
const problemsOf = (approved: string[]): string[] =>
  configProblems({
    approvedPrincipalArns: approved,
    aws: { region: REGION_OF_PARTITION[approved[0].split(":")[1]] ?? "us-east-1" },
  });

describe("principal patterns name a principal IAM can evaluate", () => {
  it.each([
    // A role, user or root ARN lives in iam; a federated user's in sts.
    ["arn:aws:sts::*:role/Admin", /names a role in service "sts": a role's aws:PrincipalArn is arn:<partition>:iam::/],
    ["arn:aws:sts::123456789012:user/alice", /names a user in service "sts"/],
    ["arn:aws:sts::123456789012:root", /names root in service "sts"/],
    [
      "arn:aws:iam::*:federated-user/Bob",
      /names a federated-user in service "iam": a federated-user's aws:PrincipalArn is arn:<partition>:sts::/,
    ],
    [
      "arn:aws:sts::*:federated-user/team/Bob",
      /federated-user ARN is arn:<partition>:sts::<account>:federated-user\/<name>/,
    ],
    // Characters IAM names and paths cannot hold.
    ["arn:aws:iam::*:role/Bedrock Admin", /has name "Bedrock Admin": IAM names are letters, digits and \+=,\.@_-/],
    ["arn:aws:iam::*:role/Admin\u00c4", /has name "Admin\u00c4"/],
    ['arn:aws:iam::*:role/a"b', /has name "a"b"/],
    ["arn:aws:iam::*:role/team one/Admin", /has path segment "team one": IAM paths are printable ASCII without spaces/],
    ["arn:aws:iam::*:role//Admin", /has an empty path segment/],
    // In an SCP, ${...} is a policy variable: the exemption would not mean what the text says.
    ["arn:aws:iam::*:role/${aws:username}", /contains "\$": in an SCP, IAM reads \$\{\.\.\.\} as a policy variable/],
    ["arn:aws:iam::*:role/$team/Admin", /contains "\$"/],
    // Every Identity Center permission set, in every account.
    ["arn:aws:iam::*:role/aws-reserved/*/AWSReservedSSO_*", /exempts every IAM Identity Center permission set/],
    [
      "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_*_*",
      /exempts every IAM Identity Center permission set/,
    ],
    ["arn:aws:iam::123456789012:role/*SSO_*", /exempts every IAM Identity Center permission set/],
  ])("refuses %s, naming the key", (pattern, message) => {
    const problems = problemsOf([pattern]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^approvedPrincipalArns\[0\]: /);
    expect(problems[0]).toMatch(message);
  });

  it.each([
    "arn:aws:iam::*:role/BedrockModelAccessAdmin",
    "arn:aws:iam::123456789012:role/team/ml/BedrockAdmin",
    "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_BedrockAdmins_*",
    "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_BedrockAdmins_0123456789abcdef",
    "arn:aws:iam::123456789012:user/ci+deploy=x,y.z@example-1",
    "arn:aws:iam::123456789012:user/path!with~odd#chars/alice",
    "arn:aws:sts::123456789012:federated-user/Bob",
    "arn:aws:iam::123456789012:root",
    "arn:aws-cn:iam::*:role/Admin?",
    "arn:*:iam::*:role/Bedrock*Admin",
  ])("accepts %s", (pattern) => {
    expect(principalPatternProblem(pattern)).toBeUndefined();
    expect(problemsOf([pattern])).toEqual([]);
  });
});
