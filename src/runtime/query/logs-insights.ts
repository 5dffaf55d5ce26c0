/**
 * CloudWatch Logs Insights adapter, for organizations without CloudTrail Lake (closed to new
 * customers since 2026-05-31): StartQuery over the organization trail's log group(s), poll
 * GetQueryResults until Complete, follow nextToken. Rows carry the raw event in @message.
 */
import { CloudWatchLogsClient, GetQueryResultsCommand, ResultField, StartQueryCommand, StopQueryCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CloudTrailRecord } from "../../detection/record";
import { PermissionDeclaration } from "../permissions";
import { QueryWindow } from "../window";
import { DEFAULT_POLL, parseRecordJson, PollSettings, pollUntilDone, QueryError, QueryResult, QuerySource, realSleep, Sleep } from "./source";

export const LOGS_QUERY_PERMISSIONS: PermissionDeclaration[] = [
  {
    actions: ["logs:StartQuery", "logs:GetQueryResults"],
    resource: { kind: "query-log-groups" },
    why: "Run the guardrail's Logs Insights query over the organization trail's log group(s) and read its results",
  },
  { actions: ["logs:StopQuery"], resource: { kind: "any", why: "StopQuery takes only a query ID and has no resource type" }, why: "Stop a query that ran past the job's time limit" },
];

export type InsightsRow = Record<string, string>;

export interface LogsSourceOptions {
  client: CloudWatchLogsClient;
  logGroups: string[];
  /** The Logs Insights query text (filters compiled from the guardrail); must return @message. */
  queryString: string;
  /** Default: parse @message as the CloudTrail record. */
  rowToRecord?: (row: InsightsRow) => CloudTrailRecord | { error: string };
  poll?: PollSettings;
  sleep?: Sleep;
  /** Results per page (<= 10,000). */
  limit?: number;
}

export function flattenInsightsRow(row: ResultField[]): InsightsRow {
  const out: InsightsRow = {};
  for (const f of row) if (f.field) out[f.field] = f.value ?? "";
  return out;
}

export function messageToRecord(row: InsightsRow): CloudTrailRecord | { error: string } {
  const message = row["@message"];
  if (message === undefined) return { error: "row has no @message field" };
  return parseRecordJson(message);
}

const FAILED = new Set(["Failed", "Cancelled", "Timeout", "Unknown"]);

export class LogsInsightsQuerySource implements QuerySource {
  readonly backend = "cloudwatch-logs";
  private readonly poll: PollSettings;
  private readonly sleep: Sleep;

  constructor(private readonly o: LogsSourceOptions) {
    if (o.logGroups.length === 0) throw new Error("cloudwatch-logs backend needs at least one log group");
    this.poll = o.poll ?? DEFAULT_POLL;
    this.sleep = o.sleep ?? realSleep;
  }

  async run(window: QueryWindow): Promise<QueryResult> {
    const { client } = this.o;
    const usesArns = this.o.logGroups.some((g) => g.startsWith("arn:"));
    const started = await client.send(
      new StartQueryCommand({
        ...(usesArns ? { logGroupIdentifiers: this.o.logGroups } : { logGroupNames: this.o.logGroups }),
        // Epoch seconds; floor/ceil so the window is never narrower than asked.
        startTime: Math.floor(window.start.getTime() / 1000),
        endTime: Math.ceil(window.end.getTime() / 1000),
        queryString: this.o.queryString,
        limit: this.o.limit ?? 10_000,
      }),
    );
    const id = started.queryId;
    if (!id) throw new QueryError(this.backend, "NOT STARTED", "StartQuery returned no queryId");
    const toRecord = this.o.rowToRecord ?? messageToRecord;
    const result: QueryResult = { records: [], rows: 0, bytesScanned: 0, unreadable: [], queryId: id };

    let first = await pollUntilDone(
      async () => {
        const r = await client.send(new GetQueryResultsCommand({ queryId: id }));
        const status = r.status ?? "Unknown";
        if (FAILED.has(status)) throw new QueryError(this.backend, status, "Logs Insights reported it", id);
        return { done: status === "Complete", value: r };
      },
      this.poll,
      this.sleep,
      async () => {
        await client.send(new StopQueryCommand({ queryId: id })).catch(() => undefined);
        throw new QueryError(this.backend, "Timeout", `still running after ${Math.round(this.poll.timeoutMs / 1000)} s; stopped`, id);
      },
    );
    for (;;) {
      result.bytesScanned = Math.max(result.bytesScanned, first.statistics?.bytesScanned ?? 0);
      for (const row of first.results ?? []) {
        result.rows++;
        const mapped = toRecord(flattenInsightsRow(row));
        if ("error" in mapped && typeof mapped.error === "string" && Object.keys(mapped).length === 1) result.unreadable.push({ row: result.rows, reason: mapped.error });
        else result.records.push(mapped as CloudTrailRecord);
      }
      if (!first.nextToken) break;
      first = await client.send(new GetQueryResultsCommand({ queryId: id, nextToken: first.nextToken }));
    }
    return result;
  }
}
