/**
 * `bedrock-guardrail preview PATH... | -`: replays CloudTrail history through the synthesized SCPs
 * and reports which calls they would have denied (grouped, with the config change that allows each),
 * which were denied already, and which cannot be decided from the record. Reads what `detect` reads,
 * with its scanner. Exit codes: the common table; --fail-on-denials gives 3 when a call would be
 * denied, --fail-on-undetermined when a call's outcome cannot be told from its record, so a
 * pipeline can gate the attach.
 */
import { type Command, Option } from "commander";
import { shown } from "../../detection/backends/input-error";
import { expandInputs } from "../../detection/scan/inputs";
import { maxJobs } from "../../detection/scan/scan";
import { DEFAULT_MAX_RECORD_BYTES } from "../../detection/scan/scan-source";
import type { ConfigIO } from "../common";
import { addConfigOptions, type ConfigOption, givenFlags, regionArgument, wholeNumberArgument } from "../options";
import { EXIT, exitCodeFor } from "../exit-codes";
import { ProgressBar } from "../format/progress";
import { buildPreviewAthenaQuery, previewRowToRecord } from "../../detection/backends/athena-preview";
import type { MonitorBackend } from "../../config/backends";
import { previewerFor } from "../../policy/explain";
import { addToReport, emptyPreviewReport, type PreviewReportData } from "../../policy/preview-report";
import type { Guardrail } from "../../guardrail/guardrail";
import type { OrganizationLookup } from "../../remediation/organization";
import { errorText } from "../../errors/error-text";
import type { AthenaWindowOptions, HuntIO } from "./hunt";
import { formatPreview, PREVIEW_FORMATS, type PreviewFormat, previewSummaryLine } from "../preview/output";
import { previewScan, startPreviewPool } from "../preview/scan";
import { scanIncomplete, scannedNothingWarning } from "../scan-outcome";

export interface PreviewOptions extends ConfigOption, AthenaWindowOptions {
  /** Query the trail's archive instead of reading local inputs. */
  backend?: (typeof PREVIEW_BACKENDS)[number];
  format?: PreviewFormat;
  failOnDenials?: boolean;
  /**
   * Exit 3 also when a call's outcome cannot be told from its record (an application inference
   * profile, a prompt router: the models it reaches are not in the record), which may be a model
   * people are allowed to use that the SCP would block.
   */
  failOnUndetermined?: boolean;
  /** Look up each would-be-denied account's OU in Organizations. */
  ou?: boolean;
  jobs?: number;
  maxRecordBytes?: number;
}

/** Where preview can query history instead of reading files (the registry's names). */
export const PREVIEW_BACKENDS = ["athena"] as const satisfies readonly MonitorBackend[];

export interface PreviewIO extends ConfigIO, Pick<HuntIO, "client" | "sleep" | "signal" | "now"> {
  /** --ou: where accounts' OUs come from. Default: Organizations with local credentials. */
  organization?: OrganizationLookup;
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  stdin?: AsyncIterable<Buffer>;
}

/** As detect: a scan counts as large (worth a progress bar) from this many inputs or on-disk bytes. */
const PROGRESS_MIN_INPUTS = 50;
const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;

/** The options only a query of the archive reads, by their flags: given with PATHs, they would change nothing. */
const BACKEND_ONLY_OPTIONS = {
  start: "--start",
  end: "--end",
  table: "--table",
  workgroup: "--workgroup",
  accounts: "--accounts",
  regions: "--regions",
  maxScanGb: "--max-scan-gb",
  gbPerDay: "--gb-per-day",
  region: "--region",
} as const satisfies Partial<Record<keyof PreviewOptions, string>>;

/** The options only the scan of PATHs reads: the archive's query runs in Athena. */
const PATHS_ONLY_OPTIONS = {
  jobs: "--jobs",
  maxRecordBytes: "--max-record-bytes",
} as const satisfies Partial<Record<keyof PreviewOptions, string>>;

