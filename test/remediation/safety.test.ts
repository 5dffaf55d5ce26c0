/**
 * The safety gate on its own: principals AWS owns are never acted on, whatever the plan says, and a
 * principal ARN that could name one principal to the protected patterns and another to the action
 * (a forged findings file) is not acted on at all.
 */
import { enforceSafety, principalProtection, realPrincipalRefusal } from "../../src/remediation/safety";
import type { PlannedAction } from "../../src/remediation/types";
import { guardrailWith, MGMT } from "./helpers";

const g = guardrailWith({ remediation: { mode: "enforce" } });
const ctx = { managementAccountId: MGMT };

describe("principalProtection", () => {
  it.each([
    [
      "arn:aws:iam::222233334444:role/aws-service-role/bedrock.amazonaws.com/AWSServiceRoleForAmazonBedrock",
      "service-linked-role",
    ],
    [
      "arn:aws:iam::222233334444:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_0a1b2c3d4e5f6a7b",
      "identity-center-role",
    ],
    ["arn:aws:iam::222233334444:role/Developer", undefined],
    ["arn:aws:iam::222233334444:user/aws-service-role/not-a-role", undefined],
  ])("%s -> %s", (arn, expected) => {
    expect(principalProtection(g, arn, "222233334444", ctx)).toBe(expected);
  });
});

describe("enforceSafety", () => {
  it("turns a (wrongly) planned revocation of a service-linked role into alert-only, with the reason", () => {
    const slr = "arn:aws:iam::222233334444:role/aws-service-role/bedrock.amazonaws.com/AWSServiceRoleForAmazonBedrock";
    const planned = {
      actionId: "ra-test",
      findingId: "f-1",
      kind: "revoke-role-sessions",
      api: "iam:PutRolePolicy",
      accountId: "222233334444",
      target: "AWSServiceRoleForAmazonBedrock",
      principalArn: slr,
      mode: "enforce",
      disposition: "execute",
      reason: "revoke older sessions",
    } as PlannedAction;
    const [gated] = enforceSafety(g, [planned], "222233334444", ctx);
    expect(gated.disposition).toBe("alert-only");
    expect(gated.reason).toContain("blocked: principal is a service-linked role");
  });
});

describe("principalProtection of forged principal ARNs (break-glass is arn:aws:iam::*:role/BreakGlass)", () => {
  const MEMBER = "494659789341";
  it.each([
    ["another partition", `arn:aws-cn:iam::${MEMBER}:role/BreakGlass`, "unusable-principal-arn"],
    ["another service", `arn:aws:sts::${MEMBER}:role/BreakGlass`, "unusable-principal-arn"],
    ["a session ARN", `arn:aws:sts::${MEMBER}:assumed-role/Developer/s`, "unusable-principal-arn"],
    ["a region", `arn:aws:iam:us-east-1:${MEMBER}:role/Developer`, "unusable-principal-arn"],
    ["an empty path segment", `arn:aws:iam::${MEMBER}:role/x//Developer`, "unusable-principal-arn"],
    ["another account than the principal's", "arn:aws:iam::210987654321:role/Developer", "unusable-principal-arn"],
    ["a path in front of a protected name", `arn:aws:iam::${MEMBER}:role/x/BreakGlass`, "break-glass"],
    ["the tool's member role without its path", `arn:aws:iam::${MEMBER}:role/bedrock-guardrail-member`, "tool"],
    // IAM names are unique whatever their case, and RoleName/UserName are resolved without it.
    ["a protected name in another case", `arn:aws:iam::${MEMBER}:role/breakglass`, "break-glass"],
    ["a protected name in capitals, with a path", `arn:aws:iam::${MEMBER}:role/x/BREAKGLASS`, "break-glass"],
    ["the tool's responder role in capitals", `arn:aws:iam::${MEMBER}:role/BEDROCK-GUARDRAIL-responder`, "tool"],
    ["a genuine role", `arn:aws:iam::${MEMBER}:role/team/Developer`, undefined],
  ])("%s: %s -> %s", (_shape, arn, expected) => {
    expect(principalProtection(g, arn, MEMBER, ctx)).toBe(expected);
  });

  it("protects an approved name in the accounts its pattern names, not in others", () => {
    const pinned = guardrailWith({ approvedPrincipalArns: [`arn:aws:iam::${MEMBER}:role/admins/ModelAdmin`] });
    expect(principalProtection(pinned, `arn:aws:iam::${MEMBER}:role/ModelAdmin`, MEMBER, ctx)).toBe("approved");
    expect(principalProtection(pinned, "arn:aws:iam::222233334444:role/ModelAdmin", "222233334444", ctx)).toBe(
      undefined,
    );
  });
});

