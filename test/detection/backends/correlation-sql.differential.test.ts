/**
 * Differential proof for the correlation rules on the SQL backends: for generated histories and run
 * windows [start, end) that cut through their correlations and the rules' examples (a threshold or a
 * sequence begun in an earlier run, first uses with their baseline days before the run), or put a
 * sequence at the edge of its look-back, the CloudTrail Lake and Athena queries of every rule alone
 * and of all together, run by DuckDB over the records as each backend's table, return rows from which
 * the reference engine makes exactly the correlations it makes from the whole history.
 * Late events are histories whose records arrive after the run that covered their time: the next
 * runs do not report them twice (their ids are the same; the state store's claim dedupes).
 *
 * @slow (runs generated SQL in DuckDB)
 */
import fc from "fast-check";
import { athenaRowToRecord, buildAthenaCorrelationQuery } from "../../../src/detection/backends/athena-sql";
import { buildLakeCorrelationQuery } from "../../../src/detection/backends/correlation-sql";
import { lakeRowToRecord } from "../../../src/detection/backends/lake-sql";
import { type Correlation, correlate } from "../../../src/detection/correlation/engine";
import type { CloudTrailRecord } from "../../../src/detection/record";
import { lookbackMs } from "../../../src/guardrail/correlation-rule";
import { guardrailFrom, MINIMAL_CONFIG } from "../../support/fixtures";
import { HISTORY_SPAN_MS, HISTORY_START_MS, historyArb } from "../correlation/histories";
import { sqlTablesForSuite } from "./support/sql-tables";

const EDS = "00000000-0000-4000-8000-0000000eds01";
const TABLE = "bedrock_guardrail.cloudtrail";
const ATHENA_FROM = '"bedrock_guardrail"."cloudtrail"';
/** DuckDB batches are slow on a loaded 2-core machine; a generous limit, not a timing assertion. */
const DUCKDB_MS = 240_000;
const rules = guardrailFrom(MINIMAL_CONFIG).correlationRules;
const LEARN_UNTIL = HISTORY_START_MS + 30 * 60_000;

const summary = (cs: Correlation[]) =>
  cs.map((c) => `${c.rule.id} ${c.id} ${c.events.map((e) => e.id).join(",")}`).sort();

type Rules = typeof rules;

/** What the engine says over the whole history, for correlations completing in [start, end). */
function expected(set: Rules, history: CloudTrailRecord[], startMs: number, endMs: number): string[] {
  const all = correlate(set, history, { reportFromMs: startMs, learnUntilMs: LEARN_UNTIL });
  return summary(all.filter((c) => c.events[c.events.length - 1].timeMs < endMs));
}

const windowArb = fc
  .tuple(fc.integer({ min: 0, max: HISTORY_SPAN_MS }), fc.integer({ min: 1, max: HISTORY_SPAN_MS }))
  .map(([offset, length]) => ({ startMs: HISTORY_START_MS + offset, endMs: HISTORY_START_MS + offset + length }));

const iso = (ms: number) => new Date(ms).toISOString();
const HOUR_MS = 3600_000;
const sequenceRule = rules.find((r) => r.kind === "sequence")!;
const SEQUENCE_WINDOW_MS = lookbackMs(sequenceRule);

const stamp = (ms: number) => iso(ms).replace(/\.000Z$/, "Z");
const lengthArb = fc.integer({ min: 1, max: 2 * 3600 }).map((s) => s * 1000);

/**
 * Records of a rule's example moved into the history (the last at `atMs`, new ids), and a window that
 * starts on one of its events after the first: every rule's correlation cut by a run, its 30-day baselines included.
 */
function exampleCut(
  history: CloudTrailRecord[],
  example: CloudTrailRecord[],
  atMs: number,
  k: number,
  lengthMs: number,
) {
  const times = example.map((r) => Date.parse(String(r.eventTime)));
  const shift = atMs - Math.max(...times);
  const moved = example.map((r, i) => ({
    ...r,
    eventID: `00000000-0000-4000-a000-${String(i).padStart(12, "0")}`,
    eventTime: stamp(times[i] + shift),
  }));
  const sorted = [...times].sort((a, b) => a - b);
  const startMs = sorted[sorted.length > 1 ? 1 + (k % (sorted.length - 1)) : 0] + shift;
  return { history: [...history, ...moved], startMs, endMs: atMs + lengthMs };
}

/**
 * A listing exactly one sequence window before the start, or a second more, then an invocation with the same key
 * at the start: the look-back must read the first and not the second.
 */
