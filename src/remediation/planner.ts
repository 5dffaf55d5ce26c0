/**
 * The pure planner: a finding plus the guardrail (plus run-time facts in the context) becomes an
 * ordered list of actions, each with its reason. The principal kind, the credential kind and the
 * access key come from the finding, which took them from the CloudTrail record through
 * resolvePrincipal(); nothing here guesses from strings beyond taking the name out of an IAM ARN.
 */
import { createHash } from "node:crypto";
import { parseArn } from "../arn/arn-like";
import type { Finding } from "../detection/finding";
import type { Guardrail } from "../guardrail/guardrail";
import { manualSteps } from "./manual-steps";
import { enforceSafety, principalProtection, protectionReason, type SafetyContext } from "./safety";
import {
  type ActionKind,
  type ActionParams,
  API_OF,
  type Disposition,
  isMutating,
  type PlannedAction,
  type RemediationMode,
} from "./types";

export interface PlanContext extends SafetyContext {
  /** When the actions run: the session-revocation cutoff is now + sessionRevocationMarginSeconds. */
  now: Date;
  /** Mode of each account where an action runs, resolved by the caller (overrides, OUs); default remediation.mode. */
  modes?: Record<string, RemediationMode>;
  /** Mutating actions still allowed this run and for this principal this hour; default the configured caps. */
  budget?: { run: number; principal: number };
}

/**
 * The agreement is only deleted for the event that created it: deleting on any other event could remove an agreement an
 * approved principal made.
 */
const AGREEMENT_EVENT = "CreateFoundationModelAgreement";
export const REVOCATION_POLICY_NAME = "AWSRevokeOlderSessions";

