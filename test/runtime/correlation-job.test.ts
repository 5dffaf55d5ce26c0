/**
 * The scheduled job runs the correlation rules over the rows their query returns for each window:
 * a sequence whose first step was in an earlier run completes in a later one and alerts once, and
 * runs whose windows overlap (the lateness allowance) do not alert it again. The query's rows are
 * simulated as what an exact correlation query returns (the differential tests prove the SQL is):
 * every delivered record before the window's end.
 */
import { SnsNotifier } from "../../src/aws/sns";
import type { CloudTrailRecord } from "../../src/detection/record";
import { runJob } from "../../src/runtime/job";
import type { QueryResult, QuerySource } from "../../src/runtime/query/source";
import type { QueryWindow } from "../../src/runtime/window";
import { selectRules } from "../../src/guardrail/guardrail";
import { MemoryStateStore } from "../support/memory-state-store";
import { at, guardrailWith, simulateSns, TOPIC_ARN } from "./helpers";

// The sequence rule alone: the invocation is also a first use of its model (no baseline in this history).
const g = selectRules(guardrailWith(), ["bedrock-enumeration-then-invocation"]);
const sequence = g.correlationRules[0];
const [listed, invoked] = sequence.tests[0].history as CloudTrailRecord[];

function source(delivered: () => CloudTrailRecord[], backend: string): QuerySource & { windows: QueryWindow[] } {
  const windows: QueryWindow[] = [];
  return {
    backend,
    windows,
    async run(window: QueryWindow): Promise<QueryResult> {
      windows.push(window);
      const records =
        backend === "correlations"
          ? delivered().filter((r) => Date.parse(String(r.eventTime)) < window.end.getTime())
          : [];
      return { records, rows: records.length, bytesScanned: 0, unreadable: [] };
    },
  };
}

test("a sequence split across two runs alerts once, in the run that completes it", async () => {
  const sns = simulateSns();
  const store = new MemoryStateStore();
  const delivered: CloudTrailRecord[] = [];
  const correlations = source(() => delivered, "correlations");
  let clock = at("2026-01-15T10:10:00Z");
  let runs = 0;
  const run = () =>
    runJob(
      {
        guardrail: g,
        store,
        source: source(() => [], "cloudtrail-lake"),
        correlations,
        notifier: new SnsNotifier(sns.client, TOPIC_ARN),
        now: () => clock,
        runId: `run-${++runs}`,
      },
      { jobName: "query-job" },
    );
  delivered.push(listed); // 10:00: the enumeration, in the first run's window
  expect(await run()).toMatchObject({ status: "ok", newFindings: 0 });
  clock = at("2026-01-15T10:25:00Z");
  delivered.push(invoked); // 10:20: the invocation, in the second run's window only
  expect(await run()).toMatchObject({ status: "ok", newFindings: 1, published: 1 });
  clock = at("2026-01-15T10:30:00Z");
  // The third window overlaps the second (the lateness allowance): the same correlation, claimed already.
  expect(await run()).toMatchObject({ status: "ok", newFindings: 0, duplicates: 1, published: 0 });
  expect(correlations.windows[2].start.getTime()).toBeLessThan(Date.parse(String(invoked.eventTime)));
  expect(sns.published.map((p) => p.body.rule.id)).toEqual(["bedrock-enumeration-then-invocation"]);
  expect(sns.published[0].body.guardrail.correlation.event_ids).toEqual([listed.eventID, invoked.eventID]);
});

test("a failed correlation query fails the run and keeps the watermark", async () => {
  const sns = simulateSns();
  const store = new MemoryStateStore();
  const failing: QuerySource = {
    backend: "correlations",
    run: async () => {
      throw new Error("correlation query refused");
    },
  };
  const summary = await runJob(
    {
      guardrail: g,
      store,
      source: source(() => [], "cloudtrail-lake"),
      correlations: failing,
      notifier: new SnsNotifier(sns.client, TOPIC_ARN),
      now: () => at("2026-01-15T10:10:00Z"),
      runId: "run-1",
    },
    { jobName: "query-job" },
  );
  expect(summary.status).not.toBe("ok");
  expect(JSON.stringify(summary)).toContain("correlation query refused");
  expect(await store.getWatermark("query-job")).toBe("2026-01-15T10:04:00.000Z");
});