function sequenceBoundary(history: CloudTrailRecord[], at: number, beyondMs: number) {
  const listedMs = Date.parse(String(history[at].eventTime));
  const startMs = listedMs + SEQUENCE_WINDOW_MS + beyondMs;
  // A key of its own, so that no other first step of the history anchors the invocation instead.
  const userIdentity = { ...(history[at].userIdentity as object), accessKeyId: "AKIAEXAMPLEBOUNDARY01" };
  const step = (eventName: string, ms: number, n: number) => ({
    ...history[at],
    userIdentity,
    eventName,
    eventID: `00000000-0000-4000-9000-${String(n).padStart(12, "0")}`,
    eventTime: stamp(ms),
  });
  const pair = [step("ListFoundationModels", listedMs, 1), step("InvokeModel", startMs, 2)];
  return { history: [...history, ...pair], startMs, endMs: startMs + HOUR_MS };
}

/**
 * A rule set (all the rules, or one alone: together, one rule's look-back can read the rows another needs, as the
 * sequence rule's hour holds the probing rule's failed invocations, which would hide a look-back too short), a
 * history and a window: at random, cutting through one of the history's correlations or a rule's example (the
 * start on one of the events that make it, so the earlier ones are before the run), or at the sequence rule's
 * look-back boundary. Windows at random times rarely cut a correlation.
 */
const straddlingArb = fc.tuple(historyArb, fc.constantFrom(rules, ...rules.map((r) => [r]))).chain(([history, set]) => {
  // Those of several events: a run can start after the first and at or before the last.
  const correlations = correlate(set, history, { learnUntilMs: LEARN_UNTIL }).filter((c) => c.events.length > 1);
  const examples = set.flatMap((rule) => rule.tests.map((t) => t.history));
  const cutThrough = fc.record({ c: fc.nat(), e: fc.nat(), lengthMs: lengthArb }).map(({ c, e, lengthMs }) => {
    const { events } = correlations[c % correlations.length];
    const startMs = events[1 + (e % (events.length - 1))].timeMs;
    return { history, startMs, endMs: startMs + lengthMs };
  });
  const example = fc
    .record({ x: fc.nat(), k: fc.nat(), atS: fc.nat({ max: HISTORY_SPAN_MS / 1000 }), lengthMs: lengthArb })
    .map(({ x, k, atS, lengthMs }) =>
      exampleCut(history, examples[x % examples.length], HISTORY_START_MS + atS * 1000, k, lengthMs),
    );
  const boundary = fc
    .record({ at: fc.nat({ max: history.length - 1 }), beyondMs: fc.constantFrom(0, 1000) })
    .map(({ at, beyondMs }) => sequenceBoundary(history, at, beyondMs));
  const random = windowArb.map((window) => ({ history, ...window }));
  const windows = [random, example, boundary, ...(correlations.length > 0 ? [cutThrough] : [])];
  return fc.oneof(...windows).map((run) => ({ ...run, set }));
});

describe("correlation rules on CloudTrail Lake SQL and Athena SQL (DuckDB) = the reference engine", () => {
  const tables = sqlTablesForSuite();

  it(
    "returns the rows every correlation completing in the window needs, for every rule",
    async () => {
      const seenRules = new Set<string>();
      await fc.assert(
        fc.asyncProperty(straddlingArb, async ({ history, startMs, endMs, set }) => {
          const want = expected(set, history, startMs, endMs);
          for (const line of want) seenRules.add(line.split(" ")[0]);
          const window = { start: iso(startMs), end: iso(endMs) };
          await tables.lake().load(history);
          const lakeRows = await tables
            .lake()
            .queryAll(buildLakeCorrelationQuery(set, { eventDataStore: EDS, ...window }), EDS);
          const fromLake = correlate(set, lakeRows.map(lakeRowToRecord), {
            reportFromMs: startMs,
            learnUntilMs: LEARN_UNTIL,
          });
          expect(summary(fromLake)).toEqual(want);
          await tables.athena().load(history.map((record) => ({ record, delayMinutes: 5 })));
          const sql = buildAthenaCorrelationQuery(set, { table: TABLE, ...window });
          const athenaRows = await tables.athena().queryAll(sql, ATHENA_FROM);
          const fromAthena = correlate(set, athenaRows.map(athenaRowToRecord), {
            reportFromMs: startMs,
            learnUntilMs: LEARN_UNTIL,
          });
          expect(summary(fromAthena)).toEqual(want);
        }),
        { numRuns: 150, seed: 20, endOnFailure: true },
      );
      expect([...seenRules].sort()).toEqual(rules.map((r) => r.id).sort());
    },
    DUCKDB_MS,
  );
});
