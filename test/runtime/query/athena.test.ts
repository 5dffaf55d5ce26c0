/**
 * The Athena poll loop over aws-sdk-client-mock: every end a query can have (SUCCEEDED, FAILED,
 * CANCELLED, still running at the timeout, cancelled by the caller), the header row, NULL cells and
 * pagination. Throttling goes through the real SDK retry stack in athena-loopback.test.ts.
 */
import {
  AthenaClient,
  type GetQueryExecutionCommandOutput,
  type GetQueryResultsCommandOutput,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { mockClient } from "aws-sdk-client-mock";
import { AthenaQuerySource, athenaCostUsd, executeAthenaQuery } from "../../../src/runtime/query/athena";
import { guardrailWith } from "../helpers";
import { QueryError } from "../../../src/runtime/query/source";

const athena = mockClient(AthenaClient);
const POLL = { initialDelayMs: 100, maxDelayMs: 400, timeoutMs: 1_000 };
const slept: number[] = [];
const options = (extra: object = {}) => ({
  client: new AthenaClient({ region: "us-east-1" }),
  workgroup: "bedrock-guardrail",
  poll: POLL,
  sleep: async (ms: number) => void slept.push(ms),
  ...extra,
});

const state = (State: string, extra: object = {}) =>
  ({
    QueryExecution: {
      QueryExecutionId: "q-1",
      Status: { State, ...extra },
      Statistics: { DataScannedInBytes: 52_428_800 },
    },
  }) as unknown as GetQueryExecutionCommandOutput;
const page = (rows: Array<Array<string | undefined>>, NextToken?: string, header = false) =>
  ({
    ResultSet: {
      ResultSetMetadata: { ColumnInfo: [{ Name: "eventid" }, { Name: "errorcode" }] },
      Rows: [...(header ? [["eventid", "errorcode"]] : []), ...rows].map((r) => ({
        Data: r.map((v) => (v === undefined ? {} : { VarCharValue: v })),
      })),
    },
    NextToken,
  }) as GetQueryResultsCommandOutput;

beforeEach(() => {
  athena.reset();
  slept.length = 0;
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "q-1" });
});

