/**
 * An Amazon Athena behind aws-sdk-client-mock that answers the job's real SQL the way the
 * CloudTrail Lake simulation does (helpers.ts): by its eventtime bounds, only with events already
 * delivered by the simulated clock, and only from the day folders (`timestamp` partitions) the
 * query lists, since a log file lands in the folder of the day it is delivered. Results come as
 * GetQueryResults pages: column metadata, a header row on the first page, NULLs as empty cells.
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { mockClient } from "aws-sdk-client-mock";
import { LAKE_COLUMNS } from "../../src/detection/backends/lake-sql";
import type { Guardrail } from "../../src/guardrail/guardrail";
import { AthenaQuerySource } from "../../src/runtime/query/athena";
import type { QuerySource } from "../../src/runtime/query/source";
import { lakeRow, type SimEvent } from "./helpers";

const ATHENA_SETTINGS = { database: "bedrock_guardrail", table: "cloudtrail", workgroup: "bedrock-guardrail" };

export interface AthenaSim {
  mock: ReturnType<typeof mockClient>;
  client: AthenaClient;
  events: SimEvent[];
  clock: { now: Date };
  statements: string[];
  pageSize: number;
  /** States GetQueryExecution reports for the next query, in order, before SUCCEEDED. */
  nextStatuses: string[];
  source(guardrail: Guardrail): QuerySource;
}

/** The instants of `from_iso8601_timestamp('...')` bounds and the listed day folders of the job's SQL. */
function athenaSqlWindow(sql: string): { start: number; end: number; days: Set<string> } {
  const start = /eventtime\)\) >= from_iso8601_timestamp\('([^']+)'\)/.exec(sql);
  const end = /eventtime\)\) < from_iso8601_timestamp\('([^']+)'\)/.exec(sql);
  const days = /"timestamp" IN \(([^)]+)\)/.exec(sql);
  if (!start || !end || !days) throw new Error(`query is not bounded and pruned:\n${sql}`);
  return {
    start: Date.parse(start[1]),
    end: Date.parse(end[1]),
    days: new Set(days[1].split(", ").map((d) => d.slice(1, -1))),
  };
}

const dayFolder = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, "/");

function resultRow(e: SimEvent): Array<{ VarCharValue?: string }> {
  const cells = Object.assign({}, ...lakeRow(e)) as Record<string, string>;
  // The archive's eventtime is CloudTrail's ISO-8601 text.
  cells.eventtime = e.time.toISOString().replace(/\.\d{3}Z$/, "Z");
  return LAKE_COLUMNS.map((c) => (cells[c.alias] === undefined ? {} : { VarCharValue: cells[c.alias] }));
}

export function simulateAthena(): AthenaSim {
  const client = new AthenaClient({
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
  });
  const mock = mockClient(client);
  const sim: AthenaSim = {
    mock,
    client,
    events: [],
    clock: { now: new Date(0) },
    statements: [],
    pageSize: 2,
    nextStatuses: [],
    source: (guardrail) =>
      new AthenaQuerySource({
        client,
        guardrail,
        athena: ATHENA_SETTINGS,
        sleep: async () => undefined,
        pageSize: sim.pageSize,
      }),
  };
  const results = new Map<string, Array<Array<{ VarCharValue?: string }>>>();
  const states = new Map<string, string[]>();
  let n = 0;
  mock.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string }) => {
    const id = `aq-${++n}`;
    sim.statements.push(input.QueryString);
    const w = athenaSqlWindow(input.QueryString);
    const now = sim.clock.now.getTime();
    const rows = sim.events
      .filter(
        (e) =>
          e.deliveredAt.getTime() <= now &&
          w.days.has(dayFolder(e.deliveredAt)) &&
          e.time.getTime() >= w.start &&
          e.time.getTime() < w.end,
      )
      .sort((a, b) => a.time.getTime() - b.time.getTime())
      .map(resultRow);
    results.set(id, [LAKE_COLUMNS.map((c) => ({ VarCharValue: c.alias })), ...rows]);
    states.set(id, [...sim.nextStatuses.splice(0), "SUCCEEDED"]);
    return { QueryExecutionId: id };
  });
  mock.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => {
    const queue = states.get(input.QueryExecutionId)!;
    const state = queue.length > 1 ? queue.shift()! : queue[0];
    return {
      QueryExecution: {
        QueryExecutionId: input.QueryExecutionId,
        Status: { State: state, StateChangeReason: state === "SUCCEEDED" ? undefined : `query ${state.toLowerCase()}` },
        Statistics: { DataScannedInBytes: 1000 * (results.get(input.QueryExecutionId)?.length ?? 0) },
      },
    };
  });
  mock
    .on(GetQueryResultsCommand)
    .callsFake((input: { QueryExecutionId: string; NextToken?: string; MaxResults?: number }) => {
      const rows = results.get(input.QueryExecutionId)!;
      const from = input.NextToken ? Number(input.NextToken) : 0;
      const to = from + (input.MaxResults ?? sim.pageSize);
      return {
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: LAKE_COLUMNS.map((c) => ({ Name: c.alias, Type: "varchar" })) },
          Rows: rows.slice(from, to).map((Data) => ({ Data })),
        },
        NextToken: to < rows.length ? String(to) : undefined,
      };
    });
  return sim;
}
