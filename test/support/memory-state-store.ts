/**
 * In-process StateStore with the same semantics as the DynamoDB one (conditional, atomic steps).
 * A test double: the job, handler and model-based tests run against it.
 */
import type { Finding } from "../../src/detection/finding";
import { furthestHonouredLeaseEnd } from "../../src/aws/lease";
import {
  type ClaimOptions,
  type ClaimResult,
  type CoverageMemory,
  type EventStatus,
  type ExportItem,
  exportSortKey,
  type FirstUsePair,
  ignoredLeaseLine,
  type PendingItem,
  pendingSortKey,
  type RecordedPair,
  type SeenPair,
  type StateStore,
  type TermPair,
  UnreadableItem,
} from "../../src/runtime/state/store";

interface EventRecord {
  status: EventStatus;
  leaseOwner?: string;
  leaseUntil?: string;
  expiresAt?: number;
}

export class MemoryStateStore implements StateStore {
  readonly watermarks = new Map<string, string>();
  readonly events = new Map<string, EventRecord>();
  /** alias -> the finding that took it, and its TTL once that finding is done */
  readonly aliases = new Map<string, { findingId: string; expiresAt?: number }>();
  /** job -> sort key -> item */
  readonly pending = new Map<string, Map<string, PendingItem>>();
  readonly drift = new Map<string, string>();
  readonly coverage = new Map<string, CoverageMemory>();
  /** job -> sort key -> export queue entry */
  readonly exports = new Map<string, Map<string, ExportItem>>();
  /** job + pair -> the pair, its last-seen time and TTL */
  readonly seen = new Map<string, RecordedPair>();
  /** job + rule -> when its baseline learning started */
  readonly learned = new Map<string, string>();

  async getWatermark(job: string): Promise<string | undefined> {
    return this.watermarks.get(job);
  }

  async advanceWatermark(job: string, to: string): Promise<void> {
    const current = this.watermarks.get(job);
    if (current === undefined || current < to) this.watermarks.set(job, to);
  }

  async claim(job: string, finding: Finding, options: ClaimOptions = {}): Promise<ClaimResult> {
    const eventId = finding.event.id;
    const eventTime = finding["@timestamp"];
    const aliases = [...(options.aliases ?? [])];
    if (this.events.has(eventId) || aliases.some((a) => this.aliases.has(a))) {
      // A first use claimed already (maybe without its pair, by an earlier release): its pair is written now.
      if (options.pair && this.events.has(eventId)) this.putSeen(job, options.pair);
      return "duplicate";
    }
    if (options.pair && this.seenSince(job, options.pair)) return "duplicate";
    this.events.set(eventId, { status: "pending" });
    for (const alias of aliases) this.aliases.set(alias, { findingId: eventId });
    const list = this.pending.get(job) ?? new Map<string, PendingItem>();
    list.set(pendingSortKey(eventTime, eventId), {
      eventId,
      eventTime,
      finding: structuredClone(finding),
      ...(options.alertOnly ? { alertOnly: options.alertOnly } : {}),
      ...(aliases.length > 0 ? { aliases } : {}),
    });
    this.pending.set(job, list);
    if (options.export) {
      const queue = this.exports.get(job) ?? new Map<string, ExportItem>();
      queue.set(exportSortKey(eventTime, eventId), {
        eventId,
        eventTime,
        finding: structuredClone(finding),
        attempts: 0,
      });
      this.exports.set(job, queue);
    }
    // In the claim's atomic step, not through recordSeen (a test may make that fail on its own).
    if (options.pair) this.putSeen(job, options.pair);
    return "new";
  }

