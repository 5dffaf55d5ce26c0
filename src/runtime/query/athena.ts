/**
 * Amazon Athena adapter: StartQueryExecution in a workgroup, poll GetQueryExecution with backoff
 * until SUCCEEDED, then page GetQueryResults with NextToken. The SQL and the row mapping come
 * from the detection backend (src/detection/backends/athena-sql.ts), which extends the Lake
 * column table, so the same rule and the same record shape come back from either store.
 *
 * `executeAthenaQuery` is shared by the scheduled job (AthenaQuerySource) and `hunt --backend
 * athena`; throttling (TooManyRequestsException, ThrottlingException) is retried by the SDK
 * client's retry strategy (src/aws/clients.ts), never by a loop here.
 */
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type Row,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import type { PermissionDeclaration } from "../../aws/permissions";
import { errorText } from "../../errors/error-text";
import { athenaRowToRecord, buildAthenaQuery } from "../../detection/backends/athena-sql";
import type { Guardrail } from "../../guardrail/guardrail";
import type { QueryWindow } from "../window";
import {
  DEFAULT_POLL,
  pollUntilDone,
  type PollSettings,
  pollWithin,
  QueryError,
  type QueryLimits,
  type QueryResult,
  type QuerySource,
  realSleep,
  type Sleep,
} from "./source";

const ATHENA_BACKEND = "athena";

/**
 * What running the guardrail's query needs. Athena checks Glue and S3 as the caller: the table
 * definition in Glue, the trail's objects it reads, and the results location it writes and reads
 * back through GetQueryResults. The trail key is declared only when the trail is SSE-KMS encrypted.
 */
export function athenaQueryPermissions(options: { trailEncrypted: boolean }): PermissionDeclaration[] {
  return [
    {
      actions: [
        "athena:StartQueryExecution",
        "athena:GetQueryExecution",
        "athena:GetQueryResults",
        "athena:StopQueryExecution",
      ],
      resource: { kind: "athena-workgroup" },
      why: "Run the guardrail's partition-pruned SQL in the monitor's workgroup, read its results, stop it on timeout",
    },
    {
      actions: ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"],
      resource: { kind: "athena-table" },
      why: "Athena reads the CloudTrail table's definition (columns, partition projection) as the caller",
    },
    {
      actions: ["s3:GetBucketLocation", "s3:ListBucket"],
      resource: { kind: "trail-bucket" },
      why: "Athena lists the projected partition folders of the trail's bucket",
    },
    {
      actions: ["s3:GetObject"],
      resource: { kind: "trail-objects" },
      why: "Athena reads the trail's log files under the organization's AWSLogs prefix",
    },
    {
      actions: ["s3:GetBucketLocation", "s3:ListBucket"],
      resource: { kind: "athena-results-bucket" },
      why: "Athena checks and lists the workgroup's results location",
    },
    {
      actions: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      resource: { kind: "athena-results-objects" },
      why: "Athena writes the query's results under the results prefix and GetQueryResults reads them back",
    },
    ...(options.trailEncrypted
      ? [
          {
            actions: ["kms:Decrypt"],
            resource: { kind: "trail-key" as const },
            why: "The trail's log files are SSE-KMS encrypted: reading them decrypts with the trail's key",
          },
        ]
      : []),
  ];
}

export interface AthenaExecutionOptions {
  client: AthenaClient;
  workgroup: string;
  /** Glue catalog database the unqualified names resolve in (the SQL qualifies its table anyway). */
  database?: string;
  poll: PollSettings;
  sleep: Sleep;
  /** Rows per GetQueryResults page (Athena allows up to 1000). */
  pageSize?: number;
  /** Aborting stops the query (StopQueryExecution) and rejects with a CANCELLED QueryError. */
  signal?: AbortSignal;
}

/** A result row as `{column: value}` cells, NULLs left out: the Lake row shape the shared mapper reads. */
type AthenaRow = Array<Record<string, string>>;

export interface AthenaExecution {
  queryId: string;
  rows: AthenaRow[];
  bytesScanned: number;
}

const FAILED_STATES = new Set(["FAILED", "CANCELLED"]);

