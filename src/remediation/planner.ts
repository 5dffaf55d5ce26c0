/**
 * The pure planner: a finding plus the guardrail (plus run-time facts in the context) becomes an
 * ordered list of actions, each with its reason. The principal kind, the credential kind and the
 * access key come from the finding, which took them from the CloudTrail record through
 * resolvePrincipal(); nothing here guesses from strings beyond taking the name out of an IAM ARN.
 */
import { createHash } from "node:crypto";
import { parseArn } from "../arn/arn-like";
import { credentialKindOf } from "../arn/principal";
import type { Finding } from "../detection/finding";
import { type Guardrail, TOOL_ROLE_PREFIX, toolRoleArn } from "../guardrail/guardrail";
import { BEDROCK_API_KEY_SERVICE_NAME } from "../policy/statements";
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

function fillSecretName(template: string, values: { account: string; user: string; accessKeyId: string }): string {
  return template.replace(/\{(account|user|accessKeyId)\}/g, (_, k: keyof typeof values) => values[k]);
}

/**
 * Who may read a rotated key's secret (its resource policy and its KMS key policy name them):
 * remediation.rotatedSecretReaders, or by default this tool's roles in the security account (when
 * aws.security.accountId is known) and the remediation operators.
 */
function secretReaders(guardrail: Guardrail): string[] {
  const configured = guardrail.config.remediation.rotatedSecretReaders;
  if (configured.length > 0) return [...configured];
  const security = guardrail.config.aws.security.accountId;
  const responders = security
    ? [toolRoleArn(`${TOOL_ROLE_PREFIX}*`, { partition: guardrail.partition, accountId: security })]
    : [];
  return [...new Set([...responders, ...guardrail.exemptions.operators])];
}

/** Service-specific credential ids start with ACCA (IAM's unique-id prefixes); anything else names no credential. */
const SERVICE_CREDENTIAL_ID = /^ACCA[A-Z0-9]{8,}$/;

interface Draft {
  kind: ActionKind;
  accountId: string;
  region?: string;
  target: string;
  reason: string;
  params?: ActionParams;
  steps?: string[];
}

/**
 * Deactivate the Bedrock API key that made the call: the exact credential when the record carries
 * its id, otherwise every Bedrock credential of the user (scoped to bedrock.amazonaws.com, so the
 * user's access keys and other services' credentials keep working).
 */
function serviceCredentialDraft(account: string, userName: string, keyId: string | undefined): Draft {
  const exact = keyId && SERVICE_CREDENTIAL_ID.test(keyId) ? keyId : undefined;
  return {
    kind: "deactivate-service-credentials",
    accountId: account,
    target: exact ?? userName,
    reason: exact
      ? `deactivate the Bedrock API key ${exact} of ${userName} that made the call (only that credential)`
      : `deactivate every Bedrock API key of ${userName} (service-specific credentials for ` +
        `${BEDROCK_API_KEY_SERVICE_NAME}): the record does not say which one made the call; the user's access ` +
        "keys, password and other services' credentials are untouched",
    params: {
      userName,
      serviceName: BEDROCK_API_KEY_SERVICE_NAME,
      ...(exact ? { serviceSpecificCredentialId: exact } : {}),
    },
  };
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
    const apiKey = g.credential_kind;
    if (apiKey === "bedrock-api-key-long-term" || apiKey === "bedrock-api-key") {
      drafts.push(serviceCredentialDraft(account, userName, key));
      // A long-term API key is its own credential: no session, password or access key is involved,
      // and an aws:TokenIssueTime deny would not stop it.
      if (apiKey === "bedrock-api-key-long-term") return drafts;
    }
    // A short-term API key is pre-signed with the user's own credentials: contain those.
    const signing = apiKey.startsWith("bedrock-api-key") ? credentialKindOf("IAMUser", key) : apiKey;
    if (signing === "long-term-key" && key?.startsWith("AKIA")) {
      drafts.push({
        kind: "deactivate-key",
        accountId: account,
        target: key,
        reason:
          `deactivate the access key ${key} that made the call (only that key; the user's other keys are ` +
          "untouched)",
        params: { userName, accessKeyId: key },
      });
      if (r.accessKey === "rotate") {
        const secretName = fillSecretName(r.rotatedSecretName, { account, user: userName, accessKeyId: key });
        const readers = secretReaders(guardrail);
        drafts.push(
          readers.length > 0
            ? {
                kind: "rotate-key",
                accountId: account,
                target: userName,
                reason:
                  `rotate, last: once ${key} is inactive, create a replacement key for ${userName} and store it ` +
                  `in Secrets Manager as ${secretName}, readable only by ${readers.join(", ")} (refused if the ` +
                  "user already has two keys)",
                params: { userName, accessKeyId: key, secretName, secretReaders: readers },
              }
            : manual(
                "rotation skipped: nobody could read the new key's secret (set remediation.rotatedSecretReaders, " +
                  `or aws.security.accountId); create a replacement key for ${userName} by hand if it is needed`,
              ),
        );
      }
    } else if (signing === "session") {
      drafts.push(
        manual(
          `the call used session ${key ?? "(unknown)"} of IAM user ${userName}; the long-term key that minted ` +
            "it is not in the record",
        ),
      );
    } else if (apiKey === "bedrock-api-key-short-term" || apiKey === "bedrock-api-key") {
      drafts.push(
        manual(
          `a Bedrock API key of IAM user ${userName} made the call and the record names no signing key: ` +
            "review the user's access keys (a short-term key dies with the key or session that signed it)",
        ),
      );
    } else {
      drafts.push(
        manual(
          `IAM user ${userName} without an access key in the record (console sign-in?): reset its password ` +
            "and review its keys",
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
  const who = g.actor ? `${g.actor} made the call` : undefined;
  const reason = [why[g.principal_kind] ?? "no principal IAM can act on", who].filter(Boolean).join("; ");
  return [manual(`${reason}: manual steps only`)];
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
  // Only rules whose definition asks for a response get one; the others alert only.
  const rule = guardrail.rules.find((x) => x.id === finding.rule.id);
  if (!rule?.remediate)
    return nothing(`rule ${finding.rule.id} alerts only: its definition asks for no remediation (remediate: false)`);
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
  // Containment first, rotation last: a fresh key is only handed out once the offending one is
  // inactive and the sessions are revoked (the executor checks the key's status again).
  const ordered = [...drafts.filter((d) => d.kind !== "rotate-key"), ...drafts.filter((d) => d.kind === "rotate-key")];
  const planned = enforceSafety(guardrail, ordered.map(build), g.principal_account_id, ctx);
  return applyCaps(planned, ctx.budget ?? { run: r.maxActionsPerRun, principal: r.maxActionsPerPrincipalPerHour });
}
