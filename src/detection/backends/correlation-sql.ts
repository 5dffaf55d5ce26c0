/**
 * Correlation rules as SQL (CloudTrail Lake and Athena, both Trino): one query per run window
 * [start, end) that returns exactly the rows the reference engine (src/detection/correlation/) needs
 * to decide every correlation that completes inside the window; the engine then runs over them with
 * `reportFromMs: start`. So the backends cannot disagree with `detect` about what a window, a
 * sequence or a first use is, and the DuckDB differential tests prove the rows are enough.
 *
 * What each rule needs, besides its events in [start, end):
 * - threshold, value-count: the events of the window containing `start`, from that window's start
 *   (windows are aligned to the clock, so earlier windows do not matter);
 * - sequence: one window back, where the first step of a sequence completing after `start` can be;
 * - new-term: for each identity and value, only the latest event of the baseline before `start`
 *   (a grouped query: row_number() over the identity columns and the value), which is all the
 *   engine needs to know whether an event in the window uses the value for the first time.
 *
 * Cost: a run reads each rule's look-back besides its window (60 minutes for the shipped sequence
 * and value-count rules, up to 10 for the threshold rule) and, for new-term rules, the baseline
 * (30 days) of the rule's own events, reduced in the query to one row per identity and value. The
 * scheduled monitor reads that baseline once (a rule's first, learning run) and keeps it in its
 * state table after (`readBaseline: false`, src/runtime/correlation-step.ts).
 */
import type { CorrelationRule, ValueField } from "../../guardrail/correlation-definition";
import { lookbackMs, selectorsOf } from "../../guardrail/correlation-rule";
import { BackendInputError, parseWindow } from "./input-error";
import {
  eventDataStoreId,
  LAKE_COLUMNS,
  LAKE_CONDITION_FIELDS,
  LAKE_MODEL_VALUE,
  type LakeQueryOptions,
  type SqlConditionFields,
  selectorCondition,
} from "./lake-sql";
import { sqlTimestamp } from "./sql-literal";

/** What differs between the two SQL backends. */
export interface CorrelationDialect {
  /** The FROM target (an event data store id, or "database"."table"). */
  from: string;
  /** The SELECT list (the event query's columns): expression and output name. */
  columns: readonly { expr: string; alias: string }[];
  /** eventtime >= / < an instant: the backend's comparison. */
  timeAtLeast(ms: number): string;
  timeBefore(ms: number): string;
  /** Extra conditions for rows read from [fromMs, toMs) (Athena's partition pruning). */
  scope?(fromMs: number, toMs: number): string[];
  fields: SqlConditionFields;
  /** The value a value-count or new-term rule counts. */
  values: Readonly<Record<ValueField, string>>;
  /** Every column the group of a record depends on (its userIdentity, and the Region for a root ARN it writes). */
  identity: readonly string[];
}

export interface CorrelationQueryOptions {
  /**
   * Read new-term rules' baselines from before the window (default). Off when the baseline comes
   * from elsewhere (the monitor's state table) or the run learns it from the window itself (`hunt`,
   * like `detect`, learns from its first days).
   */
  readBaseline?: boolean;
}

/** Where a run starting at `startMs` must read a rule's events from. */
export function correlationViewStart(rule: CorrelationRule, startMs: number): number {
  if (rule.kind === "threshold" || rule.kind === "value-count") {
    const windowMs = lookbackMs(rule);
    return Math.floor(startMs / windowMs) * windowMs;
  }
  if (rule.kind === "sequence") return startMs - lookbackMs(rule);
  return startMs;
}

function anyOf(rule: CorrelationRule, d: Pick<CorrelationDialect, "fields">): string {
  const conditions = selectorsOf(rule).map((s, i) => selectorCondition(s, `rule ${rule.id} selector ${i}`, d.fields));
  return `((${conditions.join(") OR (")}))`;
}

function between(
  d: Pick<CorrelationDialect, "timeAtLeast" | "timeBefore" | "scope">,
  fromMs: number,
  toMs: number,
): string[] {
  return [...(d.scope?.(fromMs, toMs) ?? []), d.timeAtLeast(fromMs), d.timeBefore(toMs)];
}

