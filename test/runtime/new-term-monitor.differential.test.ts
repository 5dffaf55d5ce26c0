/**
 * Differential proof for the first-use rule in the scheduled monitor: over generated months of
 * invocations (pairs used, left unused past the 30-day baseline, used again), a series of runs at
 * irregular times, each running the job with the in-memory state store over the rows CloudTrail Lake's
 * and Athena's correlation queries return (run by DuckDB: the window only, and the baseline days
 * once, for the first run), alerts exactly the first uses the reference engine finds in the whole
 * history when it learns until the end of the first run's window. Records are delivered on time
 * here (late ones can only move an alert to the pair's next use: test/runtime/new-term-job.test.ts).
 *
 * @slow (hundreds of DuckDB queries)
 */
import fc from "fast-check";
import { SnsNotifier } from "../../src/aws/sns";
import { athenaRowToRecord, buildAthenaCorrelationQuery } from "../../src/detection/backends/athena-sql";
import { buildLakeCorrelationQuery } from "../../src/detection/backends/correlation-sql";
import { lakeRowToRecord } from "../../src/detection/backends/lake-sql";
import { correlate } from "../../src/detection/correlation/engine";
import type { CloudTrailRecord } from "../../src/detection/record";
import { selectRules } from "../../src/guardrail/guardrail";
import { runJob } from "../../src/runtime/job";
import type { QuerySource } from "../../src/runtime/query/source";
import { guardrailFrom } from "../support/fixtures";
import { MemoryStateStore } from "../support/memory-state-store";
import { simulateSns, TOPIC_ARN } from "./helpers";
import { invocation, NO_EVENTS } from "./new-term-support";
import { sqlTablesForSuite } from "../detection/backends/support/sql-tables";

const RULE = "bedrock-model-first-use";
const g = selectRules(guardrailFrom(), [RULE]);
const rules = g.correlationRules;
const EDS = "00000000-0000-4000-8000-0000000eds01";
const ATHENA_FROM = '"bedrock_guardrail"."cloudtrail"';
const DAY = 86_400_000;
const START_MS = Date.parse("2026-01-01T00:00:00Z");
const SPAN_DAYS = 120;
/** DuckDB batches are slow on a loaded 2-core machine; a generous limit, not a timing assertion. */
const DUCKDB_MS = 300_000;

const ROLES = ["app", "intruder"];
const MODELS = ["anthropic.claude-3-sonnet-20240229-v1:0", "amazon.nova-pro-v1:0"];
const FIRST_RUN_MS = START_MS + 20 * DAY;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** Invocations by a few roles of a few models, in bursts of days, over four months. */
const historyArb = fc
  .array(
    fc.record({
      day: fc.integer({ min: 0, max: SPAN_DAYS - 1 }),
      second: fc.integer({ min: 0, max: 86_399 }),
      role: fc.constantFrom(...ROLES),
      model: fc.constantFrom(...MODELS),
      failed: fc.constantFrom(false, false, false, true),
      // Some uses fall in the first run's window (learned, not alerted).
      inFirstRun: fc.constantFrom(false, false, false, false, false, true),
    }),
    { minLength: 10, maxLength: 40 },
  )
  .map((uses) =>
    uses.map((u, n) =>
      invocation({
        n,
        time: iso(u.inFirstRun ? FIRST_RUN_MS - (u.second % 300) * 1000 : START_MS + u.day * DAY + u.second * 1000),
        roleArn: `arn:aws:iam::111122223333:role/${u.role}`,
        model: u.model,
        eventName: n % 2 ? "Converse" : "InvokeModel",
        ...(u.failed ? { errorCode: "AccessDeniedException" } : {}),
      }),
    ),
  );

/** When the monitor runs: from day 20 on, every hour to every eight days. */
const runsArb = fc.array(fc.integer({ min: 3_600_000, max: 8 * DAY }), { minLength: 8, maxLength: 20 }).map((gaps) => {
  const times = [FIRST_RUN_MS];
  for (const gap of gaps) times.push(times[times.length - 1] + gap);
  return times;
});

type Backend = {
  name: string;
  source(readBaseline: boolean): QuerySource;
  load(records: CloudTrailRecord[]): Promise<void>;
};

/** Runs the job at each time over the records delivered by then; returns the alerted correlation ids. */
async function monitorAlerts(backend: Backend, history: CloudTrailRecord[], runs: number[]): Promise<string[]> {
  const store = new MemoryStateStore();
  const sns = simulateSns();
  for (const [i, now] of runs.entries()) {
    await backend.load(history.filter((r) => Date.parse(String(r.eventTime)) < now));
    const summary = await runJob(
      {
        guardrail: g,
        store,
        source: NO_EVENTS,
        correlations: backend.source(false),
        correlationBaseline: backend.source(true),
        notifier: new SnsNotifier(sns.client, TOPIC_ARN),
        now: () => new Date(now),
        runId: `run-${i}`,
      },
      { jobName: "query-job" },
    );
    expect(summary).toMatchObject({ status: "ok", carriedOver: 0 });
  }
  return sns.published.map((p) => String(p.body.event.id)).sort();
}

/** The engine over the whole history, learning until the first run's end, up to the last run. */
function expected(history: CloudTrailRecord[], runs: number[]): string[] {
  return correlate(rules, history, { learnUntilMs: runs[0] })
    .filter((c) => c.events[0].timeMs < runs[runs.length - 1])
    .map((c) => c.id)
    .sort();
}

describe("the monitor's first-use alerts over Lake and Athena SQL (DuckDB) = the reference engine", () => {
  const tables = sqlTablesForSuite();

  const lakeBackend = (): Backend => ({
    name: "cloudtrail-lake",
    load: (records) => tables.lake().load(records),
    source: (readBaseline) => ({
      backend: "cloudtrail-lake",
      async run(w) {
        const sql = buildLakeCorrelationQuery(rules, { eventDataStore: EDS, ...w, readBaseline });
        const records = (await tables.lake().queryAll(sql, EDS)).map(lakeRowToRecord);
        return { records, rows: records.length, bytesScanned: 0, unreadable: [] };
      },
    }),
  });
  const athenaBackend = (): Backend => ({
    name: "athena",
    load: (records) => tables.athena().load(records.map((record) => ({ record, delayMinutes: 5 }))),
    source: (readBaseline) => ({
      backend: "athena",
      async run(w) {
        const sql = buildAthenaCorrelationQuery(rules, { table: "bedrock_guardrail.cloudtrail", ...w, readBaseline });
        const records = (await tables.athena().queryAll(sql, ATHENA_FROM)).map(athenaRowToRecord);
        return { records, rows: records.length, bytesScanned: 0, unreadable: [] };
      },
    }),
  });

  it(
    "alerts every first use the engine finds, once, and nothing else",
    async () => {
      let alerts = 0;
      await fc.assert(
        fc.asyncProperty(historyArb, runsArb, async (history, runs) => {
          const want = expected(history, runs);
          alerts += want.length;
          expect(await monitorAlerts(lakeBackend(), history, runs)).toEqual(want);
          expect(await monitorAlerts(athenaBackend(), history, runs)).toEqual(want);
        }),
        // 12 histories of up to 21 runs on two backends: dropping the TTL refresh or the learning query
        // fails by the 10th; more runs cost seconds of DuckDB for no mutation caught.
        { numRuns: 12, seed: 7, endOnFailure: true },
      );
      // The generated histories do exercise the rule.
      expect(alerts).toBeGreaterThan(5);
    },
    DUCKDB_MS,
  );
});
