/**
 * The rule as CloudTrail Lake SQL (Trino dialect), compiled from the Guardrail, and the mapper that
 * turns a GetQueryResults row back into a CloudTrail record for `evaluateRecord`, so that the
 * scheduled query job and `detect` build findings with the same code.
 *
 * The WHERE clause is the union of the guardrail's rules, each rule one conjunction of its event
 * source, event names, outcome and conditions (an anyOf a parenthesised OR of ANDs); a row is selected
 * exactly when `matchingRule` selects the record (test/detection/backends/lake-sql.differential.test.ts
 * runs it in DuckDB against the in-process matcher, for the whole rule set and for every rule alone).
 */
import {
  type Condition,
  type ConditionField,
  conditionKind,
  type DetectionRule,
  type EventSelector,
  type WhereEntry,
} from "../../guardrail/definition";
import type { Guardrail } from "../../guardrail/guardrail";
import { FIELD_TYPES } from "../../guardrail/rule-parts";
import { type CloudTrailRecord, MODEL_REQUEST_KEYS, normalizeEventTime } from "../record";
import { BLANK_CODE_POINTS } from "./blank";
import { BackendInputError, shown, parseWindow } from "./input-error";
import { firstNonEmpty, sqlCodePoints, sqlString, sqlTimestamp } from "./sql-literal";

type LakeGuardrail = Pick<Guardrail, "rules">;

export interface LakeQueryOptions {
  /** Event data store ID, or its ARN (the ID is the part after `eventdatastore/`). */
  eventDataStore: string;
  /** Window start, inclusive: ISO-8601 with a zone, or a Date. */
  start: string | Date;
  /** Window end, exclusive, so consecutive windows never select an event twice. */
  end: string | Date;
  /** Optional row cap. Rows come oldest first, so a cap leaves the newest for the next run. */
  limit?: number;
}

const EDS_ARN = /^arn:(aws|aws-cn|aws-us-gov):cloudtrail:[a-z0-9-]+:\d{12}:eventdatastore\/([^/]+)$/;
/**
 * The ID goes into the query unquoted (that is how Lake names a table), so it must be one SQL
 * token: letters and digits in groups joined by single hyphens. `--` would start a comment and a
 * leading or trailing hyphen is an operator; real IDs are UUIDs, which fit.
 */
const EDS_ID = /^(?=.{1,128}$)[A-Za-z0-9]+(-[A-Za-z0-9]+)*$/;

/** The ID that goes after FROM. Refuses anything that is not an ID or an event data store ARN. */
export function eventDataStoreId(idOrArn: string): string {
  if (typeof idOrArn !== "string" || idOrArn.length === 0)
    throw new BackendInputError("event data store", "is required (an event data store ID or ARN)");
  const id = EDS_ARN.exec(idOrArn)?.[2] ?? idOrArn;
  if (EDS_ID.test(id)) return id;
  throw new BackendInputError(
    "event data store",
    `${shown(idOrArn)} is neither an event data store ID (letters and digits joined by single hyphens) nor ` +
      `an ARN arn:aws:cloudtrail:<region>:<account>:eventdatastore/<id>`,
  );
}

/**
 * One selected column: the SQL expression, the alias it comes back under, and where its value goes
 * in the rebuilt CloudTrail record. The query's SELECT list and the row mapper both read this table.
 */
interface LakeColumn {
  alias: string;
  expr: string;
  /**
   * The expression over AWS's Athena CloudTrail table (src/detection/backends/athena-table.ts), where
   * it differs: there requestparameters is JSON text rather than a map. Default: `expr`.
   */
  athenaExpr?: string;
  /** Path in the CloudTrail record; undefined for columns the mapper handles itself. */
  path?: readonly string[];
}

const SESSION_ISSUER = ["userIdentity", "sessionContext", "sessionIssuer"] as const;
const ON_BEHALF_OF = ["userIdentity", "onBehalfOf"] as const;

/**
 * Every field of the record a finding reads has a column here (src/detection/finding.ts and
 * credential.ts, the principal in src/arn/principal.ts): one left out is silently missing from the
 * findings of Lake, Athena and `hunt`, which the differential tests' whole-finding comparison catches.
 */
