/**
 * `bedrock-guardrail hunt --backend athena --table D.T --workgroup W --start ... --end ...`: runs
 * the guardrail's Athena SQL over the organization trail's S3 archive, maps the rows back to
 * CloudTrail records and evaluates them with the same reference rule as `detect`, so it prints the
 * same findings `detect` would print for those files. Bytes scanned and the list-price cost go to
 * stderr; a window whose estimated scan exceeds --max-scan-gb is refused before anything runs.
 *
 * Exit codes (src/cli/exit-codes.ts): 0 ok, 1 incomplete (the query failed, or a matching row could
 * not become a finding), 2 usage or config error or a refused window, 3 --fail-on-findings and a
 * finding by a non-approved principal.
 */
import { AthenaClient } from "@aws-sdk/client-athena";
import { type Command, Option } from "commander";
import type { MonitorBackend } from "../../config/backends";
import { clientConfig } from "../../aws/clients";
import {
  athenaCorrelationDays,
  type AthenaQueryOptions,
  athenaRowToRecord,
  athenaWindowDays,
  buildAthenaQuery,
} from "../../detection/backends/athena-sql";
import { correlationWants } from "../../detection/correlation/compact";
import { archiveCorrelationFindings } from "../../detection/correlation/finding";
import type { Guardrail } from "../../guardrail/guardrail";
import { BackendInputError, shown } from "../../detection/backends/input-error";
import { evaluateRecord } from "../../detection/finding";
import { findingGate } from "../../detection/finding-gate";
import { type CloudTrailRecord, normalizeEventTime } from "../../detection/record";
import { athenaCostUsd, executeAthenaQuery } from "../../runtime/query/athena";
import { DEFAULT_POLL, QueryError, realSleep, type Sleep } from "../../runtime/query/source";
import { type ConfigIO, loadGuardrailFor } from "../common";
import {
  addConfigOptions,
  addFindingOutputOptions,
  commaList,
  type ConfigOption,
  type FindingOutputOptions,
  inputProblemText,
  refuseFutureStart,
  regionArgument,
} from "../options";
import { EXIT, exitCodeFor } from "../exit-codes";
import { findingWriter, type Format, FORMATS } from "../format/findings";

export const HUNT_BACKENDS = ["athena"] as const satisfies readonly MonitorBackend[];

export interface HuntOptions extends ConfigOption, FindingOutputOptions<Format> {
  backend: (typeof HUNT_BACKENDS)[number];
  table?: string;
  workgroup?: string;
  start?: string;
  end?: string;
  accounts?: string;
  regions?: string;
  /** Refuse a window whose estimated scan is larger (GB). */
  maxScanGb?: string;
  /** The archive's compressed size per day over the queried accounts and regions (GB), for the estimate. */
  gbPerDay?: string;
  region?: string;
}

export interface HuntIO extends ConfigIO {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  /** The clock a window in the future is refused by; injectable for tests. */
  now?: () => Date;
  /** Injected in tests (aws-sdk-client-mock); default a client with the project's retry settings. */
  client?: AthenaClient;
  sleep?: Sleep;
  /** Aborting stops the running query (Ctrl-C). */
  signal?: AbortSignal;
}

export const DEFAULT_MAX_SCAN_GB = 10;
export const DEFAULT_GB_PER_DAY = 1;

function positive(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!(Number.isFinite(n) && n > 0))
    throw new BackendInputError(flag, `must be a positive number, got ${shown(text)}`);
  return n;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const usd = (n: number) => `$${n < 0.01 ? n.toFixed(5) : n.toFixed(2)}`;

/** The options of a command that queries the trail's archive with Athena over a window. */
export type AthenaWindowOptions = Pick<
  HuntOptions,
  "table" | "workgroup" | "start" | "end" | "accounts" | "regions" | "maxScanGb" | "gbPerDay" | "region"
>;

/**
 * The SQL (from `build`) and workgroup of an Athena run over a window, or undefined after naming the
 * bad input on stderr: a window whose estimated scan is over --max-scan-gb is refused before anything runs.
 */
