/**
 * Correlation rules on CloudWatch Logs Insights: what one Logs Insights query can express, and what
 * it cannot.
 *
 * A threshold rule (at least N of its events by one credential in a clock-aligned window) is a
 * grouped count: `stats count(*) ... by credential, window | filter event_count >= N`. The window is
 * taken from the event's own `eventTime` (CloudTrail writes it as `YYYY-MM-DDTHH:MM:SSZ`): its first
 * 16, 15, 13 or 10 characters are exactly the clock-aligned 1-, 10-, 60-minute or 1-day window the
 * engine puts the event in. `bin()` is not used: it rounds `@timestamp`, which AWS does not document
 * to be the event's time rather than its delivery time, and its alignment for periods that do not
 * divide an hour is not documented either. Other window lengths are refused rather than guessed.
 *
 * What the printed query cannot do, and why the scheduled monitor does not run it:
 * - its credential is the access key id, else the role (session issuer) or principal ARN
 *   (`coalesce`), as the engine's group (a Bedrock API key's call, without an access key, is its
 *   principal's); but the engine also builds the root ARN of a root call without one, and treats an
 *   empty access key id as missing;
 * - it counts a record CloudTrail delivered twice twice (`dedup` may only be followed by `limit`,
 *   so it cannot come before `stats`);
 * - it cannot list the events (no aggregation returns every value), so its rows give the count and
 *   the first and last time, not the event ids a finding cites.
 * So the monitor reads the threshold rules' events themselves (`buildLogsInsightsCorrelationRowsQuery`,
 * over `logsInsightsCorrelationRange`) and the reference engine decides, as on CloudTrail Lake and Athena.
 *
 * Refused, with the reason (`logsInsightsRefusal`): value-count (`count_distinct` is documented as an
 * approximation for fields with many values), sequence (one query cannot order a credential's events
 * and find one step after another) and new-term (it needs each principal's baseline of 30 days).
 */
import type { CorrelationRule } from "../../guardrail/correlation-definition";
import type { Guardrail } from "../../guardrail/guardrail";
import { correlationViewStart } from "./correlation-sql";
import { BackendInputError } from "./input-error";
import {
  INSIGHTS_FIELDS,
  type InsightsRow,
  insightsSelectorCondition,
  LOGS_INSIGHTS_MAX_LIMIT,
  type LogsInsightsQueryOptions,
} from "./logs-insights";

type ThresholdRule = Extract<CorrelationRule, { kind: "threshold" }>;

/** Window length (minutes) -> how many leading characters of a CloudTrail eventTime name that window. */
const WINDOW_PREFIX: ReadonlyMap<number, number> = new Map([
  [1, 16],
  [10, 15],
  [60, 13],
  [1440, 10],
]);

/** The credential of a record, as close to the engine's group as Logs Insights can say it. */
export const INSIGHTS_CREDENTIAL =
  "coalesce(userIdentity.accessKeyId, userIdentity.sessionContext.sessionIssuer.arn, userIdentity.arn)";

const WHERE_THEY_RUN = "it runs with detect and hunt, and in the cloudtrail-lake and athena queries and monitor";

/** Why a correlation rule has no Logs Insights query (one line), or undefined when it has one. */
export function logsInsightsRefusal(rule: CorrelationRule): string | undefined {
  const why =
    rule.kind === "value-count"
      ? "Logs Insights' count_distinct is documented as an approximation for fields with many values"
      : rule.kind === "sequence"
        ? "one Logs Insights query cannot order a credential's events to find one step after another"
        : rule.kind === "new-term"
          ? `it compares each principal with its own ${rule.baselineDays}-day baseline, which one Logs Insights ` +
            "query cannot hold"
          : WINDOW_PREFIX.has(rule.windowMinutes)
            ? undefined
            : `its ${rule.windowMinutes}-minute window cannot be read exactly from eventTime ` +
              `(${[...WINDOW_PREFIX.keys()].join(", ")} minutes can)`;
  return why && `${rule.id} (${rule.kind}): ${why}; ${WHERE_THEY_RUN}`;
}

/**
 * The threshold rule as one Logs Insights query: a row per credential and window that reaches the
 * threshold, with the count and the first and last eventTime. Throws BackendInputError (naming the
 * rule) for a rule Logs Insights cannot express.
 */
export function buildLogsInsightsThresholdQuery(rule: CorrelationRule, options: LogsInsightsQueryOptions = {}): string {
  const refused = logsInsightsRefusal(rule);
  if (refused || rule.kind !== "threshold") throw new BackendInputError("--rule", refused ?? rule.id);
  const limit = checkedLimit(options.limit);
  const prefix = WINDOW_PREFIX.get(rule.windowMinutes)!;
  const selectors = rule.select.map((s, i) => insightsSelectorCondition(s, `rule ${rule.id} selector ${i}`));
  return [
    `filter (${selectors.join(")\n    or (")})`,
    `| fields ${INSIGHTS_CREDENTIAL} as credential, substr(eventTime, 0, ${prefix}) as time_window`,
    "| stats count(*) as event_count, min(eventTime) as first_time, max(eventTime) as last_time" +
      " by credential, time_window",
    `| filter event_count >= ${rule.threshold}`,
    "| sort time_window asc",
    `| limit ${limit}`,
  ].join("\n");
}

