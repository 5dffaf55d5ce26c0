/**
 * A team may deploy only some of the constructs: the SCP statements that protect the monitor's and the member
 * role's resources are only in the organization policy's SCP, so a monitor or member role whose app has no
 * organization policy with those statements warns at synth, naming the statements.
 */
import { type App, TerraformStack } from "cdktf";
import { GuardrailMemberRole, GuardrailMonitor, GuardrailOrganizationPolicy } from "../../src/index";
import { synthWarnings } from "./helpers";

const CONFIG = {
  approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"],
  breakGlassPrincipalArns: ["arn:aws:iam::111122223333:role/BreakGlass"],
  remediation: { mode: "enforce" as const },
};

const protectionWarnings = (build: (app: App) => void) => synthWarnings("SCP protection:", build);

describe("constructs deployed without the organization policy that protects them", () => {
  it("warn at synth on the monitor and the member role of an app without an organization policy", () => {
    const warnings = protectionWarnings((app) => {
      new GuardrailMemberRole(new TerraformStack(app, "management"), "member-role", { config: CONFIG });
      new GuardrailMonitor(new TerraformStack(app, "security"), "monitor", { config: CONFIG });
    });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^management\/member-role: SCP protection: no GuardrailOrganizationPolicy in this app/);
    expect(warnings[1]).toMatch(/^security\/monitor: SCP protection: no GuardrailOrganizationPolicy in this app/);
    for (const w of warnings) expect(w).toContain("ProtectGuardrailTaggedResources");
  });

  it("are quiet beside an organization policy of the same config, also one added after them", () => {
    const warnings = protectionWarnings((app) => {
      new GuardrailMonitor(new TerraformStack(app, "security"), "monitor", { config: CONFIG });
      const management = new TerraformStack(app, "management");
      new GuardrailMemberRole(management, "member-role", { config: CONFIG, awsProvider: false });
      new GuardrailOrganizationPolicy(management, "policy", { config: CONFIG });
    });
    expect(warnings).toEqual([]);
  });

  it("warn, naming the statements, where the organization policy's config leaves them out or writes others", () => {
    const off = { ...CONFIG, scp: { protectGuardrail: false } };
    const athena = {
      ...CONFIG,
      monitor: {
        backend: "athena" as const,
        athena: { bucket: "org-trail-archive", organizationId: "o-a1b2c3d4e5", accounts: [], regions: [] },
      },
    };
    const warnings = protectionWarnings((app) => {
      new GuardrailOrganizationPolicy(new TerraformStack(app, "management"), "policy", { config: off });
      new GuardrailMonitor(new TerraformStack(app, "security"), "monitor", { config: CONFIG });
      new GuardrailMonitor(new TerraformStack(app, "athena"), "monitor", { config: athena });
    });
    expect(warnings).toHaveLength(2);
    const [security, onAthena] = ["security/", "athena/"].map((p) => warnings.find((w) => w.startsWith(p)) ?? "");
    expect(security).toMatch(/^security\/monitor: SCP protection: no GuardrailOrganizationPolicy of this app \(/);
    expect(security).toContain("ProtectGuardrailTaggedResources");
    expect(security).not.toContain("ProtectGuardrailDeployment");
    // The Athena backend's workgroup, database, table and bucket are in ProtectGuardrailDeployment only when the
    // organization policy's config has that backend too.
    expect(onAthena).toMatch(/^athena\/monitor: .*ProtectGuardrailDeployment/);
  });

  it("are quiet where the monitor's own config turns the protection off: there is nothing to miss", () => {
    const none = { ...CONFIG, scp: { protectGuardrail: false, protectExemptedPrincipals: false } };
    const warnings = protectionWarnings((app) => {
      new GuardrailMonitor(new TerraformStack(app, "security"), "monitor", { config: none });
    });
    expect(warnings).toEqual([]);
  });
});
