/**
 * Every "never act on this" rule lives here, and the planner sends every plan through
 * `enforceSafety` before returning it. Whatever a plan says, an action that would touch an
 * approved, break-glass, tool or operator principal, a service-linked or Identity Center role, a
 * principal whose ARN is unknown, or anything in the management account leaves here as alert-only.
 */
import { arnLikeAny, parseArn } from "../arn/arn-like";
import { roleKindOf } from "../arn/principal";
import type { Guardrail } from "../guardrail/guardrail";
import { isMutating } from "./actions";
import type { PlannedAction } from "./types";

export interface SafetyContext {
  /**
   * From config.organization.managementAccountId or Organizations DescribeOrganization; undefined when neither
   * answered.
   */
  managementAccountId?: string;
  /** Identities of this very run (the responder's role, the CLI user): never revoked by themselves. */
  selfArns?: string[];
}

export type Protection =
  | "break-glass"
  | "approved"
  | "tool"
  | "operator"
  | "self"
  | "service-linked-role"
  | "identity-center-role"
  | "management-account"
  | "unknown-principal"
  | "unknown-management-account";

const PROTECTION_REASON: Record<Protection, string> = {
  "break-glass": "principal is a break-glass principal (breakGlassPrincipalArns): never remediated",
  approved: "principal is approved (approvedPrincipalArns): never remediated",
  tool: "principal is one of bedrock-guardrail's own roles: never remediated",
  operator: "principal is a remediation operator (remediation.operatorPrincipalArns): never remediated",
  self: "principal is the identity running this remediation: never remediated",
  "service-linked-role": "principal is a service-linked role: AWS owns it; it cannot and must not be changed",
  "identity-center-role": "principal is an IAM Identity Center role: change it through Identity Center, not IAM",
  "management-account":
    "the management account is never remediated (SCPs do not apply there and the member role is not deployed there)",
  "unknown-principal":
    "the principal ARN IAM evaluates is unknown, so approval cannot be ruled out: no automatic action",
  "unknown-management-account":
    "the management account is unknown (set organization.managementAccountId, or allow " +
    "organizations:DescribeOrganization): no automatic action",
};

export const protectionReason = (p: Protection): string => PROTECTION_REASON[p];

/** Why this principal must not be acted on, or undefined when it may be. Order: most specific first. */
export function principalProtection(
  guardrail: Guardrail,
  principalArn: string | undefined,
  principalAccountId: string | undefined,
  ctx: SafetyContext,
): Protection | undefined {
  if (!principalArn) return "unknown-principal";
  const ex = guardrail.exemptions;
  if (arnLikeAny(ex.breakGlass, principalArn)) return "break-glass";
  if (arnLikeAny(ex.approved, principalArn)) return "approved";
  if (arnLikeAny(ex.tool, principalArn)) return "tool";
  if (arnLikeAny(ex.operators, principalArn)) return "operator";
  if (arnLikeAny(ctx.selfArns ?? [], principalArn)) return "self";
  // Decided from the ARN alone, the same way detection classifies the principal (src/arn/principal.ts).
  const kind = parseArn(principalArn)?.resource.startsWith("role/") ? roleKindOf(principalArn) : undefined;
  if (kind === "service-linked-role" || kind === "identity-center-role") return kind;
  const account = parseArn(principalArn)?.account || principalAccountId;
  return accountProtection(account, ctx) ?? accountProtection(principalAccountId, ctx);
}

/** Why nothing may be changed in this account, or undefined. An unknown account is refused too. */
function accountProtection(accountId: string | undefined, ctx: SafetyContext): Protection | undefined {
  if (!ctx.managementAccountId) return "unknown-management-account";
  if (!accountId) return "unknown-principal";
  return accountId === ctx.managementAccountId ? "management-account" : undefined;
}

/**
 * The last gate of every plan: a mutating action that is not explicitly allowed by both the
 * principal check and the account check becomes alert-only, with the reason.
 */
export function enforceSafety(
  guardrail: Guardrail,
  actions: PlannedAction[],
  principalAccountId: string | undefined,
  ctx: SafetyContext,
): PlannedAction[] {
  return actions.map((a) => {
    if (!isMutating(a) || a.disposition === "off" || a.disposition === "alert-only") return a;
    // Agreement deletion acts on the account, not on the principal; everything else acts on the principal.
    const protection =
      a.kind === "delete-agreement"
        ? (accountProtection(a.accountId, ctx) ??
          principalProtection(guardrail, a.principalArn, principalAccountId, ctx))
        : (principalProtection(guardrail, a.principalArn, principalAccountId, ctx) ??
          accountProtection(a.accountId, ctx));
    return protection
      ? { ...a, disposition: "alert-only", reason: `${a.reason}; blocked: ${protectionReason(protection)}` }
      : a;
  });
}
