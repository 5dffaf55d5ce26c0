/**
 * A config built in code `as const` (every array and object read-only) is a construct's config, as the JSON file's
 * object is: `tsc --noEmit` (npm test's typecheck) compiles this file, and the runtime checks stay the schema's.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Testing, TerraformStack } from "cdktf";
import { ConfigError, GuardrailMemberRole, GuardrailMonitor, GuardrailOrganizationPolicy } from "../../src/index";

const READONLY_CONFIG = {
  approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"],
  breakGlassPrincipalArns: ["arn:aws:iam::111122223333:role/BreakGlass"],
  scp: { tags: { team: "platform" } },
  remediation: { mode: "enforce" },
  monitor: { eventbridge: { enabled: true, regions: ["us-east-1", "eu-west-1"] } },
} as const;

describe("a config built in code `as const`", () => {
  it("is the constructs' config, checked at runtime as the JSON file's object is", () => {
    const stack = new TerraformStack(Testing.app(), "platform");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    new GuardrailOrganizationPolicy(stack, "policy", { config: READONLY_CONFIG, awsProvider: false });
    new GuardrailMemberRole(stack, "member-role", { config: READONLY_CONFIG, awsProvider: false });
    const monitor = new GuardrailMonitor(stack, "monitor", { config: READONLY_CONFIG, awsProvider: false });
    expect(monitor.resources.realtime).toBeDefined();
    expect(() => stack.runAllValidations()).not.toThrow();

    const everyPrincipal = { approvedPrincipalArns: ["*"] } as const;
    expect(() => new GuardrailOrganizationPolicy(stack, "bad", { config: everyPrincipal })).toThrow(ConfigError);
  });

  it("still has the config's types: a key of the wrong type does not compile", () => {
    const stack = new TerraformStack(Testing.app(), "platform");
    const notAList = { approvedPrincipalArns: "arn:aws:iam::*:role/BedrockModelAccessAdmin" } as const;
    // @ts-expect-error approvedPrincipalArns is a list
    expect(() => new GuardrailOrganizationPolicy(stack, "string", { config: notAList })).toThrow(ConfigError);
    const unknownMode = { ...READONLY_CONFIG, remediation: { mode: "enforced" } } as const;
    // @ts-expect-error remediation.mode is off, dry-run or enforce
    expect(() => new GuardrailOrganizationPolicy(stack, "mode", { config: unknownMode })).toThrow(ConfigError);
  });
});
