/**
 * The decision table: every request the guardrail cares about x representative principals ->
 * allow/deny, computed from the built statements. `check` prints it; tests prove each cell
 * against an IAM simulator.
 */
import { type Guardrail, memberRolePattern } from "../guardrail/guardrail";
import { evaluateScp, type ScpRequest } from "./evaluate";
import {
  EXAMPLE_MEMBER_ACCOUNT,
  instantiatePattern,
  type RepresentativePrincipal,
  representativePrincipals,
} from "./principals";
import { protectedPrincipalPatterns, protectedSamlProviderPatterns } from "./protect-exempted";
import {
  BATCH_INFERENCE_ACTION,
  BEDROCK_SERVICE_PRINCIPAL,
  buildScpStatements,
  INVOKE_ACTIONS,
  MARKETPLACE_SUBSCRIBE,
} from "./statements";
import type { ScpStatement } from "./types";

export interface Scenario {
  id: string;
  label: string;
  action: string;
  resource: string;
  context?: Record<string, string[]>;
  /** True for requests the guardrail is not meant to touch. */
  unrelated?: boolean;
}

export type Cell = "allow" | "deny" | "not-applicable";

export interface DecisionRow {
  scenario: Scenario;
  cells: { principal: RepresentativePrincipal; cell: Cell; deniedBy?: string }[];
}

export interface DecisionTable {
  principals: RepresentativePrincipal[];
  rows: DecisionRow[];
}

/** A model no allow-list example names: DeepSeek is sold outside Marketplace, so only the allow-list stops it. */
export const UNLISTED_MODEL_ARN = "arn:aws:bedrock:us-east-1::foundation-model/deepseek.r1-v1:0";

export function scenarios(guardrail: Guardrail): Scenario[] {
  const scp = guardrail.config.scp;
  const out: Scenario[] = guardrail.iamActions.map((action) => ({ id: action, label: action, action, resource: "*" }));
  out.push(
    {
      id: "subscribe-via-bedrock",
      label: `${MARKETPLACE_SUBSCRIBE} via Bedrock`,
      action: MARKETPLACE_SUBSCRIBE,
      resource: "*",
      context: { "aws:CalledViaLast": [BEDROCK_SERVICE_PRINCIPAL] },
    },
    {
      id: "subscribe-direct",
      label: `${MARKETPLACE_SUBSCRIBE} (direct)`,
      action: MARKETPLACE_SUBSCRIBE,
      resource: "*",
    },
  );
  if (scp.denyMarketplaceProductIds.length > 0) {
    const product = scp.denyMarketplaceProductIds[0];
    out.push({
      id: "subscribe-listed-product",
      label: `${MARKETPLACE_SUBSCRIBE} to ${product}`,
      action: MARKETPLACE_SUBSCRIBE,
      resource: "*",
      context: { "aws-marketplace:ProductId": [product] },
    });
  }
  if (scp.modelAllowList) {
    const allowed = instantiatePattern(scp.modelAllowList[0]);
    out.push({
      id: "invoke-listed-model",
      label: `${INVOKE_ACTIONS[0]} listed model`,
      action: INVOKE_ACTIONS[0],
      resource: allowed,
    });
  }
  for (const action of [...INVOKE_ACTIONS, BATCH_INFERENCE_ACTION]) {
    out.push({
      id: `invoke-unlisted-model:${action}`,
      label: `${action} unlisted model`,
      action,
      resource: UNLISTED_MODEL_ARN,
    });
  }
  out.push(...protectScenarios(guardrail));
  out.push(
    {
      id: "unrelated:list-models",
      label: "bedrock:ListFoundationModels",
      action: "bedrock:ListFoundationModels",
      resource: "*",
      unrelated: true,
    },
    {
      id: "unrelated:s3",
      label: "s3:GetObject",
      action: "s3:GetObject",
      resource: "arn:aws:s3:::example-bucket/report.csv",
      unrelated: true,
    },
  );
  return out;
}

/** "role/Name" of a concrete IAM ARN, for labels. */
const iamName = (arn: string) => arn.split(":").slice(5).join(":");

/**
 * Taking over an exempted name: recreate an approved role, re-trust it, pass it to a service,
 * re-trust the member role or an admin role, replace Identity Center's SAML provider (and mint keys
 * for an exempted user). Ids start with "protect:".
 */
