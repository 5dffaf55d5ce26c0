/**
 * Policy proof, shared by the simulate-*.test.ts suites: every cell of the decision table is
 * re-evaluated by an independent IAM simulator (@cloud-copilot/iam-simulate, dev-only) against
 * FullAWSAccess + the synthesized SCP document(s), and must agree; the expected allow/deny for each
 * kind of principal is also asserted directly. The configs are split across suites so that jest
 * runs them on parallel workers (about 8,000 simulated cells).
 */
import type { Guardrail } from "../../src/guardrail/guardrail";
import { decisionTable, type Scenario } from "../../src/policy/decision-table";
import type { PrincipalRole, RepresentativePrincipal } from "../../src/policy/principals";
import { FULL_CONFIG, GOVCLOUD_CONFIG, guardrailFor, MINIMAL_CONFIG, REALISTIC_CONFIG } from "./helpers";
import { MODEL_ACCESS_ACTIONS } from "../support/denied-actions";
import { PINNED_CLAUDE } from "./bypass-cases";
import { simulateScp } from "./simulator";

export async function simulate(
  guardrail: Guardrail,
  scenario: Scenario,
  principal: RepresentativePrincipal,
): Promise<string> {
  return simulateScp(guardrail, scenario, principal.principalArn, principal.scpApplies);
}

/** Exempt from every Bedrock, Marketplace and API-key statement: approved and break-glass only. */
const EXEMPT: PrincipalRole[] = ["approved-role", "break-glass-role"];

/** May create, change or pass the exempted roles, and change the guardrail: break-glass and the listed admins. */
const PRINCIPAL_ADMINS: PrincipalRole[] = ["break-glass-role", "principal-admin"];
/** May change the tool's own roles, rules, schedule and tag: those and the StackSets execution role. */
const DEPLOYERS: PrincipalRole[] = [...PRINCIPAL_ADMINS, "stacksets-exec-role"];

function isExempt(guardrail: Guardrail, principal: RepresentativePrincipal): boolean {
  if (EXEMPT.includes(principal.role)) return true;
  if (principal.role === "identity-center-role") return principal.label.includes("approved");
  if (principal.role === "identity-center-other-region") return true;
  // A permission set named <approved>_Sandbox is exempt exactly when the approved pattern ends in `_*`.
  if (principal.role === "identity-center-lookalike")
    return guardrail.exemptions.approved.some((p) => /AWSReservedSSO_[^/]*_\*$/.test(p));
  return false;
}

function expectedCell(
  guardrail: Guardrail,
  scenario: Scenario,
  principal: RepresentativePrincipal,
): "allow" | "deny" | "not-applicable" {
  if (!principal.scpApplies) return "not-applicable";
  const scp = guardrail.config.scp;
  // Approved and tool roles too: nobody but the admins may recreate, re-trust or pass an exempted role.
  if (scenario.id.startsWith("protect:"))
    return scp.protectExemptedPrincipals && !PRINCIPAL_ADMINS.includes(principal.role) ? "deny" : "allow";
  if (scenario.id.startsWith("guard-deploy:"))
    return scp.protectExemptedPrincipals && !DEPLOYERS.includes(principal.role) ? "deny" : "allow";
  if (scenario.id.startsWith("guard-admin:"))
    return scp.protectGuardrail && !PRINCIPAL_ADMINS.includes(principal.role) ? "deny" : "allow";
  // The tags of the tool's roles: ProtectGuardrailDeployment, or ProtectGuardrailRoleTags when that one is off.
  if (scenario.id.startsWith("guard-role-tag:"))
    return (scp.protectExemptedPrincipals || scp.protectGuardrail) && !DEPLOYERS.includes(principal.role)
      ? "deny"
      : "allow";
  if (scenario.id.startsWith("guard-tag:"))
    return scp.protectGuardrail && !DEPLOYERS.includes(principal.role) ? "deny" : "allow";
  // Only the monitor's own roles invoke its functions and write its state and metrics: admins neither.
  if (scenario.id.startsWith("guard-monitor:"))
    return scp.protectGuardrail && principal.role !== "monitor-role" ? "deny" : "allow";
  if (scenario.unrelated) return "allow";
  // The member role deactivates leaked Bedrock API keys, so it alone is exempt from the key-creation statement.
  if (scenario.id === "api-key:create")
    return scp.denyLongTermBedrockApiKeys && !isExempt(guardrail, principal) && principal.role !== "tool-role"
      ? "deny"
      : "allow";
  // The member role (tool-role) is exempt from nothing else: it never calls these actions.
  if (isExempt(guardrail, principal)) return "allow";
  if (MODEL_ACCESS_ACTIONS.includes(scenario.action)) return "deny";
  if (scenario.id === "subscribe-via-bedrock" || scenario.id === "subscribe-via-mantle")
    return scp.denyMarketplaceSubscribeViaBedrock ? "deny" : "allow";
  // An approved model's product: Bedrock's subscription passes for everyone.
  if (scenario.id === "subscribe-direct" || scenario.id === "subscribe-approved-product-via-bedrock") return "allow";
  if (scenario.id === "subscribe-listed-product") return "deny";
  if (scenario.id.startsWith("listed-model:")) return "allow";
  if (scenario.id.startsWith("approved-only:")) return "deny";
  if (scenario.id === "approved-only-if:sagemaker-via-bedrock")
    return scp.denyMarketplaceSubscribeViaBedrock ? "deny" : "allow";
  if (scenario.id === "approved-only-if:claude-platform") return scp.allowClaudePlatform ? "allow" : "deny";
  if (scenario.id.startsWith("unlisted-model:")) return scp.modelAllowList ? "deny" : "allow";
  // Calls with a long-term key pass when the team hands keys out (allowLongTermBedrockApiKeyUse); creation does not.
  if (scenario.id.startsWith("api-key:use-long:"))
    return scp.denyLongTermBedrockApiKeys && !scp.allowLongTermBedrockApiKeyUse ? "deny" : "allow";
  if (scenario.id.startsWith("api-key:use-short:")) return scp.denyShortTermBedrockApiKeys ? "deny" : "allow";
  throw new Error(`no expectation for ${scenario.id}`);
}

