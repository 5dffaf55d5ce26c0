/**
 * What the job remembers between runs, as an interface so the core is tested without DynamoDB.
 *
 * Per event (key `event#<eventId>`), a status that only moves forward:
 *   (absent) --claim--> pending --publish ok--> published --responder ok--> done
 * A claim atomically adds the finding to the job's pending list (`job#<job>` / `pending#...`), and
 * `complete` atomically marks it done and removes it from the list. So "not done" <=> "in the
 * pending list", and a run that crashes anywhere leaves the finding in the list for the next run.
 * A processor holds a lease on the event while it publishes, so two overlapping runs (the
 * scheduler may deliver twice) never publish the same finding; a crashed holder's lease expires.
 *
 * With Security Hub on, the claim also adds the finding to the job's export queue
 * (`job#<job>` / `export#...`) in the same atomic write, and the entry leaves the queue only when
 * Security Hub accepted it. The queue is independent of the alert states above: Security Hub being
 * down delays neither the alert nor the responder, and an alert failure does not hold the export.
 */
import type { Finding } from "../../detection/finding";

export type EventStatus = "pending" | "published" | "done";

export interface PendingItem {
  eventId: string;
  /** ISO event time; the pending list is ordered by it (oldest first). */
  eventTime: string;
  finding: Finding;
}

export type ClaimResult = "new" | "duplicate";

/** A finding waiting for Security Hub, with how often Security Hub has refused it so far. */
export interface ExportItem {
  eventId: string;
  eventTime: string;
  finding: Finding;
  attempts: number;
  lastError?: string;
}

export interface ClaimOptions {
  /** Also queue the finding for Security Hub (monitor.securityHub.enabled), atomically with the claim. */
  export?: boolean;
}

export interface StateStore {
  getWatermark(job: string): Promise<string | undefined>;
  /** Moves the watermark forward to `to`; never backwards (an overlapping run may have gone further). */
  advanceWatermark(job: string, to: string): Promise<void>;
  /** Records a finding once: "new" adds it to the job's pending list; "duplicate" means some run already has it. */
  claim(job: string, finding: Finding, options?: ClaimOptions): Promise<ClaimResult>;
  /** Every pending item of the job, oldest first (consistent read, all pages). */
  listPending(job: string): Promise<PendingItem[]>;
  /**
   * Takes the event's lease until `leaseUntil` (ISO) if it is not done and nobody else holds an
   * unexpired lease; returns its status, or undefined when someone else has it (or it is done).
   */
  lease(
    eventId: string,
    owner: string,
    now: string,
    leaseUntil: string,
  ): Promise<Exclude<EventStatus, "done"> | undefined>;
  /** pending -> published, only by the lease owner. */
  markPublished(eventId: string, owner: string): Promise<void>;
  /** -> done and out of the pending list, in one atomic write. `expiresAt` is the dedupe record's TTL (epoch s). */
  complete(job: string, item: PendingItem, owner: string, expiresAt: number): Promise<void>;
  /** Gives the lease back after a failure so the next run need not wait for it to expire. Best effort. */
  release(eventId: string, owner: string): Promise<void>;
  /** The job's export queue, oldest first (consistent read, all pages). */
  listExports(job: string): Promise<ExportItem[]>;
  /** Security Hub accepted it: out of the queue. Idempotent. */
  completeExport(job: string, item: ExportItem): Promise<void>;
  /** Security Hub refused it: stays queued, attempts + 1, the reason kept for the run summary. */
  recordExportFailure(job: string, item: ExportItem, error: string): Promise<void>;
  /** Last drift fingerprint alerted on ("" when none), so a persisting drift alerts once, not every run. */
  getDriftFingerprint(job: string): Promise<string | undefined>;
  setDriftFingerprint(job: string, fingerprint: string): Promise<void>;
}

/** Sort key of a pending item: ordered by event time, unique by event id. */
export function pendingSortKey(eventTime: string, eventId: string): string {
  return `pending#${eventTime}#${eventId}`;
}

/** Sort key of an export queue entry: ordered by event time, unique by event id. */
export function exportSortKey(eventTime: string, eventId: string): string {
  return `export#${eventTime}#${eventId}`;
}