export function protectScenarios(guardrail: Guardrail): Scenario[] {
  const { roles, users } = protectedPrincipalPatterns(guardrail);
  const member = instantiatePattern(memberRolePattern(guardrail.config));
  const approvedRole = roles.find((p) => guardrail.exemptions.approved.includes(p) && !p.includes("AWSReservedSSO_"));
  const role = approvedRole ? instantiatePattern(approvedRole) : member;
  const out: Scenario[] = [
    { id: "protect:create-role", label: `iam:CreateRole ${iamName(role)}`, action: "iam:CreateRole", resource: role },
    {
      id: "protect:update-trust",
      label: `iam:UpdateAssumeRolePolicy ${iamName(role)}`,
      action: "iam:UpdateAssumeRolePolicy",
      resource: role,
    },
    { id: "protect:pass-role", label: `iam:PassRole ${iamName(role)}`, action: "iam:PassRole", resource: role },
  ];
  if (role !== member)
    out.push({
      id: "protect:member-role-trust",
      label: `iam:UpdateAssumeRolePolicy ${iamName(member)}`,
      action: "iam:UpdateAssumeRolePolicy",
      resource: member,
    });
  const adminRole = roles.find((p) => guardrail.config.scp.exemptedPrincipalAdminArns.includes(p));
  if (adminRole) {
    // An admin may create the exempted roles, so its own name is protected too.
    const admin = instantiatePattern(adminRole);
    out.push({
      id: "protect:admin-trust",
      label: `iam:UpdateAssumeRolePolicy ${iamName(admin)}`,
      action: "iam:UpdateAssumeRolePolicy",
      resource: admin,
    });
  }
  const samlProvider = protectedSamlProviderPatterns(guardrail)[0];
  if (samlProvider) {
    const provider = instantiatePattern(samlProvider.replace(/\*$/, "0123456789abcdef_DO_NOT_DELETE"));
    out.push({
      id: "protect:idc-saml-provider",
      label: `iam:UpdateSAMLProvider ${iamName(provider)}`,
      action: "iam:UpdateSAMLProvider",
      resource: provider,
    });
  }
  if (users.length > 0) {
    const user = instantiatePattern(users[0]);
    out.push({
      id: "protect:user-access-key",
      label: `iam:CreateAccessKey ${iamName(user)}`,
      action: "iam:CreateAccessKey",
      resource: user,
    });
  }
  const other = `arn:aws:iam::${EXAMPLE_MEMBER_ACCOUNT}:role/DeveloperRole`;
  out.push({
    id: "unrelated:create-role",
    label: `iam:CreateRole ${iamName(other)}`,
    action: "iam:CreateRole",
    resource: other,
    unrelated: true,
  });
  return out;
}

export function decide(
  statements: readonly ScpStatement[],
  scenario: Scenario,
  principal: RepresentativePrincipal,
): { cell: Cell; deniedBy?: string } {
  if (!principal.scpApplies) return { cell: "not-applicable" };
  const request: ScpRequest = {
    action: scenario.action,
    resource: scenario.resource,
    principalArn: principal.principalArn,
    context: scenario.context,
  };
  const verdict = evaluateScp(statements, request);
  return { cell: verdict.decision, deniedBy: verdict.deniedBy };
}

export function decisionTable(guardrail: Guardrail): DecisionTable {
  const statements = buildScpStatements(guardrail);
  const principals = representativePrincipals(guardrail);
  const rows = scenarios(guardrail).map((scenario) => ({
    scenario,
    cells: principals.map((principal) => ({ principal, ...decide(statements, scenario, principal) })),
  }));
  return { principals, rows };
}

const CELL_TEXT: Record<Cell, string> = { allow: "allow", deny: "DENY", "not-applicable": "n/a" };

/** Plain-text table: one row per request, one column per principal, then a legend of the principals' ARNs. */
export function formatDecisionTable(table: DecisionTable): string {
  const header = ["request", ...table.principals.map((p) => p.short)];
  const body = table.rows.map((r) => [r.scenario.label, ...r.cells.map((c) => CELL_TEXT[c.cell])]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cols: string[]) =>
    cols
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  const legend = table.principals.map((p) => `  ${p.short.padEnd(12)} ${p.label}: ${p.principalArn} (${p.source})`);
  return [
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...body.map(line),
    "",
    "Principals:",
    ...legend,
    "",
    "allow = not denied by this SCP (the principal's own IAM policies still apply); n/a = SCPs never apply to this " +
      "principal.",
  ].join("\n");
}
