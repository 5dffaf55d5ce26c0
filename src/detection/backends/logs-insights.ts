/**
 * The rule as a CloudWatch Logs Insights query over the log group an organization trail delivers
 * to (the path AWS recommends now that CloudTrail Lake is closed to new customers), compiled from
 * the Guardrail, and the mapper from a GetQueryResults row back to the CloudTrail record.
 *
 * `isblank(errorCode)` is true for a missing, empty or blank errorCode. Its notion of "blank" is
 * not documented in detail, so the query is treated as a pre-filter: the query job maps each row
 * with `logsInsightsRowToRecord` and keeps only what `evaluateRecord` turns into a finding.
 *
 * The time window is not part of the query text: StartQuery takes it as `startTime`/`endTime`
 * (epoch seconds); `logsInsightsTimeRange` validates and converts it.
 */
import {
  type Condition,
  conditionKind,
  type DetectionRule,
  type EventSelector,
  type WhereEntry,
} from "../../guardrail/definition";
import type { Guardrail } from "../../guardrail/guardrail";
import { type CloudTrailRecord, isRecordObject, normalizeEventTime } from "../record";
import { BackendInputError, parseWindow, shown } from "./input-error";

type InsightsGuardrail = Pick<Guardrail, "rules">;

/** Logs Insights' documented limit per page of results. */
export const LOGS_INSIGHTS_MAX_LIMIT = 10_000;

/**
 * A double-quoted Logs Insights string. Its escaping rules are not documented precisely enough to
 * rely on, so values that would need escaping (quotes, backslashes, control characters) are
 * refused: no value can change the query's structure. CloudTrail event names, sources and error
 * codes never contain them.
 */