export function athenaPlan(
  opts: AthenaWindowOptions,
  guardrail: Guardrail,
  build: (query: AthenaQueryOptions) => string,
  io: { stderr: { write(s: string): unknown }; now?: () => Date },
  command: string,
  /** The day folders the query reads (the scan estimate): the window's, or more with a look-back. */
  readDays: (query: AthenaQueryOptions) => string[] = athenaWindowDays,
): { sql: string; workgroup: string } | undefined {
  const athena = guardrail.config.monitor.athena;
  try {
    if (opts.start === undefined || opts.end === undefined)
      throw new BackendInputError(
        opts.start === undefined ? "--start" : "--end",
        `is required (a ${command} names its window)`,
      );
    const workgroup = opts.workgroup ?? athena.workgroup;
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(workgroup))
      throw new BackendInputError("--workgroup", `${shown(workgroup)} is not an Athena workgroup name`);
    const query = {
      table: opts.table ?? `${athena.database}.${athena.table}`,
      start: opts.start,
      end: opts.end,
      accounts: commaList(opts.accounts, "--accounts") ?? [],
      regions: commaList(opts.regions, "--regions") ?? [],
    };
    const sql = build(query);
    refuseFutureStart(opts.start, (io.now ?? (() => new Date()))());
    const maxScanGb = positive(opts.maxScanGb, "--max-scan-gb", DEFAULT_MAX_SCAN_GB);
    const gbPerDay = positive(opts.gbPerDay, "--gb-per-day", DEFAULT_GB_PER_DAY);
    const days = readDays(query).length;
    const estimateGb = days * gbPerDay;
    if (estimateGb > maxScanGb)
      throw new BackendInputError(
        "--max-scan-gb",
        `the window reads ${days} day folder(s), estimated ${estimateGb} GB at --gb-per-day ${gbPerDay} ` +
          `(${usd(athenaCostUsd(estimateGb * 1e9))} at list price), over the limit of ${maxScanGb} GB: ` +
          "narrow the window, --accounts or --regions, or raise --max-scan-gb",
      );
    return { sql, workgroup };
  } catch (e) {
    if (e instanceof BackendInputError) {
      io.stderr.write(`${command}: ${inputProblemText(e)}\n`);
      return undefined;
    }
    throw e;
  }
}

/** Runs a planned query; undefined after naming the failure on stderr. */
export async function executeAthenaPlan(
  plan: { sql: string; workgroup: string },
  opts: Pick<AthenaWindowOptions, "region">,
  guardrail: Guardrail,
  io: Pick<HuntIO, "client" | "sleep" | "signal" | "stderr">,
  command: string,
): Promise<Awaited<ReturnType<typeof executeAthenaQuery>> | undefined> {
  const client = io.client ?? new AthenaClient(clientConfig({ region: opts.region ?? guardrail.config.aws.region }));
  try {
    return await executeAthenaQuery(
      { client, workgroup: plan.workgroup, poll: DEFAULT_POLL, sleep: io.sleep ?? realSleep, signal: io.signal },
      plan.sql,
    );
  } catch (e) {
    if (e instanceof QueryError) {
      io.stderr.write(`${command}: ${e.message.replace(/ The window is kept.*$/, "")}\n`);
      return undefined;
    }
    throw e;
  }
}

/** What the query scanned and cost, for the summary line. */
export function athenaCostText(execution: { queryId?: string; bytesScanned: number }): string {
  return (
    `Athena query ${execution.queryId} scanned ${mb(execution.bytesScanned)} ` +
    `(${usd(athenaCostUsd(execution.bytesScanned))} at the $5/TB list price, 10 MB minimum)`
  );
}

/** The whole command as a function of its options and streams; returns the exit code. */
export async function runHunt(opts: HuntOptions, io: HuntIO): Promise<number> {
  if (opts.format !== undefined && !FORMATS.includes(opts.format)) {
    io.stderr.write(`hunt: --format must be one of ${FORMATS.join(", ")} (got ${shown(opts.format)})\n`);
    return EXIT.USAGE;
  }
  const guardrail = loadGuardrailFor(opts, io, {
    onNoConfig: () =>
      io.stderr.write(
        "hunt: no guardrail.config.json here (and no --config): treating every principal as not approved\n",
      ),
  });
  if (!guardrail) return EXIT.USAGE;
  // One scan for both: the correlation rules' rows (their look-back included) come with the event rows;
  // hunt learns new-term baselines from what it reads, like detect from its archive.
  const plan = athenaPlan(
    opts,
    guardrail,
    (query) => buildAthenaQuery(guardrail, { ...query, withCorrelations: true }),
    io,
    "hunt",
    (query) => athenaCorrelationDays(guardrail.correlationRules, { ...query, readBaseline: false }),
  );
  if (!plan) return EXIT.USAGE;
  const execution = await executeAthenaPlan(plan, opts, guardrail, io, "hunt");
  if (!execution) return EXIT.INCOMPLETE;
  const {
    findings,
    unapprovedFindings: unapproved,
    suppressedApproved: suppressed,
    invalid,
  } = writeHuntFindings(guardrail, execution.rows.map(athenaRowToRecord), Date.parse(opts.start ?? ""), opts, io);
  io.stderr.write(
    `hunt: ${execution.rows.length} row(s), ${findings} finding(s), ${suppressed} approved suppressed, ` +
      `${invalid} invalid record(s); ${athenaCostText(execution)}\n`,
  );
  return exitCodeFor({
    incomplete: invalid > 0,
    unapprovedFindings: unapproved,
    failOnFindings: opts.failOnFindings ?? false,
  });
}

