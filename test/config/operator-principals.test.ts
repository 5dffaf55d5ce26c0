/** remediation.operatorPrincipalArns: the principal-pattern rules, plus an exact account and a role or user. */
import { ConfigError, parseConfig } from "../../src/config/load";

const withOperators = (operatorPrincipalArns: unknown) => () => parseConfig({ approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"], remediation: { operatorPrincipalArns } });

function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("remediation.operatorPrincipalArns", () => {
  it("defaults to none", () => {
    expect(withOperators(undefined)().remediation.operatorPrincipalArns).toEqual([]);
  });

  it("accepts exact role and user ARNs and Identity Center permission-set patterns", () => {
    const ok = ["arn:aws:iam::222233334444:role/IncidentResponder", "arn:aws:iam::222233334444:user/oncall", "arn:aws:iam::222233334444:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_IR_*"];
    expect(withOperators(ok)().remediation.operatorPrincipalArns).toEqual(ok);
  });

  it.each([
    ["*", /exempts every principal/],
    ["arn:aws:iam::222233334444:role/*", /exempts every role/],
    ["arn:aws:sts::222233334444:assumed-role/IncidentResponder/me", /names a session ARN/],
    ["arn:aws:iam::222233334444:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_*", /every IAM Identity Center permission set/],
    ["arn:aws:iam::*:role/IncidentResponder", /needs its exact 12-digit account ID/],
    ["arn:aws:iam::222233334444:root", /only a role or an IAM user can assume the member role/],
    ["arn:aws:sts::222233334444:federated-user/bob", /only a role or an IAM user can assume the member role/],
  ])("refuses %s", (pattern, problem) => {
    const problems = problemsOf(withOperators([pattern]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^remediation\.operatorPrincipalArns\[0\]: /);
    expect(problems[0]).toMatch(problem);
  });
});
