/**
 * A DuckDB table with the CloudTrail Lake schema, for running the generated SQL in tests.
 *
 * How a record becomes a row (our model of Lake ingestion): string fields as they are; missing or
 * null as NULL; other scalars as their text; objects as JSON text (Lake flattens nested request
 * parameters to JSON strings in its map<string,string>). eventtime is a TIMESTAMP in UTC.
 *
 * Dialect shims: CloudTrail Lake runs Trino; DuckDB has no `json_format`, so a macro gives it
 * Trino's meaning (JSON value -> its text), and another json_extract_scalar (a string inside a nested
 * request parameter, which an equals or startsWith condition reads). Nothing in the generated query is
 * rewritten except its FROM target.
 */
import { type CloudTrailRecord, normalizeEventTime } from "../../../../src/detection/record";
import { JSON_EXTRACT_SCALAR_SHIM } from "./athena-table";
import { DuckDbTable, obj, text, USER_IDENTITY_COLUMN, userIdentityValue } from "./duckdb-table";

const STRING_COLUMNS = [
  "eventid",
  "eventsource",
  "eventname",
  "errorcode",
  "awsregion",
  "recipientaccountid",
  "sourceipaddress",
  "useragent",
] as const;
const SOURCE_FIELD: Record<(typeof STRING_COLUMNS)[number], string> = {
  eventid: "eventID",
  eventsource: "eventSource",
  eventname: "eventName",
  errorcode: "errorCode",
  awsregion: "awsRegion",
  recipientaccountid: "recipientAccountId",
  sourceipaddress: "sourceIPAddress",
  useragent: "userAgent",
};

function toLakeRow(r: CloudTrailRecord): Record<string, unknown> {
  const time = normalizeEventTime(r.eventTime);
  if (!time) throw new Error(`test record ${String(r.eventID)} has no parsable eventTime; Lake always has one`);
  const row: Record<string, unknown> = { eventtime: `${time.slice(0, 10)} ${time.slice(11, -1)}` };
  for (const c of STRING_COLUMNS) row[c] = text(r[SOURCE_FIELD[c]]);
  row.useridentity = userIdentityValue(r.userIdentity);
  const params = obj(r.requestParameters);
  row.requestparameters = params && Object.fromEntries(Object.entries(params).map(([k, v]) => [k, text(v)]));
  const extra = obj(r.additionalEventData);
  row.additionaleventdata = extra && Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, text(v)]));
  return row;
}

/** A table of CloudTrail records in Lake's schema; query() takes the event data store id as the FROM target. */
export type LakeTable = DuckDbTable<CloudTrailRecord>;

export const LakeTable = {
  create: (): Promise<LakeTable> =>
    DuckDbTable.create({
      name: "lake_events",
      columns: {
        ...Object.fromEntries(STRING_COLUMNS.map((c) => [c, "VARCHAR"])),
        eventtime: "TIMESTAMP",
        useridentity: USER_IDENTITY_COLUMN,
        requestparameters: "MAP(VARCHAR, VARCHAR)",
        additionaleventdata: "MAP(VARCHAR, VARCHAR)",
      },
      shims: ["CREATE MACRO json_format(j) AS CAST(j AS VARCHAR)", JSON_EXTRACT_SCALAR_SHIM],
      row: toLakeRow,
    }),
};