/** The latest baseline event of each identity and value before the window (new-term rules). */
function baselineRows(rule: Extract<CorrelationRule, { kind: "new-term" }>, d: CorrelationDialect, startMs: number) {
  const fromMs = startMs - lookbackMs(rule);
  const partition = [...d.identity, d.values[rule.field]].join(", ");
  return [
    `SELECT * FROM (`,
    `  SELECT`,
    `${selectList(d)},`,
    `    row_number() OVER (PARTITION BY ${partition} ORDER BY eventtime DESC, eventid DESC) AS baseline_rank`,
    `  FROM ${d.from}`,
    `  WHERE ${[...between(d, fromMs, startMs), anyOf(rule, d)].join("\n    AND ")}`,
    `) WHERE baseline_rank = 1`,
  ].join("\n");
}

/** Each rule's events in its view of the window (without new-term baselines), OR-ed: a WHERE condition. */
export function correlationWindows(
  rules: readonly CorrelationRule[],
  d: Pick<CorrelationDialect, "timeAtLeast" | "timeBefore" | "scope" | "fields">,
  startMs: number,
  endMs: number,
): string {
  return rules
    .map((rule) => `(${[...between(d, correlationViewStart(rule, startMs), endMs), anyOf(rule, d)].join(" AND ")})`)
    .join("\n  OR ");
}

/**
 * The query for one window. Its rows (in any order, possibly twice: the engine sorts them and takes
 * a repeated event once) are what `correlate(rules, rows, { reportFromMs: startMs })` needs.
 */
export function buildCorrelationSql(
  rules: readonly CorrelationRule[],
  d: CorrelationDialect,
  startMs: number,
  endMs: number,
  options: CorrelationQueryOptions = {},
): string {
  if (rules.length === 0) throw new BackendInputError("guardrail", "has no correlation rules to query");
  if (!(endMs > startMs)) throw new BackendInputError("window", "must end after it starts");
  const parts = [
    ["SELECT", selectList(d), `FROM ${d.from}`, `WHERE ${correlationWindows(rules, d, startMs, endMs)}`].join("\n"),
    ...rules.flatMap((rule) =>
      rule.kind === "new-term" && options.readBaseline !== false ? [baselineRows(rule, d, startMs)] : [],
    ),
  ];
  // The baseline rows carry one more column: select the event columns from every part.
  return parts.length === 1
    ? parts[0]
    : parts.map((p, i) => (i === 0 ? p : `SELECT ${columnAliases(d)} FROM (\n${p}\n)`)).join("\nUNION ALL\n");
}

const selectList = (d: CorrelationDialect): string =>
  d.columns.map((c) => (c.expr === c.alias ? `  ${c.expr}` : `  ${c.expr} AS ${c.alias}`)).join(",\n");

/** The SELECT list's output names, to select them from a sub-query. */
const columnAliases = (d: CorrelationDialect): string => d.columns.map((c) => c.alias).join(", ");

/** The identity columns of a Lake row: everything a record's correlation group is computed from. */
const LAKE_IDENTITY = [
  "useridentity.type",
  "useridentity.arn",
  "useridentity.accountid",
  "useridentity.accesskeyid",
  "useridentity.username",
  "useridentity.invokedby",
  "useridentity.sessioncontext.sessionissuer.type",
  "useridentity.sessioncontext.sessionissuer.arn",
  "useridentity.sessioncontext.sessionissuer.username",
  "useridentity.sessioncontext.sessionissuer.accountid",
  "awsregion",
];

/**
 * The correlation query of one window over an event data store (src/detection/backends/correlation-sql.ts):
 * its rows go through `lakeRowToRecord` and the correlation engine with `reportFromMs: start`.
 */
export function buildLakeCorrelationQuery(
  rules: readonly CorrelationRule[],
  options: Omit<LakeQueryOptions, "limit"> & CorrelationQueryOptions,
): string {
  const { startMs, endMs } = parseWindow(options.start, options.end);
  return buildCorrelationSql(
    rules,
    {
      from: eventDataStoreId(options.eventDataStore),
      columns: LAKE_COLUMNS,
      timeAtLeast: (ms) => `eventtime >= ${sqlTimestamp(ms)}`,
      timeBefore: (ms) => `eventtime < ${sqlTimestamp(ms)}`,
      fields: LAKE_CONDITION_FIELDS,
      values: { awsRegion: "awsregion", eventName: "eventname", "requestParameters.modelId": LAKE_MODEL_VALUE },
      identity: LAKE_IDENTITY,
    },
    startMs,
    endMs,
    options,
  );
}