export const LAKE_COLUMNS: readonly LakeColumn[] = [
  { alias: "eventid", expr: "eventid", path: ["eventID"] },
  { alias: "eventtime", expr: "eventtime", path: ["eventTime"] },
  { alias: "eventsource", expr: "eventsource", path: ["eventSource"] },
  { alias: "eventname", expr: "eventname", path: ["eventName"] },
  { alias: "errorcode", expr: "errorcode", path: ["errorCode"] },
  { alias: "awsregion", expr: "awsregion", path: ["awsRegion"] },
  { alias: "recipientaccountid", expr: "recipientaccountid", path: ["recipientAccountId"] },
  { alias: "sourceipaddress", expr: "sourceipaddress", path: ["sourceIPAddress"] },
  { alias: "useragent", expr: "useragent", path: ["userAgent"] },
  { alias: "useridentity_type", expr: "useridentity.type", path: ["userIdentity", "type"] },
  { alias: "useridentity_principalid", expr: "useridentity.principalid", path: ["userIdentity", "principalId"] },
  { alias: "useridentity_arn", expr: "useridentity.arn", path: ["userIdentity", "arn"] },
  { alias: "useridentity_accountid", expr: "useridentity.accountid", path: ["userIdentity", "accountId"] },
  { alias: "useridentity_accesskeyid", expr: "useridentity.accesskeyid", path: ["userIdentity", "accessKeyId"] },
  { alias: "useridentity_username", expr: "useridentity.username", path: ["userIdentity", "userName"] },
  { alias: "useridentity_invokedby", expr: "useridentity.invokedby", path: ["userIdentity", "invokedBy"] },
  {
    alias: "sessionissuer_type",
    expr: "useridentity.sessioncontext.sessionissuer.type",
    path: [...SESSION_ISSUER, "type"],
  },
  {
    alias: "sessionissuer_principalid",
    expr: "useridentity.sessioncontext.sessionissuer.principalid",
    path: [...SESSION_ISSUER, "principalId"],
  },
  {
    alias: "sessionissuer_arn",
    expr: "useridentity.sessioncontext.sessionissuer.arn",
    path: [...SESSION_ISSUER, "arn"],
  },
  {
    alias: "sessionissuer_accountid",
    expr: "useridentity.sessioncontext.sessionissuer.accountid",
    path: [...SESSION_ISSUER, "accountId"],
  },
  {
    alias: "sessionissuer_username",
    expr: "useridentity.sessioncontext.sessionissuer.username",
    path: [...SESSION_ISSUER, "userName"],
  },
  // The IAM Identity Center user a call was made for (an IdentityCenterUser, or a role session with
  // trusted identity propagation): the finding's user.id, on_behalf_of and actor.
  { alias: "onbehalfof_userid", expr: "useridentity.onbehalfof.userid", path: [...ON_BEHALF_OF, "userId"] },
  {
    alias: "onbehalfof_identitystorearn",
    expr: "useridentity.onbehalfof.identitystorearn",
    path: [...ON_BEHALF_OF, "identityStoreArn"],
  },
  // Trino's map subscript fails the whole query on a missing key; the CASE guards it (and
  // element_at, the other Trino way, means something else in other engines).
  {
    alias: "modelid",
    expr: "CASE WHEN contains(map_keys(requestparameters), 'modelId') THEN requestparameters['modelId'] END",
    // A missing key or non-scalar value is NULL here, never an error.
    athenaExpr: "json_extract_scalar(requestparameters, '$.modelId')",
  },
  // The whole map as JSON text: GetQueryResults returns strings, and JSON is one we can parse back.
  {
    alias: "requestparameters",
    expr: "json_format(CAST(requestparameters AS JSON))",
    athenaExpr: "requestparameters",
  },
  // Where bedrock-runtime marks a call made with a Bedrock API key (callWithBearerToken): the
  // finding's credential kind and the correlation rules' group read it.
  {
    alias: "additionaleventdata",
    expr: "json_format(CAST(additionaleventdata AS JSON))",
    athenaExpr: "additionaleventdata",
  },
];

/**
 * Where a condition field lives in a row. `json`, for a field inside a JSON text column, is its
 * JSON value (NULL when missing) and `text` its string value (NULL unless a JSON string). Without
 * `json`, `text` is a column or map entry that holds the value as text (NULL when missing):
 * CloudTrail Lake's maps hold a boolean as "true", so `is` cannot tell it from the string "true",
 * which is why the matcher's `is` accepts both.
 */
export interface SqlConditionField {
  text: string;
  json?: string;
}

/**
 * Where each condition field lives in a Lake row. Another SQL backend over CloudTrail (Athena, where
 * requestparameters is JSON text) passes its own table to `lakeRuleCondition`.
 */
export type SqlConditionFields = Readonly<Record<ConditionField, SqlConditionField>>;