export function actionIdOf(
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
export function iamNameOf(arn: string | undefined, type: "user" | "role"): string | undefined {
  const resource = arn ? parseArn(arn)?.resource : undefined;
  if (!resource?.startsWith(`${type}/`)) return undefined;
  const name = resource.slice(resource.lastIndexOf("/") + 1);
  return name || undefined;
}

export function fillSecretName(
  template: string,
  values: { account: string; user: string; accessKeyId: string },
): string {
  return template.replace(/\{(account|user|accessKeyId)\}/g, (_, k: keyof typeof values) => values[k]);
}

interface Draft {
  kind: ActionKind;
  accountId: string;
  region?: string;
  target: string;
  reason: string;
  params?: ActionParams;
  steps?: string[];
}

function principalDrafts(finding: Finding, guardrail: Guardrail, ctx: PlanContext): Draft[] {
  const g = finding.guardrail;
  const r = guardrail.remediation;
  const account = g.principal_account_id ?? finding.cloud.account.id ?? "unknown";
  const key = finding.aws.cloudtrail.user_identity.access_key_id;
  const eventTime = finding["@timestamp"];
  const cutoff = new Date(ctx.now.getTime() + r.sessionRevocationMarginSeconds * 1000).toISOString();
  const manual = (reason: string): Draft => ({
    kind: "manual",
    accountId: account,
    target: g.principal_arn ?? finding.aws.cloudtrail.user_identity.arn ?? g.principal_kind,
    reason,
    steps: manualSteps(finding),
  });

  if (g.principal_kind === "iam-user") {
    const userName = iamNameOf(g.principal_arn, "user");
    if (!userName) return [manual("IAM user without a user ARN: the user cannot be identified safely")];
    const drafts: Draft[] = [];
    if (g.credential_kind === "long-term-key" && key?.startsWith("AKIA")) {
      if (r.accessKey === "rotate") {
        const secretName = fillSecretName(r.rotatedSecretName, { account, user: userName, accessKeyId: key });
        drafts.push({
          kind: "rotate-key",
          accountId: account,
          target: userName,
          reason:
            `rotate: create a replacement key for ${userName} and store it in Secrets Manager as ${secretName} ` +
            `(refused if the user already has two keys)`,
          params: { userName, accessKeyId: key, secretName },
        });
      }
      drafts.push({
        kind: "deactivate-key",
        accountId: account,
        target: key,
        reason:
          `deactivate the access key ${key} that made the call (only that key; the user's other keys are ` +
          `untouched)`,
        params: { userName, accessKeyId: key },
      });
    } else if (g.credential_kind === "session") {
      drafts.push(
        manual(
          `the call used session ${key ?? "(unknown)"} of IAM user ${userName}; the long-term key that minted it is ` +
            `not in the record`,
        ),
      );
    } else {
      drafts.push(
        manual(
          `IAM user ${userName} without an access key in the record (console sign-in?): reset its password and ` +
            `review its keys`,
        ),
      );
    }
    if (r.revokeSessions) {
      drafts.push({
        kind: "revoke-user-sessions",
        accountId: account,
        target: userName,
        reason:
          `deny everything to sessions minted from ${userName}'s keys before ${cutoff} (inline policy ` +
          `${REVOCATION_POLICY_NAME}, DateLessThan aws:TokenIssueTime)`,
        params: { userName, cutoff, eventTime },
      });
    }
    return drafts;
  }
  if (g.principal_kind === "role") {
    const roleName = iamNameOf(g.principal_arn, "role");
    if (!roleName)
      return [
        manual(
          "assumed role whose role ARN (sessionIssuer) is not in the record: the SCP's view of the principal cannot " +
            "be reproduced",
        ),
      ];
    if (!r.revokeSessions) return [manual("revokeSessions is false: revoke the role's sessions by hand if needed")];
    return [
      {
        kind: "revoke-role-sessions",
        accountId: account,
        target: roleName,
        reason:
          `deny everything to sessions of role ${roleName} issued before ${cutoff} (inline policy ` +
          `${REVOCATION_POLICY_NAME}, merged so the cutoff never moves earlier)`,
        params: { roleName, cutoff, eventTime },
      },
    ];
  }
  const why: Record<string, string> = {
    "identity-center-role": "IAM Identity Center roles cannot be changed with IAM",
    "service-linked-role": "service-linked roles cannot be changed and their sessions cannot be revoked",
    "aws-service": "an AWS service principal made the call",
    root: "the root user cannot be remediated by API",
    "federated-user": "federated-user sessions are controlled through the IAM user that created them",
  };
  return [manual(`${why[g.principal_kind] ?? "no principal IAM can act on"}: manual steps only`)];
}

function agreementDraft(finding: Finding, guardrail: Guardrail): Draft | undefined {
  const r = guardrail.remediation;
  const modelId = finding.guardrail.model_id;
  const account = finding.cloud.account.id;
  const region = finding.cloud.region;
  if (finding.event.action !== AGREEMENT_EVENT || !r.deleteAgreement || !modelId || !account || !region)
    return undefined;
  return {
    kind: "delete-agreement",
    accountId: account,
    region,
    target: modelId,
    reason:
      `delete the agreement for ${modelId} accepted in ${account} ${region} (no agreement = already done; the ` +
      `SCP prevents re-enablement)`,
    params: { modelId },
  };
}

function dispositionOf(kind: ActionKind, mode: RemediationMode): Disposition {
  if (mode === "off") return "off";
  if (kind === "manual") return "manual";
  if (kind === "none") return "none";
  return mode === "enforce" ? "execute" : "dry-run";
}

/** Mutating actions that would execute beyond the budget become alert-only, in plan order. */
export function applyCaps(actions: PlannedAction[], budget: { run: number; principal: number }): PlannedAction[] {
  let used = 0;
  const limit = Math.max(0, Math.min(budget.run, budget.principal));
  return actions.map((a) => {
    if (!isMutating(a) || a.disposition !== "execute") return a;
    if (used < limit) {
      used++;
      return a;
    }
    const which = budget.run <= budget.principal ? "maxActionsPerRun" : "maxActionsPerPrincipalPerHour";
    return { ...a, disposition: "alert-only", reason: `${a.reason}; not executed: ${which} reached (alert only)` };
  });
}

export function planRemediation(finding: Finding, guardrail: Guardrail, ctx: PlanContext): PlannedAction[] {
  const findingId = finding.event.id;
  const g = finding.guardrail;
  const principalArn = g.principal_arn;
  const r = guardrail.remediation;
  const eventAccount = finding.cloud.account.id ?? g.principal_account_id ?? "unknown";
  const modeOf = (account: string): RemediationMode => ctx.modes?.[account] ?? r.mode;
  const build = (d: Draft): PlannedAction => {
    const mode = modeOf(d.accountId);
    return {
      actionId: actionIdOf(findingId, d.kind, d.accountId, d.region, d.target),
      findingId,
      kind: d.kind,
      api: API_OF[d.kind],
      accountId: d.accountId,
      region: d.region,
      target: d.target,
      principalArn,
      mode,
      disposition: dispositionOf(d.kind, mode),
      reason: d.reason,
      params: d.params ?? {},
      ...(d.steps ? { steps: d.steps } : {}),
    };
  };
  const nothing = (reason: string): PlannedAction[] => [
    build({
      kind: "none",
      accountId: eventAccount,
      region: finding.cloud.region,
      target: principalArn ?? g.principal_kind,
      reason,
    }),
  ];

  // Decided again with this guardrail (the finding may come from a run with another config).
  const protection = principalProtection(guardrail, principalArn, g.principal_account_id, ctx);
  if (protection === "approved" || protection === "break-glass" || protection === "tool" || protection === "self")
    return nothing(protectionReason(protection));
  if (finding.event.outcome !== "success")
    return nothing(
      `the call was denied (${finding.event.error_code ?? "error"}): nothing was enabled; the alert is the response`,
    );

  const drafts = principalDrafts(finding, guardrail, ctx);
  const agreement = agreementDraft(finding, guardrail);
  if (agreement) {
    if (r.regions.length > 0 && !r.regions.includes(agreement.region!)) {
      drafts.push({
        ...agreement,
        kind: "manual",
        reason:
          `region ${agreement.region} is not in remediation.regions: delete the agreement for ` +
          `${agreement.target} by hand`,
        steps: [
          `In account ${agreement.accountId}, region ${agreement.region}: aws bedrock ` +
            `delete-foundation-model-agreement --model-id ${agreement.target}`,
        ],
      });
    } else drafts.push(agreement);
  }
  const planned = enforceSafety(guardrail, drafts.map(build), g.principal_account_id, ctx);
  return applyCaps(planned, ctx.budget ?? { run: r.maxActionsPerRun, principal: r.maxActionsPerPrincipalPerHour });
}
