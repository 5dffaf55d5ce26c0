/**
 * A monitor and a member role of one app with configs that disagree on what the responder's AssumeRole needs (the
 * role's name, the external ID, the security account, which functions assume it, the central bus the forwarders
 * send to) warn at synth on the monitor, naming the keys, never the external ID's value.
 */
import { type App, TerraformStack } from "cdktf";
import { GuardrailMemberRole, GuardrailMonitor } from "../../src/index";
import { synthWarnings } from "./helpers";

const CONFIG = {
  approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"],
  remediation: { mode: "enforce" as const },
};

const responderWarnings = (build: (app: App) => void) => synthWarnings("Responder:", build);

/** A member role of `memberConfig` in a management stack and a monitor of `monitorConfig` in a security stack. */
const pair = (monitorConfig: object, memberConfig: object, memberFirst = true) =>
  responderWarnings((app) => {
    const member = () =>
      new GuardrailMemberRole(new TerraformStack(app, "management"), "member-role", { config: memberConfig as any });
    if (memberFirst) member();
    new GuardrailMonitor(new TerraformStack(app, "security"), "monitor", { config: monitorConfig as any });
    if (!memberFirst) member();
  });

describe("a monitor and a member role of one app", () => {
  it("of the same config, or a monitor alone (its member role may be another app's): no warning", () => {
    expect(pair(CONFIG, CONFIG)).toEqual([]);
    expect(pair(CONFIG, CONFIG, false)).toEqual([]);
    expect(
      responderWarnings(
        (app) => new GuardrailMonitor(new TerraformStack(app, "security"), "monitor", { config: CONFIG }),
      ),
    ).toEqual([]);
  });

  it("that disagree on the role name warn on the monitor with both values, the member role added first or last", () => {
    const renamed = { ...CONFIG, remediation: { ...CONFIG.remediation, memberRoleName: "OtherResponderRole" } };
    for (const memberFirst of [true, false]) {
      const warnings = pair(CONFIG, renamed, memberFirst);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^security\/monitor: Responder: no GuardrailMemberRole of this app agrees/);
      expect(warnings[0]).toContain("management/member-role: remediation.memberRoleName");
      expect(warnings[0]).toContain("vs OtherResponderRole");
    }
  });

  it("that disagree on the external ID say it differs without printing it", () => {
    const other = { ...CONFIG, monitor: { memberRoleExternalId: "a-secret-of-the-member-role" } };
    const [warning] = pair(CONFIG, other);
    expect(warning).toContain("monitor.memberRoleExternalId differs");
    expect(warning).not.toContain("a-secret-of-the-member-role");
  });

  it("that disagree on the security account, the assuming roles or the central bus name each key", () => {
    const account = { ...CONFIG, aws: { security: { accountId: "444455556666" } } };
    expect(pair(CONFIG, account)[0]).toContain(
      "aws.security's account (accountId, or assumeRoleArn's) (asked at apply) vs 444455556666",
    );
    // The account of the role Terraform assumes is that account as much as an accountId is.
    const role = (id: string) => ({ ...CONFIG, aws: { security: { assumeRoleArn: `arn:aws:iam::${id}:role/tf` } } });
    expect(pair(account, role("444455556666"))).toEqual([]);
    expect(pair(account, role("777788889999"))[0]).toContain("444455556666 vs 777788889999");
    const dryRun = { ...CONFIG, remediation: { mode: "dry-run" } };
    expect(pair(CONFIG, dryRun)[0]).toContain("remediation.mode and modeOverrides");
    const realtime = {
      ...CONFIG,
      monitor: { eventbridge: { enabled: true, regions: ["us-east-1"] } },
    };
    expect(pair(CONFIG, realtime)[0]).toContain("monitor.eventbridge (the central bus) (off) vs");
  });
});
