/**
 * The scheduled job's correlation step: the rows the correlation rules need for the window (one
 * more query), the new-term baselines from the state store, the correlations completing in the
 * window as findings, and what the run must write back once it has succeeded.
 *
 * New-term rules keep their baseline in the state store, not in the query: the query returns the
 * window's events only, the step looks up the (group, value) pairs they use, and a pair the store
 * does not hold (or last saw longer ago than the baseline window) is a first use. A rule's first run
 * learns instead of alerting: it reads the baseline the backend still holds (`baselineSource`, the
 * window plus the rule's baseline days before it), records every pair and marks the rule learned
 * (for its current baseline window: a changed window learns again).
 *
 * Order: a first use's pair is recorded in its claim's transaction (`pairOf`, ClaimOptions.pair), so it
 * is known exactly when the first use is claimed (durable in the pending list): a run that fails before
 * the claim leaves it unknown and the next run, reading the same window, makes the same finding; a run
 * that fails after it leaves it known, and an earlier use of the pair that arrives late is no first use
 * under another id. A pair recorded before its finding was claimed could be lost with the run. The
 * other pairs (refreshes, approved principals', a learning run's) and the learned markers are written by
 * `commit`, called by the job once every finding is claimed, after the drain (or in its place when the run has too
 * little time left to alert), so a failing recording holds back no alert; a run that fails before it, or in it,
 * leaves them for the next run, which reads the same window.
 */
import { correlateEvents, eventsOf, pairKey } from "../detection/correlation/engine";
import { citedEvent, correlationFinding } from "../detection/correlation/finding";
import { newTermPairs, type TermPairSeen } from "../detection/correlation/new-term-pairs";
import type { Finding } from "../detection/finding";
import type { Guardrail } from "../guardrail/guardrail";
import type { NewTermRule } from "../guardrail/correlation-definition";
import { errorText } from "../errors/error-text";
import { QueryError, type QueryLimits, type QuerySource } from "./query/source";
import type { FirstUsePair, SeenPair, StateStore } from "./state/store";
import type { QueryWindow } from "./window";

const DAY_MS = 86_400_000;

export interface CorrelationSources {
  /** The rows the correlation rules need for a window: its events and each rule's look-back. */
  source: QuerySource;
  /** The same plus each new-term rule's baseline before the window, for a first (learning) run. */
  baselineSource?: QuerySource;
}

export interface CorrelationOutcome {
  /** Non-approved findings, to be claimed with the event rules' findings. */
  findings: Finding[];
  matched: number;
  suppressedApproved: number;
  /** What the correlation query cost to scan (a learning run's includes the baseline days). */
  bytesScanned: number;
  /** New-term rules this run learns (their first run): their first uses are recorded, not alerted. */
  learning: string[];
  /** Pairs seen in the rows (approved principals' included) and how many of them `commit` writes. */
  pairsSeen: number;
  pairsToRecord: number;
  /**
   * A first use's pair (a finding of a new-term rule), as `commit` records it, and since when it must be unseen: the
   * claim writes it with the finding. Undefined for other findings.
   */
  pairOf(finding: Finding): FirstUsePair | undefined;
  /**
   * Records the pairs and the learned markers: only once the run's findings are claimed, after the drain or when the
   * run stopped before it.
   */
  commit(): Promise<void>;
}

/**
 * The name a rule's learned marker is kept under: the rule and its baseline window, so a rule whose
 * `baselineDays` changed learns again (reading the new window once) instead of judging pairs by
 * TTLs written for the old one.
 */
export const learnedMarker = (r: NewTermRule): string => `${r.id} ${r.baselineDays}d`;

/**
 * Runs the step; a failure (query or store) is returned as the run's failure text. `limits`: what the query may spend
 * (the run's time left), asked when it starts.
 */
