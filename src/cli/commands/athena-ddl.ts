/**
 * `bedrock-guardrail athena-ddl --bucket B --accounts A,B --regions R,S [...]`: prints the CREATE
 * EXTERNAL TABLE (partition projection over the trail's S3 layout) that `query --backend athena`,
 * `hunt --backend athena` and `monitor.backend: "athena"` read. Pure: it calls nothing in AWS.
 * Exit 2 on a bad option, with one line naming it.
 */
import type { Command } from "commander";
import { ATHENA_TABLE_DEFAULTS, athenaTableDdl } from "../../detection/backends/athena-table";
import { BackendInputError } from "../../detection/backends/input-error";
import { type ConfigIO, loadGuardrailFor, type TextSink } from "../common";
import { addConfigOptions, commaList, type ConfigOption } from "../options";
import { EXIT } from "../exit-codes";

export interface AthenaDdlOptions extends ConfigOption {
  bucket?: string;
  prefix?: string;
  organizationId?: string;
  database?: string;
  table?: string;
  startDate?: string;
  accounts?: string;
  regions?: string;
}

/** Each option given, else the config's monitor.athena (the table the monitor deploys), else the defaults. */
export function runAthenaDdl(opts: AthenaDdlOptions, io: ConfigIO & { stdout: TextSink }): number {
  // The table does not depend on who is approved: without a config file the options alone.
  const guardrail = loadGuardrailFor(opts, io, { onNoConfig: () => undefined });
  if (!guardrail) return EXIT.USAGE;
  const athena = guardrail.config.monitor.athena;
  try {
    const bucket = opts.bucket ?? athena.bucket;
    if (!bucket)
      throw new BackendInputError(
        "--bucket",
        "is required (the organization trail's S3 bucket; or monitor.athena.bucket)",
      );
    const ddl = athenaTableDdl({
      bucket,
      prefix: opts.prefix ?? athena.prefix,
      organizationId: opts.organizationId ?? athena.organizationId,
      database: opts.database ?? athena.database,
      table: opts.table ?? athena.table,
      startDate: opts.startDate ?? athena.startDate,
      accounts: commaList(opts.accounts, "--accounts") ?? athena.accounts,
      regions: commaList(opts.regions, "--regions") ?? athena.regions,
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
  addConfigOptions(program.command("athena-ddl"))
    .description(
      "Print the Athena CREATE EXTERNAL TABLE (partition projection) for the organization trail's S3 archive",
    )
    .option("--bucket <name>", "the trail's S3 bucket (default: monitor.athena.bucket; one is required)")
    .option("--prefix <prefix>", "key prefix the trail writes under, before AWSLogs/ (default: monitor.athena.prefix)")
    .option(
      "--organization-id <o-id>",
      "organization ID of an organization trail (AWSLogs/o-.../<account>/...; default: monitor.athena.organizationId)",
    )
    .option("--database <name>", `Glue database (default: monitor.athena.database, ${ATHENA_TABLE_DEFAULTS.database})`)
    .option("--table <name>", `table name (default: monitor.athena.table, ${ATHENA_TABLE_DEFAULTS.table})`)
    .option(
      "--start-date <yyyy/MM/dd>",
      `first projected day (default: monitor.athena.startDate, ${ATHENA_TABLE_DEFAULTS.startDate})`,
    )
    .option(
      "--accounts <ids>",
      "comma-separated account IDs the account partition projects (default: monitor.athena.accounts)",
    )
    .option(
      "--regions <regions>",
      "comma-separated regions the region partition projects (default: monitor.athena.regions)",
    )
    .action((opts: AthenaDdlOptions) => {
      process.exitCode = runAthenaDdl(opts, { stdout: process.stdout, stderr: process.stderr });
    });
}
