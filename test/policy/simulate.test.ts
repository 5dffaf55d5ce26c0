/**
 * Policy proof: every cell of the decision table is re-evaluated by an independent IAM simulator
 * (@cloud-copilot/iam-simulate, dev-only) against FullAWSAccess + the synthesized SCP document(s),
 * and must agree; the expected allow/deny for each kind of principal is also asserted directly.
 */
import type { Guardrail } from "../../src/guardrail/guardrail";
import { decisionTable, type Scenario } from "../../src/policy/decision-table";
import { evaluateScp } from "../../src/policy/evaluate";
import { buildScpStatements } from "../../src/policy/statements";
import { EXAMPLE_MEMBER_ACCOUNT, type PrincipalRole, type RepresentativePrincipal } from "../../src/policy/principals";
import { FULL_CONFIG, GOVCLOUD_CONFIG, guardrailFor, MINIMAL_CONFIG, REALISTIC_CONFIG } from "./helpers";
import { MODEL_ACCESS_ACTIONS } from "../support/denied-actions";
import { simulateScp } from "./simulator";

async function simulate(guardrail: Guardrail, scenario: Scenario, principal: RepresentativePrincipal): Promise<string> {
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
  if (scenario.id.startsWith("guard-tag:"))
    return scp.protectGuardrail && !DEPLOYERS.includes(principal.role) ? "deny" : "allow";
  // Only the monitor's own roles invoke its functions and write its state and heartbeat: admins neither.
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
  if (scenario.id === "subscribe-direct") return "allow";
  if (scenario.id === "subscribe-listed-product") return "deny";
  if (scenario.id.startsWith("listed-model:")) return "allow";
  if (scenario.id.startsWith("approved-only:")) return "deny";
  if (scenario.id === "approved-only-if:sagemaker-via-bedrock")
    return scp.denyMarketplaceSubscribeViaBedrock ? "deny" : "allow";
  if (scenario.id === "approved-only-if:claude-platform") return scp.allowClaudePlatform ? "allow" : "deny";
  if (scenario.id.startsWith("unlisted-model:")) return scp.modelAllowList ? "deny" : "allow";
  if (scenario.id.startsWith("api-key:use-long:")) return scp.denyLongTermBedrockApiKeys ? "deny" : "allow";
  if (scenario.id.startsWith("api-key:use-short:")) return scp.denyShortTermBedrockApiKeys ? "deny" : "allow";
  throw new Error(`no expectation for ${scenario.id}`);
}

