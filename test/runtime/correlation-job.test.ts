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

describe("a late event does not alert a sequence twice", () => {
  const listedAt = (id: string, time: string): CloudTrailRecord => ({ ...listed, eventID: id, eventTime: time });
  const invokedAt = (id: string, time: string): CloudTrailRecord => ({ ...invoked, eventID: id, eventTime: time });

  /** Runs the job at each clock in turn, delivering what each step brings first; returns the alerts' event ids. */
  async function alertsOver(steps: { clock: string; deliver: CloudTrailRecord[] }[]): Promise<string[][]> {
    const sns = simulateSns();
    const store = new MemoryStateStore();
    const delivered: CloudTrailRecord[] = [];
    let runs = 0;
    for (const step of steps) {
      delivered.push(...step.deliver);
      const summary = await runJob(
        {
          guardrail: g,
          store,
          source: source(() => [], "cloudtrail-lake"),
          correlations: source(() => delivered, "correlations"),
          notifier: new SnsNotifier(sns.client, TOPIC_ARN),
          now: () => at(step.clock),
          runId: `run-${++runs}`,
        },
        { jobName: "query-job" },
      );
      expect(summary.status).toBe("ok");
    }
    return sns.published.map((p) => p.body.guardrail.correlation.event_ids);
  }

  test("a listing arriving late, between the alerted anchor and invocation, makes no second alert", async () => {
    const late = listedAt("00000000-0000-4000-8000-00000000a002", "2026-01-15T10:10:00Z");
    // The second run's window (from 10:05) holds the late listing and the invocation: it anchors on the late one.
    const alerts = await alertsOver([
      { clock: "2026-01-15T10:25:00Z", deliver: [listed, invoked] },
      { clock: "2026-01-15T10:30:00Z", deliver: [late] },
    ]);
    expect(alerts).toEqual([[listed.eventID, invoked.eventID]]);
  });

  test("an invocation arriving late, before the alerted one, does not complete the anchor again", async () => {
    // The second run pairs the listing with the late invocation: the same first step, so the same id.
    const late = invokedAt("00000000-0000-4000-8000-00000000a003", "2026-01-15T10:05:00Z");
    const alerts = await alertsOver([
      { clock: "2026-01-15T10:25:00Z", deliver: [listed, invoked] },
      { clock: "2026-01-15T10:30:00Z", deliver: [late] },
    ]);
    expect(alerts).toEqual([[listed.eventID, invoked.eventID]]);
  });

  test("two sequences of one credential, each its own listing and invocation, still alert twice", async () => {
    const listed2 = listedAt("00000000-0000-4000-8000-00000000a004", "2026-01-15T10:22:00Z");
    const invoked2 = invokedAt("00000000-0000-4000-8000-00000000a005", "2026-01-15T10:24:00Z");
    const alerts = await alertsOver([
      { clock: "2026-01-15T10:21:00Z", deliver: [listed, invoked] },
      { clock: "2026-01-15T10:26:00Z", deliver: [listed2, invoked2] },
      { clock: "2026-01-15T10:31:00Z", deliver: [] },
    ]);
    expect(alerts).toEqual([
      [listed.eventID, invoked.eventID],
      [listed2.eventID, invoked2.eventID],
    ]);
  });
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