/** A key of a map column (requestparameters, additionaleventdata), NULL when absent (a bare subscript fails). */
function mapEntry(column: string, key: string): string {
  const literal = sqlString(key, "condition field");
  return `CASE WHEN contains(map_keys(${column}), ${literal}) THEN ${column}[${literal}] END`;
}

/** A key of the requestparameters map, NULL when absent (a bare subscript fails the query in Trino). */
function requestParameter(key: string): string {
  return mapEntry("requestparameters", key);
}

/**
 * The model a request names, as modelIdOf reads it (the value new-term rules count): `modelId`, else `model`
 * (bedrock-mantle), NULL for neither or an empty one.
 */
export const LAKE_MODEL_VALUE = firstNonEmpty(MODEL_REQUEST_KEYS.map(requestParameter));

/**
 * A value inside JSON text (`json` holds the text, `path` the keys below it): its JSON value, and
 * its string value when it is a JSON string (json_extract_scalar alone would also turn a number or
 * boolean into text, which the matcher's string conditions do not accept).
 */
export function jsonTextField(json: string, path: readonly string[]): SqlConditionField {
  if (!path.every((key) => /^[A-Za-z][A-Za-z0-9]*$/.test(key)))
    throw new BackendInputError("condition field", `${path.join(".")} is not a path of plain keys`);
  const literal = sqlString(`$.${path.join(".")}`, "condition field");
  const value = `json_extract(${json}, ${literal})`;
  return {
    json: value,
    text: `CASE WHEN starts_with(json_format(${value}), '"') THEN json_extract_scalar(${json}, ${literal}) END`,
  };
}

const LOGGING_CONFIG = requestParameter("loggingConfig");

export const LAKE_CONDITION_FIELDS: SqlConditionFields = {
  "userIdentity.type": { text: "useridentity.type" },
  "userIdentity.accessKeyId": { text: "useridentity.accesskeyid" },
  "requestParameters.serviceName": { text: requestParameter("serviceName") },
  "requestParameters.bearerTokenType": { text: requestParameter("bearerTokenType") },
  "requestParameters.userName": { text: requestParameter("userName") },
  "requestParameters.status": { text: requestParameter("status") },
  "requestParameters.callWithBearerToken": { text: requestParameter("callWithBearerToken") },
  "additionalEventData.callWithBearerToken": { text: mapEntry("additionaleventdata", "callWithBearerToken") },
  "additionalEventData.bearerTokenType": { text: mapEntry("additionaleventdata", "bearerTokenType") },
  // Lake keeps a nested request parameter as JSON text in the map (see the Lake test harness).
  "requestParameters.loggingConfig.textDataDeliveryEnabled": jsonTextField(LOGGING_CONFIG, ["textDataDeliveryEnabled"]),
  "requestParameters.loggingConfig.s3Config.bucketName": jsonTextField(LOGGING_CONFIG, ["s3Config", "bucketName"]),
  "requestParameters.loggingConfig.cloudWatchConfig.logGroupName": jsonTextField(LOGGING_CONFIG, [
    "cloudWatchConfig",
    "logGroupName",
  ]),
};

/** One condition over a row (mirrors `conditionHolds`); `input` names it in errors. */
function sqlCondition(c: Condition, field: SqlConditionField, input: string): string {
  const k = conditionKind(c);
  // ignoreCase: both sides lower-cased, as the matcher does (the values are ASCII; lower() folds as toLowerCase there).
  const text = "ignoreCase" in k && k.ignoreCase ? `lower(${field.text})` : field.text;
  const literal = (v: string) => sqlString("ignoreCase" in k && k.ignoreCase ? v.toLowerCase() : v, input);
  switch (k.kind) {
    case "equals":
      return `${text} IN (${k.values.map(literal).join(", ")})`;
    case "startsWith":
      return `starts_with(${text}, ${literal(k.prefix)})`;
    case "is":
      return field.json
        ? `json_format(${field.json}) IN ('${k.value}', '"${k.value}"')`
        : `${field.text} = '${k.value}'`;
    case "exists":
      // A JSON null is absent, like a missing key; coalesce keeps the test true or false, never NULL.
      return field.json
        ? `coalesce(json_format(${field.json}), 'null') ${k.value ? "<>" : "="} 'null'`
        : `${field.text} IS ${k.value ? "NOT " : ""}NULL`;
  }
}

/**
 * One where entry over a row: its condition, or an anyOf as an OR of parenthesised ANDs (mirrors `whereEntryHolds`).
 * A NULL inside a list makes that AND NULL or false, never true, so the OR holds exactly when one list holds.
 */