describe("executeAthenaQuery", () => {
  it("starts in the workgroup, polls with backoff to SUCCEEDED, drops the header row, pages to the end", async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(state("QUEUED"))
      .resolvesOnce(state("RUNNING"))
      .resolvesOnce(state("RUNNING"))
      .resolves(state("SUCCEEDED"));
    athena
      .on(GetQueryResultsCommand)
      .resolvesOnce(page([["e-1", undefined]], "t-2", true))
      .resolvesOnce(page([["e-2", "AccessDenied"]], "t-3"))
      .resolves(page([["e-3", ""]]));
    const out = await executeAthenaQuery(options({ database: "bedrock_guardrail" }), "SELECT 1");
    expect(out).toEqual({
      queryId: "q-1",
      bytesScanned: 52_428_800,
      rows: [
        [{ eventid: "e-1" }],
        [{ eventid: "e-2" }, { errorcode: "AccessDenied" }],
        [{ eventid: "e-3" }, { errorcode: "" }],
      ],
    });
    expect(athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input).toEqual({
      QueryString: "SELECT 1",
      WorkGroup: "bedrock-guardrail",
      QueryExecutionContext: { Database: "bedrock_guardrail" },
    });
    expect(slept).toEqual([100, 200, 400]);
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      "t-2",
      "t-3",
    ]);
  });

  it("keeps a first data row that is not the header", async () => {
    athena.on(GetQueryExecutionCommand).resolves(state("SUCCEEDED"));
    athena.on(GetQueryResultsCommand).resolves(page([["e-1", "x"]]));
    expect((await executeAthenaQuery(options(), "SELECT 1")).rows).toEqual([[{ eventid: "e-1" }, { errorcode: "x" }]]);
  });

  it.each([
    [
      "FAILED",
      { AthenaError: { ErrorMessage: "TABLE_NOT_FOUND: line 4:6: Table x does not exist" } },
      "TABLE_NOT_FOUND",
    ],
    ["FAILED", { StateChangeReason: "Query exhausted resources" }, "exhausted"],
    ["CANCELLED", { StateChangeReason: "Query cancelled by user" }, "cancelled by user"],
  ])("fails the run with a QueryError on %s, naming the reason", async (s, status, reason) => {
    athena.on(GetQueryExecutionCommand).resolvesOnce(state("RUNNING")).resolves(state(s, status));
    const run = executeAthenaQuery(options(), "SELECT 1");
    await expect(run).rejects.toBeInstanceOf(QueryError);
    await expect(run).rejects.toThrow(new RegExp(`athena query q-1 ended ${s}: .*${reason}`));
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it("stops a query still running at the timeout", async () => {
    athena.on(GetQueryExecutionCommand).resolves(state("RUNNING"));
    athena.on(StopQueryExecutionCommand).resolves({});
    await expect(executeAthenaQuery(options(), "SELECT 1")).rejects.toThrow(/ended TIMED_OUT: still running after 1 s/);
    expect(athena.commandCalls(StopQueryExecutionCommand)[0].args[0].input).toEqual({ QueryExecutionId: "q-1" });
    expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(POLL.timeoutMs);
  });

  it("stops the query when the caller aborts (Ctrl-C in hunt)", async () => {
    const controller = new AbortController();
    athena.on(GetQueryExecutionCommand).callsFake(() => {
      controller.abort();
      return state("RUNNING");
    });
    athena.on(StopQueryExecutionCommand).resolves({});
    await expect(executeAthenaQuery(options({ signal: controller.signal }), "SELECT 1")).rejects.toThrow(
      /ended CANCELLED: cancelled by the caller/,
    );
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(1);
  });

  it("never says a query it could not stop was stopped: it says how to stop it by hand", async () => {
    const controller = new AbortController();
    athena.on(GetQueryExecutionCommand).callsFake(() => {
      controller.abort();
      return state("RUNNING");
    });
    athena
      .on(StopQueryExecutionCommand)
      .rejects(
        Object.assign(new Error("not authorized to perform athena:StopQueryExecution"), { name: "AccessDenied" }),
      );
    const run = executeAthenaQuery(options({ signal: controller.signal }), "SELECT 1");
    await expect(run).rejects.toThrow(
      new RegExp(
        String.raw`cancelled by the caller; the query could not be stopped \(access denied .*not authorized .*\): ` +
          String.raw`stop it by hand \(aws athena stop-query-execution --query-execution-id q-1\)`,
      ),
    );
    // A failed status check whose stop also fails says so too.
    athena.reset();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "q-1" });
    athena
      .on(GetQueryExecutionCommand)
      .rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
    athena.on(StopQueryExecutionCommand).rejects(Object.assign(new Error("denied"), { name: "AccessDenied" }));
    await expect(executeAthenaQuery(options(), "SELECT 1")).rejects.toThrow(
      /Rate exceeded; athena query q-1: the query could not be stopped \(access denied .*denied\): stop it by hand/,
    );
  });

  it("stops the query at once when the caller aborts during a wait between status checks", async () => {
    const controller = new AbortController();
    athena.on(GetQueryExecutionCommand).resolves(state("RUNNING"));
    athena.on(StopQueryExecutionCommand).resolves({});
    // A wait that never ends by itself: only the abort can end it (realSleep waits up to 5 s).
    const run = executeAthenaQuery(
      options({ signal: controller.signal, sleep: () => new Promise<void>(() => undefined) }),
      "SELECT 1",
    );
    setImmediate(() => controller.abort());
    await expect(run).rejects.toThrow(/ended CANCELLED: cancelled by the caller/);
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(1);
  }, 2_000);

  it("stops a started query whose status check fails (throttled past retries, network, credentials)", async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(state("RUNNING"))
      .rejects(Object.assign(new Error("Rate exceeded"), { name: "TooManyRequestsException" }));
    athena.on(StopQueryExecutionCommand).resolves({});
    await expect(executeAthenaQuery(options(), "SELECT 1")).rejects.toThrow(/Rate exceeded/);
    expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: "q-1" },
    ]);
  });

  it("turns a refused start (bad workgroup, throttled past retries) into a NOT STARTED QueryError", async () => {
    athena
      .on(StartQueryExecutionCommand)
      .rejects(Object.assign(new Error("WorkGroup nope is not found"), { name: "InvalidRequestException" }));
    await expect(executeAthenaQuery(options(), "SELECT 1")).rejects.toThrow(
      /athena query ended NOT STARTED: InvalidRequestException: WorkGroup nope is not found/,
    );
  });

  it("prices scans at $5 per TB with the 10 MB minimum", () => {
    expect(athenaCostUsd(0)).toBeCloseTo(0.00005, 10);
    expect(athenaCostUsd(1e12)).toBeCloseTo(5, 10);
    expect(athenaCostUsd(2.5e9 + 1)).toBeCloseTo((2_501e6 / 1e12) * 5, 10);
  });
});

describe("AthenaQuerySource within a run's limit", () => {
  const source = () =>
    new AthenaQuerySource({
      client: new AthenaClient({ region: "us-east-1" }),
      guardrail: guardrailWith(),
      athena: { database: "db", table: "cloudtrail", workgroup: "bedrock-guardrail" },
      poll: { ...POLL, timeoutMs: 600_000 },
      sleep: async (ms: number) => void slept.push(ms),
    });
  const window = { start: new Date("2026-07-01T11:00:00Z"), end: new Date("2026-07-01T12:00:00Z") };

  it("stops the query when the run's time, shorter than its own timeout, is spent", async () => {
    athena.on(GetQueryExecutionCommand).resolves(state("RUNNING"));
    athena.on(StopQueryExecutionCommand).resolves({});
    await expect(source().run(window, { timeoutMs: 2_000 })).rejects.toThrow(/TIMED_OUT: still running after 2 s/);
    expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2_000);
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(1);
  });

  it("does not start a query when the run has no time left", async () => {
    await expect(source().run(window, { timeoutMs: 0 })).rejects.toThrow(/NOT STARTED: no time left in the run/);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });
});
