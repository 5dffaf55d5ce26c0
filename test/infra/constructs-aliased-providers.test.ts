/**
 * The constructs on a team's own aliased providers (`awsProvider: <AwsProvider>`), as a multi-account app has them:
 * one provider per account, each with an alias. Every resource and data source of a construct names its provider,
 * and is otherwise the one the app's stack (`npm run synth`) writes for the same config.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformResource, Testing, TerraformStack } from "cdktf";
import { GuardrailMemberRole, GuardrailMonitor, GuardrailOrganizationPolicy } from "../../src/index";
import { MemberRoleStack } from "../../src/infra/member-role/member-role-stack";
import { MonitorStack } from "../../src/infra/monitor/monitor-stack";
import { OrganizationPolicyStack } from "../../src/infra/organization-policy-stack";
import { guardrailFor } from "../policy/helpers";

const CONFIG = {
  approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"],
  breakGlassPrincipalArns: ["arn:aws:iam::111122223333:role/BreakGlass"],
  remediation: { mode: "enforce" as const },
  // Its ID written: else the member role asks for it by a variable, whose name differs under a construct.
  aws: { security: { accountId: "222233334444" } },
  monitor: { eventbridge: { enabled: true, regions: ["us-east-1", "eu-west-1"] } },
};

/** The stack's Terraform JSON with each element's metadata (its construct path), which Testing.synth leaves out. */
function synthesized(stack: TerraformStack): any {
  Testing.synth(stack, true); // aspects and validations, as `cdktf synth` runs them
  return stack.toTerraform();
}

interface Element {
  key: string;
  provider: unknown;
  body: string;
}

/**
 * The resources and data sources under `prefix`, keyed by kind and path below it, each body without its metadata,
 * its provider and the tool's tag (the app's stacks set it as their provider's default tags), with references to
 * other elements written as their paths and asset folders (named after the construct path) left out.
 */
