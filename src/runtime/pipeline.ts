/**
 * The part of a run shared by the scheduled job and the realtime handler: records -> findings
 * (the same evaluateRecord as `detect`) -> claims, and the pending list -> alerts -> responder.
 * Pure logic over the StateStore / Notifier / FindingResponder interfaces.
 */
import { claimAliases } from "../detection/correlation/finding";
import { evaluateRecord, type Finding } from "../detection/finding";
import type { CloudTrailRecord } from "../detection/record";
import { errorText } from "../errors/error-text";
import type { Guardrail } from "../guardrail/guardrail";
import { findingAttributes, findingBody, findingEmailText, findingSubject } from "./alert";
import type { FindingResponder, Notifier } from "../aws/contracts";
import { type ClaimOptions, type FirstUsePair, type PendingItem, type StateStore, UnreadableItem } from "./state/store";

export interface IngestCounts {
  /** Records the rule matched (approved or not). */
  matched: number;
  suppressedApproved: number;
  invalidRecords: number;
  /** Claimed now: first time any run saw them. */
  newFindings: number;
  /** Already claimed by an earlier run or window overlap. */
  duplicates: number;
}

export interface DrainCounts {
  published: number;
  responded: number;
  /** Pending findings left for the next run because this run reached maxAlertsPerRun. */
  carriedOver: number;
  /**
   * Pending findings another run currently holds (an overlapping invocation), or whose response another
   * responder holds (an action of it or its follow-up, e.g. the CLI's `remediate --execute --table`):
   * released, for a later run to respond to again.
   */
  heldElsewhere: number;
}

export interface RunFailure {
  step: "query" | "organization" | "claim" | "publish" | "respond" | "record" | "watermark" | "drift" | "deadline";
  eventId?: string;
  error: string;
}

/** Evaluates records; returns the non-approved findings (and counts) without touching state. */
export function findingsOf(
  guardrail: Guardrail,
  records: CloudTrailRecord[],
): { findings: Finding[]; counts: Omit<IngestCounts, "newFindings" | "duplicates">; invalid: string[] } {
  const findings: Finding[] = [];
  const counts = { matched: 0, suppressedApproved: 0, invalidRecords: 0 };
  const invalid: string[] = [];
  for (const record of records) {
    const e = evaluateRecord(guardrail, record);
    if ("skip" in e) {
      if (e.skip === "invalid-record") {
        counts.invalidRecords++;
        invalid.push(e.reason ?? "invalid record");
      }
      continue;
    }
    counts.matched++;
    if (e.finding.guardrail.approved) counts.suppressedApproved++;
    else findings.push(e.finding);
  }
  // Oldest first, so carry-over keeps the order people read alerts in.
  findings.sort((a, b) =>
    a["@timestamp"] < b["@timestamp"] ? -1 : a["@timestamp"] > b["@timestamp"] ? 1 : a.event.id < b.event.id ? -1 : 1,
  );
  return { findings, counts, invalid };
}

/**
 * Claims each finding once (and, with Security Hub on, queues it for export in the same write); a sequence finding
 * also under its aliases (claimAliases), so a late record cannot alert one of its events again under another id, and
 * a first use with its new-term pair (`pairOf`), so a late, earlier use of the pair is no first use of its own.
 * One transaction per finding. Stops at the first store failure (the watermark must then stay).
 */
export async function claimAll(
  store: StateStore,
  job: string,
  findings: Finding[],
  options: ClaimOptions = {},
  pairOf: (finding: Finding) => FirstUsePair | undefined = () => undefined,
): Promise<{ newFindings: number; duplicates: number; failure?: RunFailure }> {
  let newFindings = 0;
  let duplicates = 0;
  for (const f of findings) {
    try {
      const aliases = claimAliases(f);
      const pair = pairOf(f);
      const claimOptions = { ...options, ...(aliases.length > 0 ? { aliases } : {}), ...(pair ? { pair } : {}) };
      if ((await store.claim(job, f, claimOptions)) === "new") newFindings++;
      else duplicates++;
    } catch (e) {
      return { newFindings, duplicates, failure: { step: "claim", eventId: f.event.id, error: errorText(e) } };
    }
  }
  return { newFindings, duplicates };
}