export function insightsString(value: string, input: string): string {
  if (typeof value !== "string" || value.length === 0) throw new BackendInputError(input, "must be a non-empty string");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what this rejects
  if (/["'`\\\u0000-\u001f\u007f\u2028\u2029]/.test(value)) {
    throw new BackendInputError(
      input,
      `${shown(value)} contains a quote, backslash or control character, which a Logs Insights query cannot ` +
        `carry safely`,
    );
  }
  return `"${value}"`;
}

/**
 * Fields returned per row. `@message` is the whole CloudTrail event; the rest are for people reading results in the
 * console.
 */
export const INSIGHTS_FIELDS = [
  "@timestamp",
  "@message",
  "eventID",
  "eventTime",
  "eventSource",
  "eventName",
  "errorCode",
  "awsRegion",
  "recipientAccountId",
  "sourceIPAddress",
  "userAgent",
  "userIdentity.type",
  "userIdentity.arn",
  "userIdentity.accountId",
  "userIdentity.accessKeyId",
  "userIdentity.userName",
  "userIdentity.sessionContext.sessionIssuer.arn",
  "requestParameters.modelId",
  "requestParameters.serviceName",
  "requestParameters.bearerTokenType",
  "requestParameters.callWithBearerToken",
  "requestParameters.userName",
  "requestParameters.status",
  "requestParameters.loggingConfig.textDataDeliveryEnabled",
  "requestParameters.loggingConfig.s3Config.bucketName",
  "requestParameters.loggingConfig.cloudWatchConfig.logGroupName",
  "additionalEventData.callWithBearerToken",
  "additionalEventData.bearerTokenType",
] as const;

/**
 * `^prefix` as a Logs Insights regex literal; the prefix is letters, digits and . _ : - / (validated), its
 * letters in either case with ignoreCase.
 * A `/` would end the literal and how to escape it there is not documented, so it becomes `.` (any
 * character): the pattern then keeps every record the prefix keeps and at most a few more, which a
 * pre-filter allows (evaluateRecord decides).
 */
function insightsPrefixRegex(prefix: string, input: string, ignoreCase = false): string {
  return `/^${insightsRegexText(prefix, input, ignoreCase)}/`;
}

/**
 * A value as regex text matching exactly it (a slash as any character: a regex literal cannot hold one); with
 * ignoreCase each letter is a class of both cases (`[Bb]`), plain regex that needs no flag syntax.
 */
function insightsRegexText(value: string, input: string, ignoreCase: boolean): string {
  if (!/^[A-Za-z0-9._:/-]+$/.test(value))
    throw new BackendInputError(input, `${shown(value)} cannot be a Logs Insights pattern`);
  const text = value.replace(/\./g, "\\.").replace(/\//g, ".");
  return ignoreCase ? text.replace(/[A-Za-z]/g, (ch) => `[${ch.toUpperCase()}${ch.toLowerCase()}]`) : text;
}

/**
 * An event selector (an event rule, or a correlation rule's selector) as a Logs Insights condition
 * (mirrors `selectorMatches`, with `isblank` for success); `id` names it in errors.
 */
export function insightsSelectorCondition(rule: EventSelector, id: string): string {
  if (rule.eventNames.length === 0) throw new BackendInputError(id, "has no event names to query");
  const names = rule.eventNames.map((n, i) => insightsString(n, `${id} eventNames[${i}]`)).join(", ");
  const parts = [`eventSource = ${insightsString(rule.eventSource, `${id} eventSource`)}`, `eventName in [${names}]`];
  if (rule.outcome === "success") parts.push("isblank(errorCode)");
  if (rule.outcome === "failure") {
    const codes = (rule.errorCodes ?? []).map((c, i) => insightsString(c, `${id} errorCodes[${i}]`));
    parts.push(codes.length > 0 ? `errorCode in [${codes.join(", ")}]` : "false");
  }
  rule.where.forEach((entry, i) => {
    const part = insightsWhereEntry(entry, `${id} where[${i}]`);
    if (part) parts.push(part);
  });
  return parts.join(" and ");
}

/** One rule as a Logs Insights condition. */
const insightsRuleCondition = (rule: DetectionRule): string => insightsSelectorCondition(rule, `rule ${rule.id}`);

/**
 * One condition as a Logs Insights filter, or undefined for none. How Logs Insights compares a
 * JSON boolean or tells a JSON null from a missing field is not documented, so `is` only asks that
 * the field be there (its value is `true` or `"true"`, a leaf under any reading) and `exists` asks
 * nothing: the value `exists: true` accepts may be an object or an array, which Logs Insights
 * flattens into deeper fields, so `ispresent` on the field itself would drop it. The query stays a
 * pre-filter that never drops a record the matcher selects (evaluateRecord decides).
 */
function insightsCondition(c: Condition, input: string): string | undefined {
  const k = conditionKind(c);
  switch (k.kind) {
    case "equals":
      if (k.ignoreCase)
        return `${c.field} like /^(${k.values.map((v) => insightsRegexText(v, input, true)).join("|")})$/`;
      return `${c.field} in [${k.values.map((v) => insightsString(v, input)).join(", ")}]`;
    case "startsWith":
      return `${c.field} like ${insightsPrefixRegex(k.prefix, input, k.ignoreCase)}`;
    case "is":
      return `ispresent(${c.field})`;
    case "exists":
      return undefined;
  }
}

/**
 * One where entry as a filter, or undefined for none: its condition, or an anyOf as an `or` of parenthesised `and`s.
 * A list whose conditions all ask nothing lets every record through, and so does the anyOf then; each list keeps
 * every record its conditions hold on, so the `or` keeps every record the anyOf holds on (still a pre-filter).
 */
function insightsWhereEntry(entry: WhereEntry, input: string): string | undefined {
  if (!("anyOf" in entry)) return insightsCondition(entry, input);
  const lists = entry.anyOf.map((list, i) =>
    list.flatMap((c, j) => insightsCondition(c, `${input}.anyOf[${i}][${j}]`) ?? []),
  );
  if (lists.some((parts) => parts.length === 0)) return undefined;
  return `(${lists.map((parts) => `(${parts.join(" and ")})`).join(" or ")})`;
}

export interface LogsInsightsQueryOptions {
  /** Rows per query (Logs Insights allows up to 10,000 per page). Default 10,000. */
  limit?: number;
}

export function buildLogsInsightsQuery(guardrail: InsightsGuardrail, options: LogsInsightsQueryOptions = {}): string {
  const limit = options.limit ?? LOGS_INSIGHTS_MAX_LIMIT;
  if (!(Number.isSafeInteger(limit) && limit > 0 && limit <= LOGS_INSIGHTS_MAX_LIMIT)) {
    throw new BackendInputError(
      "limit",
      `must be an integer from 1 to ${LOGS_INSIGHTS_MAX_LIMIT}, got ${String(limit)}`,
    );
  }
  if (guardrail.rules.length === 0) throw new BackendInputError("guardrail", "has no rules to query");
  const rules = [...new Set(guardrail.rules.map(insightsRuleCondition))];
  return [
    `fields ${INSIGHTS_FIELDS.join(", ")}`,
    `| filter (${rules.join(")\n    or (")})`,
    // Oldest first. A result that fills the limit may hide more rows: the query job splits such a
    // window (src/runtime/query/logs-insights.ts) instead of moving past it.
    "| sort @timestamp asc",
    `| limit ${limit}`,
  ].join("\n");
}

/**
 * StartQuery's startTime/endTime (epoch seconds) for a [start, end) window, rounded outwards. Logs Insights takes
 * both as inclusive, so the range also reads events stamped exactly at `end`: the monitor's windows overlap on
 * purpose and its alerts are de-duplicated by event id, but windows printed by `query` and chained by hand share
 * that instant.
 */
export function logsInsightsTimeRange(
  start: string | Date,
  end: string | Date,
): { startTime: number; endTime: number } {
  const { startMs, endMs } = parseWindow(start, end);
  return { startTime: Math.floor(startMs / 1000), endTime: Math.ceil(endMs / 1000) };
}

/** A GetQueryResults row: `[{field, value}, ...]`. */
export type InsightsRow = ReadonlyArray<{ field?: string; value?: string }>;

function unflatten(fields: Map<string, string>): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const [name, value] of fields) {
    if (name.startsWith("@") || value === "") continue;
    const path = name.split(".");
    let node = record;
    for (const key of path.slice(0, -1)) {
      if (!isRecordObject(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = value;
  }
  return record;
}

/**
 * Rebuilds the CloudTrail record from one row: `@message` (the event as CloudTrail wrote it) when it
 * parses as a JSON object, else the dotted fields. Never throws.
 */
export function logsInsightsRowToRecord(row: InsightsRow): CloudTrailRecord {
  const fields = new Map<string, string>();
  for (const cell of row)
    if (typeof cell.field === "string" && typeof cell.value === "string") fields.set(cell.field, cell.value);
  const message = fields.get("@message");
  if (message) {
    try {
      const parsed: unknown = JSON.parse(message);
      if (isRecordObject(parsed)) return parsed;
    } catch {
      // Truncated or non-JSON message: rebuild from the extracted fields below.
    }
  }
  const record = unflatten(fields);
  if (typeof record.eventTime === "string") record.eventTime = normalizeEventTime(record.eventTime) ?? record.eventTime;
  return record as CloudTrailRecord;
}
