/**
 * Every "never act on this" rule lives here, and the planner sends every plan through
 * `enforceSafety` before returning it. Whatever a plan says, an action that would touch an
 * approved, break-glass, tool or operator principal, a reader of the rotated keys, a service-linked
 * or Identity Center role, a principal whose ARN is unknown or does not name the principal acted on,
 * or anything in the management account leaves here as alert-only.
 */
import { arnLikeAny, globMatch, parseArn } from "../arn/arn-like";
import { roleKindOf } from "../arn/principal";
import type { Guardrail } from "../guardrail/guardrail";
import { rotatedKeyReaderPatterns } from "../policy/protect-exempted";
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
  | "rotated-key-reader"
  | "self"
  | "service-linked-role"
  | "identity-center-role"
  | "management-account"
  | "unknown-principal"
  | "unusable-principal-arn"
  | "unknown-management-account";

const PROTECTION_REASON: Record<Protection, string> = {
  "break-glass": "principal is a break-glass principal (breakGlassPrincipalArns): never remediated",
  approved: "principal is approved (approvedPrincipalArns): never remediated",
  tool: "principal is one of bedrock-guardrail's own roles: never remediated",
  operator: "principal is a remediation operator (remediation.operatorPrincipalArns): never remediated",
  "rotated-key-reader":
    "principal reads the rotated keys (remediation.rotatedSecretReaders), whose roles the SCP lets only break-glass " +
    "and the admins change: never remediated",
  self: "principal is the identity running this remediation: never remediated",
  "service-linked-role": "principal is a service-linked role: AWS owns it; it cannot and must not be changed",
  "identity-center-role": "principal is an IAM Identity Center role: change it through Identity Center, not IAM",
  "management-account":
    "the management account is never remediated (SCPs do not apply there and the member role is not deployed there)",
  "unknown-principal":
    "the principal ARN IAM evaluates is unknown, so approval cannot be ruled out: no automatic action",
  "unusable-principal-arn":
    "the principal ARN is not an IAM principal of this partition in the account acted in, so the name acted on " +
    "could be another principal's: no automatic action",
  "unknown-management-account":
    "the management account is unknown (set organization.managementAccountId, or allow " +
    "organizations:DescribeOrganization): no automatic action",
};

export const protectionReason = (p: Protection): string => PROTECTION_REASON[p];

/** An IAM role or user ARN: its type, path and name (the last segment; IAM paths have no empty segment). */
const IAM_PRINCIPAL = /^(role|user)\/((?:[^/]+\/)*)([^/]+)$/;

/**
 * Why the ARN cannot stand for the principal acted on in `accountId` (said of the ARN), or undefined. The
 * actions take a name (RoleName, UserName) and run in one account, and the protected patterns are
 * matched against the ARN: both are one principal only when the ARN is an IAM principal of the
 * configured partition in that very account, a role in its session-issuer form
 * (arn:<partition>:iam::<account>:role/<path/><name>). A findings file is untrusted input
 * (finding-input.ts checks this too); CloudTrail's own records always pass.
 */
export function principalArnProblem(
  partition: string,
  principalArn: string,
  accountId: string | undefined,
): string | undefined {
  const arn = parseArn(principalArn);
  if (!arn) return "is not an ARN";
  if (arn.partition !== partition) return `is in partition ${arn.partition}, not the configured ${partition}`;
  const shape =
    arn.region === "" &&
    ((arn.service === "iam" && (IAM_PRINCIPAL.test(arn.resource) || arn.resource === "root")) ||
      (arn.service === "sts" && /^federated-user\/[^/]+$/.test(arn.resource)));
  if (!shape)
    return `is not an IAM role (arn:${partition}:iam::<account>:role/<name>), user or root ARN, nor a federated user's`;
  if (!/^\d{12}$/.test(arn.account) || arn.account !== accountId)
    return `names account ${arn.account || "(none)"}, but the principal's account is ${accountId ?? "unknown"}`;
  return undefined;
}

/**
 * IAM role and user names are unique in an account whatever their path and their case, and the actions
 * address a principal by name, which IAM resolves without regard to case: a pattern protects every
 * principal of its type whose name its last segment matches in any case, in the accounts and partitions it
 * names, whatever path the ARN gives (a finding's path and case may be made up: role/x/breakglass is the
 * role BreakGlass).
 */
function protectsName(patterns: readonly string[], principalArn: string): boolean {
  const arn = parseArn(principalArn);
  const target = arn?.service === "iam" ? arn.resource.match(IAM_PRINCIPAL) : null;
  if (!arn || !target) return false;
  return patterns.some((pattern) => {
    const p = parseArn(pattern);
    const protectedName = p?.resource.match(/^(role|user)\/(?:.*\/)?([^/]+)$/);
    return (
      !!p &&
      !!protectedName &&
      protectedName[1] === target[1] &&
      globMatch(protectedName[2].toLowerCase(), target[3].toLowerCase()) &&
      globMatch(p.partition, arn.partition) &&
      globMatch(p.service, "iam") &&
      globMatch(p.account, arn.account)
    );
  });
}

const protects = (patterns: readonly string[], principalArn: string): boolean =>
  arnLikeAny(patterns, principalArn) || protectsName(patterns, principalArn);

/** Why this principal must not be acted on, or undefined when it may be. Order: most specific first. */
export function principalProtection(
  guardrail: Guardrail,
  principalArn: string | undefined,
  principalAccountId: string | undefined,
  ctx: SafetyContext,
): Protection | undefined {
  if (!principalArn) return "unknown-principal";
  const ex = guardrail.exemptions;
  if (protects(ex.breakGlass, principalArn)) return "break-glass";
  if (protects(ex.approved, principalArn)) return "approved";
  if (protects(ex.tool, principalArn)) return "tool";
  if (protects(ex.operators, principalArn)) return "operator";
  if (protects(rotatedKeyReaderPatterns(guardrail), principalArn)) return "rotated-key-reader";
  if (protects(ctx.selfArns ?? [], principalArn)) return "self";
  if (principalArnProblem(guardrail.partition, principalArn, principalAccountId ?? parseArn(principalArn)?.account))
    return "unusable-principal-arn";
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
    // A capped action is checked too: a claim an interrupted run left on it may be finished (responder.ts).
    if (!isMutating(a) || a.disposition === "off" || (a.disposition === "alert-only" && !a.capped)) return a;
    // Agreement deletion acts on the account, not on the principal; everything else acts on the principal.
    const protection =
      a.kind === "delete-agreement"
        ? (accountProtection(a.accountId, ctx) ??
          principalProtection(guardrail, a.principalArn, principalAccountId, ctx))
        : // The principal is acted on by name in a.accountId: its ARN must name that account.
          (principalProtection(guardrail, a.principalArn, a.accountId, ctx) ?? accountProtection(a.accountId, ctx));
    return protection
      ? {
          ...a,
          disposition: "alert-only",
          capped: undefined,
          reason: `${a.reason}; blocked: ${protectionReason(protection)}`,
        }
      : a;
  });
}
