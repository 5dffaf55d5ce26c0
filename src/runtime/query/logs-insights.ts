/**
 * CloudWatch Logs Insights adapter, for organizations without CloudTrail Lake (closed to new
 * customers since 2026-05-31): StartQuery over the organization trail's log group(s), poll
 * GetQueryResults until Complete, follow nextToken. Query text and row mapping come from
 * src/detection/backends/logs-insights.ts.
 *
 * A Logs Insights query returns at most its `limit` rows (10,000 at most) and there is no way to
 * ask for the rows after them. A window that returns exactly `limit` rows may therefore have more,
 * and the job advances the watermark past the whole window: those rows would be lost for good. So
 * a window that fills the limit is split in two halves, each queried again (recursively), down to
 * `minSliceSeconds`; a slice that small that still fills the limit fails the run (QueryError), which
 * keeps the watermark where it was. Halves share their boundary second (StartQuery's times are
 * whole seconds, both inclusive), so rows are de-duplicated by eventID.
 */
import {
  type CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  buildLogsInsightsQuery,
  type InsightsRow,
  LOGS_INSIGHTS_MAX_LIMIT,
  logsInsightsRowToRecord,
  logsInsightsTimeRange,
} from "../../detection/backends/logs-insights";
import type { CloudTrailRecord } from "../../detection/record";
import type { CorrelationRule } from "../../guardrail/correlation-definition";
import type { Guardrail } from "../../guardrail/guardrail";
import type { PermissionDeclaration } from "../../aws/permissions";
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

export const LOGS_QUERY_PERMISSIONS: PermissionDeclaration[] = [
  {
    actions: ["logs:StartQuery", "logs:GetQueryResults"],
    resource: { kind: "query-log-groups" },
    why: "Run the guardrail's Logs Insights query over the organization trail's log group(s) and read its results",
  },
  {
    actions: ["logs:StopQuery"],
    resource: { kind: "any", why: "StopQuery takes only a query ID and has no resource type" },
    why: "Stop a query that ran past the job's time limit",
  },
];

export interface LogsSourceOptions {
  client: CloudWatchLogsClient;
  guardrail: Guardrail;
  logGroups: string[];
  poll?: PollSettings;
  sleep?: Sleep;
  /** The clock (ms), for the time the slices' calls take besides their waits (default Date.now). */
  now?: () => number;
  /** Rows per query (<= 10,000); a query that returns this many is split. */
  limit?: number;
  /** Narrowest slice a full window is split down to, in seconds (default 1). */
  minSliceSeconds?: number;
  /** The query text for a row limit (default: the event rules' query, buildLogsInsightsQuery). */
  query?: (limit: number) => string;
  /** What to read for a run window (default the window): the correlation source reads back to its rules' windows. */
  range?: (window: QueryWindow) => QueryWindow;
  /** The correlation rules whose rows this source returns (a correlation source only). */
  correlationRules?: readonly CorrelationRule[];
}

/** What one StartQuery over [startTime, endTime] (epoch seconds, both inclusive) returned. */
interface SliceResult {
  rows: InsightsRow[];
  bytesScanned: number;
  queryId: string;
}

/**
 * The two halves of a slice that filled the limit, or undefined when the slice is already at the
 * minimum width. Pure. The halves share the middle second; each is strictly narrower than the
 * slice, so the recursion ends.
 */
export function splitSlice(
  startTime: number,
  endTime: number,
  minSliceSeconds: number,
): [[number, number], [number, number]] | undefined {
  if (endTime - startTime <= minSliceSeconds) return undefined;
  const mid = Math.floor((startTime + endTime) / 2);
  return [
    [startTime, mid],
    [mid, endTime],
  ];
}

/** The key two rows of overlapping slices share when they are the same CloudTrail event. */
function rowKey(row: InsightsRow, record: CloudTrailRecord): string {
  if (typeof record.eventID === "string" && record.eventID !== "") return `id:${record.eventID}`;
  // No eventID (a damaged event): the row itself, so the same damaged event is still counted once.
  return `row:${JSON.stringify(row.filter((c) => c.field !== "@ptr"))}`;
}

const FAILED = new Set(["Failed", "Cancelled", "Timeout", "Unknown"]);

export class LogsInsightsQuerySource implements QuerySource {
  readonly backend = "cloudwatch-logs";
  readonly correlationRules?: readonly CorrelationRule[];
  private readonly poll: PollSettings;
  private readonly sleep: Sleep;

  constructor(private readonly options: LogsSourceOptions) {
    if (options.logGroups.length === 0) throw new Error("cloudwatch-logs backend needs at least one log group");
    this.poll = options.poll ?? DEFAULT_POLL;
    this.sleep = options.sleep ?? realSleep;
    this.correlationRules = options.correlationRules;
  }

