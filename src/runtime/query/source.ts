/**
 * Where a run's CloudTrail records come from. The scheduled job uses CloudTrail Lake or Logs
 * Insights; the realtime handler has the record already. Adapters turn rows into records; the
 * job turns records into findings with the same evaluateRecord as the local `detect` command.
 */
import type { CloudTrailRecord } from "../../detection/record";
import type { CorrelationRule } from "../../guardrail/correlation-definition";
import type { QueryWindow } from "../window";

export interface QueryResult {
  records: CloudTrailRecord[];
  /** Rows the backend returned (records + unreadable). */
  rows: number;
  /** What the query cost to scan (CloudTrail Lake BytesScanned, Logs Insights bytesScanned). */
  bytesScanned: number;
  /** Rows that could not be turned into a record, each with why; reported, never silently dropped. */
  unreadable: { row: number; reason: string }[];
  queryId?: string;
}

export interface QuerySource {
  /** For the summary line: cloudtrail-lake, cloudwatch-logs, eventbridge. */
  readonly backend: string;
  /**
   * A correlation source whose rows serve only some correlation rules (Logs Insights: the threshold
   * rules) names them; the job runs only those over its rows. Absent: every correlation rule.
   */
  readonly correlationRules?: readonly CorrelationRule[];
  /** `limits`: what this call may spend, within the run's time (absent: the source's own poll timeout only). */
  run(window: QueryWindow, limits?: QueryLimits): Promise<QueryResult>;
}

/** What one `run` may spend: the job gives each query what is left of the invocation (docs/monitor.md). */
export interface QueryLimits {
  /** Longest the call may wait for its queries, all of them together (ms); the poll timeout applies when lower. */
  timeoutMs?: number;
}

/**
 * The query ended without results (FAILED, CANCELLED, TIMED_OUT, or the backend refused to start
 * one). The run fails and the watermark stays, so the same window is queried again next run.
 */
export class QueryError extends Error {
  constructor(
    readonly backend: string,
    readonly status: string,
    detail: string,
    readonly queryId?: string,
  ) {
    super(
      `${backend} query ${queryId ? `${queryId} ` : ""}ended ${status}: ${detail}. The window is kept and queried ` +
        `again next run.`,
    );
    this.name = "QueryError";
  }
}

export interface PollSettings {
  /** First wait between status checks. */
  initialDelayMs: number;
  /** Cap of the exponential backoff. */
  maxDelayMs: number;
  /** Give up (and cancel the query) after this long. */
  timeoutMs: number;
}

export const DEFAULT_POLL: PollSettings = { initialDelayMs: 500, maxDelayMs: 5_000, timeoutMs: 600_000 };

/**
 * The poll settings of one query: the source's, with the timeout cut to the call's limit. Called before the query
 * starts; with no time left it is not started: it could not finish in the run.
 */
export function pollWithin(backend: string, poll: PollSettings, limits: QueryLimits = {}): PollSettings {
  if (limits.timeoutMs === undefined) return poll;
  if (limits.timeoutMs <= 0) throw new QueryError(backend, "NOT STARTED", "no time left in the run for the query");
  return { ...poll, timeoutMs: Math.min(poll.timeoutMs, limits.timeoutMs) };
}

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Delays of the status polls: doubling from initialDelayMs up to maxDelayMs. Pure. */
function backoffDelay(attempt: number, poll: PollSettings): number {
  return Math.min(poll.maxDelayMs, poll.initialDelayMs * 2 ** Math.min(attempt, 20));
}

/**
 * Polls `check` until it reports a terminal state, with backoff; measures elapsed time by the
 * sum of the delays it slept (so tests with an instant sleep stay deterministic).
 */
export async function pollUntilDone<T>(
  check: () => Promise<{ done: boolean; value: T }>,
  poll: PollSettings,
  sleep: Sleep,
  onTimeout: () => Promise<never>,
): Promise<T> {
  let waited = 0;
  for (let attempt = 0; ; attempt++) {
    const r = await check();
    if (r.done) return r.value;
    const delay = backoffDelay(attempt, poll);
    if (waited + delay > poll.timeoutMs) return onTimeout();
    await sleep(delay);
    waited += delay;
  }
}
