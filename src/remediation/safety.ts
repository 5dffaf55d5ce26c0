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
import { addressedPrincipal, isMutating } from "./actions";
import type { PlannedAction } from "./types";

export interface SafetyContext {
  /**
   * From config.organization.managementAccountId or Organizations DescribeOrganization; undefined when neither
   * answered.
   */
  managementAccountId?: string;
  /** Identities of this very run (the responder's role, the CLI user): never revoked by themselves. */
  selfArns?: string[];
  /**
   * The actions will be executed with the real ARN of the role or user they name read and checked first
   * (realPrincipalRefusal: remediate --execute, the responder): a pattern that protects the finding's principal
   * only by its name (another path or case) is left to that check. Otherwise (a plan that calls nothing has no
   * real ARN) the name alone blocks, and the plan says so.
   */
  realArnChecked?: boolean;
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

/**
 * How the protected patterns meet a principal ARN:
 * - "name": an ARN as a finding gives it, whose path and case may be made up: ArnLike, or the name at any path
 *   in any case (protectsName), since the actions address the principal by name;
 * - "exact": the real ARN IAM gives for that name (GetRole, GetUser): ArnLike only, path included, as the SCP
 *   evaluates it.
 */
export type PatternMatch = "name" | "exact";

const protectsIn = (patterns: readonly string[], principalArn: string, match: PatternMatch): boolean =>
  arnLikeAny(patterns, principalArn) || (match === "name" && protectsName(patterns, principalArn));

/** Why this principal must not be acted on, or undefined when it may be. Order: most specific first. */
export function principalProtection(
  guardrail: Guardrail,
  principalArn: string | undefined,
  principalAccountId: string | undefined,
  ctx: SafetyContext,
  match: PatternMatch = "name",
): Protection | undefined {
  if (!principalArn) return "unknown-principal";
  const ex = guardrail.exemptions;
  const protects = (patterns: readonly string[]) => protectsIn(patterns, principalArn, match);
  if (protects(ex.breakGlass)) return "break-glass";
  if (protects(ex.approved)) return "approved";
  if (protects(ex.tool)) return "tool";
  if (protects(ex.operators)) return "operator";
  if (protects(rotatedKeyReaderPatterns(guardrail))) return "rotated-key-reader";
  if (protects(ctx.selfArns ?? [])) return "self";
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
 * The protection a finding's principal has by its name alone (another path or case than the pattern's), or
 * undefined when its ARN as given is protected as such, or not at all.
 */
export function protectionByNameOnly(
  guardrail: Guardrail,
  principalArn: string | undefined,
  principalAccountId: string | undefined,
  ctx: SafetyContext,
): Protection | undefined {
  const byName = principalProtection(guardrail, principalArn, principalAccountId, ctx, "name");
  const exact = principalProtection(guardrail, principalArn, principalAccountId, ctx, "exact");
  return byName !== exact ? byName : undefined;
}

/** What a plan says of a protection the name alone gives: no real ARN is read unless the plan runs. */
export const NAME_ONLY_BLOCK =
  "(its name at another path or in another case: a plan that runs nothing reads no real ARN; remediate " +
  "--execute and the responder read it and decide on it)";

/** What a plan run with the real ARN checked says of such a name. */
const NAME_ONLY_LEFT_TO_REAL_ARN =
  "a protected name at another path or in another case: the real ARN is read before the call and decides";

/**
 * The last gate of every plan: a mutating action that is not explicitly allowed by both the
 * principal check and the account check becomes alert-only, with the reason. With ctx.realArnChecked, a
 * principal protected by its name alone is left to realPrincipalRefusal, which sees the real ARN.
 */
export function enforceSafety(
  guardrail: Guardrail,
  actions: PlannedAction[],
  principalAccountId: string | undefined,
  ctx: SafetyContext,
): PlannedAction[] {
  const match: PatternMatch = ctx.realArnChecked ? "exact" : "name";
  return actions.map((a) => {
    // A capped action is checked too: a claim an interrupted run left on it may be finished (responder.ts).
    if (!isMutating(a) || a.disposition === "off" || (a.disposition === "alert-only" && !a.capped)) return a;
    // Agreement deletion acts on the account, not on the principal; everything else acts on the principal.
    const protection =
      a.kind === "delete-agreement"
        ? (accountProtection(a.accountId, ctx) ??
          principalProtection(guardrail, a.principalArn, principalAccountId, ctx, match))
        : // The principal is acted on by name in a.accountId: its ARN must name that account.
          (principalProtection(guardrail, a.principalArn, a.accountId, ctx, match) ??
          accountProtection(a.accountId, ctx));
    const nameOnly = protectionByNameOnly(
      guardrail,
      a.principalArn,
      a.kind === "delete-agreement" ? principalAccountId : a.accountId,
      ctx,
    );
    // Agreement deletion names no principal, so no real ARN is read for it: nothing is left to that check.
    if (!protection)
      return nameOnly && addressedPrincipal(a) ? { ...a, reason: `${a.reason}; ${NAME_ONLY_LEFT_TO_REAL_ARN}` } : a;
    const why = `${protectionReason(protection)}${protection === nameOnly ? ` ${NAME_ONLY_BLOCK}` : ""}`;
    return { ...a, disposition: "alert-only", capped: undefined, reason: `${a.reason}; blocked: ${why}` };
  });
}

/**
 * The gate before a call that names a role or user: `realArn` is what IAM gives for that name in `accountId`
 * (GetRole, GetUser), so the protected patterns meet it exactly, path included, as the SCP does, beside the
 * other rules (management account, service-linked and Identity Center paths, the account it names). One line
 * naming the real ARN when it must not be acted on, or undefined.
 */
export function realPrincipalRefusal(
  guardrail: Guardrail,
  realArn: string,
  accountId: string,
  ctx: SafetyContext,
): string | undefined {
  const protection =
    principalProtection(guardrail, realArn, accountId, ctx, "exact") ?? accountProtection(accountId, ctx);
  return protection && `refused on the real ARN ${realArn}: ${protectionReason(protection)}`;
}