export async function correlationStep(
  g: Guardrail,
  store: StateStore,
  sources: CorrelationSources,
  job: string,
  window: QueryWindow,
  limits: () => QueryLimits = () => ({}),
): Promise<CorrelationOutcome | { error: string; step: "query" | "record" }> {
  // A source may serve only some rules (Logs Insights: the threshold rules); the job runs only those.
  const rules = sources.source.correlationRules ?? g.correlationRules;
  const newTerm = rules.filter((r): r is NewTermRule => r.kind === "new-term");
  let learning: NewTermRule[];
  try {
    const learned = await Promise.all(newTerm.map((r) => store.getBaselineSince(job, learnedMarker(r))));
    learning = newTerm.filter((_, i) => learned[i] === undefined);
  } catch (e) {
    return { step: "record", error: `reading the new-term baselines: ${errorText(e)}` };
  }
  const source = (learning.length > 0 && sources.baselineSource) || sources.source;
  let records;
  let bytesScanned;
  try {
    // Asked now, after the baseline reads: what the run's deadline still allows.
    ({ records, bytesScanned } = await source.run(window, limits()));
  } catch (e) {
    return { step: "query", error: e instanceof QueryError ? e.message : errorText(e) };
  }
  // One event per record, for the pairs and the engine alike (the engine sorts them in place).
  const events = eventsOf(rules, records);
  const seen = newTermPairs(rules, events);
  let stored: SeenPair[];
  try {
    stored = seen.length > 0 ? await store.lookupSeen(job, seen) : [];
  } catch (e) {
    return { step: "record", error: `looking up the new-term baselines: ${errorText(e)}` };
  }
  const baseline = new Map(stored.map((p) => [pairKey(p.rule, p.group, p.value), p.lastSeenMs]));
  const learningIds = new Set(learning.map((r) => r.id));
  const correlations = correlateEvents(rules, events, { reportFromMs: window.start.getTime(), baseline })
    .filter((c) => citedEvent(c).timeMs < window.end.getTime())
    .filter((c) => !(c.rule.kind === "new-term" && learningIds.has(c.rule.id)));
  const all = correlations.map((c) => correlationFinding(g, c));
  const findings = all.filter((f) => !f.guardrail.approved);
  const daysOf = new Map(newTerm.map((r) => [r.id, r.baselineDays]));
  // Each pair as recorded: its latest use in the rows, its TTL that use plus the rule's baseline.
  const recorded = new Map(
    seen.map((p) => [
      pairKey(p.rule, p.group, p.value),
      { ...p, expiresAt: Math.ceil((p.lastSeenMs + daysOf.get(p.rule)! * DAY_MS) / 1000) },
    ]),
  );
  // A first use's finding id (the correlation's) -> its pair, for the claim to write with it, unless the store holds a
  // use of the pair within the baseline before the first use by then (an overlapping run's: the engine's test again).
  const firstUsePairs = new Map<string, FirstUsePair>();
  for (const c of correlations) {
    const pair =
      c.rule.kind === "new-term" && c.values ? recorded.get(pairKey(c.rule.id, c.group, c.values[0])) : undefined;
    if (pair)
      firstUsePairs.set(c.id, { ...pair, unseenSinceMs: citedEvent(c).timeMs - daysOf.get(c.rule.id)! * DAY_MS });
  }
  // New pairs, and pairs seen later than stored: each use refreshes the pair's life (its TTL). A learning
  // run rewrites the pairs it read as they are too, so their TTLs follow a changed baseline window.
  const known = (p: TermPairSeen) => baseline.get(pairKey(p.rule, p.group, p.value)) ?? Number.NEGATIVE_INFINITY;
  const toRecord = seen
    .filter((p) => known(p) < p.lastSeenMs || (learningIds.has(p.rule) && known(p) === p.lastSeenMs))
    .map((p) => recorded.get(pairKey(p.rule, p.group, p.value))!);
  const learnedFrom = (r: NewTermRule) =>
    new Date(window.start.getTime() - (source === sources.baselineSource ? r.baselineDays * DAY_MS : 0));
  return {
    findings,
    matched: all.length,
    suppressedApproved: all.length - findings.length,
    bytesScanned,
    learning: [...learningIds],
    pairsSeen: seen.length,
    pairsToRecord: toRecord.length,
    pairOf: (finding) => firstUsePairs.get(finding.event.id),
    async commit() {
      if (toRecord.length > 0) await store.recordSeen(job, toRecord);
      for (const r of learning) await store.markBaselineLearned(job, learnedMarker(r), learnedFrom(r).toISOString());
    },
  };
}
