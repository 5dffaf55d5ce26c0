/**
 * One deadline per scheduled run (the invocation's remaining time): the event and the correlation query share it, and
 * a run whose queries left too little for the alerts stops before them, failed with its watermark kept, instead of
 * being cut off by Lambda in the middle of them. A fake clock and slow fake queries: no real waiting.
 */
import { CancelQueryCommand, StartQueryCommand } from "@aws-sdk/client-cloudtrail";
import type { FindingResponder } from "../../src/aws/contracts";
import type { CloudTrailRecord } from "../../src/detection/record";
import { DRAIN_RESERVE_MS, runJob } from "../../src/runtime/job";
import { claimAll, DRAIN_ITEM_RESERVE_MS, drainPending, findingsOf } from "../../src/runtime/pipeline";
import { LakeQuerySource } from "../../src/runtime/query/lake";
import type { QueryLimits, QueryResult, QuerySource } from "../../src/runtime/query/source";
import { MemoryStateStore } from "../support/memory-state-store";
import { at, EDS_ARN, eventBridgeEvent, guardrailWith, simEvent, simulateLake } from "./helpers";

const g = guardrailWith();
const JOB = "query-job";
const INVOCATION_MS = 900_000;

/** A query that takes `takesMs` of the fake clock and records the limit it was given. */
function slowQuery(clock: { now: Date }, takesMs: () => number, records: () => CloudTrailRecord[] = () => []) {
  const limits: QueryLimits[] = [];
  const source: QuerySource = {
    backend: "cloudtrail-lake",
    async run(_window, l): Promise<QueryResult> {
      limits.push(l ?? {});
      clock.now = new Date(clock.now.getTime() + takesMs());
      const rs = records();
      return { records: rs, rows: rs.length, bytesScanned: 0, unreadable: [] };
    },
  };
  return { source, limits };
}

function setup(eventQueryMs: number, correlationQueryMs = 0) {
  const clock = { now: at("2026-07-01T12:00:00Z") };
  const store = new MemoryStateStore();
  const published: string[] = [];
  const responded: string[] = [];
  const record = eventBridgeEvent(simEvent("e-1", at("2026-07-01T11:58:00Z"), 0)).detail as CloudTrailRecord;
  let slow = true;
  const events = slowQuery(
    clock,
    () => (slow ? eventQueryMs : 1_000),
    () => [record],
  );
  const correlations = slowQuery(clock, () => (slow ? correlationQueryMs : 1_000));
  const responder: FindingResponder = {
    async respond(f) {
      responded.push(f.event.id);
      return { findingId: f.event.id, outcomes: [] };
    },
  };
  let runs = 0;
  const run = () =>
    runJob(
      {
        guardrail: g,
        store,
        source: events.source,
        correlations: correlations.source,
        notifier: { publish: async (_s, body) => void published.push(JSON.parse(body).event.id) },
        responder,
        now: () => clock.now,
        runId: `run-${++runs}`,
      },
      { jobName: JOB, timeLimitMs: INVOCATION_MS },
    );
  const fast = () => {
    slow = false;
  };
  return { clock, store, published, responded, events, correlations, run, fast };
}