/** One started query to its end: the rows, the bytes it scanned. Throws QueryError on any failed end. */
export async function executeAthenaQuery(o: AthenaExecutionOptions, sql: string): Promise<AthenaExecution> {
  const { client } = o;
  if (o.signal?.aborted) throw new QueryError(ATHENA_BACKEND, "CANCELLED", "cancelled before it started");
  let queryId: string | undefined;
  try {
    const started = await client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: o.workgroup,
        ...(o.database ? { QueryExecutionContext: { Database: o.database } } : {}),
      }),
    );
    queryId = started.QueryExecutionId;
  } catch (e) {
    const error = e as Error;
    if (error.name === "TooManyRequestsException" || error.name === "InvalidRequestException")
      throw new QueryError(ATHENA_BACKEND, "NOT STARTED", `${error.name}: ${error.message}`);
    throw e;
  }
  if (!queryId) throw new QueryError(ATHENA_BACKEND, "NOT STARTED", "StartQueryExecution returned no id");
  const id = queryId;
  // Undefined when stopped; else why not and how to stop it by hand (a message must never say a query that still
  // scans, at the caller's cost, was stopped).
  const stop = (): Promise<string | undefined> =>
    client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })).then(
      () => undefined,
      (e: unknown) =>
        `the query could not be stopped (${errorText(e)}): stop it by hand ` +
        `(aws athena stop-query-execution --query-execution-id ${id})`,
    );

  const bytesScanned = await pollUntilDone(
    async () => {
      if (o.signal?.aborted) {
        const failed = await stop();
        throw new QueryError(
          ATHENA_BACKEND,
          "CANCELLED",
          `cancelled by the caller; ${failed ?? "the query was stopped"}`,
          id,
        );
      }
      const q = (await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution;
      const state = q?.Status?.State ?? "UNKNOWN";
      if (FAILED_STATES.has(state)) {
        const reason = q?.Status?.AthenaError?.ErrorMessage ?? q?.Status?.StateChangeReason ?? "no reason given";
        throw new QueryError(ATHENA_BACKEND, state, reason, id);
      }
      return { done: state === "SUCCEEDED", value: q?.Statistics?.DataScannedInBytes ?? 0 };
    },
    o.poll,
    // Ctrl-C ends a wait between status checks at once: the next check stops the query now, not up to 5 s later.
    (ms) => untilAborted(o.sleep(ms), o.signal),
    async () => {
      const failed = await stop();
      throw new QueryError(
        ATHENA_BACKEND,
        "TIMED_OUT",
        `still running after ${Math.round(o.poll.timeoutMs / 1000)} s; ${failed ?? "stopped"}`,
        id,
      );
    },
  ).catch(async (e: unknown) => {
    // A status check that failed (throttled past the retries, the network, expired credentials) leaves the
    // query running and scanning at the caller's cost: stop it. A QueryError has ended or stopped it already.
    const failed = e instanceof QueryError ? undefined : await stop();
    if (failed) throw new Error(`${errorText(e)}; athena query ${id}: ${failed}`);
    throw e;
  });

  const rows: AthenaRow[] = [];
  let columns: string[] | undefined;
  let nextToken: string | undefined;
  let first = true;
  do {
    const page = await client.send(
      new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: nextToken, MaxResults: o.pageSize ?? 1000 }),
    );
    columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => (c.Name ?? "").toLowerCase());
    const pageRows = page.ResultSet?.Rows ?? [];
    // A SELECT's first page starts with the column names as a row.
    const start = first && pageRows.length > 0 && isHeader(pageRows[0], columns) ? 1 : 0;
    for (const row of pageRows.slice(start)) rows.push(cells(row, columns));
    first = false;
    nextToken = page.NextToken;
  } while (nextToken);
  return { queryId: id, rows, bytesScanned };
}

/** `wait`, ended early when `signal` aborts. */
function untilAborted(wait: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return wait;
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const aborted = () => resolve();
    signal.addEventListener("abort", aborted, { once: true });
    wait.then(resolve, reject).finally(() => signal.removeEventListener("abort", aborted));
  });
}

function isHeader(row: Row, columns: readonly string[]): boolean {
  const data = row.Data ?? [];
  return data.length === columns.length && data.every((d, i) => (d.VarCharValue ?? "").toLowerCase() === columns[i]);
}

function cells(row: Row, columns: readonly string[]): AthenaRow {
  return (row.Data ?? []).flatMap((d, i) =>
    d.VarCharValue === undefined || columns[i] === undefined ? [] : [{ [columns[i]]: d.VarCharValue }],
  );
}

/** Athena's list price per TB scanned (USD, us-east-1). */
const ATHENA_USD_PER_TB = 5;

/**
 * The list-price cost of one query that scanned `bytes`: rounded up to the megabyte with a 10 MB
 * minimum per query. Decimal units (1 TB = 10^12 bytes), the higher of the two readings of "TB".
 */
export function athenaCostUsd(bytes: number): number {
  const billed = Math.max(Math.ceil(bytes / 1e6), 10) * 1e6;
  return (billed / 1e12) * ATHENA_USD_PER_TB;
}

export interface AthenaSourceOptions {
  client: AthenaClient;
  guardrail: Guardrail;
  /** monitor.athena of the config: the table, workgroup and database the job queries. */
  athena: Pick<AthenaMonitorSettings, "database" | "table" | "workgroup">;
  poll?: PollSettings;
  sleep?: Sleep;
  pageSize?: number;
  /** The SQL of a window: the event rules' query (default), or another such as the correlation rules'. */
  statement?: (window: QueryWindow) => string;
}

type AthenaMonitorSettings = Guardrail["config"]["monitor"]["athena"];

/**
 * The scheduled job's source on Athena. The job core (watermark, lateness allowance, exactly-once
 * claims, carry-over) does not know which store answered: it gets records, rows and bytes.
 */
export class AthenaQuerySource implements QuerySource {
  readonly backend = ATHENA_BACKEND;
  private readonly poll: PollSettings;
  private readonly sleep: Sleep;

  constructor(private readonly options: AthenaSourceOptions) {
    this.poll = options.poll ?? DEFAULT_POLL;
    this.sleep = options.sleep ?? realSleep;
  }

  async run(window: QueryWindow, limits?: QueryLimits): Promise<QueryResult> {
    const { athena } = this.options;
    // No LIMIT: every row of the window is read, page by page, so none is skipped past a cap.
    const sql =
      this.options.statement?.(window) ??
      buildAthenaQuery(this.options.guardrail, {
        table: `${athena.database}.${athena.table}`,
        start: window.start,
        end: window.end,
      });
    const out = await executeAthenaQuery(
      {
        client: this.options.client,
        workgroup: athena.workgroup,
        database: athena.database,
        poll: pollWithin(this.backend, this.poll, limits),
        sleep: this.sleep,
        pageSize: this.options.pageSize,
      },
      sql,
    );
    return {
      records: out.rows.map((row) => athenaRowToRecord(row)),
      rows: out.rows.length,
      bytesScanned: out.bytesScanned,
      unreadable: [],
      queryId: out.queryId,
    };
  }
}
