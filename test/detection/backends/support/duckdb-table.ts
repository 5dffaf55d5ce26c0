/**
 * What the DuckDB stand-ins for CloudTrail Lake (lake-table.ts) and for AWS's CloudTrail table for
 * Athena (athena-table.ts) share: a table of CloudTrail records in one in-memory database, the
 * userIdentity struct both schemas have, the way a JSON value becomes a column value, and running a
 * generated query with only its FROM target replaced. Each stand-in says how a record becomes a row.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type DuckDBConnection, DuckDBInstance, type DuckDBPreparedStatement } from "@duckdb/node-api";
import type { LakeRow } from "../../../../src/detection/backends/lake-sql";

const ISSUER = "STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, username VARCHAR)";
/**
 * The userIdentity column, as both schemas declare it (the fields the queries read; a record's
 * other userIdentity fields, such as credentialId, are not kept, as a query that does not select
 * them would not see them).
 */
export const USER_IDENTITY_COLUMN =
  "STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, accesskeyid VARCHAR, " +
  "username VARCHAR, invokedby VARCHAR, onbehalfof STRUCT(userid VARCHAR, identitystorearn VARCHAR), " +
  `sessioncontext STRUCT(sessionissuer ${ISSUER}))`;

/** A JSON value as a column holds it: strings as they are, objects as JSON text, other scalars as text, else NULL. */
export function text(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "string") return v;
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

export const obj = (v: unknown): Record<string, unknown> | null =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/** A record's userIdentity as the userIdentity column holds it. */
export function userIdentityValue(userIdentity: unknown): Record<string, unknown> | null {
  const ui = obj(userIdentity);
  const issuer = obj(obj(ui?.sessionContext)?.sessionIssuer);
  const onBehalfOf = obj(ui?.onBehalfOf);
  return (
    ui && {
      type: text(ui.type),
      principalid: text(ui.principalId),
      arn: text(ui.arn),
      accountid: text(ui.accountId),
      accesskeyid: text(ui.accessKeyId),
      username: text(ui.userName),
      invokedby: text(ui.invokedBy),
      onbehalfof: onBehalfOf && {
        userid: text(onBehalfOf.userId),
        identitystorearn: text(onBehalfOf.identityStoreArn),
      },
      sessioncontext: issuer && {
        sessionissuer: {
          type: text(issuer.type),
          principalid: text(issuer.principalId),
          arn: text(issuer.arn),
          accountid: text(issuer.accountId),
          username: text(issuer.userName),
        },
      },
    }
  );
}

export interface TableLayout<T> {
  /** The table's name in DuckDB. */
  name: string;
  /** Column name -> DuckDB type. */
  columns: Record<string, string>;
  /** Macros giving DuckDB the meaning of the service's functions the queries call. */
  shims: string[];
  /** How one input becomes a row. */
  row(input: T): Record<string, unknown>;
}

export class DuckDbTable<T> {
  /**
   * Each distinct query text prepared once: a property test runs one generated query over many
   * batches, and parsing and planning its thousands of characters cost far more than running it on a
   * few rows. The table is emptied and refilled, never replaced, so a prepared query stays bound to it.
   */
  private readonly prepared = new Map<string, DuckDBPreparedStatement>();
  private created = false;

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly dir: string,
    private readonly layout: TableLayout<T>,
  ) {}

  static async create<T>(layout: TableLayout<T>): Promise<DuckDbTable<T>> {
    // One thread: the tables are tiny, and DuckDB's default (a thread per core) only adds scheduling
    // beside jest's workers on the same cores (the two SQL differentials: 10.2 -> 8.3 s of CPU).
    const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    const connection = await instance.connect();
    // A prepared query is planned with the statistics of the rows the table held then, and run again
    // over later loads: compressed materialization, planned from them, returned "v" for a longer
    // string loaded after. Without statistics propagation the plan holds nothing of the rows.
    await connection.run("SET disabled_optimizers = 'statistics_propagation,compressed_materialization'");
    for (const shim of layout.shims) await connection.run(shim);
    return new DuckDbTable(connection, fs.mkdtempSync(path.join(os.tmpdir(), `${layout.name}-`)), layout);
  }

  /** Replaces the table's contents with these inputs. */
  async load(inputs: T[]): Promise<void> {
    const file = path.join(this.dir, "rows.ndjson");
    fs.writeFileSync(file, `${inputs.map((input) => JSON.stringify(this.layout.row(input))).join("\n")}\n`);
    const columns = Object.entries(this.layout.columns)
      .map(([k, t]) => `"${k}": '${t}'`)
      .join(", ");
    const rows = `SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = {${columns}})`;
    if (this.created) {
      await this.connection.run(`DELETE FROM ${this.layout.name}`);
      await this.connection.run(`INSERT INTO ${this.layout.name} ${rows}`);
    } else {
      await this.connection.run(`CREATE TABLE ${this.layout.name} AS ${rows}`);
      this.created = true;
    }
  }

  /** Runs a generated query with only its FROM target (`from`) replaced by this table. */
  async query(sql: string, from: string): Promise<LakeRow[]> {
    const target = `\nFROM ${from}\n`;
    if (sql.split(target).length !== 2) throw new Error(`expected exactly one FROM ${from} in the query`);
    return this.run(sql.replace(target, `\nFROM ${this.layout.name}\n`));
  }

  /** Runs a generated query with every FROM target (a query with sub-queries has several) replaced. */
  async queryAll(sql: string, from: string): Promise<LakeRow[]> {
    return this.run(sql.replaceAll(`FROM ${from}\n`, `FROM ${this.layout.name}\n`));
  }

  /** Runs SQL as it is; rows as Lake returns them (every value a string, a NULL left out of the row). */
  async run(sql: string): Promise<LakeRow[]> {
    let statement = this.prepared.get(sql);
    if (!statement) {
      statement = await this.connection.prepare(sql);
      this.prepared.set(sql, statement);
    }
    const reader = await statement.runAndReadAll();
    const names = reader.columnNames();
    return reader
      .getRows()
      .map((values) => names.flatMap((name, i) => (values[i] === null ? [] : [{ [name]: String(values[i]) }])));
  }

  close(): void {
    for (const statement of this.prepared.values()) statement.destroySync();
    this.connection.closeSync();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