export interface DrainDeps {
  store: StateStore;
  notifier: Notifier;
  responder?: FindingResponder;
  runId: string;
  now: () => Date;
  /** How long a lease protects an item being processed; longer than one invocation can run. */
  leaseMs: number;
  /** How long the dedupe record outlives the alert (TTL); longer than any query window. */
  dedupeRetentionMs: number;
  onRespond?: (findingId: string, outcomes: number) => void;
  /** A finding alerted on but kept from the responder, as its claim said: `alert only, no remediation: ...`. */
  onAlertOnly?: (line: string) => void;
  /** Whether the finding's rule asks for remediation (ruleRemediates): the alert says so when it does not. */
  remediates?: (finding: Finding) => boolean;
  /**
   * A pending item no claim wrote so (forged, or half-written by hand: UnreadableItem), skipped and left in the table,
   * or one whose finding the responder cannot read (FindingResponder.unfitReason), alerted only: holding back no other
   * finding, with one line naming it and why.
   */
  onUnreadable?: (line: string) => void;
  /**
   * Another's lease on an event that ended too far ahead to hold (forged, or a clock step) and was taken over, so the
   * finding alerts now rather than silently at that time: one line naming it.
   */
  onLeaseIgnored?: (line: string) => void;
  /** Every finding of this drain alerts only, for this reason, where its claim gave none of its own. */
  alertOnly?: string;
  /**
   * The invocation's time left (Lambda's getRemainingTimeInMillis): no item is started with less than
   * DRAIN_ITEM_RESERVE_MS left, so the function is never stopped between an alert and its record (which would send
   * it twice after the lease) or in the middle of a response; the rest is carried over. Absent: no limit.
   */
  timeLeftMs?: () => number;
}

/** What one pending item may take at most: its alert, the responder's calls across accounts, the records. */
export const DRAIN_ITEM_RESERVE_MS = 30_000;

/** Why no remediation will follow the alert, when none will: the claim said so, or the rule alerts only. */
function alertOnlyReason(deps: DrainDeps, item: { finding: Finding; alertOnly?: string }): string | undefined {
  if (item.alertOnly ?? deps.alertOnly) return item.alertOnly ?? deps.alertOnly;
  if (deps.remediates && !deps.remediates(item.finding))
    return `rule ${item.finding.rule.id} alerts only: its definition asks for no remediation`;
  return undefined;
}

/** The alert of a pending item, or why its finding cannot make one (a finding no claim wrote so). */
function alertOf(deps: DrainDeps, item: PendingItem) {
  try {
    return {
      subject: findingSubject(item.finding),
      body: findingBody(item.finding),
      attributes: findingAttributes(item.finding),
      email: findingEmailText(item.finding, { alertOnly: alertOnlyReason(deps, item) }),
    };
  } catch (e) {
    return errorText(e);
  }
}

/**
 * Hands a published finding to the responder: a failure (its lease released), "held elsewhere" when another
 * responder holds part of its response (released, counted), or undefined when it was responded to.
 */
async function respondTo(
  deps: DrainDeps,
  responder: FindingResponder,
  item: PendingItem,
  counts: DrainCounts,
): Promise<RunFailure | "held elsewhere" | undefined> {
  const id = item.eventId;
  try {
    const report = await responder.respond(item.finding);
    if (report.heldElsewhere) {
      await deps.store.release(id, deps.runId).catch(() => undefined);
      counts.heldElsewhere++;
      return "held elsewhere";
    }
    counts.responded++;
    deps.onRespond?.(id, report.outcomes.length);
    return undefined;
  } catch (e) {
    await deps.store.release(id, deps.runId).catch(() => undefined);
    return { step: "respond", eventId: id, error: errorText(e) };
  }
}

/**
 * Leases a pending item for this run: its status, "skipped" when it is not this run's to alert (held elsewhere, done,
 * unreadable: counted or named), or the store's failure.
 */
async function leaseItem(
  deps: DrainDeps,
  job: string,
  item: PendingItem,
  counts: DrainCounts,
): Promise<"pending" | "published" | "skipped" | RunFailure> {
  const { store } = deps;
  const id = item.eventId;
  const unreadable = (line: string) => deps.onUnreadable?.(line);
  const now = deps.now();
  let status;
  try {
    const until = new Date(now.getTime() + deps.leaseMs).toISOString();
    status = await store.lease(id, deps.runId, now.toISOString(), until, deps.onLeaseIgnored);
  } catch (e) {
    if (!(e instanceof UnreadableItem)) return { step: "record", eventId: id, error: `leasing: ${errorText(e)}` };
    await store.release(id, deps.runId).catch(() => undefined);
    unreadable(`${e.message}: skipped, left in the table`);
    return "skipped";
  }
  if (status === "done") {
    // Done, yet listed: completed by another run since this one listed it, or an entry no run leaves (forged).
    try {
      if (await store.removeDonePending(job, item))
        unreadable(`event ${id} is done, yet its pending entry remained (no run leaves one): entry removed`);
      else counts.heldElsewhere++;
    } catch (e) {
      return { step: "record", eventId: id, error: `removing a done event's pending entry: ${errorText(e)}` };
    }
    return "skipped";
  }
  if (status === undefined) {
    counts.heldElsewhere++;
    return "skipped";
  }
  return status;
}