describe("enforceSafety of an action whose principal ARN names another account", () => {
  it("blocks it: the ARN checked against the approved patterns is not the principal acted on", () => {
    const pinned = guardrailWith({
      remediation: { mode: "enforce" },
      approvedPrincipalArns: ["arn:aws:iam::494659789341:role/ModelAdmin"],
    });
    const forged = {
      actionId: "ra-test",
      findingId: "f-1",
      kind: "revoke-role-sessions",
      api: "iam:PutRolePolicy",
      accountId: "494659789341",
      target: "ModelAdmin",
      principalArn: "arn:aws:iam::210987654321:role/ModelAdmin",
      mode: "enforce",
      disposition: "execute",
      reason: "revoke older sessions",
    } as PlannedAction;
    const [gated] = enforceSafety(pinned, [forged], undefined, ctx);
    expect(gated.disposition).toBe("alert-only");
    expect(gated.reason).toContain("blocked: the principal ARN is not an IAM principal of this partition");
  });
});

describe("realPrincipalRefusal: the real ARN IAM gives for the name acted on (break-glass is role/BreakGlass)", () => {
  const MEMBER = "494659789341";
  it.each([
    ["the break-glass role", `arn:aws:iam::${MEMBER}:role/BreakGlass`, "break-glass principal"],
    ["the approved role", `arn:aws:iam::${MEMBER}:role/BedrockModelAccessAdmin`, "principal is approved"],
    ["the tool's role on its path", `arn:aws:iam::${MEMBER}:role/bedrock-guardrail/bedrock-guardrail-x`, "own roles"],
    [
      "a service-linked role",
      `arn:aws:iam::${MEMBER}:role/aws-service-role/bedrock.amazonaws.com/AWSServiceRoleForAmazonBedrock`,
      "service-linked role",
    ],
    [
      "an Identity Center role",
      `arn:aws:iam::${MEMBER}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef`,
      "IAM Identity Center role",
    ],
    ["a principal of another account", "arn:aws:iam::210987654321:role/Developer", "not an IAM principal"],
  ])("refuses %s, naming its real ARN", (_what, realArn, why) => {
    expect(realPrincipalRefusal(g, realArn, MEMBER, ctx)).toMatch(`refused on the real ARN ${realArn}: `);
    expect(realPrincipalRefusal(g, realArn, MEMBER, ctx)).toContain(why);
  });

  it("refuses everything in the management account, and when it is unknown", () => {
    expect(realPrincipalRefusal(g, `arn:aws:iam::${MGMT}:role/Developer`, MGMT, ctx)).toContain("management account");
    expect(realPrincipalRefusal(g, `arn:aws:iam::${MEMBER}:role/Developer`, MEMBER, {})).toContain(
      "management account is unknown",
    );
  });

  it.each([
    // The SCP matches the real ARN, path included: these are not the principals it exempts, whatever their name.
    ["a protected name on another path", `arn:aws:iam::${MEMBER}:role/x/BreakGlass`],
    ["an approved name on another path", `arn:aws:iam::${MEMBER}:role/x/BedrockModelAccessAdmin`],
    ["the tool's role name off the tool's path", `arn:aws:iam::${MEMBER}:role/bedrock-guardrail-x`],
    ["a genuine role", `arn:aws:iam::${MEMBER}:role/team/Developer`],
  ])("lets %s be acted on: %s", (_what, realArn) => {
    expect(realPrincipalRefusal(g, realArn, MEMBER, ctx)).toBeUndefined();
  });
});