function checkedLimit(limit = LOGS_INSIGHTS_MAX_LIMIT): number {
  if (!(Number.isSafeInteger(limit) && limit > 0 && limit <= LOGS_INSIGHTS_MAX_LIMIT))
    throw new BackendInputError("limit", `must be an integer from 1 to ${LOGS_INSIGHTS_MAX_LIMIT}, got ${limit}`);
  return limit;
}

/** One row of the threshold query: a credential's window that reached the threshold. */
export interface ThresholdWindow {
  credential: string;
  /** The window's start, ISO-8601 (what the engine's finding calls window_start). */
  windowStart: string;
  eventCount: number;
  firstTime: string;
  lastTime: string;
}

/** The window an eventTime prefix names ("2026-01-15T10:0" -> 2026-01-15T10:00:00.000Z). */
function windowStartOf(prefix: string): string | undefined {
  const padded = `${prefix}${"0000-01-01T00:00:00Z".slice(prefix.length)}`;
  const ms = Date.parse(padded);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** A GetQueryResults row of the threshold query, or undefined when it lacks a field or is malformed. */
export function logsInsightsThresholdWindow(row: InsightsRow): ThresholdWindow | undefined {
  const cells = new Map(row.flatMap((c) => (c.field && c.value !== undefined ? [[c.field, c.value]] : [])));
  const [credential, window, count, firstTime, lastTime] = [
    "credential",
    "time_window",
    "event_count",
    "first_time",
    "last_time",
  ].map((f) => cells.get(f));
  const windowStart = window === undefined ? undefined : windowStartOf(window);
  const eventCount = Number(count);
  if (!credential || !windowStart || !Number.isSafeInteger(eventCount) || !firstTime || !lastTime) return undefined;
  return { credential, windowStart, eventCount, firstTime, lastTime };
}

/** The correlation rules the scheduled monitor runs on Logs Insights: the threshold rules. */
export function logsInsightsCorrelationRules(rules: readonly CorrelationRule[]): ThresholdRule[] {
  return rules.filter((r): r is ThresholdRule => r.kind === "threshold");
}

/**
 * A warning for each correlation rule the configured monitor does not run because its backend is cloudwatch-logs
 * (every kind but threshold), with the reason and where the rule does run; none for another backend or without a
 * monitor. check and synth print them with the lint's warnings: nothing else says the rule is off.
 */
export function rulesOffLogsInsightsMonitor(guardrail: Guardrail): string[] {
  const { monitor } = guardrail.config;
  if (!monitor.enabled || monitor.backend !== "cloudwatch-logs") return [];
  const run = new Set<CorrelationRule>(logsInsightsCorrelationRules(guardrail.correlationRules));
  return guardrail.correlationRules
    .filter((rule) => !run.has(rule))
    .map((rule) => `monitor.backend cloudwatch-logs: the scheduled job does not run ${logsInsightsRefusal(rule)}`);
}

/**
 * The rows query of the monitor's correlation source: every event of the threshold rules, with the
 * whole CloudTrail record (`@message`), oldest first. The engine groups and counts them.
 */
export function buildLogsInsightsCorrelationRowsQuery(
  rules: readonly ThresholdRule[],
  options: LogsInsightsQueryOptions = {},
): string {
  if (rules.length === 0) throw new BackendInputError("guardrail", "has no threshold rules to query");
  const limit = checkedLimit(options.limit);
  const selectors = rules.flatMap((rule) =>
    rule.select.map((s, i) => insightsSelectorCondition(s, `rule ${rule.id} selector ${i}`)),
  );
  return [
    `fields ${INSIGHTS_FIELDS.join(", ")}`,
    `| filter (${[...new Set(selectors)].join(")\n    or (")})`,
    "| sort @timestamp asc",
    `| limit ${limit}`,
  ].join("\n");
}

/**
 * What the rows query reads for a run window [start, end): from the start of the earliest rule
 * window containing `start` (a threshold reached after `start` may count events before it), to `end`.
 */
export function logsInsightsCorrelationRange(
  rules: readonly ThresholdRule[],
  window: { start: Date; end: Date },
): { start: Date; end: Date } {
  const startMs = window.start.getTime();
  const from = Math.min(startMs, ...rules.map((r) => correlationViewStart(r, startMs)));
  return { start: new Date(from), end: window.end };
}
