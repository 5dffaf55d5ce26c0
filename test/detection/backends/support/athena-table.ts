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
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type ServiceOutputTypes,
  StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { AwsStub } from "aws-sdk-client-mock";
import type { LakeRow } from "../../../../src/detection/backends/lake-sql";
import type { CloudTrailRecord } from "../../../../src/detection/record";

const ATHENA_TEST_TABLE = "athena_events";

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
const ISSUER = "STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, username VARCHAR)";
const IDENTITY =
  "STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, accesskeyid VARCHAR, " +
  `username VARCHAR, invokedby VARCHAR, sessioncontext STRUCT(sessionissuer ${ISSUER}))`;
const COLUMNS: Record<string, string> = {
  ...Object.fromEntries(Object.keys(STRING_FIELDS).map((c) => [c, "VARCHAR"])),
  useridentity: IDENTITY,
  account: "VARCHAR",
  region: "VARCHAR",
  timestamp: "VARCHAR",
};

const ISO = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$";
const SHIMS = [
  `CREATE MACRO from_iso8601_timestamp(s) AS CASE WHEN regexp_matches(s, '${ISO}') THEN TRY_CAST(s AS TIMESTAMPTZ) END`,
  "CREATE MACRO try(x) AS x",
  "CREATE MACRO json_format(j) AS CAST(j AS VARCHAR)",
  "CREATE MACRO json_extract_scalar(j, p) AS CASE WHEN json_valid(j) AND json_type(j, p) NOT IN ('OBJECT', 'ARRAY', " +
    "'NULL') THEN json_extract_string(j, p) END",
];

function text(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "string") return v;
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

const obj = (v: unknown): Record<string, unknown> | null =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

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
  const ui = obj(r.userIdentity);
  const issuer = obj(obj(ui?.sessionContext)?.sessionIssuer);
  row.useridentity = ui && {
    type: text(ui.type),
    principalid: text(ui.principalId),
    arn: text(ui.arn),
    accountid: text(ui.accountId),
    accesskeyid: text(ui.accessKeyId),
    username: text(ui.userName),
    invokedby: text(ui.invokedBy),
    sessioncontext: issuer && {
      sessionissuer: {
        type: text(issuer.type),
        principalid: text(issuer.principalId),
        arn: text(issuer.arn),
        accountid: text(issuer.accountId),
        username: text(issuer.userName),
      },
    },
  };
  if (typeof r.eventTime !== "string") throw new Error(`test record ${String(r.eventID)} has no eventTime string`);
  row.account = text(r.recipientAccountId);
  row.region = text(r.awsRegion);
  row.timestamp = deliveryDay(r.eventTime, delayMinutes);
  return row;
}

export class AthenaTable {
  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly dir: string,
  ) {}

  static async create(): Promise<AthenaTable> {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    for (const shim of SHIMS) await connection.run(shim);
    return new AthenaTable(connection, fs.mkdtempSync(path.join(os.tmpdir(), "athena-table-")));
  }

  /** Replaces the table's contents with these records. */
  async load(records: ArchivedRecord[]): Promise<void> {
    const file = path.join(this.dir, "rows.ndjson");
    fs.writeFileSync(file, `${records.map((r) => JSON.stringify(toAthenaRow(r))).join("\n")}\n`);
    const columns = Object.entries(COLUMNS)
      .map(([k, t]) => `"${k}": '${t}'`)
      .join(", ");
    await this.connection.run(
      `CREATE OR REPLACE TABLE ${ATHENA_TEST_TABLE} AS SELECT * FROM read_json('${file}', ` +
        `format = 'newline_delimited', columns = {${columns}})`,
    );
  }

  /** Runs a generated query with only its FROM target replaced; rows in the Lake row shape. */
  async query(sql: string, table: string): Promise<LakeRow[]> {
    const from = `\nFROM ${table}\n`;
    if (sql.split(from).length !== 2) throw new Error(`expected exactly one FROM ${table} in the query`);
    const reader = await this.connection.runAndReadAll(sql.replace(from, `\nFROM ${ATHENA_TEST_TABLE}\n`));
    const names = reader.columnNames();
    return reader
      .getRows()
      .map((values) => names.flatMap((name, i) => (values[i] === null ? [] : [{ [name]: String(values[i]) }])));
  }

  /** Runs a generated query with every FROM target (a query with sub-queries has several) replaced. */
  async queryAll(sql: string, table: string): Promise<LakeRow[]> {
    const from = new RegExp(`FROM ${table.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\n`, "g");
    const reader = await this.connection.runAndReadAll(sql.replace(from, `FROM ${ATHENA_TEST_TABLE}\n`));
    const names = reader.columnNames();
    return reader
      .getRows()
      .map((values) => names.flatMap((name, i) => (values[i] === null ? [] : [{ [name]: String(values[i]) }])));
  }

  close(): void {
    this.connection.closeSync();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

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
