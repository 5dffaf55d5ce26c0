/**
 * The simulator harness (simulator.ts) shows the SCP's decision for a request however it is spelled: an action or a
 * condition key name in another letter case (IAM matches both case-insensitively), and a change to an Identity
 * Center role, which the simulator itself refuses to anyone but Identity Center before the SCP is seen.
 */
import { FULL_CONFIG, guardrailFor } from "./helpers";
import { simulateScp } from "./simulator";

const guardrail = guardrailFor(FULL_CONFIG);
const DEVELOPER = "arn:aws:iam::111122223333:role/DeveloperRole";
const BREAK_GLASS = "arn:aws:iam::123456789012:role/BreakGlass";

test("a KMS action in another letter case gets the open key policy too: the SCP alone decides", async () => {
  const key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  const tagged = { "aws:ResourceTag/managed-by": ["bedrock-guardrail"] };
  for (const action of ["kms:DisableKey", "kms:disablekey", "KMS:DisableKey"]) {
    expect(`${action}: ${await simulateScp(guardrail, { action, resource: key }, DEVELOPER)}`).toBe(
      `${action}: Allowed`,
    );
    expect(`${action}: ${await simulateScp(guardrail, { action, resource: key, context: tagged }, DEVELOPER)}`).toBe(
      `${action}: ExplicitlyDenied`,
    );
  }
});

test("aws-marketplace:ProductId in another letter case is evaluated, not dropped", async () => {
  for (const key of ["aws-marketplace:ProductId", "aws-marketplace:productid", "AWS-Marketplace:PRODUCTID"]) {
    // FULL_CONFIG lists prod-abcdefgh12345 in scp.denyMarketplaceProductIds.
    const request = { action: "aws-marketplace:Subscribe", resource: "*", context: { [key]: ["prod-abcdefgh12345"] } };
    expect(`${key}: ${await simulateScp(guardrail, request, DEVELOPER)}`).toBe(`${key}: ExplicitlyDenied`);
  }
});

test("a change to an Identity Center role shows the SCP's decision, not the simulator's refusal", async () => {
  // The approved permission set's role: ProtectExemptedPrincipals lets break-glass alone change it.
  const role =
    "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_BedrockAdmin_0123456789abcdef";
  const other = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Viewer_0123456789abcdef";
  for (const action of ["iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRole"]) {
    expect(`${action}: ${await simulateScp(guardrail, { action, resource: role }, DEVELOPER)}`).toBe(
      `${action}: ExplicitlyDenied`,
    );
    expect(`${action}: ${await simulateScp(guardrail, { action, resource: role }, BREAK_GLASS)}`).toBe(
      `${action}: Allowed`,
    );
    // Another permission set's role is not the SCP's to protect.
    expect(`${action}: ${await simulateScp(guardrail, { action, resource: other }, DEVELOPER)}`).toBe(
      `${action}: Allowed`,
    );
  }
});
