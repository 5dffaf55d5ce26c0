/**
 * The rule as Athena SQL (engine 3, Trino) over AWS's CloudTrail table for the organization trail's
 * S3 archive (athena-table.ts). The SELECT list and the rule's WHERE conditions are the Lake
 * backend's (one column table, `athenaExpr` where the table differs: requestparameters is JSON
 * text there), so a row comes back in the same shape and `athenaRowToRecord` is the Lake mapper.
 *
 * What is Athena's own: the time bounds on eventtime (ISO-8601 text, parsed with
 * from_iso8601_timestamp, wrapped in try() so one odd value cannot fail the query), and partition
 * pruning, so that Athena reads only the day folders of the window (and only the accounts and
 * regions asked for): `timestamp` is the day the log file was *delivered*, which is at or after
 * the event, so the days run from the window's start to its end plus a delivery allowance.
 *
 * test/detection/backends/athena-sql.differential.test.ts runs this SQL in DuckDB over the
 * fixtures laid out as AWS's table and proves it selects what the reference matcher selects.
 */
import type { CorrelationRule } from "../../guardrail/correlation-definition";
import type { ConditionField } from "../../guardrail/definition";
import {
  buildCorrelationSql,
  type CorrelationQueryOptions,
  correlationViewStart,
  correlationWindows,
} from "./correlation-sql";
import type { Guardrail } from "../../guardrail/guardrail";
import { type CloudTrailRecord, MODEL_REQUEST_KEYS } from "../record";
import { ATHENA_PARTITIONS, glueName } from "./athena-table";
import { BackendInputError, parseWindow, shown } from "./input-error";
import {
  LAKE_COLUMNS,
  LAKE_CONDITION_FIELDS,
  type LakeRow,
  lakeRowToRecordOf,
  jsonTextField,
  lakeRulesCondition,
  type SqlConditionField,
  type SqlConditionFields,
} from "./lake-sql";
import { firstNonEmpty, sqlString } from "./sql-literal";

/** JSON text columns of AWS's table, by the record object they hold. */
const JSON_COLUMNS: Readonly<Record<string, string>> = {
  requestParameters: "requestparameters",
  additionalEventData: "additionaleventdata",
};

/**
 * Where each rule condition field lives in AWS's Athena table: the Lake struct paths, and
 * requestparameters / additionaleventdata as JSON text.
 */
const ATHENA_CONDITION_FIELDS: SqlConditionFields = Object.fromEntries(
  Object.entries(LAKE_CONDITION_FIELDS).map(([field, lake]) => {
    const [object, ...path] = field.split(".");
    const column = JSON_COLUMNS[object];
    return [field, column ? jsonTextField(column, path) : lake];
  }),
) as Record<ConditionField, SqlConditionField>;

/**
 * The model a request names when it is a JSON string, as modelIdOf reads it (what the engine counts): `modelId`, else
 * `model` (bedrock-mantle); NULL otherwise.
 */
const ATHENA_MODEL_VALUE = firstNonEmpty(
  MODEL_REQUEST_KEYS.map((key) => jsonTextField("requestparameters", [key]).text),
);

export interface AthenaQueryOptions {
  /** `database.table` of the CloudTrail table (athena-ddl, or the monitor stack's Glue table). */
  table: string;
  /** Window start, inclusive: ISO-8601 with a zone, or a Date. */
  start: string | Date;
  /** Window end, exclusive. */
  end: string | Date;
  /** Only these accounts (the `account` partition); default every projected account. */
  accounts?: readonly string[];
  /** Only these regions (the `region` partition); default every projected region. */
  regions?: readonly string[];
  /** Minutes after the window's end a log file may still be delivered with its events (default 60). */
  deliveryAllowanceMinutes?: number;
  limit?: number;
}

const DEFAULT_DELIVERY_ALLOWANCE_MINUTES = 60;
/** Up to this many days the `timestamp` predicate is an IN list; beyond, a range. */
const MAX_LISTED_DAYS = 31;
const DAY_MS = 86_400_000;

/** `"database"."table"` from `database.table`; each part a Glue name. */
export function athenaTableRef(text: string): { database: string; table: string; sql: string } {
  const parts = typeof text === "string" ? text.split(".") : [];
  if (parts.length !== 2)
    throw new BackendInputError("--table", `${shown(text)} is not database.table (e.g. bedrock_guardrail.cloudtrail)`);
  const [database, table] = [glueName(parts[0], "--table database"), glueName(parts[1], "--table table")];
  return { database, table, sql: `"${database}"."${table}"` };
}

