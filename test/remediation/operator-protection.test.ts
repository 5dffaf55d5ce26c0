/** remediation.operatorPrincipalArns: the people who run remediation are never acted on by it. */
import { memberRoleArn } from "../../src/guardrail/guardrail";
import { buildScpDocuments } from "../../src/policy/documents";
import { evaluateScp } from "../../src/policy/evaluate";
import { principalProtection } from "../../src/remediation/safety";
import { planRemediation } from "../../src/remediation/planner";
import { findingOf, guardrailWith, MGMT, sample } from "./helpers";

const NOW = new Date("2026-11-20T09:20:00Z");
// The stratus sample's caller is arn:aws:iam::494659789341:role/test-role.
const OPERATOR = "arn:aws:iam::494659789341:role/test-role";

describe("operator principals are protected from remediation", () => {
  it("a finding by an operator plans no session revocation; the reason names operatorPrincipalArns", () => {
    const g = guardrailWith({ remediation: { mode: "enforce", operatorPrincipalArns: [OPERATOR] } });
    expect(g.exemptions.operators).toEqual([OPERATOR]);
    expect(g.exemptions.all).toContain(OPERATOR);
    // Operators are not SCP-exempt: they may not enable models.
    expect(g.exemptions.scp).not.toContain(OPERATOR);
    const plan = planRemediation(findingOf(g, sample("stratus__CreateFoundationModelAgreement")), g, {
      now: NOW,
      managementAccountId: MGMT,
    });
    const onPrincipal = plan.filter((a) => a.principalArn === OPERATOR && a.kind !== "delete-agreement");
    expect(onPrincipal.length).toBeGreaterThan(0);
    expect(onPrincipal.every((a) => a.disposition !== "execute")).toBe(true);
    expect(onPrincipal.map((a) => a.reason).join(" ")).toMatch(
      /remediation operator \(remediation\.operatorPrincipalArns\)/,
    );
  });

  it(
    "the same finding without the operator setting would revoke the role's sessions (the protection is what stops " +
      "it)",
    () => {
      const g = guardrailWith({ remediation: { mode: "enforce" } });
      const plan = planRemediation(findingOf(g, sample("stratus__CreateFoundationModelAgreement")), g, {
        now: NOW,
        managementAccountId: MGMT,
      });
      expect(plan.find((a) => a.kind === "revoke-role-sessions")?.disposition).toBe("execute");
    },
  );

  it("principalProtection matches operator patterns with ArnLike", () => {
    const g = guardrailWith({
      remediation: {
        operatorPrincipalArns: ["arn:aws:iam::222233334444:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_IR_*"],
      },
    });
    expect(
      principalProtection(
        g,
        "arn:aws:iam::222233334444:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_IR_0a1b2c",
        "222233334444",
        { managementAccountId: MGMT },
      ),
    ).toBe("operator");
    expect(
      principalProtection(g, "arn:aws:iam::222233334444:role/Developer", "222233334444", { managementAccountId: MGMT }),
    ).toBeUndefined();
  });
});

describe("the readers of rotated keys are protected from remediation, as the SCP protects their roles", () => {
  // The same sample caller, listed as a reader of the rotated keys this time.
  const READER = OPERATOR;
  const rotating = (accessKey: "rotate" | "deactivate") =>
    guardrailWith({
      breakGlassPrincipalArns: ["arn:aws:iam::*:role/BreakGlass"],
      remediation: { mode: "enforce", accessKey, rotatedSecretReaders: [READER] },
    });
  const plan = (g: ReturnType<typeof guardrailWith>) =>
    planRemediation(findingOf(g, sample("stratus__CreateFoundationModelAgreement")), g, {
      now: NOW,
      managementAccountId: MGMT,
    }).filter((a) => a.principalArn === READER && a.kind !== "delete-agreement");

  it("with rotate, a reader's finding plans nothing the SCP denies the member role (ProtectExemptedPrincipals)", () => {
    const g = rotating("rotate");
    const memberRole = memberRoleArn(g.config.remediation.memberRoleName, {
      partition: "aws",
      accountId: "494659789341",
    });
    const statements = buildScpDocuments(g).flatMap((d) => d.policy.Statement);
    expect(
      evaluateScp(statements, { action: "iam:PutRolePolicy", resource: READER, principalArn: memberRole }),
    ).toMatchObject({ decision: "deny", deniedBy: "ProtectExemptedPrincipals" });
    const onReader = plan(g);
    expect(onReader.length).toBeGreaterThan(0);
    expect(onReader.every((a) => a.disposition !== "execute")).toBe(true);
    expect(onReader.map((a) => a.reason).join(" ")).toMatch(
      /reads the rotated keys \(remediation\.rotatedSecretReaders\)/,
    );
  });

  it("without rotate, the readers are no one's: the same finding revokes the role's sessions", () => {
    expect(plan(rotating("deactivate")).find((a) => a.kind === "revoke-role-sessions")?.disposition).toBe("execute");
  });
});
