/**
 * A DuckDB table with the CloudTrail Lake schema, for running the generated SQL in tests.
 *
 * How a record becomes a row (our model of Lake ingestion): string fields as they are; missing or
 * null as NULL; other scalars as their text; objects as JSON text (Lake flattens nested request
 * parameters to JSON strings in its map<string,string>). eventtime is a TIMESTAMP in UTC.
 *
 * Dialect shims: CloudTrail Lake runs Trino; DuckDB has no `json_format`, so a macro gives it
 * Trino's meaning (JSON value -> its text). Nothing in the generated query is rewritten except its
 * FROM target.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { type CloudTrailRecord, normalizeEventTime } from "../../../../src/detection/record";
import type { LakeRow } from "../../../../src/detection/backends/lake-sql";

const LAKE_TABLE = "lake_events";

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
const ISSUER = "STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, username VARCHAR)";
const IDENTITY =
  `STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, accesskeyid VARCHAR, ` +
  `username VARCHAR, invokedby VARCHAR, sessioncontext STRUCT(sessionissuer ${ISSUER}))`;
const COLUMNS: Record<string, string> = {
  ...Object.fromEntries(STRING_COLUMNS.map((c) => [c, "VARCHAR"])),
  eventtime: "TIMESTAMP",
  useridentity: IDENTITY,
  requestparameters: "MAP(VARCHAR, VARCHAR)",
  additionaleventdata: "MAP(VARCHAR, VARCHAR)",
};

function text(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "string") return v;
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

const obj = (v: unknown): Record<string, unknown> | null =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

function toLakeRow(r: CloudTrailRecord): Record<string, unknown> {
  const time = normalizeEventTime(r.eventTime);
  if (!time) throw new Error(`test record ${String(r.eventID)} has no parsable eventTime; Lake always has one`);
  const row: Record<string, unknown> = { eventtime: `${time.slice(0, 10)} ${time.slice(11, -1)}` };
  for (const c of STRING_COLUMNS) row[c] = text(r[SOURCE_FIELD[c]]);
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
  const params = obj(r.requestParameters);
  row.requestparameters = params && Object.fromEntries(Object.entries(params).map(([k, v]) => [k, text(v)]));
  const extra = obj(r.additionalEventData);
  row.additionaleventdata = extra && Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, text(v)]));
  return row;
}

export class LakeTable {
  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly dir: string,
  ) {}

  static async create(): Promise<LakeTable> {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    await connection.run("CREATE MACRO json_format(j) AS CAST(j AS VARCHAR)");
    return new LakeTable(connection, fs.mkdtempSync(path.join(os.tmpdir(), "lake-table-")));
  }

  /** Replaces the table's contents with these records. */
  async load(records: CloudTrailRecord[]): Promise<void> {
    const file = path.join(this.dir, "rows.ndjson");
    fs.writeFileSync(file, `${records.map((r) => JSON.stringify(toLakeRow(r))).join("\n")}\n`);
    const columns = Object.entries(COLUMNS)
      .map(([k, t]) => `${k}: '${t}'`)
      .join(", ");
    await this.connection.run(
      `CREATE OR REPLACE TABLE ${LAKE_TABLE} AS SELECT * FROM read_json('${file}', format = 'newline_delimited', ` +
        `columns = {${columns}})`,
    );
  }

  /** Runs a generated query with only its FROM target replaced; rows in GetQueryResults shape. */
  async query(sql: string, eventDataStoreId: string): Promise<LakeRow[]> {
    const from = `\nFROM ${eventDataStoreId}\n`;
    if (sql.split(from).length !== 2) throw new Error(`expected exactly one FROM ${eventDataStoreId} in the query`);
    return this.run(sql.replace(from, `\nFROM ${LAKE_TABLE}\n`));
  }

  /** Runs a generated query with every FROM target (a query with sub-queries has several) replaced. */
  async queryAll(sql: string, eventDataStoreId: string): Promise<LakeRow[]> {
    return this.run(sql.replaceAll(`FROM ${eventDataStoreId}\n`, `FROM ${LAKE_TABLE}\n`));
  }

  /** Runs SQL as it is; rows in GetQueryResults shape. */
  async run(sql: string): Promise<LakeRow[]> {
    const reader = await this.connection.runAndReadAll(sql);
    const names = reader.columnNames();
    // Lake returns every value as a string; a NULL is left out of the row.
    return reader
      .getRows()
      .map((values) => names.flatMap((name, i) => (values[i] === null ? [] : [{ [name]: String(values[i]) }])));
  }

  close(): void {
    this.connection.closeSync();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
