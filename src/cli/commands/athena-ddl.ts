/**
 * `bedrock-guardrail athena-ddl --bucket B --accounts A,B --regions R,S [...]`: prints the CREATE
 * EXTERNAL TABLE (partition projection over the trail's S3 layout) that `query --backend athena`,
 * `hunt --backend athena` and `monitor.backend: "athena"` read. Pure: it calls nothing in AWS.
 * Exit 2 on a bad option, with one line naming it.
 */
import type { Command } from "commander";
import { ATHENA_TABLE_DEFAULTS, athenaTableDdl } from "../../detection/backends/athena-table";
import { BackendInputError } from "../../detection/backends/input-error";
import type { TextSink } from "../common";
import { EXIT } from "../exit-codes";

export interface AthenaDdlOptions {
  bucket?: string;
  prefix?: string;
  organizationId?: string;
  database?: string;
  table?: string;
  startDate?: string;
  accounts?: string;
  regions?: string;
}

const list = (text: string | undefined): string[] =>
  (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

export function runAthenaDdl(opts: AthenaDdlOptions, io: { stdout: TextSink; stderr: TextSink }): number {
  try {
    if (!opts.bucket) throw new BackendInputError("--bucket", "is required (the organization trail's S3 bucket)");
    const ddl = athenaTableDdl({
      bucket: opts.bucket,
      prefix: opts.prefix,
      organizationId: opts.organizationId,
      database: opts.database ?? ATHENA_TABLE_DEFAULTS.database,
      table: opts.table ?? ATHENA_TABLE_DEFAULTS.table,
      startDate: opts.startDate ?? ATHENA_TABLE_DEFAULTS.startDate,
      accounts: list(opts.accounts),
      regions: list(opts.regions),
    });
    io.stdout.write(`${ddl}\n`);
    return EXIT.OK;
  } catch (e) {
    if (e instanceof BackendInputError) {
      io.stderr.write(`athena-ddl: ${e.message}\n`);
      return EXIT.USAGE;
    }
    throw e;
  }
}

export function register(program: Command): void {
  program
    .command("athena-ddl")
    .description(
      "Print the Athena CREATE EXTERNAL TABLE (partition projection) for the organization trail's S3 archive",
    )
    .option("--bucket <name>", "the trail's S3 bucket (required)")
    .option("--prefix <prefix>", "key prefix the trail writes under, before AWSLogs/")
    .option("--organization-id <o-id>", "organization ID, for an organization trail (AWSLogs/o-.../<account>/...)")
    .option("--database <name>", `Glue database (default: ${ATHENA_TABLE_DEFAULTS.database})`)
    .option("--table <name>", `table name (default: ${ATHENA_TABLE_DEFAULTS.table})`)
    .option("--start-date <yyyy/MM/dd>", `first projected day (default: ${ATHENA_TABLE_DEFAULTS.startDate})`)
    .option("--accounts <ids>", "comma-separated account IDs the account partition projects (required)")
    .option("--regions <regions>", "comma-separated regions the region partition projects (required)")
    .action((opts: AthenaDdlOptions) => {
      process.exitCode = runAthenaDdl(opts, { stdout: process.stdout, stderr: process.stderr });
    });
}