/** The `timestamp` partition values (yyyy/MM/dd, UTC) from the day of `startMs` to the day of `lastMs`. */
export function athenaDays(startMs: number, lastMs: number): string[] {
  const days: string[] = [];
  for (let t = Math.floor(startMs / DAY_MS) * DAY_MS; t <= lastMs; t += DAY_MS)
    days.push(new Date(t).toISOString().slice(0, 10).replace(/-/g, "/"));
  return days;
}

/** `from_iso8601_timestamp('2024-10-17T20:00:00.000Z')`: an instant Trino compares with a parsed eventtime. */
function isoInstant(ms: number): string {
  return `from_iso8601_timestamp('${new Date(ms).toISOString()}')`;
}

function inList(column: string, values: readonly string[], input: string, pattern: RegExp, what: string): string {
  values.forEach((v, i) => {
    if (typeof v !== "string" || !pattern.test(v))
      throw new BackendInputError(`${input}[${i}]`, `${shown(v)} is not ${what}`);
  });
  return `${column} IN (${[...new Set(values)].map((v, i) => sqlString(v, `${input}[${i}]`)).join(", ")})`;
}

/** The partition predicates of a window: the only thing that decides how many bytes Athena scans. */
function athenaPartitionConditions(
  startMs: number,
  endMs: number,
  o: Pick<AthenaQueryOptions, "accounts" | "regions" | "deliveryAllowanceMinutes">,
): string[] {
  const allowance = o.deliveryAllowanceMinutes ?? DEFAULT_DELIVERY_ALLOWANCE_MINUTES;
  if (!(Number.isInteger(allowance) && allowance >= 0 && allowance <= 1440))
    throw new BackendInputError("delivery allowance", `must be 0 to 1440 minutes, got ${String(allowance)}`);
  const days = athenaDays(startMs, endMs - 1 + allowance * 60_000);
  const day = `"${ATHENA_PARTITIONS.day}"`;
  const conditions = [
    days.length <= MAX_LISTED_DAYS
      ? `${day} IN (${days.map((d) => `'${d}'`).join(", ")})`
      : `${day} BETWEEN '${days[0]}' AND '${days[days.length - 1]}'`,
  ];
  if (o.accounts?.length)
    conditions.push(inList(`"${ATHENA_PARTITIONS.account}"`, o.accounts, "--accounts", /^\d{12}$/, "an account ID"));
  if (o.regions?.length)
    conditions.push(
      inList(`"${ATHENA_PARTITIONS.region}"`, o.regions, "--regions", /^[a-z]{2}(-[a-z]+)+-\d+$/, "a region"),
    );
  return conditions;
}

/**
 * The complete SELECT for one window. Throws BackendInputError naming the bad input. With
 * `withCorrelations`, it also returns the rows the correlation rules need (their look-back before
 * the window included, src/detection/backends/correlation-sql.ts), in the same scan: a row before
 * `start` is there for the correlation engine only.
 */
export function buildAthenaQuery(
  guardrail: Pick<Guardrail, "rules"> & Partial<Pick<Guardrail, "correlationRules">>,
  options: AthenaQueryOptions & { withCorrelations?: boolean },
): string {
  const rules = options.withCorrelations ? (guardrail.correlationRules ?? []) : [];
  if (rules.length === 0) return athenaSelect(lakeRulesCondition(guardrail, ATHENA_CONDITION_FIELDS), options);
  const { startMs, endMs } = parseWindow(options.start, options.end);
  const times = athenaTimes(options);
  const events =
    guardrail.rules.length > 0
      ? [
          `(${times.timeAtLeast(startMs)}\n  AND ${times.timeBefore(endMs)}\n  AND ` +
            `${lakeRulesCondition(guardrail, ATHENA_CONDITION_FIELDS)})`,
        ]
      : [];
  const condition = [...events, `(${correlationWindows(rules, times, startMs, endMs)})`].join("\n  OR ");
  const readFromMs = Math.min(startMs, ...rules.map((r) => correlationViewStart(r, startMs)));
  return athenaSelect(`(${condition})`, options, [], readFromMs);
}

/**
 * The Athena SELECT of one window's records that meet `condition` (SQL over the table's columns,
 * built from literals that went through sql-literal.ts), with the Lake columns and `extraColumns`.
 * With `readFromMs` the condition bounds eventtime itself and the partitions read start there.
 */
