/**
 * A DuckDB table laid out as AWS's CloudTrail table for Athena (src/detection/backends/athena-
 * table.ts), for running the generated Athena SQL in tests.
 *
 * How a record becomes a row (our model of the CloudTrail SerDe over S3 files): string columns hold
 * strings as they are, other scalars as their text and objects as JSON text (that is how
 * requestparameters, a STRING column, holds its JSON); missing or null is NULL; eventtime is the
 * record's ISO-8601 text. The partition columns come from the S3 path the file would be in:
 * `account` = recipientAccountId, `region` = awsRegion, `timestamp` = the UTC day the file was
 * delivered (eventTime plus the record's delivery delay).
 *
 * Dialect shims (Trino functions DuckDB lacks or spells differently), test harness only:
 *   from_iso8601_timestamp(s)    Trino's strict ISO-8601 parser: a date, `T`, a time and a zone
 *   try(x)                       DuckDB's TRY_CAST in the parser above already yields NULL
 *   json_extract_scalar(j, p)    the value at p when it is a JSON scalar, else NULL
 *   json_format(j)               a JSON value's text (DuckDB's json_extract already returns JSON)
 * Nothing in the generated query is rewritten except its FROM target.
 */
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type ServiceOutputTypes,
  StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import type { AwsStub } from "aws-sdk-client-mock";
import type { CloudTrailRecord } from "../../../../src/detection/record";
import { DuckDbTable, text, USER_IDENTITY_COLUMN, userIdentityValue } from "./duckdb-table";

const STRING_FIELDS: Record<string, string> = {
  eventid: "eventID",
  eventtime: "eventTime",
  eventsource: "eventSource",
  eventname: "eventName",
  errorcode: "errorCode",
  awsregion: "awsRegion",
  recipientaccountid: "recipientAccountId",
  sourceipaddress: "sourceIPAddress",
  useragent: "userAgent",
  requestparameters: "requestParameters",
  additionaleventdata: "additionalEventData",
};

const ISO = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$";
/** Trino's json_extract_scalar: the value at p when it is a JSON scalar, else NULL (the Lake stand-in's too). */
export const JSON_EXTRACT_SCALAR_SHIM =
  "CREATE MACRO json_extract_scalar(j, p) AS CASE WHEN json_valid(j) AND json_type(j, p) NOT IN ('OBJECT', 'ARRAY', " +
  "'NULL') THEN json_extract_string(j, p) END";
const SHIMS = [
  `CREATE MACRO from_iso8601_timestamp(s) AS CASE WHEN regexp_matches(s, '${ISO}') THEN TRY_CAST(s AS TIMESTAMPTZ) END`,
  "CREATE MACRO try(x) AS x",
  "CREATE MACRO json_format(j) AS CAST(j AS VARCHAR)",
  JSON_EXTRACT_SCALAR_SHIM,
];

/** The S3 day folder (yyyy/MM/dd) of a file delivered `delayMinutes` after the event. */
export function deliveryDay(eventTime: string, delayMinutes: number): string {
  return new Date(Date.parse(eventTime) + delayMinutes * 60_000).toISOString().slice(0, 10).replace(/-/g, "/");
}

export interface ArchivedRecord {
  record: CloudTrailRecord;
  /** Minutes between the event and its log file's delivery (decides the `timestamp` partition). */
  delayMinutes?: number;
}

function toAthenaRow({ record: r, delayMinutes = 5 }: ArchivedRecord): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [column, field] of Object.entries(STRING_FIELDS)) row[column] = text(r[field]);
  row.useridentity = userIdentityValue(r.userIdentity);
  if (typeof r.eventTime !== "string") throw new Error(`test record ${String(r.eventID)} has no eventTime string`);
  row.account = text(r.recipientAccountId);
  row.region = text(r.awsRegion);
  row.timestamp = deliveryDay(r.eventTime, delayMinutes);
  return row;
}

/** A table laid out as AWS's CloudTrail table for Athena; query() takes the generated query's table as FROM target. */
export type AthenaTable = DuckDbTable<ArchivedRecord>;

export const AthenaTable = {
  create: (): Promise<AthenaTable> =>
    DuckDbTable.create({
      name: "athena_events",
      columns: {
        ...Object.fromEntries(Object.keys(STRING_FIELDS).map((c) => [c, "VARCHAR"])),
        useridentity: USER_IDENTITY_COLUMN,
        account: "VARCHAR",
        region: "VARCHAR",
        timestamp: "VARCHAR",
      },
      shims: SHIMS,
      row: toAthenaRow,
    }),
};

/**
 * A mocked Athena (aws-sdk-client-mock) that answers each query with what its statement selects from
 * `table` in DuckDB, `pageSize` rows per GetQueryResults page, after one RUNNING poll.
 */
export function answerAthenaFromDuckDb(
  athena: AwsStub<object, ServiceOutputTypes, object>,
  table: AthenaTable,
  options: { pageSize: number; scanned: number; queryId: string },
): { statement: () => string } {
  let statement = "";
  athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string }) => {
    statement = input.QueryString;
    return { QueryExecutionId: options.queryId };
  });
  athena
    .on(GetQueryExecutionCommand)
    .resolvesOnce({ QueryExecution: { Status: { State: "RUNNING" } } })
    .resolves({
      QueryExecution: { Status: { State: "SUCCEEDED" }, Statistics: { DataScannedInBytes: options.scanned } },
    });
  athena.on(GetQueryResultsCommand).callsFake(async (input: { NextToken?: string }) => {
    const rows = await table.query(statement, '"bedrock_guardrail"."cloudtrail"');
    const columns = [...new Set(rows.flatMap((r) => r.flatMap((c) => Object.keys(c))))];
    const all = [
      columns.map((c) => ({ VarCharValue: c })),
      ...rows.map((r) => {
        const cells = Object.assign({}, ...r) as Record<string, string>;
        return columns.map((c) => (cells[c] === undefined ? {} : { VarCharValue: cells[c] }));
      }),
    ];
    const from = Number(input.NextToken ?? 0);
    const size = options.pageSize;
    return {
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: columns.map((c) => ({ Name: c, Type: "varchar" })) },
        Rows: all.slice(from, from + size).map((Data) => ({ Data })),
      },
      NextToken: from + size < all.length ? String(from + size) : undefined,
    };
  });
  return { statement: () => statement };
}
