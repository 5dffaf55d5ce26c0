/**
 * CloudWatch Logs Insights adapter, for organizations without CloudTrail Lake (closed to new
 * customers since 2026-05-31): StartQuery over the organization trail's log group(s), poll
 * GetQueryResults until Complete, follow nextToken. Query text and row mapping come from
 * src/detection/backends/logs-insights.ts.
 */
import { CloudWatchLogsClient, GetQueryResultsCommand, StartQueryCommand, StopQueryCommand } from "@aws-sdk/client-cloudwatch-logs";
import { buildLogsInsightsQuery, logsInsightsRowToRecord, logsInsightsTimeRange } from "../../detection/backends/logs-insights";
import { Guardrail } from "../../guardrail/guardrail";
import { PermissionDeclaration } from "../permissions";
import { QueryWindow } from "../window";
import { DEFAULT_POLL, PollSettings, pollUntilDone, QueryError, QueryResult, QuerySource, realSleep, Sleep } from "./source";

export const LOGS_QUERY_PERMISSIONS: PermissionDeclaration[] = [
  {
    actions: ["logs:StartQuery", "logs:GetQueryResults"],
    resource: { kind: "query-log-groups" },
    why: "Run the guardrail's Logs Insights query over the organization trail's log group(s) and read its results",
  },
  { actions: ["logs:StopQuery"], resource: { kind: "any", why: "StopQuery takes only a query ID and has no resource type" }, why: "Stop a query that ran past the job's time limit" },
];

export interface LogsSourceOptions {
  client: CloudWatchLogsClient;
  guardrail: Guardrail;
  logGroups: string[];
  poll?: PollSettings;
  sleep?: Sleep;
  /** Results per page (<= 10,000). */
  limit?: number;
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
        // Epoch seconds, rounded outwards so the window is never narrower than asked.
        ...logsInsightsTimeRange(window.start, window.end),
        queryString: buildLogsInsightsQuery(this.o.guardrail, { limit: this.o.limit }),
        limit: this.o.limit ?? 10_000,
      }),
    );
    const id = started.queryId;
    if (!id) throw new QueryError(this.backend, "NOT STARTED", "StartQuery returned no queryId");
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
        // @message is the whole CloudTrail event; the mapper falls back to the dotted fields and never throws.
        result.records.push(logsInsightsRowToRecord(row));
      }
      if (!first.nextToken) break;
      first = await client.send(new GetQueryResultsCommand({ queryId: id, nextToken: first.nextToken }));
    }
    return result;
  }
}
