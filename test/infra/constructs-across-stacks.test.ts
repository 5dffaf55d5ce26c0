/**
 * Guardrail constructs on two providers that name the same account (in two stacks of one app, or two aliased
 * providers of one stack): resources of the same AWS names are refused at synth, as they are on one provider, where
 * AWS would refuse the second's at apply. Providers whose account the app does not write (a profile, the
 * environment's credentials) are not compared.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { type App, Testing, TerraformStack } from "cdktf";
import { GuardrailMonitor, GuardrailOrganizationPolicy } from "../../src/index";
import { refusals } from "./helpers";

const CONFIG = { approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"] };
const MANAGEMENT = "111111111111";
const OTHER = "222222222222";

/** An organization policy in a stack of its own, its provider from the config's aws.organization. */
function policyStack(app: App, id: string, organization: Record<string, string>): TerraformStack {
  const stack = new TerraformStack(app, id);
  new GuardrailOrganizationPolicy(stack, "policy", { config: { ...CONFIG, aws: { organization } } });
  return stack;
}

describe("constructs in two stacks of one app", () => {
  it("refuse the later one's AWS names when both stacks deploy to one account the config names", () => {
    const app = Testing.app();
    const first = policyStack(app, "management", { accountId: MANAGEMENT });
    const second = policyStack(app, "management-eu", {
      assumeRoleArn: `arn:aws:iam::${MANAGEMENT}:role/Deployer`,
    });
    expect(refusals(first)).toEqual([]);
    expect(refusals(second)).toEqual([
      `  [management-eu/policy] management-eu/policy creates resources of the same AWS names as management/policy in ` +
        `stack management, both in account ${MANAGEMENT} (aws_organizations_policy bedrock-model-access-guardrail), ` +
        "which AWS refuses at apply: give one of their configs another scp.name",
    ]);
  });

  it("compare the team's providers by their allowed account, and regional names only in one region", () => {
    const app = Testing.app();
    const config = { ...CONFIG, monitor: {} };
    const monitorIn = (id: string, region: string) => {
      const stack = new TerraformStack(app, id);
      const provider = new AwsProvider(stack, "aws", { region, allowedAccountIds: [OTHER] });
      new GuardrailMonitor(stack, "monitor", { config: { ...config, aws: { region } }, awsProvider: provider });
      return stack;
    };
    monitorIn("security", "us-east-1");
    const eu = monitorIn("security-eu", "eu-west-1");
    // Another region: the IAM roles collide (one name per account), not the table or the functions.
    const [refusal] = refusals(eu);
    expect(refusal).toMatch(/^ {2}\[security-eu\/monitor\] .* as security\/monitor in stack security, both in account/);
    expect(refusal).toContain("aws_iam_role bedrock-guardrail-");
    expect(refusal).not.toContain("aws_dynamodb_table");
  });

  it("compare two aliased providers of one stack by their account too (IAM names are one per account)", () => {
    const stack = new TerraformStack(Testing.app(), "security");
    const monitorIn = (region: string, account: string) => {
      const provider = new AwsProvider(stack, `aws-${region}`, { region, alias: region, allowedAccountIds: [account] });
      new GuardrailMonitor(stack, `monitor-${region}`, {
        config: { ...CONFIG, monitor: {}, aws: { region } },
        awsProvider: provider,
      });
    };
    monitorIn("us-east-1", OTHER);
    monitorIn("eu-west-1", OTHER);
    monitorIn("ap-southeast-2", MANAGEMENT);
    const [refusal, ...others] = refusals(stack);
    expect(refusal).toMatch(
      /^ {2}\[security\/monitor-eu-west-1\] .* as security\/monitor-us-east-1 on another provider/,
    );
    expect(refusal).toContain(`, both in account ${OTHER} (`);
    expect(refusal).toContain("aws_iam_role bedrock-guardrail-");
    expect(refusal).not.toContain("aws_dynamodb_table");
    // Another account: not the same names.
    expect(others).toEqual([]);
  });

  it("are not compared in different accounts, or where the app leaves the account to the environment", () => {
    const app = Testing.app();
    policyStack(app, "management", { accountId: MANAGEMENT });
    expect(refusals(policyStack(app, "sandbox-organization", { accountId: OTHER }))).toEqual([]);
    expect(refusals(policyStack(app, "by-profile", { profile: "management" }))).toEqual([]);
    expect(refusals(policyStack(app, "ambient", {}))).toEqual([]);
  });
});