const CONFIGS = {
  minimal: MINIMAL_CONFIG,
  full: FULL_CONFIG,
  "marketplace control off": { ...MINIMAL_CONFIG, scp: { denyMarketplaceSubscribeViaBedrock: false } },
  "exempted user and admins": {
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
  "short-term API keys denied too": { ...FULL_CONFIG, scp: { ...FULL_CONFIG.scp, denyShortTermBedrockApiKeys: true } },
  "API-key controls off": { ...MINIMAL_CONFIG, scp: { denyLongTermBedrockApiKeys: false } },
  "guardrail protection off, Claude Platform allowed": {
    ...FULL_CONFIG,
    scp: { ...FULL_CONFIG.scp, protectGuardrail: false, allowClaudePlatform: true },
  },
  // Four documents: the decisions must not depend on how the statements are split.
  realistic: REALISTIC_CONFIG,
  // Every example principal and resource in the table is in the config's partition.
  GovCloud: GOVCLOUD_CONFIG,
};

describe.each(Object.entries(CONFIGS))("decision table agrees with IAM simulation (%s config)", (_name, config) => {
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

  it.each(cells)("%s by %s", async (_s, _p, scenario, cell) => {
    expect(cell.cell).toBe(expectedCell(guardrail, scenario, cell.principal));
    const simulated = await simulate(guardrail, scenario, cell.principal);
    const expected = cell.cell === "deny" ? "ExplicitlyDenied" : "Allowed";
    expect(simulated).toBe(expected);
  });
});

describe("a GovCloud config's decision table", () => {
  it("names only principals and resources in the aws-us-gov partition and GovCloud Regions", () => {
    const table = decisionTable(guardrailFor(GOVCLOUD_CONFIG));
    const arns = [
      ...table.principals.map((p) => p.principalArn),
      ...table.rows.map((r) => r.scenario.resource).filter((r) => r !== "*"),
    ];
    expect(arns.length).toBeGreaterThan(20);
    for (const arn of arns) {
      expect(arn).toMatch(/^arn:aws-us-gov:/);
      const region = arn.split(":")[3];
      if (region) expect(region).toMatch(/^us-gov-/);
      expect(arn).not.toMatch(/sso\.amazonaws\.com\/(?!us-gov-)/);
    }
  });
});

describe("full config specifics", () => {
  const guardrail = guardrailFor(FULL_CONFIG);
  it(
    "has the approved Identity Center role in both real shapes (a us-east-1 instance's path has no Region, " +
      "another Region's has it) and a break-glass role",
    () => {
      const principals = decisionTable(guardrail).principals;
      const idc = principals.filter((p) => p.role.startsWith("identity-center-") && !p.role.endsWith("lookalike"));
      expect(idc.map((p) => p.principalArn)).toEqual([
        expect.stringMatching(
          /^arn:aws:iam::\d{12}:role\/aws-reserved\/sso\.amazonaws\.com\/AWSReservedSSO_BedrockAdmin_[^/]{16}$/,
        ),
        expect.stringMatching(
          new RegExp(
            String.raw`^arn:aws:iam::\d{12}:role/aws-reserved/sso\.amazonaws\.com/us-west-2/` +
              String.raw`AWSReservedSSO_BedrockAdmin_[^/]{16}$`,
          ),
        ),
      ]);
      for (const p of idc) expect(p.label).toContain("approved");
      expect(principals.map((p) => p.role)).toContain("break-glass-role");
    },
  );

  it("a call through a profile is decided by its foundation model alone (the simulator agrees)", async () => {
    const principal: RepresentativePrincipal = {
      role: "non-approved-role",
      label: "dev",
      short: "dev",
      principalArn: `arn:aws:iam::${EXAMPLE_MEMBER_ACCOUNT}:role/DeveloperRole`,
      scpApplies: true,
      source: "test",
    };
    const profile: Scenario = {
      id: "p",
      label: "profile",
      action: "bedrock:InvokeModel",
      resource:
        `arn:aws:bedrock:us-east-1:${EXAMPLE_MEMBER_ACCOUNT}:inference-profile/` +
        "us.anthropic.claude-sonnet-4-20250514-v1:0",
    };
    const routedModel: Scenario = {
      id: "m",
      label: "model",
      action: "bedrock:InvokeModel",
      resource: "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
    };
    const globalModel: Scenario = {
      ...routedModel,
      resource: "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
    };
    expect(await simulate(guardrail, profile, principal)).toBe("Allowed");
    expect(await simulate(guardrail, routedModel, principal)).toBe("Allowed");
    // The simulator refuses the empty-Region ARN global profiles authorize on; our evaluator checks it.
    expect(
      evaluateScp(buildScpStatements(guardrail), {
        action: globalModel.action,
        resource: globalModel.resource,
        principalArn: principal.principalArn,
      }).decision,
    ).toBe("allow");
    const profileOnly = guardrailFor({
      ...FULL_CONFIG,
      scp: { modelAllowList: ["arn:aws:bedrock:*:*:inference-profile/us.anthropic.claude-sonnet-4*"] },
    });
    expect(await simulate(profileOnly, profile, principal)).toBe("Allowed");
    expect(await simulate(profileOnly, routedModel, principal)).toBe("ExplicitlyDenied");
    // An unlisted model's profile is not denied, but every Region it routes to is.
    const modelOnly = guardrailFor({
      ...FULL_CONFIG,
      scp: { modelAllowList: ["arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0"] },
    });
    expect(await simulate(modelOnly, profile, principal)).toBe("Allowed");
    expect(await simulate(modelOnly, routedModel, principal)).toBe("ExplicitlyDenied");
  });
});
