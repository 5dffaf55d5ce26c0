/** The safety gate on its own: principals AWS owns are never acted on, whatever the plan says. */
import { enforceSafety, principalProtection } from "../../src/remediation/safety";
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
