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
 * A finding may name aliases (a sequence's completing event, claimAliases): the claim takes them
 * in the same atomic write and is a duplicate when any of them is taken already, whatever the
 * finding's own id; `complete` gives them the dedupe record's TTL, so they last as long as it does.
 *
 * With Security Hub on, the claim also adds the finding to the job's export queue
 * (`job#<job>` / `export#...`) in the same atomic write, and the entry leaves the queue only when
 * Security Hub accepted it. The queue is independent of the alert states above: Security Hub being
 * down delays neither the alert nor the responder, and an alert failure does not hold the export.
 *
 * New-term rules' baselines: per job, one entry per (rule, group, value) pair seen, with the last
 * time it was seen and a TTL of that time plus the rule's baseline window (so the store holds only
 * pairs seen within the window and forgets the rest by itself), and one marker per rule once its
 * first run has learned (before that, the rule's first uses are learned, not alerted).
 */
import type { Finding } from "../../detection/finding";

/**
 * The drift check's memory of its coverage (runtime/drift.ts): the accounts under the targets with the target each
 * was under, those of them that left (reported until they are back or released; null: out of the organization),
 * and when the organization was last listed.
 */
export interface CoverageMemory {
  accounts: Record<string, string>;
  departed: Record<string, string | null>;
  listedAt: string;
}

export type EventStatus = "pending" | "published" | "done";

export interface PendingItem {
  eventId: string;
  /** ISO event time; the pending list is ordered by it (oldest first). */
  eventTime: string;
  finding: Finding;
  /**
   * Why no run may hand this finding to the responder (the realtime function's decision at the claim, e.g. a principal
   * outside the organization): whichever run drains it alerts only. Absent: the responder decides.
   */
  alertOnly?: string;
  /** The aliases the claim took (ClaimOptions.aliases), for `complete` to give them the dedupe record's TTL. */
  aliases?: string[];
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
  /** Alert only, never respond, and why: stored with the pending item (PendingItem.alertOnly). */
  alertOnly?: string;
  /**
   * Other keys of the same finding (claimAliases): the claim is a duplicate when any of them (or the finding's id) is
   * taken already, and takes them all otherwise. Aliases are their own key space, apart from finding ids.
   */
  aliases?: readonly string[];
  /**
   * A first use's new-term pair, recorded (as recordSeen records it) in the same atomic write as the claim: a claimed
   * first use always has its pair known, so an earlier use of the pair that arrives late is no first use of its own,
   * whatever the run does next. A pair stored with a later last-seen time stays as it is and the claim is still new,
   * unless the pair says since when it must be unseen (FirstUsePair.unseenSinceMs).
   * A duplicate of the finding's own id (not of an alias only) writes the pair on its own, under recordSeen's
   * condition, best effort: the claim it duplicates may have been made without one (by a release before claims carried
   * pairs).
   */
  pair?: FirstUsePair;
}

/**
 * A first use's pair as its claim writes it. `unseenSinceMs`: the first use's time less the rule's baseline window; the
 * claim is a duplicate, and writes nothing, when the store holds a use of the pair at or after it. That is the
 * lookup's test made again in the claim's atomic write: an overlapping run that looked the pair up before this one
 * claimed a first use of it (an earlier use it read and this run did not) finds it known, so the pair alerts once.
 */
export type FirstUsePair = RecordedPair & { unseenSinceMs?: number };

/** A new-term rule's (group, value) pair, e.g. a principal and a model id. */
export interface TermPair {
  rule: string;
  group: string;
  value: string;
}

/** A pair and when it was last seen (epoch ms). */
export interface SeenPair extends TermPair {
  lastSeenMs: number;
}

/** A pair as the store records it: with the TTL of its entry (epoch s), its last use plus the rule's baseline. */
export type RecordedPair = SeenPair & { expiresAt: number };

export interface StateStore {
  getWatermark(job: string): Promise<string | undefined>;
  /** Moves the watermark forward to `to`; never backwards (an overlapping run may have gone further). */
  advanceWatermark(job: string, to: string): Promise<void>;
  /**
   * Records a finding once: "new" adds it to the job's pending list; "duplicate" means some run already has it (its id
   * or one of its aliases), and then nothing is written.
   */
  claim(job: string, finding: Finding, options?: ClaimOptions): Promise<ClaimResult>;
  /**
   * Every pending item of the job, oldest first (consistent read, all pages). An entry no claim wrote that the store
   * cannot read (forged, or half-written by hand) is left out, left in the table, and named to `onUnreadable` in one
   * line, so it holds back none of the others.
   */
  listPending(job: string, onUnreadable?: (problem: string) => void): Promise<PendingItem[]>;
  /**
   * Takes the event's lease until `leaseUntil` (ISO) if it is not done and nobody else holds an
   * unexpired lease; returns its status, "done" (not leased) when it is done, or undefined when someone else has it.
   * Throws UnreadableItem when the event has no record (its pending entry is no claim's) or its record holds a status
   * no claim writes. Another's lease that ends further ahead than furthestHonouredLeaseEnd (src/aws/lease.ts, the
   * audit store's rule; the lease length is `leaseUntil` less `now`) holds nothing: it is taken over, and named to
   * `onLeaseIgnored` in one line.
   */
  lease(
    eventId: string,
    owner: string,
    now: string,
    leaseUntil: string,
    onLeaseIgnored?: (line: string) => void,
  ): Promise<EventStatus | undefined>;
  /**
   * Removes the pending entry of an event that is done, only while its record says done: no run leaves one (complete
   * marks the event done and removes its entry in one write), so it is forged or left by hand. False when the entry is
   * gone already: a run completed the event after this one listed it.
   */
  removeDonePending(job: string, item: PendingItem): Promise<boolean>;
  /** pending -> published, only by the lease owner. */
  markPublished(eventId: string, owner: string): Promise<void>;
  /**
   * -> done and out of the pending list, in one atomic write. `expiresAt` is the dedupe record's TTL (epoch s), and
   * its aliases' (item.aliases).
   */
  complete(job: string, item: PendingItem, owner: string, expiresAt: number): Promise<void>;
  /** Gives the lease back after a failure so the next run need not wait for it to expire. Best effort. */
  release(eventId: string, owner: string): Promise<void>;
  /** The job's export queue, oldest first (consistent read, all pages); unreadable entries as listPending's. */
  listExports(job: string, onUnreadable?: (problem: string) => void): Promise<ExportItem[]>;
  /** Security Hub accepted it: out of the queue. Idempotent. */
  completeExport(job: string, item: ExportItem): Promise<void>;
  /** Security Hub refused it: stays queued, attempts + 1, the reason kept for the run summary. */
  recordExportFailure(job: string, item: ExportItem, error: string): Promise<void>;
  /** Last drift fingerprint alerted on ("" when none), so a persisting drift alerts once, not every run. */
  getDriftFingerprint(job: string): Promise<string | undefined>;
  setDriftFingerprint(job: string, fingerprint: string): Promise<void>;
  /** The drift check's memory of the accounts under the targets (undefined before its first listing). */
  getCoverage(job: string): Promise<CoverageMemory | undefined>;
  setCoverage(job: string, memory: CoverageMemory): Promise<void>;
  /**
   * The pairs of the job's new-term baselines the store holds, with their last-seen times (consistent
   * reads; each pair once; pairs it does not hold are left out; an entry past its TTL may still be returned until the
   * store deletes it, so callers compare the time, not the presence).
   */
  lookupSeen(job: string, pairs: readonly TermPair[]): Promise<SeenPair[]>;
  /**
   * Records pairs as seen: an entry's last-seen time only moves forward (an overlapping run or an older
   * window never shortens a pair's life); at the same time, the TTL (`expiresAt`, epoch s) given wins.
   */
  recordSeen(job: string, pairs: readonly RecordedPair[]): Promise<void>;
  /**
   * When the rule's baseline learning started (ISO), or undefined while its first run has not learned.
   * `rule` names the marker (the job uses the rule id and its baseline window).
   */
  getBaselineSince(job: string, rule: string): Promise<string | undefined>;
  /** The rule's first run has learned (from `since`): its later runs alert on pairs they do not find. */
  markBaselineLearned(job: string, rule: string, since: string): Promise<void>;
}

/**
 * An item of the state table no release writes so (forged by someone with write access, or half-written by hand): not
 * a failure of the store, so a run skips the item it concerns, with this line, and goes on with the others.
 */
export class UnreadableItem extends Error {
  name = "UnreadableItem";
}

/**
 * The line for another's lease on an event that was taken over because it ended too far ahead to be honoured
 * (StateStore.lease), the same from every store.
 */
export function ignoredLeaseLine(eventId: string, holder: string | undefined, until: string): string {
  return (
    `event ${eventId}: the lease of ${holder ?? "(no owner)"} until ${until} ends more than a lease beyond one taken ` +
    "now (forged, or a clock far ahead) and holds nothing: taken over"
  );
}

/** Sort key of a pending item: ordered by event time, unique by event id. */
export function pendingSortKey(eventTime: string, eventId: string): string {
  return `pending#${eventTime}#${eventId}`;
}

/** Sort key of an export queue entry: ordered by event time, unique by event id. */
export function exportSortKey(eventTime: string, eventId: string): string {
  return `export#${eventTime}#${eventId}`;
}