  async listExports(job: string): Promise<ExportItem[]> {
    return [...(this.exports.get(job) ?? new Map<string, ExportItem>()).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, item]) => structuredClone(item));
  }

  async completeExport(job: string, item: ExportItem): Promise<void> {
    this.exports.get(job)?.delete(exportSortKey(item.eventTime, item.eventId));
  }

  async recordExportFailure(job: string, item: ExportItem, error: string): Promise<void> {
    const entry = this.exports.get(job)?.get(exportSortKey(item.eventTime, item.eventId));
    if (!entry) return;
    entry.attempts++;
    entry.lastError = error;
  }

  async listPending(job: string): Promise<PendingItem[]> {
    const list = this.pending.get(job);
    if (!list) return [];
    return [...list.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, item]) => structuredClone(item));
  }

  async lease(
    eventId: string,
    owner: string,
    now: string,
    leaseUntil: string,
    onLeaseIgnored: (line: string) => void = () => undefined,
  ): Promise<EventStatus | undefined> {
    const e = this.events.get(eventId);
    if (!e) throw new UnreadableItem(`event ${eventId} has no event record, so no claim wrote its pending entry`);
    if (e.status === "done") return "done";
    const furthest = furthestHonouredLeaseEnd(new Date(now), Date.parse(leaseUntil) - Date.parse(now));
    const held = e.leaseUntil !== undefined && e.leaseUntil >= now && e.leaseOwner !== owner;
    if (held && e.leaseUntil! <= furthest) return undefined;
    if (held) onLeaseIgnored(ignoredLeaseLine(eventId, e.leaseOwner, e.leaseUntil!));
    e.leaseOwner = owner;
    e.leaseUntil = leaseUntil;
    return e.status;
  }

  async markPublished(eventId: string, owner: string): Promise<void> {
    const e = this.events.get(eventId);
    if (!e || e.leaseOwner !== owner || e.status !== "pending")
      throw new Error(`lease on ${eventId} lost before it was marked published`);
    e.status = "published";
  }

  async complete(job: string, item: PendingItem, owner: string, expiresAt: number): Promise<void> {
    const e = this.events.get(item.eventId);
    if (!e || e.leaseOwner !== owner) throw new Error(`lease on ${item.eventId} lost before it was completed`);
    e.status = "done";
    e.expiresAt = expiresAt;
    delete e.leaseOwner;
    delete e.leaseUntil;
    for (const alias of item.aliases ?? []) {
      const entry = this.aliases.get(alias);
      if (entry) entry.expiresAt = expiresAt;
    }
    this.pending.get(job)?.delete(pendingSortKey(item.eventTime, item.eventId));
  }

  /** A pending entry as a claim writes it, with no claim: what someone who may write the table can put there. */
  putPendingEntry(job: string, finding: Finding): void {
    const list = this.pending.get(job) ?? new Map<string, PendingItem>();
    const { "@timestamp": eventTime, event } = finding;
    list.set(pendingSortKey(eventTime, event.id), { eventId: event.id, eventTime, finding: structuredClone(finding) });
    this.pending.set(job, list);
  }

  async removeDonePending(job: string, item: PendingItem): Promise<boolean> {
    if (this.events.get(item.eventId)?.status !== "done") return false;
    return this.pending.get(job)?.delete(pendingSortKey(item.eventTime, item.eventId)) ?? false;
  }

  async release(eventId: string, owner: string): Promise<void> {
    const e = this.events.get(eventId);
    if (e && e.leaseOwner === owner) {
      delete e.leaseOwner;
      delete e.leaseUntil;
    }
  }

  async getDriftFingerprint(job: string): Promise<string | undefined> {
    return this.drift.get(job);
  }

  async setDriftFingerprint(job: string, fingerprint: string): Promise<void> {
    this.drift.set(job, fingerprint);
  }

  async getCoverage(job: string): Promise<CoverageMemory | undefined> {
    const memory = this.coverage.get(job);
    return memory && structuredClone(memory);
  }

  async setCoverage(job: string, memory: CoverageMemory): Promise<void> {
    this.coverage.set(job, structuredClone(memory));
  }

  async lookupSeen(job: string, pairs: readonly TermPair[]): Promise<SeenPair[]> {
    const keys = new Set(pairs.map((p) => seenKey(job, p)));
    return [...keys].flatMap((key) => {
      const entry = this.seen.get(key);
      return entry ? [{ rule: entry.rule, group: entry.group, value: entry.value, lastSeenMs: entry.lastSeenMs }] : [];
    });
  }

  async recordSeen(job: string, pairs: readonly RecordedPair[]): Promise<void> {
    for (const p of pairs) this.putSeen(job, p);
  }

  /** Whether the store holds a use of a first use's pair since it had to be unseen (FirstUsePair.unseenSinceMs). */
  private seenSince(job: string, p: FirstUsePair): boolean {
    const stored = this.seen.get(seenKey(job, p));
    return p.unseenSinceMs !== undefined && stored !== undefined && stored.lastSeenMs >= p.unseenSinceMs;
  }

  /** A pair's last-seen time only moves forward; at the same time, the TTL given wins. */
  private putSeen(job: string, p: RecordedPair): void {
    const key = seenKey(job, p);
    const current = this.seen.get(key);
    if (!current || current.lastSeenMs <= p.lastSeenMs) this.seen.set(key, { ...p });
  }

  /** The pair's TTL as stored (what the contract checks the real store writes). */
  pairExpiresAt(job: string, pair: TermPair): number | undefined {
    return this.seen.get(seenKey(job, pair))?.expiresAt;
  }

  async getBaselineSince(job: string, rule: string): Promise<string | undefined> {
    return this.learned.get(`${job}\0${rule}`);
  }

  async markBaselineLearned(job: string, rule: string, since: string): Promise<void> {
    if (!this.learned.has(`${job}\0${rule}`)) this.learned.set(`${job}\0${rule}`, since);
  }
}

const seenKey = (job: string, p: TermPair): string => [job, p.rule, p.group, p.value].join("\0");