export function athenaSelect(
  condition: string,
  options: AthenaQueryOptions,
  extraColumns: string[] = [],
  readFromMs?: number,
): string {
  const table = athenaTableRef(options.table);
  const { startMs, endMs } = parseWindow(options.start, options.end);
  if (options.limit !== undefined && !(Number.isSafeInteger(options.limit) && options.limit > 0))
    throw new BackendInputError("limit", `must be a positive integer, got ${String(options.limit)}`);
  const times = athenaTimes(options);
  const aliases = new Set(LAKE_COLUMNS.map((c) => c.alias));
  const lines = [
    "SELECT",
    [
      ...LAKE_COLUMNS.map((c) => {
        const expr = c.athenaExpr ?? c.expr;
        return expr === c.alias ? `  ${expr}` : `  ${expr} AS ${c.alias}`;
      }),
      ...extraColumns.filter((c) => !aliases.has(c)).map((c) => `  ${c}`),
    ].join(",\n"),
    `FROM ${table.sql}`,
    `WHERE ${athenaPartitionConditions(readFromMs ?? startMs, endMs, options).join("\n  AND ")}`,
    ...(readFromMs === undefined
      ? [`  AND ${times.timeAtLeast(startMs)}`, `  AND ${times.timeBefore(endMs)}`, `  AND ${condition}`]
      : [`  AND ${condition}`]),
    "ORDER BY eventtime ASC, eventid ASC",
  ];
  if (options.limit !== undefined) lines.push(`LIMIT ${options.limit}`);
  return lines.join("\n");
}

const ATHENA_EVENT_TIME = "try(from_iso8601_timestamp(eventtime))";

/** How an Athena query compares eventtime and prunes partitions, for the correlation conditions. */
function athenaTimes(options: Pick<AthenaQueryOptions, "accounts" | "regions" | "deliveryAllowanceMinutes">) {
  return {
    timeAtLeast: (ms: number) => `${ATHENA_EVENT_TIME} >= ${isoInstant(ms)}`,
    timeBefore: (ms: number) => `${ATHENA_EVENT_TIME} < ${isoInstant(ms)}`,
    scope: (fromMs: number, toMs: number) => athenaPartitionConditions(fromMs, toMs, options),
    fields: ATHENA_CONDITION_FIELDS,
  };
}

/** The day folders a window reads (for the scan estimate): days × accounts × regions partitions. */
export function athenaWindowDays(
  options: Pick<AthenaQueryOptions, "start" | "end" | "deliveryAllowanceMinutes">,
): string[] {
  const { startMs, endMs } = parseWindow(options.start, options.end);
  const allowance = options.deliveryAllowanceMinutes ?? DEFAULT_DELIVERY_ALLOWANCE_MINUTES;
  return athenaDays(startMs, endMs - 1 + allowance * 60_000);
}

/**
 * A result row back to a CloudTrail record: the Lake mapper, since the columns are the Lake columns;
 * requestparameters and additionaleventdata are JSON text here, so their values keep the types CloudTrail wrote.
 */
export function athenaRowToRecord(row: LakeRow): CloudTrailRecord {
  return lakeRowToRecordOf(row, { valuesAsText: false });
}

/**
 * The correlation query of one window over the trail's archive (src/detection/backends/correlation-sql.ts):
 * its rows go through `athenaRowToRecord` and the correlation engine with `reportFromMs: start`.
 */
export function buildAthenaCorrelationQuery(
  rules: readonly CorrelationRule[],
  options: Omit<AthenaQueryOptions, "limit"> & CorrelationQueryOptions,
): string {
  const table = athenaTableRef(options.table);
  const { startMs, endMs } = parseWindow(options.start, options.end);
  return buildCorrelationSql(
    rules,
    {
      ...athenaTimes(options),
      from: table.sql,
      columns: LAKE_COLUMNS.map((c) => ({ expr: c.athenaExpr ?? c.expr, alias: c.alias })),
      values: {
        awsRegion: "awsregion",
        eventName: "eventname",
        "requestParameters.modelId": ATHENA_MODEL_VALUE,
      },
      identity: [
        ...["type", "arn", "accountid", "accesskeyid", "username", "invokedby"].map((c) => `useridentity.${c}`),
        ...["type", "arn", "username", "accountid"].map((c) => `useridentity.sessioncontext.sessionissuer.${c}`),
        "awsregion",
      ],
    },
    startMs,
    endMs,
    options,
  );
}

/** The day folders a query of a window reads, with its correlation rules: from the earliest rule look-back. */
export function athenaCorrelationDays(
  rules: readonly CorrelationRule[],
  options: Pick<AthenaQueryOptions, "start" | "end" | "deliveryAllowanceMinutes"> & CorrelationQueryOptions,
): string[] {
  const { startMs, endMs } = parseWindow(options.start, options.end);
  const from = Math.min(
    startMs,
    ...rules.map((r) =>
      r.kind === "new-term" && options.readBaseline !== false
        ? startMs - r.baselineDays * DAY_MS
        : correlationViewStart(r, startMs),
    ),
  );
  const allowance = options.deliveryAllowanceMinutes ?? DEFAULT_DELIVERY_ALLOWANCE_MINUTES;
  return athenaDays(from, endMs - 1 + allowance * 60_000);
}
