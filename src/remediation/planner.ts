/**
 * The pure planner: a finding plus the guardrail (plus run-time facts in the context) becomes an
 * ordered list of actions, each with its reason. The principal kind, the credential kind and the
 * access key come from the finding, which took them from the CloudTrail record through
 * resolvePrincipal(); nothing here guesses from strings beyond taking the name out of an IAM ARN.
 */
import { createHash } from "node:crypto";
import { parseArn } from "../arn/arn-like";
import { BEDROCK_API_KEY_USER_PREFIX, credentialKindOf } from "../arn/principal";
import type { Finding } from "../detection/finding";
import { type Guardrail, ruleRemediates } from "../guardrail/guardrail";
import { ACTIONS, isMutating } from "./actions";
import { deactivateKeyDraft } from "./actions/deactivate-key";
import { serviceCredentialDraft } from "./actions/deactivate-service-credentials";
import { agreementDraft } from "./actions/delete-agreement";
import { type IamUserCase, manualDraft } from "./actions/manual";
import { noneDraft } from "./actions/none";
import { revokeRoleSessionsDraft } from "./actions/revoke-role-sessions";
import { revokeUserSessionsDraft } from "./actions/revoke-user-sessions";
import { rotateKeyDraft } from "./actions/rotate-key";
import {
  enforceSafety,
  NAME_ONLY_BLOCK,
  principalArnProblem,
  principalProtection,
  protectionByNameOnly,
  protectionReason,
  type SafetyContext,
} from "./safety";
import type { ActionKind, ActionOf, Disposition, Draft, DraftOf, PlannedAction, RemediationMode } from "./types";

export interface PlanContext extends SafetyContext {
  /** When the actions run: the session-revocation cutoff is now + sessionRevocationMarginSeconds. */
  now: Date;
  /** Mode of each account where an action runs, resolved by the caller (overrides, OUs); default remediation.mode. */
  modes?: Record<string, RemediationMode>;
  /** Mutating actions still allowed this run and for this principal this hour; default the configured caps. */
  budget?: { run: number; principal: number };
}

function actionIdOf(
  findingId: string,
  kind: ActionKind,
  accountId: string,
  region: string | undefined,
  target: string,
): string {
  const h = createHash("sha256")
    .update([findingId, kind, accountId, region ?? "", target].join("\n"))
    .digest("hex");
  return `ra-${h.slice(0, 24)}`;
}

/** The last path segment of an IAM user or role ARN is its name (UserName / RoleName take no path). */
function iamNameOf(arn: string | undefined, type: "user" | "role"): string | undefined {
  const resource = arn ? parseArn(arn)?.resource : undefined;
  if (!resource?.startsWith(`${type}/`)) return undefined;
  const name = resource.slice(resource.lastIndexOf("/") + 1);
  return name || undefined;
}

/** What every draft about the finding's principal starts from. */
interface PrincipalFacts {
  finding: Finding;
  guardrail: Guardrail;
  account: string;
  /** The access key (or credential id) in the record, if any. */
  key: string | undefined;
  eventTime: string;
  /** Tokens issued before this instant are denied by the revoke-* actions. */
  cutoff: string;
  /** Manual steps, worded for the finding's principal kind; for an IAM user, for `iamUserCase`. */
  manual(reason: string, iamUserCase?: IamUserCase): Draft;
}

