/**
 * A construct on a provider of its stack deploys where that provider does, while the rest of the guardrail takes the
 * config's account for it (the member role trusts the monitor's roles in aws.security's account, the forwarders send
 * to its bus, the StackSets' call_as follows aws.organization's): a provider whose account the app writes and which is
 * not the config's (its accountId, or its assumeRoleArn's account) is refused at synth, naming the construct, the key
 * and both accounts.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { GuardrailMemberRole, GuardrailMonitor, GuardrailOrganizationPolicy } from "../../src/index";
import { refusals } from "./helpers";

const SECURITY = "222233334444";
const MANAGEMENT = "111122223333";
const CONFIG = {
  approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"],
  breakGlassPrincipalArns: ["arn:aws:iam::111122223333:role/BreakGlass"],
  remediation: { mode: "enforce" as const },
  aws: { region: "us-east-1", security: { accountId: SECURITY }, organization: { accountId: MANAGEMENT } },
};

const assuming = (account: string) => [{ roleArn: `arn:aws:iam::${account}:role/platform-terraform` }];

describe("a construct on a provider of its stack in another account than its config's", () => {
  it("is refused at synth: the monitor against aws.security.accountId", () => {
    const stack = new TerraformStack(Testing.app(), "security");
    new AwsProvider(stack, "aws", { region: "us-east-1", assumeRole: assuming("999988887777") });
    new GuardrailMonitor(stack, "monitor", { config: CONFIG, awsProvider: false });
    expect(refusals(stack)).toEqual([
      "  [security/monitor] security/monitor uses its stack's AWS provider (awsProvider: false), which deploys to " +
        `account 999988887777, but its config's aws.security.accountId is ${SECURITY}, where the rest of the ` +
        "guardrail expects it: set aws.security.accountId to 999988887777, or give the stack a provider of account " +
        SECURITY,
    ]);
  });

  it("is refused at synth: the organization policy and member role against aws.organization.accountId", () => {
    const stack = new TerraformStack(Testing.app(), "platform");
    const management = new AwsProvider(stack, "management", {
      alias: "management",
      region: "us-east-1",
      allowedAccountIds: [SECURITY],
    });
    new GuardrailOrganizationPolicy(stack, "policy", { config: CONFIG, awsProvider: management });
    new GuardrailMemberRole(stack, "member-role", { config: CONFIG, awsProvider: management });
    expect(refusals(stack)).toEqual(
      ["policy", "member-role"].map(
        (c) =>
          `  [platform/${c}] platform/${c} uses the AWS provider platform/management, which deploys to account ` +
          `${SECURITY}, but its config's aws.organization.accountId is ${MANAGEMENT}, where the rest of the ` +
          `guardrail expects it: set aws.organization.accountId to ${SECURITY}, or give it a provider of account ` +
          MANAGEMENT,
      ),
    );
  });

  it("is refused at synth against the account of the config's assumeRoleArn too, when it names no accountId", () => {
    const role = (account: string) => ({ assumeRoleArn: `arn:aws:iam::${account}:role/guardrail-terraform` });
    const config = {
      ...CONFIG,
      aws: { region: "us-east-1", security: role(SECURITY), organization: role(MANAGEMENT) },
    };
    const security = new TerraformStack(Testing.app(), "security");
    new AwsProvider(security, "aws", { region: "us-east-1", allowedAccountIds: ["999988887777"] });
    new GuardrailMonitor(security, "monitor", { config, awsProvider: false });
    expect(refusals(security)).toEqual([
      "  [security/monitor] security/monitor uses its stack's AWS provider (awsProvider: false), which deploys to " +
        `account 999988887777, but its config's aws.security.assumeRoleArn is a role of account ${SECURITY}, where ` +
        "the rest of the guardrail expects it: assume a role of account 999988887777 there, or give the stack a " +
        `provider of account ${SECURITY}`,
    ]);
    const platform = new TerraformStack(Testing.app(), "platform");
    const other = new AwsProvider(platform, "aws", { region: "us-east-1", assumeRole: assuming(SECURITY) });
    new GuardrailMemberRole(platform, "member-role", { config, awsProvider: other });
    expect(refusals(platform)).toEqual([
      expect.stringContaining(
        `deploys to account ${SECURITY}, but its config's aws.organization.assumeRoleArn is a role of account ` +
          MANAGEMENT,
      ),
    ]);
    // The role's own account: valid.
    const same = new TerraformStack(Testing.app(), "security");
    new AwsProvider(same, "aws", { region: "us-east-1", assumeRole: assuming(SECURITY) });
    new GuardrailMonitor(same, "monitor", { config, awsProvider: false });
    expect(refusals(same)).toEqual([]);
  });

  it("is valid in the config's account, or where the app or the config leaves the account open", () => {
    const same = new TerraformStack(Testing.app(), "security");
    new AwsProvider(same, "aws", { region: "us-east-1", assumeRole: assuming(SECURITY) });
    new GuardrailMonitor(same, "monitor", { config: CONFIG, awsProvider: false });
    expect(refusals(same)).toEqual([]);
    const ambient = new TerraformStack(Testing.app(), "security");
    new AwsProvider(ambient, "aws", { region: "us-east-1" });
    new GuardrailMonitor(ambient, "monitor", { config: CONFIG, awsProvider: false });
    expect(refusals(ambient)).toEqual([]);
    const unset = new TerraformStack(Testing.app(), "security");
    new AwsProvider(unset, "aws", { region: "us-east-1", assumeRole: assuming("999988887777") });
    const { security: _set, ...aws } = CONFIG.aws;
    new GuardrailMonitor(unset, "monitor", { config: { ...CONFIG, aws }, awsProvider: false });
    expect(refusals(unset)).toEqual([]);
  });
});