function usageProblem(paths: string[], opts: PreviewOptions): string | undefined {
  if (opts.backend !== undefined && !PREVIEW_BACKENDS.includes(opts.backend))
    return `--backend must be one of ${PREVIEW_BACKENDS.join(", ")} (got ${shown(opts.backend)})`;
  if (opts.backend !== undefined && paths.length > 0) return `give PATHs or --backend ${opts.backend}, not both`;
  if (opts.backend === undefined && paths.length === 0)
    return "give at least one PATH (file, directory), - for stdin, or --backend athena with --start and --end";
  // Ignored, a window or a filter would leave the user believing the report covers only what they asked for.
  const backendOnly = opts.backend === undefined ? givenFlags(opts, BACKEND_ONLY_OPTIONS) : [];
  if (backendOnly.length > 0)
    return (
      `${backendOnly.join(", ")}: only with --backend athena; PATHs are read whole ` +
      "(to preview a window or some accounts, give only their files)"
    );
  const pathsOnly = opts.backend !== undefined ? givenFlags(opts, PATHS_ONLY_OPTIONS) : [];
  if (pathsOnly.length > 0)
    return `${pathsOnly.join(", ")}: only with PATHs (--backend ${opts.backend} runs in Athena)`;
  if (opts.format !== undefined && !PREVIEW_FORMATS.includes(opts.format))
    return `--format must be one of ${PREVIEW_FORMATS.join(", ")} (got ${shown(opts.format)})`;
  if (opts.jobs !== undefined && (!Number.isInteger(opts.jobs) || opts.jobs < 1))
    return "--jobs must be a whole number >= 1";
  if (opts.maxRecordBytes !== undefined && (!Number.isInteger(opts.maxRecordBytes) || opts.maxRecordBytes < 1024))
    return `--max-record-bytes must be a whole number >= 1024 (default ${DEFAULT_MAX_RECORD_BYTES})`;
  return undefined;
}

/**
 * `--ou`: each would-be-denied group's account's parent (its OU, or the root), from Organizations. An
 * account that cannot be looked up is named on stderr and leaves the run incomplete; its groups stay.
 */
async function addOus(report: PreviewReportData, guardrail: Guardrail, io: PreviewIO): Promise<boolean> {
  const groups = Object.values(report.denied);
  const accounts = [...new Set(groups.flatMap((g) => (g.accountId ? [g.accountId] : [])))];
  if (accounts.length === 0) return true;
  const { makeOrganizationLookup } = require("../../wiring/adapters") as typeof import("../../wiring/adapters");
  const lookup = io.organization ?? makeOrganizationLookup(guardrail);
  const parents = new Map<string, string>();
  let complete = true;
  for (const account of accounts) {
    try {
      const [parent] = await lookup.parentChain(account);
      if (parent) parents.set(account, parent);
    } catch (e) {
      complete = false;
      io.stderr.write(`preview: --ou: cannot read the OU of account ${account}: ${errorText(e)}\n`);
    }
  }
  for (const g of groups) {
    const ou = g.accountId ? parents.get(g.accountId) : undefined;
    if (ou) g.ou = ou;
  }
  return complete;
}

/** `preview --backend athena`: the window's records the SCP can name, queried from the trail's archive. */
async function previewAthena(opts: PreviewOptions, io: PreviewIO): Promise<number> {
  const { loadGuardrailFor } = require("../common") as typeof import("../common");
  // Loaded here: a local preview never loads the Athena client.
  const { athenaCostText, athenaPlan, executeAthenaPlan } = require("./hunt") as typeof import("./hunt");
  const guardrail = loadGuardrailFor(opts, io);
  if (!guardrail) return EXIT.USAGE;
  const previewer = previewerFor(guardrail);
  const plan = athenaPlan(opts, guardrail, (q) => buildPreviewAthenaQuery(previewer.queryScope(), q), io, "preview");
  if (!plan) return EXIT.USAGE;
  const execution = await executeAthenaPlan(plan, opts, guardrail, io, "preview");
  if (!execution) return EXIT.INCOMPLETE;
  const report = emptyPreviewReport();
  for (const row of execution.rows) addToReport(report, previewer.previewRecord(previewRowToRecord(row)));
  const ousRead = opts.ou ? await addOus(report, guardrail, io) : true;
  io.stdout.write(formatPreview(report, opts.format ?? (io.stdout.isTTY ? "table" : "ndjson")));
  io.stderr.write(
    `preview: ${execution.rows.length} row(s); ${previewSummaryLine(report)}; ${athenaCostText(execution)}\n`,
  );
  return exitCodeFor({
    incomplete: !ousRead,
    ...gate(report, opts),
  });
}

/** What the gate options count: would-be denials, undetermined calls, or both. */
function gate(
  report: PreviewReportData,
  opts: PreviewOptions,
): { unapprovedFindings: number; failOnFindings: boolean } {
  const denials = opts.failOnDenials ? report.counts.denied : 0;
  const undetermined = opts.failOnUndetermined ? report.counts.undetermined : 0;
  return {
    unapprovedFindings: denials + undetermined,
    failOnFindings: (opts.failOnDenials ?? false) || (opts.failOnUndetermined ?? false),
  };
}

