/**
 * CloudTrail Lake adapter: StartQuery, poll DescribeQuery with backoff until FINISHED, then page
 * GetQueryResults with NextToken (no SDK paginator exists). The SQL and the row mapping come from
 * the detection backend (src/detection/backends/lake-sql.ts), the one source of columns and predicates.
 */
import {
  CancelQueryCommand,
  type CloudTrailClient,
  DescribeQueryCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
} from "@aws-sdk/client-cloudtrail";
import { buildLakeQuery, lakeRowToRecord, type LakeRow } from "../../detection/backends/lake-sql";
import type { Guardrail } from "../../guardrail/guardrail";
import type { PermissionDeclaration } from "../../aws/permissions";
import { errorText } from "../../errors/error-text";
import type { QueryWindow } from "../window";
import {
  DEFAULT_POLL,
  type PollSettings,
  pollUntilDone,
  pollWithin,
  QueryError,
  type QueryLimits,
  type QueryResult,
  type QuerySource,
  realSleep,
  type Sleep,
} from "./source";

export const LAKE_QUERY_PERMISSIONS: PermissionDeclaration[] = [
  {
    actions: [
      "cloudtrail:StartQuery",
      "cloudtrail:DescribeQuery",
      "cloudtrail:GetQueryResults",
      "cloudtrail:CancelQuery",
    ],
    resource: { kind: "event-data-store" },
    why: "Run the guardrail's bounded SQL over the event data store, read its results, cancel it on timeout",
  },
];

export interface LakeSourceOptions {
  client: CloudTrailClient;
  guardrail: Guardrail;
  eventDataStoreArn: string;
  poll?: PollSettings;
  sleep?: Sleep;
  /** Rows per GetQueryResults page (<= 1000). */
  pageSize?: number;
  /** The statement of a window: the event rules' query (default), or another such as the correlation rules'. */
  statement?: (window: QueryWindow) => string;
}

const TERMINAL_FAILURES = new Set(["FAILED", "CANCELLED", "TIMED_OUT"]);

export class LakeQuerySource implements QuerySource {
  readonly backend = "cloudtrail-lake";
  private readonly poll: PollSettings;
  private readonly sleep: Sleep;

  constructor(private readonly options: LakeSourceOptions) {
    this.poll = options.poll ?? DEFAULT_POLL;
    this.sleep = options.sleep ?? realSleep;
  }

  async run(window: QueryWindow, limits?: QueryLimits): Promise<QueryResult> {
    const { client } = this.options;
    const poll = pollWithin(this.backend, this.poll, limits);
    // The SQL is compiled from the guardrail by the detection backend and bounds eventtime on both sides.
    const statement =
      this.options.statement?.(window) ??
      buildLakeQuery(this.options.guardrail, {
        eventDataStore: this.options.eventDataStoreArn,
        start: window.start,
        end: window.end,
      });
    let queryId: string | undefined;
    try {
      queryId = (await client.send(new StartQueryCommand({ QueryStatement: statement }))).QueryId;
    } catch (e) {
      const name = (e as Error).name;
      if (name === "MaxConcurrentQueriesException")
        throw new QueryError(
          this.backend,
          "NOT STARTED",
          "too many concurrent queries on the event data store (MaxConcurrentQueriesException, still after retries)",
        );
      throw e;
    }
    if (!queryId) throw new QueryError(this.backend, "NOT STARTED", "StartQuery returned no QueryId");
    const id = queryId;

    // Undefined when cancelled; else why not and how to cancel it by hand (never "cancelled" while it still scans).
    const cancel = (): Promise<string | undefined> =>
      client.send(new CancelQueryCommand({ QueryId: id })).then(
        () => undefined,
        (e: unknown) =>
          `the query could not be cancelled (${errorText(e)}): cancel it by hand ` +
          `(aws cloudtrail cancel-query --query-id ${id})`,
      );
    const bytesScanned = await pollUntilDone(
      async () => {
        const d = await client.send(new DescribeQueryCommand({ QueryId: id }));
        const status = d.QueryStatus ?? "UNKNOWN";
        if (TERMINAL_FAILURES.has(status))
          throw new QueryError(this.backend, status, d.ErrorMessage ?? "no error message", id);
        return { done: status === "FINISHED", value: d.QueryStatistics?.BytesScanned ?? 0 };
      },
      poll,
      this.sleep,
      async () => {
        const failed = await cancel();
        throw new QueryError(
          this.backend,
          "TIMED_OUT",
          `still running after ${Math.round(poll.timeoutMs / 1000)} s; ${failed ?? "cancelled"}`,
          id,
        );
      },
    ).catch(async (e: unknown) => {
      // A status check that failed (throttled past the retries, the network, expired credentials) leaves the
      // query running and scanning at the caller's cost: cancel it. A QueryError has ended or cancelled it already.
      const failed = e instanceof QueryError ? undefined : await cancel();
      if (failed) throw new Error(`${errorText(e)}; ${this.backend} query ${id}: ${failed}`);
      throw e;
    });

    // No result cap to split around here (unlike Logs Insights): the job's SQL has no LIMIT and
    // GetQueryResults pages through every row with NextToken.
    const result: QueryResult = { records: [], rows: 0, bytesScanned, unreadable: [], queryId: id };
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new GetQueryResultsCommand({
          QueryId: id,
          NextToken: nextToken,
          MaxQueryResults: this.options.pageSize ?? 1000,
        }),
      );
      if (page.QueryStatus && TERMINAL_FAILURES.has(page.QueryStatus))
        throw new QueryError(this.backend, page.QueryStatus, page.ErrorMessage ?? "while reading results", id);
      for (const row of page.QueryResultRows ?? []) {
        result.rows++;
        // The mapper never throws; a row it cannot complete becomes a record evaluateRecord counts as invalid.
        result.records.push(lakeRowToRecord(row as LakeRow));
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return result;
  }
}