function elements(json: any, prefix: string): Element[] {
  const all = ["resource", "data"].flatMap((block) =>
    Object.entries<Record<string, any>>(json[block] ?? {}).flatMap(([type, byId]) =>
      Object.entries<any>(byId).map(([id, body]) => ({ block, type, id, path: body["//"].metadata.path, body })),
    ),
  );
  const relative = (p: string) => (p.startsWith(prefix) ? p.slice(prefix.length) : p);
  const addresses = new Map(
    all.map((e) => [
      `${e.block === "data" ? "data." : ""}${e.type}.${e.id}`,
      `${e.block}.${e.type}.<${relative(e.path)}>`,
    ]),
  );
  const escaped = [...addresses.keys()]
    .sort((a, b) => b.length - a.length)
    .map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp(`(${escaped.join("|")})(?![\\w-])`, "g");
  return all
    .filter((e) => e.path.startsWith(prefix))
    .map((e) => {
      const { "//": _metadata, provider, ...body } = e.body;
      if (body.tags?.["managed-by"] === "bedrock-guardrail") {
        const { "managed-by": _tool, ...tags } = body.tags;
        if (Object.keys(tags).length > 0) body.tags = tags;
        else delete body.tags;
      }
      const text = JSON.stringify(body)
        .replace(pattern, (address) => addresses.get(address) ?? address)
        .replace(/assets\/[^/"]+\//g, "assets/");
      return { key: `${e.block}.${e.type} ${relative(e.path)}`, provider, body: text };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}

describe("constructs on an aliased provider of their stack (awsProvider: <AwsProvider>)", () => {
  it("name that provider on every resource and data source, which otherwise equal the app's stacks'", () => {
    const stack = new TerraformStack(Testing.app(), "platform");
    const management = new AwsProvider(stack, "management", {
      region: "us-east-1",
      alias: "management",
      assumeRole: [{ roleArn: "arn:aws:iam::111122223333:role/platform-terraform" }],
    });
    const security = new AwsProvider(stack, "security", {
      region: "us-east-1",
      alias: "security",
      assumeRole: [{ roleArn: "arn:aws:iam::222233334444:role/platform-terraform" }],
    });
    new GuardrailOrganizationPolicy(stack, "policy", { config: CONFIG, awsProvider: management });
    new GuardrailMemberRole(stack, "member-role", { config: CONFIG, awsProvider: management });
    new GuardrailMonitor(stack, "monitor", { config: CONFIG, awsProvider: security });
    // The stack's providers stay its own two: no construct adds one, none is refused.
    const json = synthesized(stack);
    expect(json.provider.aws.map((p: any) => p.alias)).toEqual(["management", "security"]);

    const guardrail = guardrailFor(CONFIG);
    const app = Testing.app();
    const inApp = [
      { stack: new OrganizationPolicyStack(app, "organization-policy", { guardrail }), construct: "policy" },
      { stack: new MemberRoleStack(app, "remediation-member-role", { guardrail }), construct: "member-role" },
      { stack: new MonitorStack(app, "monitor", { guardrail }), construct: "monitor" },
    ];
    for (const { stack: appStack, construct } of inApp) {
      const expected = elements(synthesized(appStack), `${appStack.node.id}/`);
      const actual = elements(json, `platform/${construct}/`);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.map((e) => e.provider)).toEqual(expected.map(() => undefined));
      const alias = construct === "monitor" ? "security" : "management";
      expect(actual.map((e) => [e.key, e.provider])).toEqual(expected.map((e) => [e.key, `aws.${alias}`]));
      expect(actual.map((e) => e.body)).toEqual(expected.map((e) => e.body));
    }
  });

  it("keep the tool's tag on every taggable resource and the monitor's region check", () => {
    const stack = new TerraformStack(Testing.app(), "platform");
    const security = new AwsProvider(stack, "security", { region: "eu-west-1", alias: "security" });
    new GuardrailMonitor(stack, "monitor", { config: CONFIG, awsProvider: security });
    expect(() => stack.runAllValidations()).toThrow(
      "[platform/monitor] platform/monitor uses the AWS provider platform/security, which deploys to eu-west-1, " +
        "but its config's aws.region is us-east-1",
    );
    // The SCP's ProtectGuardrailTaggedResources protects the store, key, topic, alarms and table by this tag.
    const json = JSON.parse(Testing.synth(stack));
    const taggable = stack.node
      .findAll()
      .filter((c): c is TerraformResource => c instanceof TerraformResource && "tagsInput" in c);
    expect(taggable.length).toBeGreaterThan(5);
    const untagged = taggable.filter(
      (r) => json.resource[r.terraformResourceType][r.friendlyUniqueId].tags?.["managed-by"] !== "bedrock-guardrail",
    );
    expect(untagged.map((r) => r.node.path)).toEqual([]);
  });

  it("refuse at synth a provider of another stack, which the construct's stack does not have", () => {
    const app = Testing.app();
    const management = new TerraformStack(app, "management");
    const provider = new AwsProvider(management, "management", { region: "us-east-1", alias: "management" });
    const other = new TerraformStack(app, "other");
    new GuardrailOrganizationPolicy(other, "policy", { config: CONFIG, awsProvider: provider });
    expect(() => other.runAllValidations()).toThrow(
      "[other/policy] other/policy uses the AWS provider management/management, which is in another stack " +
        "(management), so Terraform would find no such provider in other",
    );
  });

  it("compare AWS names only between constructs on one provider: two accounts may each have the same SCP", () => {
    const stack = new TerraformStack(Testing.app(), "platform");
    const one = new AwsProvider(stack, "one", { region: "us-east-1", alias: "organization-one" });
    const two = new AwsProvider(stack, "two", { region: "us-east-1", alias: "organization-two" });
    new GuardrailOrganizationPolicy(stack, "policy-one", { config: CONFIG, awsProvider: one });
    new GuardrailOrganizationPolicy(stack, "policy-two", { config: CONFIG, awsProvider: two });
    expect(() => stack.runAllValidations()).not.toThrow();
    new GuardrailOrganizationPolicy(stack, "policy-one-again", { config: CONFIG, awsProvider: one });
    expect(() => stack.runAllValidations()).toThrow(/platform\/policy-one-again creates resources of the same AWS/);
  });

  it("refuse an awsProvider that is neither a boolean nor an AwsProvider, naming the construct", () => {
    const stack = new TerraformStack(Testing.app(), "platform");
    const notAProvider = "aws.security" as unknown as AwsProvider;
    expect(() => new GuardrailMonitor(stack, "monitor", { config: CONFIG, awsProvider: notAProvider })).toThrow(
      /^platform\/monitor: awsProvider must be true, false or an AwsProvider of its stack, not aws\.security$/,
    );
  });
});
