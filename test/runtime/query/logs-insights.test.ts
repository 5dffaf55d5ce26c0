/**
 * The Logs Insights source against a simulated Logs Insights (aws-sdk-client-mock): StartQuery is
 * answered by its startTime/endTime (epoch seconds, both inclusive) and its limit, as the service
 * does, so a window with more matching events than the limit is only fully read if the source
 * notices the cap and splits the window.
 */
import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
  type StartQueryCommandInput,
  StopQueryCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import { splitSlice, LogsInsightsQuerySource } from "../../../src/runtime/query/logs-insights";
import { QueryError } from "../../../src/runtime/query/source";
import { guardrailWith } from "../helpers";

interface SimEvent {
  id: string;
  ms: number;
}

const T0 = Date.parse("2025-06-01T10:00:00Z");

/** A GetQueryResults row for the event: @message carries the whole CloudTrail event. */
function row(e: SimEvent) {
  const event = {
    eventVersion: "1.09",
    eventID: e.id,
    eventTime: new Date(e.ms).toISOString().replace(/\.\d{3}Z$/, "Z"),
    eventSource: "bedrock.amazonaws.com",
    eventName: "CreateFoundationModelAgreement",
    awsRegion: "us-east-1",
    recipientAccountId: "444455556666",
    userIdentity: {
      type: "AssumedRole",
      arn: "arn:aws:sts::444455556666:assumed-role/stolen-dev-role/s",
      accountId: "444455556666",
    },
  };
  return [
    { field: "@timestamp", value: new Date(e.ms).toISOString() },
    { field: "@message", value: JSON.stringify(event) },
    { field: "eventID", value: e.id },
    { field: "@ptr", value: `ptr-${e.id}` },
  ];
}

/**
 * Simulated Logs Insights: each query returns the events in its range, oldest first, at most `limit`, in pages of 3.
 */
function simulate(events: SimEvent[], runningPolls = 0) {
  const mock = mockClient(CloudWatchLogsClient);
  const queries = new Map<string, { rows: ReturnType<typeof row>[]; running: number }>();
  const started: { startTime: number; endTime: number; limit: number }[] = [];
  mock.on(StartQueryCommand).callsFake((input: StartQueryCommandInput) => {
    const startTime = input.startTime!;
    const endTime = input.endTime!;
    const limit = input.limit!;
    expect(input.queryString).toContain(`| limit ${limit}`);
    started.push({ startTime, endTime, limit });
    const rows = events
      .filter((e) => e.ms >= startTime * 1000 && e.ms <= endTime * 1000 + 999)
      .sort((a, b) => a.ms - b.ms)
      .slice(0, limit)
      .map(row);
    const queryId = `q${started.length}`;
    queries.set(queryId, { rows, running: runningPolls });
    return { queryId };
  });
  mock.on(GetQueryResultsCommand).callsFake((input: { queryId: string; nextToken?: string }) => {
    const q = queries.get(input.queryId)!;
    if (q.running > 0 && !input.nextToken) {
      q.running--;
      return { status: "Running", results: [] };
    }
    const from = input.nextToken ? Number(input.nextToken) : 0;
    const page = q.rows.slice(from, from + 3);
    return {
      status: "Complete",
      results: page,
      statistics: { bytesScanned: 100 },
      ...(from + 3 < q.rows.length ? { nextToken: String(from + 3) } : {}),
    };
  });
  return { mock, started };
}

function source(mock: ReturnType<typeof simulate>["mock"], limit: number) {
  return new LogsInsightsQuerySource({
    client: mock as unknown as CloudWatchLogsClient,
    guardrail: guardrailWith(),
    logGroups: ["org-trail"],
    limit,
    sleep: async () => undefined,
  });
}

const window = { start: new Date(T0), end: new Date(T0 + 10 * 60_000) };

