/**
 * A construct's `definition`, as `bedrock-guardrail synth --definition <file>` takes it: a platform team's own
 * definition file (and a rules/ folder beside it) or a definition object with its rules, from which the SCP and
 * the monitor are built; a bad one is one ConfigError naming the construct and the file.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing, TerraformStack } from "cdktf";
import { ConfigError, GuardrailMonitor, GuardrailOrganizationPolicy } from "../../src/index";
import { bundledDefinition } from "../../src/guardrail/guardrail";

const ROOT = path.join(__dirname, "..", "..");
const CONFIG = { approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"] };
/** Only the custom definition has them: a call its SCP denies, and an IAM call its own rule detects. */
const CUSTOM_ACTION = "CreateCustomModel";
const CUSTOM_RULE_EVENT = "CreateLoginProfile";

/** The shipped rule for DeleteFoundationModelAgreement, made into the team's own rule for an IAM call. */
function customRule(): unknown {
  const file = path.join(ROOT, "policies", "rules", "bedrock-model-agreement-deleted.json");
  const text = fs
    .readFileSync(file, "utf8")
    .replaceAll("bedrock-model-agreement-deleted", "team-login-profile-created")
    .replaceAll("bedrock.amazonaws.com", "iam.amazonaws.com")
    .replaceAll("DeleteFoundationModelAgreement", CUSTOM_RULE_EVENT);
  return { ...JSON.parse(text), precedence: 9999 };
}

/** The packaged definition file with the custom action and a 7-minute schedule, and the custom rule beside it. */
function writeDefinition(dir: string): string {
  const written = JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "bedrock-model-access.json"), "utf8"));
  written.actions.push({
    eventName: CUSTOM_ACTION,
    iamAction: `bedrock:${CUSTOM_ACTION}`,
    seed: false,
    gatesAccess: false,
    why: "The team's own: a model customization is a cost the platform team approves.",
  });
  written.detection.schedule = { ...written.detection.schedule, intervalMinutes: 7, lookbackMinutes: 8 };
  fs.mkdirSync(path.join(dir, "rules"));
  fs.writeFileSync(path.join(dir, "rules", "team-login-profile-created.json"), JSON.stringify(customRule()));
  const file = path.join(dir, "team-definition.json");
  fs.writeFileSync(file, JSON.stringify(written));
  return file;
}

function synth(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack));
}

function scpText(json: any): string {
  return Object.values(json.resource.aws_organizations_policy)
    .map((p: any) => p.content)
    .join("\n");
}

describe("a construct's definition", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "constructs-definition-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("builds the SCP and the monitor from a definition file and its rules/ folder, as --definition does", () => {
    const file = writeDefinition(dir);
    const stack = new TerraformStack(Testing.app(), "platform");
    new GuardrailOrganizationPolicy(stack, "policy", { config: CONFIG, definition: file, awsProvider: false });
    new GuardrailMonitor(stack, "monitor", { config: CONFIG, definition: file, awsProvider: false });
    const json = synth(stack);
    expect(scpText(json)).toContain(`bedrock:${CUSTOM_ACTION}`);
    const [store] = Object.values(json.resource.aws_cloudtrail_event_data_store) as any[];
    expect(JSON.stringify(store.advanced_event_selector)).toContain(CUSTOM_RULE_EVENT);
    const schedules = Object.values(json.resource.aws_scheduler_schedule).map((s: any) => s.schedule_expression);
    expect(schedules).toEqual(["rate(7 minutes)"]);

    // The default is the packaged definition: none of the custom definition's.
    const packaged = new TerraformStack(Testing.app(), "platform");
    new GuardrailOrganizationPolicy(packaged, "policy", { config: CONFIG, awsProvider: false });
    expect(scpText(synth(packaged))).not.toContain(CUSTOM_ACTION);
  });

  it("takes a definition object with its rules in it", () => {
    const definition = structuredClone(bundledDefinition());
    definition.actions.push({
      eventName: CUSTOM_ACTION,
      iamAction: `bedrock:${CUSTOM_ACTION}`,
      seed: false,
      gatesAccess: false,
      why: "The team's own.",
    });
    const stack = new TerraformStack(Testing.app(), "platform");
    new GuardrailOrganizationPolicy(stack, "policy", { config: CONFIG, definition, awsProvider: false });
    expect(scpText(synth(stack))).toContain(`bedrock:${CUSTOM_ACTION}`);
  });

  it("refuses a bad definition with one ConfigError naming the construct and the file or key", () => {
    const stack = new TerraformStack(Testing.app(), "platform");
    const missing = path.join(dir, "no-such-definition.json");
    expect(() => new GuardrailOrganizationPolicy(stack, "a", { config: CONFIG, definition: missing })).toThrow(
      new ConfigError("the definition of platform/a", [`${missing}: no such file or directory`], true),
    );
    const bad = path.join(dir, "bad-definition.json");
    fs.writeFileSync(bad, JSON.stringify({ ...bundledDefinition(), detection: undefined, id: "Not Kebab" }));
    expect(() => new GuardrailOrganizationPolicy(stack, "b", { config: CONFIG, definition: bad })).toThrow(
      /^the definition of platform\/b: .*bad-definition\.json is invalid:\n {2}- id: must be lower-case kebab-case/,
    );
    const object = { ...bundledDefinition(), actions: [] };
    expect(() => new GuardrailOrganizationPolicy(stack, "c", { config: CONFIG, definition: object })).toThrow(
      /^the definition of platform\/c is invalid:\n {2}- actions: /,
    );
  });
});
