/**
 * Interfaces between the monitor (src/runtime) and the responder (src/remediation), so each side
 * can be built and tested alone. The monitor owns when a finding is new; the responder owns what
 * is done about it.
 */
import type { Finding } from "../detection/finding";
import type { RemediationMode } from "../guardrail/definition";

/** One remediation step as recorded and reported (Cloud Custodian's ok / skip / error per resource). */
export interface ActionOutcome {
  actionId: string;
  findingId: string;
  accountId: string;
  region?: string;
  /** e.g. iam:UpdateAccessKey, iam:PutRolePolicy, bedrock:DeleteFoundationModelAgreement, or manual */
  api: string;
  target: string;
  mode: RemediationMode;
  status: "planned" | "ok" | "already-done" | "skipped" | "error" | "manual";
  reason: string;
  /** An error after which something was changed all the same (a failure partway): undo can reverse that part. */
  changed?: boolean;
}

export interface ResponseReport {
  findingId: string;
  outcomes: ActionOutcome[];
  /**
   * Set when another responder holds part of this finding's response (one of its actions, or its
   * follow-up message) and this one left that part alone: why. The finding is not finished; the monitor
   * releases it and responds again in a later run (which finds the work done, or takes the claim over
   * once its lease has ended), and goes on with the other findings meanwhile.
   */
  heldElsewhere?: string;
}

/**
 * Called by the monitor once for each finding after it has been published. Must be idempotent on
 * finding.event.id: a crash and re-run repeats nothing that already happened and completes the rest.
 * Must not throw for per-action failures (those are outcomes), nor when another responder holds part
 * of the response (heldElsewhere); throws only when it could not record its own progress, so the monitor
 * keeps the finding for the next run.
 */
export interface FindingResponder {
  respond(finding: Finding): Promise<ResponseReport>;
  /**
   * Why the responder cannot act on this finding, asked before its alert: a field the planner reads is missing or
   * malformed (a finding no detection wrote: the state table's items are input like any other). The monitor then
   * alerts it, saying why no response follows, and never calls `respond` with it. Undefined when it can.
   */
  unfitReason?(finding: Finding): string | undefined;
}

/** Per-protocol text: e-mail subscribers get `email` instead of the machine-readable body. */
export interface MessageVariants {
  email?: string;
}

/** Sends a message to the alert topic (SNS). Subject at most 100 characters; body at most 256 KiB. */
export interface Notifier {
  publish(
    subject: string,
    body: string,
    attributes?: Record<string, string>,
    variants?: MessageVariants,
  ): Promise<void>;
}

/**
 * The DynamoDB state table is shared, single-table design: partition key `pk` (S), sort key `sk`
 * (S), TTL attribute `expiresAt` (epoch seconds; expired items can linger ~2 days, so no logic may
 * rely on TTL deletion). Key prefixes: the monitor uses `pk = "job#<jobName>"` (watermark, carry-over)
 * and `pk = "event#<eventId>"` (dedupe); the responder uses `pk = "action#<actionId>"`,
 * `pk = "followup#<findingId>"` (follow-up messages), `pk = "target#<accountId>#<kind>#<target>"` (the
 * actions done on one target) and `pk = "principal#<principalArn>"` (rate caps).
 */
export const STATE_TABLE_KEYS = { partitionKey: "pk", sortKey: "sk", ttlAttribute: "expiresAt" } as const;