/** The signing key's drafts: deactivate it (and rotate it, last), or say why a person has to act. */
function signingKeyDrafts(p: PrincipalFacts, userName: string): Draft[] {
  const { finding, guardrail, account, key } = p;
  const apiKey = finding.guardrail.credential_kind;
  // A short-term API key is pre-signed with the user's own credentials: contain those.
  const signing = apiKey.startsWith("bedrock-api-key") ? credentialKindOf("IAMUser", key) : apiKey;
  if (signing === "long-term-key" && key?.startsWith("AKIA")) {
    // A user that must have no access key at all: deactivated, never rotated (that would rebuild the attacker's
    // persistence), and a person deletes it.
    if (userName.startsWith(BEDROCK_API_KEY_USER_PREFIX))
      return [
        deactivateKeyDraft(account, userName, key),
        p.manual("a Bedrock API key's IAM user needs no access key: delete it", "api-key-user-access-key"),
      ];
    if (guardrail.remediation.accessKey !== "rotate") return [deactivateKeyDraft(account, userName, key)];
    const rotation =
      rotateKeyDraft(guardrail, account, userName, key) ??
      p.manual(
        "rotation skipped: nobody could read the new key's secret (set remediation.rotatedSecretReaders, " +
          `or aws.security.accountId); create a replacement key for ${userName} by hand if it is needed`,
        "no-rotation",
      );
    return [deactivateKeyDraft(account, userName, key), rotation];
  }
  if (signing === "session")
    return [
      p.manual(
        `the call used session ${key ?? "(unknown)"} of IAM user ${userName}; the long-term key that minted ` +
          "it is not in the record",
        "session",
      ),
    ];
  if (apiKey === "bedrock-api-key-short-term" || apiKey === "bedrock-api-key")
    return [
      p.manual(
        `a Bedrock API key of IAM user ${userName} made the call and the record names no signing key: ` +
          "review the user's access keys (a short-term key dies with the key or session that signed it)",
        "unsigned-api-key",
      ),
    ];
  return [
    p.manual(
      `IAM user ${userName} without an access key in the record (console sign-in?): reset its password ` +
        "and review its keys",
      "no-access-key",
    ),
  ];
}

function iamUserDrafts(p: PrincipalFacts): Draft[] {
  const userName = iamNameOf(p.finding.guardrail.principal_arn, "user");
  if (!userName) return [p.manual("IAM user without a user ARN: the user cannot be identified safely")];
  const apiKey = p.finding.guardrail.credential_kind;
  const drafts: Draft[] = [];
  if (apiKey === "bedrock-api-key-long-term" || apiKey === "bedrock-api-key") {
    drafts.push(serviceCredentialDraft(p.account, userName, p.key));
    // A long-term API key is its own credential: no session, password or access key is involved,
    // and an aws:TokenIssueTime deny would not stop it.
    if (apiKey === "bedrock-api-key-long-term") return drafts;
  }
  drafts.push(...signingKeyDrafts(p, userName));
  if (p.guardrail.remediation.revokeSessions)
    drafts.push(revokeUserSessionsDraft(p.account, userName, p.cutoff, p.eventTime));
  return drafts;
}

function roleDrafts(p: PrincipalFacts): Draft[] {
  const roleName = iamNameOf(p.finding.guardrail.principal_arn, "role");
  if (!roleName)
    return [
      p.manual(
        "assumed role whose role ARN (sessionIssuer) is not in the record: the SCP's view of the principal cannot " +
          "be reproduced",
      ),
    ];
  if (!p.guardrail.remediation.revokeSessions)
    return [p.manual("revokeSessions is false: revoke the role's sessions by hand if needed")];
  return [revokeRoleSessionsDraft(p.account, roleName, p.cutoff, p.eventTime)];
}

/** Why IAM cannot act on the other principal kinds; a person gets the steps. */
const NO_API_ACTION: Record<string, string> = {
  "identity-center-role": "IAM Identity Center roles cannot be changed with IAM",
  "service-linked-role": "service-linked roles cannot be changed and their sessions cannot be revoked",
  "aws-service": "an AWS service principal made the call",
  root: "the root user cannot be remediated by API",
  "federated-user": "federated-user sessions are controlled through the IAM user that created them",
};

function principalDrafts(finding: Finding, guardrail: Guardrail, ctx: PlanContext): Draft[] {
  const g = finding.guardrail;
  const account = g.principal_account_id ?? finding.cloud.account.id ?? "unknown";
  const margin = guardrail.remediation.sessionRevocationMarginSeconds * 1000;
  const facts: PrincipalFacts = {
    finding,
    guardrail,
    account,
    key: finding.aws.cloudtrail.user_identity.access_key_id,
    eventTime: finding["@timestamp"],
    cutoff: new Date(ctx.now.getTime() + margin).toISOString(),
    manual: (reason, iamUserCase) => manualDraft(finding, account, reason, iamUserCase),
  };
  // The drafts act on the ARN's last segment by name in `account`: only an ARN that names it there may say which.
  const problem = g.principal_arn && principalArnProblem(guardrail.partition, g.principal_arn, account);
  if (problem)
    return [
      facts.manual(`principal ARN ${g.principal_arn} ${problem}: it cannot be acted on safely, manual steps only`),
    ];
  if (g.principal_kind === "iam-user") return iamUserDrafts(facts);
  if (g.principal_kind === "role") return roleDrafts(facts);
  const who = g.actor ? `${g.actor} made the call` : undefined;
  const reason = [NO_API_ACTION[g.principal_kind] ?? "no principal IAM can act on", who].filter(Boolean).join("; ");
  return [facts.manual(`${reason}: manual steps only`)];
}