function sqlWhereEntry(entry: WhereEntry, fields: SqlConditionFields, input: string): string {
  if (!("anyOf" in entry)) return sqlCondition(entry, fields[entry.field], input);
  const lists = entry.anyOf.map(
    (list, i) =>
      `(${list.map((c, j) => sqlCondition(c, fields[c.field], `${input}.anyOf[${i}][${j}]`)).join(" AND ")})`,
  );
  return `(${lists.join(" OR ")})`;
}

/** The outcome condition of one rule over the errorcode column (mirrors `outcomeMatches`); undefined for "any". */
function lakeOutcomeCondition(rule: EventSelector, label: string): string | undefined {
  if (rule.outcome === "any") return undefined;
  if (rule.outcome === "success") {
    // isSuccess: no errorCode, or one made only of the characters String.prototype.trim removes.
    return `(errorcode IS NULL OR trim(errorcode, ${sqlCodePoints(BLANK_CODE_POINTS)}) = '')`;
  }
  const codes = rule.errorCodes ?? [];
  if (codes.length === 0) return "FALSE";
  return `errorcode IN (${codes.map((c, i) => sqlString(c, `${label} errorCodes[${i}]`)).join(", ")})`;
}

/**
 * One rule as a conjunction (mirrors `ruleMatches`). A NULL field makes its comparison NULL, which
 * WHERE treats as false, like the matcher's missing field; nothing here is negated.
 */
function lakeRuleCondition(rule: DetectionRule, fields: SqlConditionFields = LAKE_CONDITION_FIELDS): string {
  return selectorCondition(rule, `rule ${rule.id}`, fields);
}

/** An event selector (an event rule, or a correlation rule's step) as a conjunction; `label` names it in errors. */
export function selectorCondition(rule: EventSelector, label: string, fields: SqlConditionFields): string {
  if (rule.eventNames.length === 0) throw new BackendInputError(label, "has no event names to query");
  const names = rule.eventNames.map((n, i) => sqlString(n, `${label} eventNames[${i}]`)).join(", ");
  const outcome = lakeOutcomeCondition(rule, label);
  const where = rule.where.map((entry, i) => sqlWhereEntry(entry, fields, `${label} where[${i}]`));
  return [
    `eventsource = ${sqlString(rule.eventSource, `${label} eventSource`)}`,
    `eventname IN (${names})`,
    ...(outcome ? [outcome] : []),
    ...where,
  ].join(" AND ");
}

/** The WHERE condition shared by every window: the union of the rules. */
export function lakeRulesCondition(
  guardrail: LakeGuardrail,
  fields: SqlConditionFields = LAKE_CONDITION_FIELDS,
): string {
  if (guardrail.rules.length === 0) throw new BackendInputError("guardrail", "has no rules to query");
  const rules = [...new Set(guardrail.rules.map((r) => lakeRuleCondition(r, fields)))];
  return `(\n    (${rules.join(")\n    OR (")})\n  )`;
}

/** The complete SELECT for one window. Throws BackendInputError naming the bad input. */
export function buildLakeQuery(guardrail: LakeGuardrail, options: LakeQueryOptions): string {
  const from = eventDataStoreId(options.eventDataStore);
  const { startMs, endMs } = parseWindow(options.start, options.end);
  if (options.limit !== undefined && !(Number.isSafeInteger(options.limit) && options.limit > 0)) {
    throw new BackendInputError("limit", `must be a positive integer, got ${String(options.limit)}`);
  }
  const lines = [
    "SELECT",
    LAKE_COLUMNS.map((c) => (c.expr === c.alias ? `  ${c.expr}` : `  ${c.expr} AS ${c.alias}`)).join(",\n"),
    `FROM ${from}`,
    `WHERE eventtime >= ${sqlTimestamp(startMs)}`,
    `  AND eventtime < ${sqlTimestamp(endMs)}`,
    `  AND ${lakeRulesCondition(guardrail)}`,
    // Oldest first: a job that advances a watermark to the last row it handled never skips rows.
    "ORDER BY eventtime ASC, eventid ASC",
  ];
  if (options.limit !== undefined) lines.push(`LIMIT ${options.limit}`);
  return lines.join("\n");
}

/** A GetQueryResults row: a list of single-key `{column: value}` maps. */
export type LakeRow = ReadonlyArray<Readonly<Record<string, string | undefined>>>;

function setPath(target: Record<string, unknown>, path: readonly string[], value: string): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