describe("the scheduled run's deadline", () => {
  it("the queries share it: each may wait what is left of the invocation, less the alerts' reserve", async () => {
    const t = setup(650_000);
    const s = await t.run();
    expect(t.events.limits).toEqual([{ timeoutMs: INVOCATION_MS - DRAIN_RESERVE_MS }]);
    // The correlation query gets what the event query left, not a full timeout of its own.
    expect(t.correlations.limits).toEqual([{ timeoutMs: INVOCATION_MS - DRAIN_RESERVE_MS - 650_000 }]);
    expect(s).toMatchObject({ status: "ok", published: 1, responded: 1 });
  });

  it("queries that leave too little stop the run before the alerts; the next run alerts once", async () => {
    const t = setup(500_000, 250_000);
    const s = await t.run();
    expect(s).toMatchObject({ status: "failed", failure: { step: "deadline" }, newFindings: 1, published: 0 });
    expect(s.failure!.error).toMatch(/^150 s of the invocation left after the queries, less than the 180 s kept/);
    expect([t.published, t.responded]).toEqual([[], []]);
    // Failed cleanly: only the first run's anchor is stored, the window is queried again.
    expect(s.watermark.after).toBeUndefined();
    expect(await t.store.getWatermark(JOB)).toBe("2026-07-01T11:54:00.000Z");
    expect((await t.store.listPending(JOB)).map((p) => p.eventId)).toEqual(["e-1"]);

    t.fast();
    t.clock.now = at("2026-07-01T12:20:00Z");
    const next = await t.run();
    expect(next).toMatchObject({ status: "ok", duplicates: 1, published: 1, responded: 1 });
    expect(next.window!.start).toBe("2026-07-01T11:34:00.000Z");
    expect([t.published, t.responded]).toEqual([["e-1"], ["e-1"]]);
  });

  it("a query with no time left is not started, and fails the run like a failed query", async () => {
    const t = setup(INVOCATION_MS - DRAIN_RESERVE_MS);
    const lake = simulateLake();
    const s = await runJob(
      {
        guardrail: g,
        store: t.store,
        source: t.events.source,
        correlations: new LakeQuerySource({
          client: lake.client,
          guardrail: g,
          eventDataStoreArn: EDS_ARN,
          sleep: async () => undefined,
        }),
        notifier: { publish: async () => undefined },
        now: () => t.clock.now,
        runId: "run-1",
      },
      { jobName: JOB, timeLimitMs: INVOCATION_MS },
    );
    expect(s).toMatchObject({ status: "failed", failure: { step: "query" } });
    expect(s.failure!.error).toMatch(/NOT STARTED: no time left in the run for the query.*queried again next run/);
    expect(lake.mock.commandCalls(StartQueryCommand)).toHaveLength(0);
  });
});

describe("a CloudTrail Lake query within a run's limit", () => {
  it("is cancelled when the run's time, shorter than its own timeout, is spent", async () => {
    const lake = simulateLake();
    lake.nextStatuses = Array(50).fill("RUNNING");
    lake.mock.on(CancelQueryCommand).resolves({});
    const slept: number[] = [];
    const src = new LakeQuerySource({
      client: lake.client,
      guardrail: g,
      eventDataStoreArn: EDS_ARN,
      sleep: async (ms) => void slept.push(ms),
      poll: { initialDelayMs: 1_000, maxDelayMs: 1_000, timeoutMs: 600_000 },
    });
    const window = { start: at("2026-07-01T11:00:00Z"), end: at("2026-07-01T12:00:00Z") };
    await expect(src.run(window, { timeoutMs: 5_000 })).rejects.toThrow(/ended TIMED_OUT: still running after 5 s/);
    expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5_000);
    expect(lake.mock.commandCalls(CancelQueryCommand)).toHaveLength(1);
  });

  it("the drain takes no item it cannot finish: with less than its reserve left, the rest waits", async () => {
    const clock = { now: at("2026-07-01T12:00:00Z") };
    const store = new MemoryStateStore();
    const records = ["e-1", "e-2", "e-3"].map(
      (id, i) => eventBridgeEvent(simEvent(id, at(`2026-07-01T11:58:0${i}Z`), 0)).detail as CloudTrailRecord,
    );
    await claimAll(store, JOB, findingsOf(g, records).findings);
    const published: string[] = [];
    // Each item's response takes 40 s of a 100 s invocation: the third would start with 20 s left.
    const endsAt = clock.now.getTime() + 100_000;
    const drain = (runId: string, timeLeftMs?: () => number) =>
      drainPending(
        {
          store,
          notifier: { publish: async (_s, body) => void published.push(JSON.parse(body).event.id) },
          responder: {
            async respond(f) {
              clock.now = new Date(clock.now.getTime() + 40_000);
              return { findingId: f.event.id, outcomes: [] };
            },
          },
          runId,
          now: () => clock.now,
          leaseMs: 900_000,
          dedupeRetentionMs: 86_400_000,
          ...(timeLeftMs ? { timeLeftMs } : {}),
        },
        JOB,
        100,
      );
    const first = await drain("run-1", () => endsAt - clock.now.getTime());
    expect(endsAt - clock.now.getTime()).toBeLessThan(DRAIN_ITEM_RESERVE_MS);
    expect(first).toEqual({ published: 2, responded: 2, carriedOver: 1, heldElsewhere: 0 });
    expect((await store.listPending(JOB)).map((p) => p.eventId)).toEqual(["e-3"]);
    expect(await drain("run-2")).toEqual({ published: 1, responded: 1, carriedOver: 0, heldElsewhere: 0 });
    expect(published).toEqual(["e-1", "e-2", "e-3"]);
  });
});
