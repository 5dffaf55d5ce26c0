/** remediation.operatorPrincipalArns: the principal-pattern rules, plus an exact account and a role or user. */
import { parseConfig } from "../../src/config/load";
import { APPROVED_ROLE, configProblems } from "./helpers";

const withOperators = (operatorPrincipalArns: unknown) => ({
  approvedPrincipalArns: [APPROVED_ROLE],
  remediation: { operatorPrincipalArns },
});

describe("remediation.operatorPrincipalArns", () => {
  it("defaults to none", () => {
    expect(parseConfig(withOperators(undefined)).remediation.operatorPrincipalArns).toEqual([]);
  });

  it("accepts exact role and user ARNs and Identity Center permission-set patterns", () => {
    const ok = [
      "arn:aws:iam::222233334444:role/IncidentResponder",
      "arn:aws:iam::222233334444:user/oncall",
      "arn:aws:iam::222233334444:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_IR_*",
    ];
    expect(parseConfig(withOperators(ok)).remediation.operatorPrincipalArns).toEqual(ok);
  });

  it.each([
    ["*", /exempts every principal/],
    ["arn:aws:iam::222233334444:role/*", /exempts every role/],
    ["arn:aws:sts::222233334444:assumed-role/IncidentResponder/me", /names a session ARN/],
    [
      "arn:aws:iam::222233334444:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_*",
      /every IAM Identity Center permission set/,
    ],
    ["arn:aws:iam::*:role/IncidentResponder", /needs its exact 12-digit account ID/],
    ["arn:aws:iam::222233334444:root", /only a role or an IAM user can assume the member role/],
    ["arn:aws:sts::222233334444:federated-user/bob", /only a role or an IAM user can assume the member role/],
  ])("refuses %s", (pattern, problem) => {
    const problems = configProblems(withOperators([pattern]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^remediation\.operatorPrincipalArns\[0\]: /);
    expect(problems[0]).toMatch(problem);
  });
});