export const CONFIGS = {
  minimal: MINIMAL_CONFIG,
  full: FULL_CONFIG,
  "marketplace control off": { ...MINIMAL_CONFIG, scp: { denyMarketplaceSubscribeViaBedrock: false } },
  // With the Athena backend, whose workgroup, table and results bucket the SCP protects by name.
  "exempted user and admins": {
    monitor: { backend: "athena" as const, athena: { bucket: "org-trail-logs" } },
    approvedPrincipalArns: [
      "arn:aws:iam::*:role/BedrockModelAccessAdmin",
      "arn:aws:iam::111122223333:user/bedrock-admin",
    ],
    breakGlassPrincipalArns: ["arn:aws:iam::111122223333:role/BreakGlass"],
    scp: { exemptedPrincipalAdminArns: ["arn:aws:iam::*:role/iam-pipeline/IamDeployer"] },
  },
  "protection off": { ...MINIMAL_CONFIG, scp: { protectExemptedPrincipals: false } },
  "Identity Center pattern ending in _*": {
    ...FULL_CONFIG,
    approvedPrincipalArns: [
      "arn:aws:iam::*:role/BedrockModelAccessAdmin",
      "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_BedrockAdmin_*",
    ],
  },
  // Approved models' Marketplace products: their subscription via Bedrock passes, every other product's is denied.
  "approved Marketplace products": {
    ...FULL_CONFIG,
    scp: { ...FULL_CONFIG.scp, approvedMarketplaceProductIds: ["prod-approvedmodel01"] },
  },
  "short-term API keys denied too": { ...FULL_CONFIG, scp: { ...FULL_CONFIG.scp, denyShortTermBedrockApiKeys: true } },
  "API-key controls off": { ...MINIMAL_CONFIG, scp: { denyLongTermBedrockApiKeys: false } },
  "long-term API keys usable, their creation denied": {
    ...FULL_CONFIG,
    scp: { ...FULL_CONFIG.scp, allowLongTermBedrockApiKeyUse: true },
  },
  "guardrail protection off, Claude Platform allowed": {
    ...FULL_CONFIG,
    scp: { ...FULL_CONFIG.scp, protectGuardrail: false, allowClaudePlatform: true },
  },
  // A dated Claude snapshot: the mantle row names the model by mantle's own (undated) id.
  "pinned Claude snapshot": PINNED_CLAUDE,
  // Four documents: the decisions must not depend on how the statements are split.
  realistic: REALISTIC_CONFIG,
  // Every example principal and resource in the table is in the config's partition.
  GovCloud: GOVCLOUD_CONFIG,
};

/** One describe per named config: its table covers every action and principal; every cell agrees. */
export function describeSimulatedConfigs(names: readonly (keyof typeof CONFIGS)[]): void {
  describe.each(names.map((n) => [n, CONFIGS[n]] as const))(
    "decision table agrees with IAM simulation (%s config)",
    (_name, config) => {
      const guardrail = guardrailFor(config);
      const table = decisionTable(guardrail);
      const cells = table.rows.flatMap((row) =>
        row.cells.map((c) => [row.scenario.label, c.principal.label, row.scenario, c] as const),
      );

      it("covers every denied action and every representative principal", () => {
        const actions = new Set(table.rows.map((r) => r.scenario.action));
        for (const a of MODEL_ACCESS_ACTIONS) expect(actions).toContain(a);
        // and the definition denies nothing the hand-written list does not know (so its cells are expected too)
        expect([...guardrail.iamActions].sort()).toEqual([...MODEL_ACCESS_ACTIONS].sort());
        const roles = table.principals.map((p) => p.role);
        for (const r of [
          "approved-role",
          "identity-center-role",
          "tool-role",
          "non-approved-role",
          "iam-user",
          "member-root",
          "management-account",
          "service-linked-role",
        ])
          expect(roles).toContain(r);
      });

      // One test per config, every cell checked and every disagreement listed (a test per cell cost more
      // in jest's bookkeeping than the simulation of a small config).
      it("every cell: the expected decision, and the simulator agrees", async () => {
        const disagreements: string[] = [];
        for (const [scenarioLabel, principalLabel, scenario, cell] of cells) {
          const expected = expectedCell(guardrail, scenario, cell.principal);
          const simulated = await simulate(guardrail, scenario, cell.principal);
          const want = cell.cell === "deny" ? "ExplicitlyDenied" : "Allowed";
          if (cell.cell !== expected || simulated !== want)
            disagreements.push(
              `${scenarioLabel} by ${principalLabel}: table ${cell.cell}, expected ${expected}, simulator ${simulated}`,
            );
        }
        expect(disagreements).toEqual([]);
        expect(cells.length).toBeGreaterThan(400);
      });
    },
  );
}
