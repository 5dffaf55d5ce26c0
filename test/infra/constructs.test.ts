/**
 * The package entry and its constructs, as a team's own app uses them: loading the entry does nothing
 * (no synth, no file written or removed); each construct takes the config object, refuses a bad one
 * naming the key and the construct, brings the stack's AWS provider unless told not to, and adds the
 * same resources as the app's stack (scripts/check-example-app.js compares them all on the packed package).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformResource, Testing, TerraformStack, TerraformVariable } from "cdktf";
import {
  ConfigError,
  GuardrailMemberRole,
  GuardrailMonitor,
  GuardrailOrganizationPolicy,
  AWS_PROVIDER_VERSIONS,
} from "../../src/index";
import { OrganizationPolicyStack } from "../../src/infra/organization-policy-stack";
import { rulesOffLogsInsightsMonitor } from "../../src/detection/backends/logs-insights-correlation";
import { lintScp } from "../../src/policy/lint";
import { guardrailFor } from "../policy/helpers";

const ROOT = path.join(__dirname, "..", "..");
const CONFIG = { approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"] };

function synth(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack));
}

describe("package entry", () => {
  it("loads without writing, reading or removing anything in the working directory", () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "entry-"));
    try {
      // A consumer's own synth output, and no guardrail config: the old entry (the app) removed it and exited 2.
      fs.mkdirSync(path.join(cwd, "cdktf.out"));
      fs.writeFileSync(path.join(cwd, "cdktf.out", "manifest.json"), "{}");
      const run = spawnSync(
        process.execPath,
        ["-e", `process.stdout.write(Object.keys(require(${JSON.stringify(ROOT)})).sort().join(","))`],
        { cwd, encoding: "utf8" },
      );
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      // Exactly these at run time: anything else would be internals a consumer comes to depend on.
      expect(run.stdout.split(",")).toEqual([
        "AWS_PROVIDER_VERSIONS",
        "ConfigError",
        "GuardrailMemberRole",
        "GuardrailMonitor",
        "GuardrailOrganizationPolicy",
      ]);
      expect(fs.readdirSync(cwd)).toEqual(["cdktf.out"]);
      expect(fs.readdirSync(path.join(cwd, "cdktf.out"))).toEqual(["manifest.json"]);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });

  it("declares its types (dist/src/index.d.ts, the exports map's types)", () => {
    const pkg = require(path.join(ROOT, "package.json"));
    expect(pkg.exports["."].types).toBe("./dist/src/index.d.ts");
    const declarations = fs.readFileSync(path.join(ROOT, "dist", "src", "index.d.ts"), "utf8");
    expect(declarations).toContain("GuardrailMonitor");
  });
});

describe("constructs", () => {
  it("refuse a bad config, naming the key and the construct", () => {
    const stack = new TerraformStack(Testing.app(), "management");
    const bad = { approvedPrincipalArns: ["*"] };
    expect(() => new GuardrailOrganizationPolicy(stack, "guardrail", { config: bad })).toThrow(ConfigError);
    expect(() => new GuardrailOrganizationPolicy(stack, "guardrail2", { config: bad })).toThrow(
      /the config of management\/guardrail2 is invalid:\n {2}- approvedPrincipalArns\[0\]: "\*" exempts every/,
    );
  });

  it("refuse a guardrail the app's synth refuses: an SCP that fails lint, naming the problem and the construct", () => {
    const stack = new TerraformStack(Testing.app(), "management");
    // Every SCP slot of the root already taken: the attachment would fail at apply.
    const full = { ...CONFIG, scp: { existingPoliciesPerTarget: { default: 10 } } };
    expect(() => new GuardrailOrganizationPolicy(stack, "guardrail", { config: full })).toThrow(
      /^the config of management\/guardrail is invalid:\n {2}- the guardrail needs 1 SCP\(s\) but root has 0 free slot/,
    );
    expect(() => new GuardrailMonitor(stack, "monitor", { config: { ...full, monitor: {} } })).toThrow(ConfigError);
  });

  it("report the SCP lint's warnings, which synth prints, once on each construct; cdktf synth prints its path", () => {
    const enforcing = { ...CONFIG, remediation: { mode: "enforce" as const } };
    const warnings = lintScp(guardrailFor(enforcing)).warnings.map((w) => `SCP lint: ${w.message}`);
    // Neither break-glass principals nor scp.exemptedPrincipalAdminArns: nobody can update the guardrail's roles.
    expect(warnings.some((w) => w.includes("nobody can update the guardrail's own roles"))).toBe(true);
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "constructs-"));
    try {
      const app = new App({ outdir });
      const management = new TerraformStack(app, "management");
      const security = new TerraformStack(app, "security");
      const constructs = [
        new GuardrailOrganizationPolicy(management, "policy", { config: enforcing }),
        new GuardrailMemberRole(management, "member-role", { config: enforcing, awsProvider: false }),
        new GuardrailMonitor(security, "monitor", { config: enforcing }),
      ];
      for (const construct of constructs) {
        const attached = construct.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => m.data);
        expect(attached).toEqual(warnings);
      }
      // The cdktf CLI prints each annotation of manifest.json as `WARN [<constructPath>]: <message>`.
      app.synth();
      const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
      const annotated = (stack: string) =>
        manifest.stacks[stack].annotations.map((a: any) => `${a.level} ${a.constructPath} ${a.message}`);
      expect(annotated("security")).toEqual(warnings.map((w) => `@cdktf/warn security/monitor ${w}`));
      expect(annotated("management")).toEqual([
        ...warnings.map((w) => `@cdktf/warn management/policy ${w}`),
        ...warnings.map((w) => `@cdktf/warn management/member-role ${w}`),
      ]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
    // A guardrail the lint has nothing to say about gets no annotation.
    const quiet = { ...CONFIG, breakGlassPrincipalArns: ["arn:aws:iam::111122223333:role/BreakGlass"] };
    expect(lintScp(guardrailFor(quiet)).warnings).toEqual([]);
    const stack = new TerraformStack(Testing.app(), "management");
    expect(new GuardrailOrganizationPolicy(stack, "policy", { config: quiet }).node.metadata).toEqual([]);
  });

  it("warn, as synth does, of each correlation rule a cloudwatch-logs monitor does not run", () => {
    const logs = {
      ...CONFIG,
      breakGlassPrincipalArns: ["arn:aws:iam::111122223333:role/BreakGlass"],
      monitor: { backend: "cloudwatch-logs" as const, cloudwatchLogs: { logGroups: ["org-trail"] } },
    };
    const off = rulesOffLogsInsightsMonitor(guardrailFor(logs));
    expect(off.length).toBeGreaterThan(0);
    const stack = new TerraformStack(Testing.app(), "security");
    const monitor = new GuardrailMonitor(stack, "monitor", { config: logs });
    const attached = monitor.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => m.data);
    expect(attached).toEqual(off.map((line) => `SCP lint: ${line}`));
  });

  it("refuse the monitor and member role when the config turns the monitor off", () => {
    const stack = new TerraformStack(Testing.app(), "security");
    const off = { ...CONFIG, monitor: { enabled: false } };
    expect(() => new GuardrailMonitor(stack, "monitor", { config: off })).toThrow(/monitor\.enabled: is false/);
    expect(() => new GuardrailMemberRole(stack, "member-role", { config: off })).toThrow(/monitor\.enabled: is false/);
  });

  it("bring the stack's AWS provider and the provider range, or use the stack's own (awsProvider: false)", () => {
    const own = new TerraformStack(Testing.app(), "management");
    new AwsProvider(own, "aws", { region: "eu-west-1" });
    new GuardrailOrganizationPolicy(own, "guardrail", { config: CONFIG, awsProvider: false });
    expect(synth(own).provider.aws).toEqual([{ region: "eu-west-1" }]);

    const bare = new TerraformStack(Testing.app(), "management");
    new GuardrailOrganizationPolicy(bare, "guardrail", { config: { ...CONFIG, aws: { region: "eu-central-1" } } });
    const json = synth(bare);
    expect(json.provider.aws).toEqual([{ region: "eu-central-1" }]);
    expect(json.terraform.required_providers.aws.version).toBe(AWS_PROVIDER_VERSIONS);
  });

  it("tag every resource with the tool's tag on the stack's own provider, as the app's provider does", () => {
    // The SCP's ProtectGuardrailTaggedResources protects the store, key, topic, alarms and table by this tag.
    const stack = new TerraformStack(Testing.app(), "security");
    new AwsProvider(stack, "aws", { region: "us-east-1", defaultTags: [{ tags: { team: "platform" } }] });
    const config = {
      ...CONFIG,
      remediation: { mode: "enforce" as const },
      monitor: { eventbridge: { enabled: true, regions: ["us-east-1"] } },
    };
    new GuardrailOrganizationPolicy(stack, "policy", { config, awsProvider: false });
    new GuardrailMemberRole(stack, "member-role", { config, awsProvider: false });
    new GuardrailMonitor(stack, "monitor", { config, awsProvider: false });
    const json = synth(stack);
    const taggable = stack.node
      .findAll()
      .filter((c): c is TerraformResource => c instanceof TerraformResource && "tagsInput" in c);
    const untagged = taggable
      .filter(
        (r) => json.resource[r.terraformResourceType][r.friendlyUniqueId].tags?.["managed-by"] !== "bedrock-guardrail",
      )
      .map((r) => r.node.path);
    expect(untagged).toEqual([]);
    const protectedTypes = ["aws_cloudtrail_event_data_store", "aws_kms_key", "aws_sns_topic", "aws_dynamodb_table"];
    const taggedTypes = new Set(taggable.map((r) => r.terraformResourceType));
    expect(protectedTypes.filter((t) => !taggedTypes.has(t))).toEqual([]);
    expect(taggedTypes).toContain("aws_cloudwatch_metric_alarm");
    expect(taggedTypes).toContain("aws_cloudformation_stack_set");
  });

  it("refuse at synth a second AWS provider without an alias in one stack, which Terraform refuses at init", () => {
    const enforcing = { ...CONFIG, remediation: { mode: "enforce" as const } };
    // Both management-account constructs bringing their provider.
    const both = new TerraformStack(Testing.app(), "management");
    new GuardrailOrganizationPolicy(both, "policy", { config: enforcing });
    new GuardrailMemberRole(both, "member-role", { config: enforcing });
    let refused = "";
    try {
      both.runAllValidations();
    } catch (e) {
      refused = (e as Error).message;
    }
    expect(refused).toMatch(/^Validation failed with the following errors:\n {2}\[management\] management has 2 AWS/);
    expect(refused).toContain("without an alias (management/policy/aws, management/member-role/aws)");
    // One line, once for the stack.
    expect(refused).toMatch(/^[^\n]*\n[^\n]*awsProvider: false[^\n]*\n\n/);
    // The team's provider beside a construct that brings its own.
    const own = new TerraformStack(Testing.app(), "security");
    new AwsProvider(own, "aws", { region: "us-east-1" });
    new GuardrailMonitor(own, "monitor", { config: CONFIG });
    expect(() => own.runAllValidations()).toThrow(/security has 2 AWS providers without an alias \(security\/aws, /);
    // One provider: valid.
    const one = new TerraformStack(Testing.app(), "management");
    new GuardrailOrganizationPolicy(one, "policy", { config: enforcing });
    new GuardrailMemberRole(one, "member-role", { config: enforcing, awsProvider: false });
    expect(() => one.runAllValidations()).not.toThrow();
  });

  it("refuse at synth awsProvider: false in a stack whose AWS providers all have an alias", () => {
    // Terraform would give the guardrail's resources an implied empty default provider: the environment's account.
    const enforcing = { ...CONFIG, remediation: { mode: "enforce" as const } };
    const aliased = new TerraformStack(Testing.app(), "platform");
    new AwsProvider(aliased, "management", { region: "us-east-1", alias: "management" });
    new AwsProvider(aliased, "security", { region: "us-east-1", alias: "security" });
    new GuardrailOrganizationPolicy(aliased, "policy", { config: enforcing, awsProvider: false });
    new GuardrailMemberRole(aliased, "member-role", { config: enforcing, awsProvider: false });
    new GuardrailMonitor(aliased, "monitor", { config: enforcing, awsProvider: false });
    let refused = "";
    try {
      aliased.runAllValidations();
    } catch (e) {
      refused = (e as Error).message;
    }
    for (const construct of ["policy", "member-role", "monitor"])
      expect(refused).toContain(
        `[platform/${construct}] platform/${construct} uses its stack's AWS provider (awsProvider: false), ` +
          "but platform has no AWS provider without an alias",
      );
    // A provider without an alias beside the aliased ones: valid.
    new AwsProvider(aliased, "aws", { region: "us-east-1" });
    expect(() => aliased.runAllValidations()).not.toThrow();
  });

  it("refuse at synth a monitor on its stack's provider in another region than the config's aws.region", () => {
    // The member accounts' forwarders send to the central bus in aws.region; the bus is where the provider deploys.
    const realtime = { ...CONFIG, monitor: { eventbridge: { enabled: true, regions: ["eu-west-1"] } } };
    const stack = new TerraformStack(Testing.app(), "security");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    new GuardrailMonitor(stack, "monitor", { config: realtime, awsProvider: false });
    expect(() => stack.runAllValidations()).toThrow(
      "[security/monitor] security/monitor uses its stack's AWS provider (awsProvider: false), which deploys to " +
        "eu-west-1, but its config's aws.region is us-east-1",
    );
    // The same region, or one the app leaves to Terraform (a variable): valid.
    const same = new TerraformStack(Testing.app(), "security");
    new AwsProvider(same, "aws", { region: "eu-west-1" });
    new GuardrailMonitor(same, "monitor", {
      config: { ...realtime, aws: { region: "eu-west-1" } },
      awsProvider: false,
    });
    expect(() => same.runAllValidations()).not.toThrow();
    const variable = new TerraformStack(Testing.app(), "security");
    new AwsProvider(variable, "aws", { region: new TerraformVariable(variable, "region", {}).stringValue });
    new GuardrailMonitor(variable, "monitor", { config: realtime, awsProvider: false });
    expect(() => variable.runAllValidations()).not.toThrow();
  });

  it("refuse at synth a provider of the stack in another partition than the config's aws.region", () => {
    // The SCP's, the roles' and the member role's ARNs carry aws.region's partition: none would exist there.
    const enforcing = { ...CONFIG, remediation: { mode: "enforce" as const } };
    const refusals = (stack: TerraformStack) => {
      try {
        stack.runAllValidations();
        return [];
      } catch (e) {
        return (e as Error).message.split("\n").filter((l) => l.startsWith("  ["));
      }
    };
    const govCloud = new TerraformStack(Testing.app(), "management");
    new AwsProvider(govCloud, "aws", { region: "us-gov-west-1" });
    new GuardrailOrganizationPolicy(govCloud, "policy", { config: enforcing, awsProvider: false });
    new GuardrailMonitor(govCloud, "monitor", { config: enforcing, awsProvider: false });
    expect(refusals(govCloud)).toEqual(
      ["policy", "monitor"].map(
        (c) =>
          `  [management/${c}] management/${c} uses its stack's AWS provider (awsProvider: false), which deploys to ` +
          "us-gov-west-1 in partition aws-us-gov, but its config's aws.region is us-east-1 in aws, whose ARNs the " +
          "guardrail writes: set aws.region to us-gov-west-1, or give the stack a provider in us-east-1",
      ),
    );
    const china = new TerraformStack(Testing.app(), "platform");
    const management = new AwsProvider(china, "management", { region: "cn-north-1", alias: "management" });
    new GuardrailMemberRole(china, "member-role", { config: enforcing, awsProvider: management });
    expect(refusals(china)).toEqual([
      expect.stringContaining(
        "which deploys to cn-north-1 in partition aws-cn, but its config's aws.region is us-east-1",
      ),
    ]);
    // A partition the tool does not support: no aws.region there to suggest.
    const iso = new TerraformStack(Testing.app(), "management");
    new AwsProvider(iso, "aws", { region: "us-iso-east-1" });
    new GuardrailOrganizationPolicy(iso, "policy", { config: enforcing, awsProvider: false });
    expect(refusals(iso)).toEqual([
      expect.stringMatching(
        /in partition aws-iso, but .*the guardrail writes: give the stack a provider in us-east-1$/,
      ),
    ]);
    // Another Region of the same partition: valid for the policy and the member role.
    const gov = {
      approvedPrincipalArns: ["arn:aws-us-gov:iam::*:role/BedrockModelAccessAdmin"],
      aws: { region: "us-gov-west-1" },
      remediation: { mode: "enforce" as const },
    };
    const east = new TerraformStack(Testing.app(), "management");
    new AwsProvider(east, "aws", { region: "us-gov-east-1" });
    new GuardrailOrganizationPolicy(east, "policy", { config: gov, awsProvider: false });
    new GuardrailMemberRole(east, "member-role", { config: gov, awsProvider: false });
    expect(refusals(east)).toEqual([]);
  });

  it("refuse at synth two constructs in one stack whose resources have the same AWS names", () => {
    // AWS refuses the second's resources at apply (a function, table, StackSet or SCP name is taken).
    const config = {
      ...CONFIG,
      remediation: { mode: "enforce" as const },
      monitor: { eventbridge: { enabled: true, regions: ["us-east-1"] } },
    };
    const stack = new TerraformStack(Testing.app(), "platform");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    // One of each, and a second policy under another scp.name: valid.
    new GuardrailOrganizationPolicy(stack, "policy", { config, awsProvider: false });
    new GuardrailOrganizationPolicy(stack, "sandbox-policy", {
      config: { ...config, scp: { name: "bedrock-guardrail-sandbox" } },
      awsProvider: false,
    });
    new GuardrailMemberRole(stack, "member-role", { config, awsProvider: false });
    new GuardrailMonitor(stack, "monitor", { config, awsProvider: false });
    expect(() => stack.runAllValidations()).not.toThrow();

    new GuardrailOrganizationPolicy(stack, "policy-2", { config, awsProvider: false });
    new GuardrailMemberRole(stack, "member-role-2", { config, awsProvider: false });
    new GuardrailMonitor(stack, "monitor-2", { config, awsProvider: false });
    let refused = "";
    try {
      stack.runAllValidations();
    } catch (e) {
      refused = (e as Error).message;
    }
    const lines = refused.split("\n").filter((l) => l.startsWith("  ["));
    expect(lines).toEqual([
      expect.stringMatching(
        /^ {2}\[platform\/policy-2\] .* as platform\/policy \(aws_organizations_policy .*another scp\.name$/,
      ),
      expect.stringMatching(
        /^ {2}\[platform\/member-role-2\] .* as platform\/member-role \(aws_cloudformation_stack_set .*: keep one$/,
      ),
      expect.stringMatching(
        /^ {2}\[platform\/monitor-2\] .* as platform\/monitor \(.*aws_dynamodb_table bedrock-guardrail-s.*keep one$/,
      ),
    ]);
  });

  it("add the app stack's resources: the organization policy", () => {
    const inApp = synth(
      new OrganizationPolicyStack(Testing.app(), "organization-policy", { guardrail: guardrailFor(CONFIG) }),
    );
    const stack = new TerraformStack(Testing.app(), "management");
    new GuardrailOrganizationPolicy(stack, "guardrail", { config: CONFIG });
    const inConstruct = synth(stack);
    const bodies = (json: any) =>
      Object.values(json.resource.aws_organizations_policy).map(({ "//": _m, ...body }: any) => body);
    expect(bodies(inConstruct)).toEqual(bodies(inApp));
    expect(bodies(inApp)).toHaveLength(1);
  });

  it("add the monitor and the member role in a stack of their own", () => {
    const stack = new TerraformStack(Testing.app(), "security");
    const enforcing = { ...CONFIG, remediation: { mode: "enforce" as const } };
    const monitor = new GuardrailMonitor(stack, "monitor", { config: enforcing });
    new GuardrailMemberRole(stack, "member-role", { config: enforcing, awsProvider: false });
    expect(monitor.resources.queryJob.fn).toBeDefined();
    const json = synth(stack);
    expect(Object.keys(json.resource.aws_lambda_function)).toHaveLength(1);
    expect(Object.keys(json.resource.aws_cloudformation_stack_set)).toHaveLength(1);
    expect(json.provider.aws).toHaveLength(1);
  });

  it("ask for the monitor account's ID (no aws.security.accountId) by a variable whose validation refers to it", () => {
    // Terraform refuses a validation condition that does not refer to its own variable ("terraform validate").
    const stack = new TerraformStack(Testing.app(), "management");
    new GuardrailMemberRole(stack, "member-role", { config: { ...CONFIG, remediation: { mode: "enforce" as const } } });
    const json = synth(stack);
    const [[name, variable]] = Object.entries<any>(json.variable);
    expect(name).toMatch(/^member-role_monitor_account_id_/);
    expect(variable.validation).toEqual([
      {
        condition: `\${can(regex("^\\\\d{12}$", var.${name}))}`,
        error_message: `${name} must be a 12-digit account ID`,
      },
    ]);
    const [stackSet] = Object.values<any>(json.resource.aws_cloudformation_stack_set);
    expect(stackSet.parameters.MonitorAccountId).toBe(`\${var.${name}}`);
  });

  it("add no member role where no account can be in enforce mode, like the app's stack", () => {
    const stack = new TerraformStack(Testing.app(), "management");
    const memberRole = new GuardrailMemberRole(stack, "member-role", { config: CONFIG });
    expect(memberRole.stackSet).toBeUndefined();
    expect(synth(stack).resource).toBeUndefined();
  });
});
