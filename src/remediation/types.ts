/**
 * The planner's output: what would be done about one finding, in order, each with its reason.
 * Pure data, so the plan can be printed, attached to the alert and recorded before anything runs.
 */
import type { RemediationMode } from "../guardrail/definition";

export type { RemediationMode };

export type ActionKind =
  /** iam:UpdateAccessKey Status=Inactive on the offending long-term key. */
  | "deactivate-key"
  /**
   * iam:UpdateServiceSpecificCredential Status=Inactive on the user's Bedrock API key(s) (long-term
   * keys are service-specific credentials for bedrock.amazonaws.com): the one that made the call when
   * the record identifies it, otherwise every Bedrock credential of the user (and nothing else).
   */
  | "deactivate-service-credentials"
  /**
   * iam:CreateAccessKey for the user, secret stored in Secrets Manager under a resource policy and a
   * customer-managed KMS key. Always the last action of a plan, and only once the offending key is inactive.
   */
  | "rotate-key"
  /** iam:PutUserPolicy AWSRevokeOlderSessions: sessions minted from the user's keys before the cutoff die. */
  | "revoke-user-sessions"
  /** iam:PutRolePolicy AWSRevokeOlderSessions: role sessions issued before the cutoff die. */
  | "revoke-role-sessions"
  /** bedrock:DeleteFoundationModelAgreement in the event's account and region. */
  | "delete-agreement"
  /** Steps only a person can take (Identity Center, root, service-linked roles, ...). */
  | "manual"
  /** Nothing to do (approved principal, denied attempt); kept so every finding shows up in the output. */
  | "none";

/** Kinds that change something in an AWS account. Dry-run and caps are about exactly these. */
const MUTATING_KINDS: ReadonlySet<ActionKind> = new Set([
  "deactivate-key",
  "deactivate-service-credentials",
  "rotate-key",
  "revoke-user-sessions",
  "revoke-role-sessions",
  "delete-agreement",
]);

export const API_OF: Record<ActionKind, string> = {
  "deactivate-key": "iam:UpdateAccessKey",
  "deactivate-service-credentials": "iam:UpdateServiceSpecificCredential",
  "rotate-key": "iam:CreateAccessKey",
  "revoke-user-sessions": "iam:PutUserPolicy",
  "revoke-role-sessions": "iam:PutRolePolicy",
  "delete-agreement": "bedrock:DeleteFoundationModelAgreement",
  manual: "manual",
  none: "none",
};

/**
 * What the responder does with a planned action:
 * - execute: call AWS (mode enforce, within the caps, not protected)
 * - dry-run: report only (mode dry-run)
 * - off: nothing, not even reported as planned (mode off)
 * - alert-only: would execute, but a cap or a safety rule stops it; the alert says why
 * - manual: a person must act; the steps are in `steps`
 * - none: nothing to do
 */
export type Disposition = "execute" | "dry-run" | "off" | "alert-only" | "manual" | "none";

export interface ActionParams {
  userName?: string;
  accessKeyId?: string;
  roleName?: string;
  modelId?: string;
  /** ISO-8601: tokens issued before this instant are denied (revoke-* kinds). */
  cutoff?: string;
  /** ISO-8601: the offending call; a revocation whose cutoff is later already covers it. */
  eventTime?: string;
  /** Secrets Manager name for a rotated key. */
  secretName?: string;
  /** ArnLike patterns of who may read the rotated key's secret (its resource policy and KMS key policy name them). */
  secretReaders?: string[];
  /** deactivate-service-credentials: the service the credentials are for (bedrock.amazonaws.com). */
  serviceName?: string;
  /** deactivate-service-credentials: the exact credential, when the record identifies it. */
  serviceSpecificCredentialId?: string;
}

export interface PlannedAction {
  /** Deterministic: the same finding planned again yields the same ids, which is what makes re-runs idempotent. */
  actionId: string;
  findingId: string;
  kind: ActionKind;
  api: string;
  /** Account where the call runs. */
  accountId: string;
  region?: string;
  /** Access key id, user name, role name or model id. */
  target: string;
  /** The principal the finding is about (aws:PrincipalArn), for caps and audit. */
  principalArn?: string;
  mode: RemediationMode;
  disposition: Disposition;
  reason: string;
  params: ActionParams;
  /** For manual actions: exact steps for a person. */
  steps?: string[];
}

export const isMutating = (a: Pick<PlannedAction, "kind">): boolean => MUTATING_KINDS.has(a.kind);