  async run(window: QueryWindow, limits?: QueryLimits): Promise<QueryResult> {
    // The slices share the call's limit: each may wait what the ones before it left. A window split into many slices
    // spends time in its calls too (StartQuery, every page), so the clock counts as well as the waits (which alone
    // keep tests with an instant sleep deterministic): whichever says more time has gone.
    const now = this.options.now ?? Date.now;
    const startedAt = now();
    let waitedMs = 0;
    const sleep: Sleep = (ms) => {
      waitedMs += ms;
      return this.sleep(ms);
    };
    const sliceLimits = (): QueryLimits =>
      limits?.timeoutMs === undefined ? {} : { timeoutMs: limits.timeoutMs - Math.max(waitedMs, now() - startedAt) };
    const limit = this.options.limit ?? LOGS_INSIGHTS_MAX_LIMIT;
    const minSlice = this.options.minSliceSeconds ?? 1;
    const read = this.options.range?.(window) ?? window;
    const range = logsInsightsTimeRange(read.start, read.end);
    const result: QueryResult = { records: [], rows: 0, bytesScanned: 0, unreadable: [] };
    const seen = new Set<string>();
    const queryIds: string[] = [];
    // Oldest slice first, depth first: the same order the rows would have had in one query.
    const pending: [number, number][] = [[range.startTime, range.endTime]];
    while (pending.length > 0) {
      const [startTime, endTime] = pending.shift()!;
      const slice = await this.querySlice(
        startTime,
        endTime,
        limit,
        pollWithin(this.backend, this.poll, sliceLimits()),
        sleep,
      );
      queryIds.push(slice.queryId);
      result.bytesScanned += slice.bytesScanned;
      if (slice.rows.length >= limit) {
        const halves = splitSlice(startTime, endTime, minSlice);
        if (!halves) {
          throw new QueryError(
            this.backend,
            "RESULT LIMIT",
            `${slice.rows.length} rows between ${new Date(startTime * 1000).toISOString()} and ` +
              `${new Date(endTime * 1000).toISOString()} fill the query limit of ${limit} even in a ` +
              `${endTime - startTime} s slice, so some rows cannot be read`,
            slice.queryId,
          );
        }
        pending.unshift(...halves);
        continue;
      }
      for (const row of slice.rows) {
        // @message is the whole CloudTrail event; the mapper falls back to the dotted fields and never throws.
        const record = logsInsightsRowToRecord(row);
        const key = rowKey(row, record);
        if (seen.has(key)) continue;
        seen.add(key);
        result.rows++;
        result.records.push(record);
      }
    }
    result.queryId = queryIds.join(",");
    return result;
  }

  private async querySlice(
    startTime: number,
    endTime: number,
    limit: number,
    poll: PollSettings,
    sleep: Sleep,
  ): Promise<SliceResult> {
    const { client } = this.options;
    const usesArns = this.options.logGroups.some((g) => g.startsWith("arn:"));
    const started = await client.send(
      new StartQueryCommand({
        ...(usesArns ? { logGroupIdentifiers: this.options.logGroups } : { logGroupNames: this.options.logGroups }),
        // Epoch seconds, rounded outwards by logsInsightsTimeRange so the window is never narrower than asked.
        startTime,
        endTime,
        queryString: this.options.query?.(limit) ?? buildLogsInsightsQuery(this.options.guardrail, { limit }),
        limit,
      }),
    );
    const id = started.queryId;
    if (!id) throw new QueryError(this.backend, "NOT STARTED", "StartQuery returned no queryId");

    let page = await pollUntilDone(
      async () => {
        const r = await client.send(new GetQueryResultsCommand({ queryId: id }));
        const status = r.status ?? "Unknown";
        if (FAILED.has(status)) throw new QueryError(this.backend, status, "Logs Insights reported it", id);
        return { done: status === "Complete", value: r };
      },
      poll,
      sleep,
      async () => {
        await client.send(new StopQueryCommand({ queryId: id })).catch(() => undefined);
        throw new QueryError(
          this.backend,
          "Timeout",
          `still running after ${Math.round(poll.timeoutMs / 1000)} s; stopped`,
          id,
        );
      },
    );
    const slice: SliceResult = { rows: [], bytesScanned: 0, queryId: id };
    for (;;) {
      // Statistics are the query's running totals, repeated on every page.
      slice.bytesScanned = Math.max(slice.bytesScanned, page.statistics?.bytesScanned ?? 0);
      slice.rows.push(...(page.results ?? []));
      if (!page.nextToken) break;
      page = await client.send(new GetQueryResultsCommand({ queryId: id, nextToken: page.nextToken }));
    }
    return slice;
  }
}