/**
 * Works through the pending list oldest first: publish (at most `budget` new alerts), mark published, hand to the
 * responder (not when the claim said alert only, nor a finding it cannot read), complete. A finding whose response
 * another responder holds is released and counted (heldElsewhere), and the drain goes on with the rest: an action held
 * for its whole lease never holds back the findings after it. On a failure the item's lease is released and the
 * drain stops; everything not completed stays pending for the next run.
 */
export async function drainPending(
  deps: DrainDeps,
  job: string,
  budget: number,
): Promise<DrainCounts & { failure?: RunFailure }> {
  const counts: DrainCounts = { published: 0, responded: 0, carriedOver: 0, heldElsewhere: 0 };
  const { store } = deps;
  const unreadable = (line: string) => deps.onUnreadable?.(line);
  let pending;
  try {
    pending = await store.listPending(job, unreadable);
  } catch (e) {
    return { ...counts, failure: { step: "record", error: `listing pending findings: ${errorText(e)}` } };
  }
  for (const [index, item] of pending.entries()) {
    if (counts.published >= budget || (deps.timeLeftMs && deps.timeLeftMs() < DRAIN_ITEM_RESERVE_MS)) {
      // Budget or time spent: the rest waits, untouched, for the next run (never dropped).
      counts.carriedOver = pending.length - index;
      break;
    }
    const id = item.eventId;
    const status = await leaseItem(deps, job, item, counts);
    if (status === "skipped") continue;
    if (typeof status !== "string") return { ...counts, failure: status };
    const keptFromResponder = item.alertOnly ?? deps.alertOnly;
    // A finding the responder cannot read still alerts (it is real until proven otherwise), saying why none follows.
    const unfit = deps.responder && !keptFromResponder ? deps.responder.unfitReason?.(item.finding) : undefined;
    const notRemediated = unfit === undefined ? undefined : `not remediated: ${unfit}`;
    if (status === "pending") {
      const alert = alertOf(deps, notRemediated ? { ...item, alertOnly: notRemediated } : item);
      if (typeof alert === "string") {
        await store.release(id, deps.runId).catch(() => undefined);
        unreadable(
          `event ${id}: the finding cannot be made into an alert (${alert}): skipped, left in the pending list`,
        );
        continue;
      }
      try {
        await deps.notifier.publish(alert.subject, alert.body, alert.attributes, { email: alert.email });
      } catch (e) {
        await store.release(id, deps.runId).catch(() => undefined);
        return { ...counts, failure: { step: "publish", eventId: id, error: errorText(e) } };
      }
      counts.published++;
      try {
        await store.markPublished(id, deps.runId);
      } catch (e) {
        // The alert went out but is not recorded: the next run publishes it again (at-least-once).
        return { ...counts, failure: { step: "record", eventId: id, error: `marking published: ${errorText(e)}` } };
      }
    }
    if (deps.responder && keptFromResponder) {
      // Decided at the claim (the realtime function) and kept with it: whichever run drains the finding, none acts.
      deps.onAlertOnly?.(`alert only, no remediation: event ${id}: ${keptFromResponder}`);
    } else if (notRemediated) {
      // Counted with the unreadable items (no claim wrote it so), but done: it alerted, and no later run could act.
      unreadable(`event ${id}: ${notRemediated}: alerted only`);
    } else if (deps.responder) {
      const responded = await respondTo(deps, deps.responder, item, counts);
      if (responded === "held elsewhere") continue;
      if (responded) return { ...counts, failure: responded };
    }
    try {
      await store.complete(job, item, deps.runId, Math.floor((deps.now().getTime() + deps.dedupeRetentionMs) / 1000));
    } catch (e) {
      return { ...counts, failure: { step: "record", eventId: id, error: `completing: ${errorText(e)}` } };
    }
  }
  return counts;
}