describe("LogsInsightsQuerySource", () => {
  it(
    "reads every event of a window with more matching events than the query limit (splits the window, de-duplicates " +
      "by eventID)",
    async () => {
      // 23 events spread over the 10 minutes, two of them in the same second; limit 5.
      const events: SimEvent[] = Array.from({ length: 22 }, (_, i) => ({ id: `ev-${i}`, ms: T0 + i * 27_000 + 250 }));
      events.push({ id: "ev-same-second", ms: events[7].ms + 500 });
      const sim = simulate(events);
      const result = await source(sim.mock, 5).run(window);
      const ids = result.records.map((r) => r.eventID).sort();
      expect(ids).toEqual(events.map((e) => e.id).sort());
      expect(result.rows).toBe(events.length);
      expect(sim.started.length).toBeGreaterThan(1);
      // Every query stayed inside the window and the first covered all of it.
      expect(sim.started[0]).toEqual({ startTime: T0 / 1000, endTime: T0 / 1000 + 600, limit: 5 });
      for (const q of sim.started) {
        expect(q.startTime).toBeGreaterThanOrEqual(T0 / 1000);
        expect(q.endTime).toBeLessThanOrEqual(T0 / 1000 + 600);
      }
      // Bytes of every query are counted, and every query id is reported.
      expect(result.bytesScanned).toBe(100 * sim.started.length);
      expect(result.queryId!.split(",")).toHaveLength(sim.started.length);
    },
  );

  it("runs one query when the window holds fewer rows than the limit", async () => {
    const events = Array.from({ length: 7 }, (_, i) => ({ id: `ev-${i}`, ms: T0 + i * 60_000 }));
    const sim = simulate(events);
    const result = await source(sim.mock, 10).run(window);
    expect(sim.started).toHaveLength(1);
    expect(result.records).toHaveLength(7);
  });

  it("fails the run (so the watermark stays) when a one-second slice still fills the limit", async () => {
    const burst = Array.from({ length: 6 }, (_, i) => ({ id: `burst-${i}`, ms: T0 + 300_000 + i * 10 }));
    const sim = simulate([{ id: "early", ms: T0 + 1000 }, ...burst]);
    const err = await source(sim.mock, 5)
      .run(window)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryError);
    expect((err as Error).message).toMatch(/fill the query limit of 5 even in a 1 s slice/);
    expect((err as Error).message).toMatch(/The window is kept and queried again next run/);
  });
});

describe("LogsInsightsQuerySource within a run's limit", () => {
  it("its slices share the limit: each waits what the ones before it left, then the run fails", async () => {
    // 6 events fill a limit of 5: the window is split, and every query runs 3 s (three "Running" answers).
    const events = Array.from({ length: 6 }, (_, i) => ({ id: `ev-${i}`, ms: T0 + i * 60_000 }));
    const sim = simulate(events, 3);
    sim.mock.on(StopQueryCommand).resolves({});
    const slept: number[] = [];
    const src = new LogsInsightsQuerySource({
      client: sim.mock as unknown as CloudWatchLogsClient,
      guardrail: guardrailWith(),
      logGroups: ["org-trail"],
      limit: 5,
      sleep: async (ms) => void slept.push(ms),
      poll: { initialDelayMs: 1_000, maxDelayMs: 1_000, timeoutMs: 600_000 },
    });
    await expect(src.run(window, { timeoutMs: 5_000 })).rejects.toThrow(/ended Timeout: still running after 2 s/);
    expect(sim.started).toHaveLength(2);
    expect(sim.mock.commandCalls(StopQueryCommand)).toHaveLength(1);
    expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5_000);
  });

  it("counts the time its calls take, not only its waits: a slow service stops the slicing at the limit", async () => {
    // Every query completes at once (no waits) and fills the limit, but each StartQuery takes 2 s: after the third
    // (6 s in), the next slice has no time left.
    const events = Array.from({ length: 5 }, (_, i) => ({ id: `ev-${i}`, ms: T0 + i * 15_000 }));
    const sim = simulate(events);
    let clock = 0;
    sim.mock.on(StartQueryCommand).callsFake(() => {
      clock += 2_000;
      return { queryId: "q-slow" };
    });
    sim.mock.on(GetQueryResultsCommand).resolves({
      status: "Complete",
      results: events.map(row),
      statistics: { bytesScanned: 1 },
    });
    const src = new LogsInsightsQuerySource({
      client: sim.mock as unknown as CloudWatchLogsClient,
      guardrail: guardrailWith(),
      logGroups: ["org-trail"],
      limit: 5,
      sleep: async () => undefined,
      now: () => clock,
    });
    await expect(src.run(window, { timeoutMs: 5_000 })).rejects.toThrow(/no time left in the run for the query/);
    expect(sim.mock.commandCalls(StartQueryCommand)).toHaveLength(3);
  });
});

describe("splitSlice", () => {
  it("halves a slice into two strictly narrower ones that cover it, and stops at the minimum width", () => {
    for (const [s, e] of [
      [0, 600],
      [0, 3],
      [10, 12],
      [5, 1_000_001],
    ]) {
      const halves = splitSlice(s, e, 1)!;
      expect(halves[0][0]).toBe(s);
      expect(halves[1][1]).toBe(e);
      expect(halves[0][1]).toBe(halves[1][0]);
      for (const [a, b] of halves) expect(b - a).toBeLessThan(e - s);
    }
    expect(splitSlice(10, 11, 1)).toBeUndefined();
    expect(splitSlice(10, 10, 1)).toBeUndefined();
    expect(splitSlice(0, 60, 60)).toBeUndefined();
  });
});