export async function runPreview(paths: string[], opts: PreviewOptions, io: PreviewIO): Promise<number> {
  const problem = usageProblem(paths, opts);
  if (problem) {
    io.stderr.write(`preview: ${problem}\n`);
    return EXIT.USAGE;
  }
  if (opts.backend) return previewAthena(opts, io);
  const jobs = opts.jobs === undefined ? undefined : Math.min(opts.jobs, maxJobs());
  // As detect: a link loop skipped in a directory walk is named, not skipped silently.
  const inputs = expandInputs(paths, (p, message) => io.stderr.write(`preview: ${p}: warning: ${message}\n`));
  const pool = startPreviewPool(inputs, { jobs });
  try {
    const { loadGuardrailFor } = require("../common") as typeof import("../common");
    const guardrail = loadGuardrailFor(opts, io);
    if (!guardrail) return EXIT.USAGE;
    const diskBytes = inputs.reduce((n, i) => n + (i.kind === "file" ? i.size : 0), 0);
    const progress =
      io.stderr.isTTY && (inputs.length >= PROGRESS_MIN_INPUTS || diskBytes >= PROGRESS_MIN_BYTES)
        ? new ProgressBar(io.stderr, "preview")
        : undefined;
    const { report, summary } = await previewScan(guardrail, inputs, {
      jobs,
      pool,
      maxRecordBytes: opts.maxRecordBytes,
      stdin: io.stdin,
      onProblem: (p) => {
        progress?.clear();
        const prefix = p.kind === "unreadable" ? "unreadable: " : p.kind === "not-cloudtrail" ? "warning: " : "";
        io.stderr.write(`preview: ${p.name}: ${prefix}${p.message}\n`);
      },
      onProgress: (d) => progress?.update(d.diskBytes, d.totalDiskBytes, `${d.inputs}/${d.totalInputs} files`),
    });
    progress?.clear();
    const ousRead = opts.ou ? await addOus(report, guardrail, io) : true;
    io.stdout.write(formatPreview(report, opts.format ?? (io.stdout.isTTY ? "table" : "ndjson")));
    io.stderr.write(scannedNothingWarning("preview", summary));
    io.stderr.write(
      `preview: ${summary.files} file(s), ${summary.records} record(s) (${(summary.bytes / 1e6).toFixed(1)} MB); ` +
        `${previewSummaryLine(report)}; ${summary.unreadable.length} unreadable, ${summary.skippedRecords} skipped ` +
        `in ${(summary.elapsedMs / 1000).toFixed(2)} s\n`,
    );
    return exitCodeFor({
      incomplete: !ousRead || scanIncomplete(summary),
      ...gate(report, opts),
    });
  } finally {
    await pool?.close();
  }
}

export function register(program: Command): void {
  addConfigOptions(program.command("preview"))
    .description(
      "Replay CloudTrail history (files, directories, gzip, stdin) through the synthesized SCPs: what would they " +
        "have denied, to whom, and which config change allows it (exit 3 with --fail-on-denials)",
    )
    .argument("[paths...]", "files (.json, .json.gz, NDJSON, single records), directories (recursive), or - for stdin")
    .addOption(
      new Option("--backend <backend>", "query the trail's S3 archive instead (with --start, --end)").choices([
        ...PREVIEW_BACKENDS,
      ]),
    )
    .option("--start <iso>", "--backend: window start, inclusive (ISO-8601 with zone)")
    .option("--end <iso>", "--backend: window end, exclusive (ISO-8601 with zone)")
    .option("--table <database.table>", "--backend athena: the CloudTrail table (default: monitor.athena)")
    .option("--workgroup <name>", "--backend athena: the workgroup (default: monitor.athena.workgroup)")
    .option("--accounts <ids>", "--backend: only these accounts (comma-separated)")
    .option("--regions <regions>", "--backend: only these regions (comma-separated)")
    .option("--max-scan-gb <gb>", "--backend: refuse a window estimated to scan more (default: as hunt)")
    .option("--gb-per-day <gb>", "--backend: the archive's compressed GB per day, for the estimate (default: as hunt)")
    .option(
      "--region <region>",
      "--backend athena: Athena's region (default: aws.region of the config)",
      regionArgument,
    )
    .addOption(
      new Option("-f, --format <format>", "output format (default: table on a terminal, ndjson otherwise)").choices([
        ...PREVIEW_FORMATS,
      ]),
    )
    .option("--ou", "look up each would-be-denied account's OU in Organizations (needs Organizations read access)")
    .option("--fail-on-denials", "exit 3 when a recorded call would be denied (gate the attach in a pipeline)")
    .option(
      "--fail-on-undetermined",
      "exit 3 when a recorded call's outcome cannot be told from its record (application inference profiles, " +
        "prompt routers)",
    )
    .option("-j, --jobs <n>", "worker threads for large archives (default: number of cores)", wholeNumberArgument)
    .option(
      "--max-record-bytes <n>",
      `skip (and name) any record larger than this (default ${DEFAULT_MAX_RECORD_BYTES})`,
      wholeNumberArgument,
    )
    .action(async (paths: string[], opts: PreviewOptions) => {
      process.exitCode = await runPreview(paths, opts, { stdout: process.stdout, stderr: process.stderr });
    });
}