function dispositionOf(kind: ActionKind, mode: RemediationMode): Disposition {
  if (mode === "off") return "off";
  if (kind === "manual") return "manual";
  if (kind === "none") return "none";
  return mode === "enforce" ? "execute" : "dry-run";
}

/** Mutating actions that would execute beyond the budget become alert-only, in plan order. */
function applyCaps(actions: PlannedAction[], budget: { run: number; principal: number }): PlannedAction[] {
  let used = 0;
  const limit = Math.max(0, Math.min(budget.run, budget.principal));
  return actions.map((a) => {
    if (!isMutating(a) || a.disposition !== "execute") return a;
    if (used < limit) {
      used++;
      return a;
    }
    const which = budget.run <= budget.principal ? "maxActionsPerRun" : "maxActionsPerPrincipalPerHour";
    return {
      ...a,
      disposition: "alert-only",
      capped: true,
      reason: `${a.reason}; not executed: ${which} reached (alert only)`,
    };
  });
}

export function planRemediation(finding: Finding, guardrail: Guardrail, ctx: PlanContext): PlannedAction[] {
  const findingId = finding.event.id;
  const g = finding.guardrail;
  const principalArn = g.principal_arn;
  const r = guardrail.remediation;
  const eventAccount = finding.cloud.account.id ?? g.principal_account_id ?? "unknown";
  const modeOf = (account: string): RemediationMode => ctx.modes?.[account] ?? r.mode;
  const build = <K extends ActionKind>(d: DraftOf<K>): ActionOf<K> => {
    const mode = modeOf(d.accountId);
    return {
      actionId: actionIdOf(findingId, d.kind, d.accountId, d.region, d.target),
      findingId,
      kind: d.kind,
      api: ACTIONS[d.kind].api,
      accountId: d.accountId,
      region: d.region,
      target: d.target,
      principalArn,
      mode,
      disposition: dispositionOf(d.kind, mode),
      reason: d.reason,
      params: d.params,
      ...(d.steps ? { steps: d.steps } : {}),
    };
  };
  // build keeps each draft's kind with its own parameters; TypeScript cannot follow that through the union.
  const buildAny = build as (d: Draft) => PlannedAction;
  const nothing = (reason: string): PlannedAction[] => [
    build(noneDraft(eventAccount, finding.cloud.region, principalArn ?? g.principal_kind, reason)),
  ];

  // Decided again with this guardrail (the finding may come from a run with another config). A principal
  // protected by its name alone is planned for when the real ARN will decide before each call (ctx.realArnChecked).
  const match = ctx.realArnChecked ? "exact" : "name";
  const protection = principalProtection(guardrail, principalArn, g.principal_account_id, ctx, match);
  if (protection === "approved" || protection === "break-glass" || protection === "tool" || protection === "self") {
    const byNameOnly = protection === protectionByNameOnly(guardrail, principalArn, g.principal_account_id, ctx);
    return nothing(`${protectionReason(protection)}${byNameOnly ? ` ${NAME_ONLY_BLOCK}` : ""}`);
  }
  // Only rules whose definition asks for a response get one; the others alert only.
  if (!ruleRemediates(guardrail, finding.rule.id))
    return nothing(`rule ${finding.rule.id} alerts only: its definition asks for no remediation (remediate: false)`);
  if (finding.event.outcome !== "success")
    return nothing(
      `the call was denied (${finding.event.error_code ?? "error"}): nothing was enabled; the alert is the response`,
    );

  const drafts = principalDrafts(finding, guardrail, ctx);
  const agreement = agreementDraft(finding, guardrail);
  if (agreement) drafts.push(agreement);
  // Containment first, rotation last: a fresh key is only handed out once the offending one is
  // inactive and the sessions are revoked (the executor checks the key's status again).
  const ordered = [...drafts.filter((d) => d.kind !== "rotate-key"), ...drafts.filter((d) => d.kind === "rotate-key")];
  const planned = enforceSafety(guardrail, ordered.map(buildAny), g.principal_account_id, ctx);
  return applyCaps(planned, ctx.budget ?? { run: r.maxActionsPerRun, principal: r.maxActionsPerPrincipalPerHour });
}
