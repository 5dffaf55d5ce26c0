/**
 * Differential proof for the correlation rules on the SQL backends: for generated histories and
 * random run windows [start, end) (windows that straddle rule windows, sequences whose first step is
 * in an earlier run, first uses with their baseline before the run), the CloudTrail Lake and Athena
 * queries, run by DuckDB over the records as each backend's table, return rows from which the
 * reference engine makes exactly the correlations it makes from the whole history, for every rule.
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

/** What the engine says over the whole history, for correlations completing in [start, end). */
function expected(history: CloudTrailRecord[], startMs: number, endMs: number): string[] {
  const all = correlate(rules, history, { reportFromMs: startMs, learnUntilMs: LEARN_UNTIL });
  return summary(all.filter((c) => c.events[c.events.length - 1].timeMs < endMs));
}

const windowArb = fc
  .tuple(fc.integer({ min: 0, max: HISTORY_SPAN_MS }), fc.integer({ min: 1, max: HISTORY_SPAN_MS }))
  .map(([offset, length]) => ({ startMs: HISTORY_START_MS + offset, endMs: HISTORY_START_MS + offset + length }));

const iso = (ms: number) => new Date(ms).toISOString();

describe("correlation rules on CloudTrail Lake SQL and Athena SQL (DuckDB) = the reference engine", () => {
  const tables = sqlTablesForSuite();

  it(
    "returns the rows every correlation completing in the window needs, for every rule",
    async () => {
      const seenRules = new Set<string>();
      await fc.assert(
        fc.asyncProperty(historyArb, windowArb, async (history, { startMs, endMs }) => {
          const want = expected(history, startMs, endMs);
          for (const line of want) seenRules.add(line.split(" ")[0]);
          const window = { start: iso(startMs), end: iso(endMs) };
          await tables.lake().load(history);
          const lakeRows = await tables
            .lake()
            .queryAll(buildLakeCorrelationQuery(rules, { eventDataStore: EDS, ...window }), EDS);
          const fromLake = correlate(rules, lakeRows.map(lakeRowToRecord), {
            reportFromMs: startMs,
            learnUntilMs: LEARN_UNTIL,
          });
          expect(summary(fromLake)).toEqual(want);
          await tables.athena().load(history.map((record) => ({ record, delayMinutes: 5 })));
          const sql = buildAthenaCorrelationQuery(rules, { table: TABLE, ...window });
          const athenaRows = await tables.athena().queryAll(sql, ATHENA_FROM);
          const fromAthena = correlate(rules, athenaRows.map(athenaRowToRecord), {
            reportFromMs: startMs,
            learnUntilMs: LEARN_UNTIL,
          });
          expect(summary(fromAthena)).toEqual(want);
        }),
        { numRuns: 60, seed: 20, endOnFailure: true },
      );
      expect([...seenRules].sort()).toEqual(rules.map((r) => r.id).sort());
    },
    DUCKDB_MS,
  );
});
