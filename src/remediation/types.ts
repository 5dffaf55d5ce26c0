/**
 * The planner's output: what would be done about one finding, in order, each with its reason.
 * Pure data, so the plan can be printed, attached to the alert and recorded before anything runs.
 */
import type { RemediationMode } from "../guardrail/definition";

export type { RemediationMode };

/**
 * Each action's exact parameters, by kind. What each does, how it is planned, executed, undone and
 * which permissions it needs lives in its module under ./actions/ (registered in ./actions/index.ts).
 */
export interface ActionParamsOf {
  /** iam:UpdateAccessKey Status=Inactive on the offending long-term key. */
  "deactivate-key": { userName: string; accessKeyId: string };
  /**
   * iam:UpdateServiceSpecificCredential Status=Inactive on the user's Bedrock API key(s) (long-term
   * keys are service-specific credentials for bedrock.amazonaws.com): the one that made the call when
   * the record identifies it (`serviceSpecificCredentialId`), otherwise every Bedrock credential of the user.
   */
  "deactivate-service-credentials": { userName: string; serviceName: string; serviceSpecificCredentialId?: string };
  /**
   * iam:CreateAccessKey for the user, secret stored in Secrets Manager as `secretName` under a resource
   * policy naming `secretReaders` (ArnLike patterns) and a customer-managed KMS key. Always the last
   * action of a plan, and only once the offending key (`accessKeyId`) is inactive.
   */
  "rotate-key": { userName: string; accessKeyId: string; secretName: string; secretReaders: string[] };
  /**
   * iam:PutUserPolicy AWSRevokeOlderSessions: sessions minted from the user's keys before `cutoff` die.
   * `eventTime` is the offending call: a revocation whose cutoff is later already covers it.
   */
  "revoke-user-sessions": { userName: string; cutoff: string; eventTime?: string };
  /** iam:PutRolePolicy AWSRevokeOlderSessions: role sessions issued before `cutoff` die. */
  "revoke-role-sessions": { roleName: string; cutoff: string; eventTime?: string };
  /** bedrock:DeleteFoundationModelAgreement in the event's account and region. */
  "delete-agreement": { modelId: string };
  /**
   * Steps only a person can take (Identity Center, root, service-linked roles, ...): they are in `steps`.
   * `modelId`: the agreement to delete by hand, when its region is outside remediation.regions.
   */
  manual: { modelId?: string };
  /** Nothing to do (approved principal, denied attempt); kept so every finding shows up in the output. */
  none: Record<string, never>;
}

export type ActionKind = keyof ActionParamsOf;

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

interface PlannedActionFields {
  /** Deterministic: the same finding planned again yields the same ids, which is what makes re-runs idempotent. */
  actionId: string;
  findingId: string;
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
  /**
   * Alert-only only because a cap was reached (the plan would execute it otherwise): a claim an
   * interrupted run left on it may still be finished (its run had reserved under the caps).
   */
  capped?: boolean;
  reason: string;
  /** For manual actions: exact steps for a person. */
  steps?: string[];
}

/** One planned action of kind K, with exactly that kind's parameters. */
export type ActionOf<K extends ActionKind> = PlannedActionFields & { kind: K; params: ActionParamsOf[K] };

/** A planned action: a union discriminated by `kind`, so a switch over it is checked for every kind. */
export type PlannedAction = { [K in ActionKind]: ActionOf<K> }[ActionKind];

/** For the `default:` of a switch over every kind: the compiler fails when a kind is not handled. */
export function unhandledKind(action: never): never {
  throw new Error(`unhandled remediation action kind ${JSON.stringify((action as { kind?: unknown }).kind)}`);
}

/** What the planner decides for one action of kind K, before ids, mode and disposition are added. */
export interface DraftOf<K extends ActionKind> {
  kind: K;
  accountId: string;
  region?: string;
  target: string;
  reason: string;
  params: ActionParamsOf[K];
  steps?: string[];
}

export type Draft = { [K in ActionKind]: DraftOf<K> }[ActionKind];

/** What became of one executed action. */
export interface ExecutionResult {
  status: "ok" | "already-done" | "skipped" | "error";
  reason: string;
  before?: unknown;
  /**
   * The state it left. On an error, only when it changed something before it failed (an action of several
   * calls): what it changed so far, which the record keeps for a retry and for undo (changedBeforeFailing).
   */
  after?: unknown;
  /**
   * The role or user its calls named, as IAM gave it just before them (real-principal.ts): `undo` acts only while
   * IAM still gives that principal for the name.
   */
  actedOn?: { arn: string; id?: string };
}

/** An error after which something had changed (its `after` says what): a retry continues it, undo reverses it. */
export const changedBeforeFailing = (r: { status: string; after?: unknown }): boolean =>
  r.status === "error" && r.after !== undefined;