function parseRequestParameters(
  json: string | undefined,
  modelId: string | undefined,
): Record<string, unknown> | undefined {
  if (json) {
    try {
      const parsed: unknown = JSON.parse(json);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // Fall through to the modelid column: one unparsable map must not lose the row.
    }
  }
  return modelId ? { modelId } : undefined;
}

/**
 * Rebuilds the CloudTrail record from one CloudTrail Lake result row (lakeRowToRecordOf, with the
 * booleans and objects Lake's maps hold as text turned back into JSON booleans and objects).
 */
export function lakeRowToRecord(row: LakeRow): CloudTrailRecord {
  return lakeRowToRecordOf(row, { valuesAsText: true });
}

/**
 * Rebuilds the CloudTrail record from one row of the LAKE_COLUMNS select list. Missing, null and
 * empty columns are left out (Lake has no distinction the rule depends on: an absent and an empty
 * errorCode are both success). eventtime (`2024-10-17 20:09:51.000`, UTC) becomes CloudTrail's
 * ISO-8601 form. `valuesAsText`: the store's requestparameters and additionaleventdata hold every
 * value as text (Lake's map<string,string>, not Athena's JSON text, which keeps each value's type).
 */
export function lakeRowToRecordOf(row: LakeRow, store: { valuesAsText: boolean }): CloudTrailRecord {
  const values = new Map<string, string>();
  for (const cell of row) {
    for (const [key, value] of Object.entries(cell))
      if (typeof value === "string" && value !== "") values.set(key.toLowerCase(), value);
  }
  const record: Record<string, unknown> = {};
  for (const column of LAKE_COLUMNS) {
    const value = values.get(column.alias);
    if (column.path && value !== undefined) setPath(record, column.path, value);
  }
  if (typeof record.eventTime === "string") record.eventTime = normalizeEventTime(record.eventTime) ?? record.eventTime;
  const params = parseRequestParameters(values.get("requestparameters"), values.get("modelid"));
  if (params) record.requestParameters = withConditionTypes(params, "requestParameters", store);
  const extra = parseRequestParameters(values.get("additionaleventdata"), undefined);
  if (extra) record.additionalEventData = withConditionTypes(extra, "additionalEventData", store);
  return record as CloudTrailRecord;
}

/**
 * The map keys whose condition field CloudTrail writes as a JSON boolean (FIELD_TYPES), by map:
 * callWithBearerToken in requestParameters and additionalEventData.
 */
const BOOLEAN_CONDITION_KEYS = Object.entries(FIELD_TYPES)
  .filter(([, type]) => type === "boolean")
  .map(([field]) => field.split("."))
  .filter((path) => path.length === 2);

/**
 * The map with the values a condition reads typed as CloudTrail wrote them, where the store holds
 * every value as text: the objects it reads into parsed back from JSON text, and "true" and "false"
 * under a boolean field's key as the booleans (Lake cannot tell them from the strings, which
 * CloudTrail does not write there), so the finding's request_parameters is detect's. A store of JSON
 * text (Athena) keeps the types: there a string is a string, even one that reads as JSON, and
 * turning it into an object would let a condition hold on the rebuilt record that fails on the record.
 */
function withConditionTypes(
  map: Record<string, unknown>,
  object: string,
  store: { valuesAsText: boolean },
): Record<string, unknown> {
  if (!store.valuesAsText) return map;
  const out = withNestedObjects(map);
  for (const [, key] of BOOLEAN_CONDITION_KEYS.filter(([o]) => o === object))
    if (out[key] === "true" || out[key] === "false") out[key] = out[key] === "true";
  return out;
}

/**
 * The map keys under which a condition reads deeper (`loggingConfig` of
 * requestParameters.loggingConfig.s3Config.bucketName): Lake's map holds their objects as JSON text.
 */
const NESTED_CONDITION_KEYS = new Set(
  Object.keys(LAKE_CONDITION_FIELDS)
    .map((field) => field.split("."))
    .filter((path) => path.length > 2)
    .map((path) => path[1]),
);

/** The map with the objects a condition reads into parsed back from their JSON text, as CloudTrail wrote them. */
function withNestedObjects(map: Record<string, unknown>): Record<string, unknown> {
  const out = { ...map };
  for (const key of NESTED_CONDITION_KEYS) {
    const text = out[key];
    if (typeof text !== "string") continue;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) out[key] = parsed;
    } catch {
      // Not JSON: the text stays, as the query saw it.
    }
  }
  return out;
}