/**
 * Writes the findings of the event rules' rows, then those the correlation engine makes from the
 * rows the correlation rules read (new-term rules learn from the first days read, as detect does);
 * each event or correlation once, approved ones only with --include-approved.
 */
function writeHuntFindings(
  guardrail: Guardrail,
  records: readonly CloudTrailRecord[],
  startMs: number,
  opts: Pick<HuntOptions, "format" | "includeApproved">,
  io: HuntIO,
): { findings: number; unapprovedFindings: number; suppressedApproved: number; invalid: number } {
  const format: Format = opts.format ?? (io.stdout.isTTY ? "table" : "ndjson");
  const writer = findingWriter(format, (text) => io.stdout.write(text));
  const counts = { findings: 0, unapprovedFindings: 0, suppressedApproved: 0, duplicates: 0, invalid: 0 };
  const write = findingGate(opts.includeApproved ?? false, counts, (f) => writer.write(f));
  for (const record of records) {
    // A row from before the window is there for the correlation rules' look-back only.
    if (Date.parse(normalizeEventTime(record.eventTime) ?? "") < startMs) continue;
    const evaluation = evaluateRecord(guardrail, record);
    if ("finding" in evaluation) write(evaluation.finding);
    else if (evaluation.skip === "invalid-record") {
      counts.invalid++;
      io.stderr.write(`hunt: ${evaluation.reason}\n`);
    }
  }
  const wanted = records.filter((r) => correlationWants(guardrail.correlationRules, r));
  // The same bound for the correlations: one that completed before the window is not the hunt's.
  for (const f of archiveCorrelationFindings(guardrail, wanted, undefined, startMs)) write(f);
  writer.end();
  return counts;
}

export function register(program: Command): void {
  const command = addConfigOptions(program.command("hunt"))
    .description("Run the detection rules over the organization trail's S3 archive with Amazon Athena")
    .addOption(
      new Option("--backend <backend>", "where the rule runs (athena, the one backend a hunt runs on)")
        .choices(HUNT_BACKENDS)
        .default("athena"),
    )
    .option("--table <database.table>", "the CloudTrail table (default: monitor.athena database.table)")
    .option("--workgroup <name>", "Athena workgroup (default: monitor.athena.workgroup)")
    .option("--start <iso>", "window start, inclusive (ISO-8601 with zone; required)")
    .option("--end <iso>", "window end, exclusive (ISO-8601 with zone; required)")
    .option("--accounts <ids>", "only these accounts (comma-separated; prunes the account partition)")
    .option("--regions <regions>", "only these regions (comma-separated; prunes the region partition)");
  addFindingOutputOptions(command, FORMATS)
    .option("--max-scan-gb <gb>", `refuse a window estimated to scan more (default: ${DEFAULT_MAX_SCAN_GB})`)
    .option(
      "--gb-per-day <gb>",
      `the archive's compressed GB per day, for the estimate (default: ${DEFAULT_GB_PER_DAY}; see docs/athena.md)`,
    )
    .option("--region <region>", "Athena's region (default: aws.region of the config)", regionArgument)
    .action(async (opts: HuntOptions) => {
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      try {
        process.exitCode = await runHunt(opts, {
          stdout: process.stdout,
          stderr: process.stderr,
          signal: controller.signal,
        });
      } finally {
        process.removeListener("SIGINT", stop);
      }
    });
}
