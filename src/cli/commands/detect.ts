/**
 * `bedrock-guardrail detect PATH... | -`: runs the guardrail's detection rules over local
 * CloudTrail files (S3 delivery files, gzipped or not, single records, NDJSON), directories of them
 * and stdin. Findings go to stdout, the summary and problems to stderr.
 *
 * Exit codes: the table in ../exit-codes.ts (an unreadable input, a skipped record (malformed, over
 * the size cap) or an invalid one (e.g. matching without eventID) makes the run incomplete: 1; 3 with
 * --fail-on-findings wins over it, and the damaged inputs are still named).
 */
import type { Command } from "commander";
import { shown } from "../../detection/backends/input-error";
import { expandInputs, type Input } from "../../detection/scan/inputs";
import type { ScanPool } from "../../detection/scan/pool";
import { maxJobs, type ScanSummary, scan, startScanPool } from "../../detection/scan/scan";
import { DEFAULT_MAX_RECORD_BYTES } from "../../detection/scan/scan-source";
import type { ConfigIO } from "../common";
import {
  addConfigOptions,
  addFindingOutputOptions,
  addRuleOption,
  type ConfigOption,
  type FindingOutputOptions,
  type RuleOption,
  wholeNumberArgument,
} from "../options";
import { EXIT, type ExitCode, exitCodeFor } from "../exit-codes";
import { findingWriter, type Format, FORMATS } from "../format/findings";
import { ProgressBar } from "../format/progress";
import { scanIncomplete, scannedNothingWarning } from "../scan-outcome";

export interface DetectOptions extends ConfigOption, RuleOption, FindingOutputOptions<Format> {
  jobs?: number;
  maxRecordBytes?: number;
  checkEveryRecord?: boolean;
  baselineDays?: number;
}

export interface DetectIO extends ConfigIO {
  stdout: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  stdin?: AsyncIterable<Buffer>;
}

/** A scan counts as large (worth a progress bar) from this many inputs or on-disk bytes. */
const PROGRESS_MIN_INPUTS = 50;
const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;

const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

export function summaryLine(s: ScanSummary): string {
  const mb = (s.bytes / 1e6).toFixed(1);
  const parts = [
    `${s.files} file(s)`,
    `${s.records} record(s) (${mb} MB)`,
    `${s.findings} finding(s)`,
    `${s.suppressedApproved} approved suppressed`,
    `${s.duplicates} duplicate(s)`,
    `${s.invalidRecords} invalid record(s)`,
    ...(s.skippedRecords > 0 ? [`${s.skippedRecords} skipped (${s.skippedBytes} bytes)`] : []),
    ...(s.notCloudTrail > 0 ? [`${s.notCloudTrail} not CloudTrail`] : []),
    `${s.unreadable.length} unreadable`,
  ];
  return `detect: ${parts.join(", ")} in ${(s.elapsedMs / 1000).toFixed(2)} s\n`;
}

/** The scan's result in the exit-code table (scanIncomplete says when it is incomplete). */
export function detectExitCode(summary: ScanSummary, failOnFindings: boolean): ExitCode {
  return exitCodeFor({
    incomplete: scanIncomplete(summary),
    unapprovedFindings: summary.unapprovedFindings,
    failOnFindings,
  });
}

/** The whole command as a function of its arguments and streams; returns the exit code. */
export async function runDetect(paths: string[], opts: DetectOptions, io: DetectIO): Promise<number> {
  if (paths.length === 0) {
    io.stderr.write("detect: give at least one PATH (file, directory) or - for stdin\n");
    return EXIT.USAGE;
  }
  if (opts.format !== undefined && !FORMATS.includes(opts.format)) {
    io.stderr.write(`detect: --format must be one of ${FORMATS.join(", ")} (got ${shown(opts.format)})\n`);
    return EXIT.USAGE;
  }
  if (opts.jobs !== undefined && (!Number.isInteger(opts.jobs) || opts.jobs < 1)) {
    io.stderr.write(`detect: --jobs must be a whole number >= 1\n`);
    return EXIT.USAGE;
  }
  if (opts.baselineDays !== undefined && (!Number.isInteger(opts.baselineDays) || opts.baselineDays < 0)) {
    io.stderr.write("detect: --baseline-days must be a whole number >= 0\n");
    return EXIT.USAGE;
  }
  if (opts.maxRecordBytes !== undefined && (!Number.isInteger(opts.maxRecordBytes) || opts.maxRecordBytes < 1024)) {
    io.stderr.write(
      `detect: --max-record-bytes must be a whole number >= 1024 (default ${DEFAULT_MAX_RECORD_BYTES})\n`,
    );
    return EXIT.USAGE;
  }
  let jobs = opts.jobs;
  if (jobs !== undefined && jobs > maxJobs()) {
    io.stderr.write(`detect: --jobs ${jobs} is more than twice the cores: using ${maxJobs()}\n`);
    jobs = maxJobs();
  }
  const inputs = expandInputs(paths, (p, message) => io.stderr.write(`detect: ${p}: warning: ${message}\n`));
  // The workers boot while this thread loads the config schema and the guardrail,
  // which is why common.ts is loaded only in detectWith (measured with bench:detect).
  const pool = startScanPool(inputs, { jobs });
  try {
    return await detectWith(inputs, jobs, opts, io, pool);
  } finally {
    await pool?.close(); // a no-op after a scan; stops the workers after a config error
  }
}

async function detectWith(
  inputs: Input[],
  jobs: number | undefined,
  opts: DetectOptions,
  io: DetectIO,
  pool: ScanPool | undefined,
): Promise<number> {
  const { loadGuardrailFor, narrowToRules } = require("../common") as typeof import("../common");
  // Without any config file detect still runs (a newcomer scanning an archive), and says so.
  const loaded = loadGuardrailFor(opts, io, {
    onNoConfig: () =>
      io.stderr.write(
        "detect: no guardrail.config.json here (and no --config): treating every principal as not approved\n",
      ),
  });
  // Every rule by default; --rule ID narrows (the prefilter narrows with it).
  const guardrail = loaded && narrowToRules(loaded, opts, io);
  if (!guardrail) return EXIT.USAGE;
  const format: Format = opts.format ?? (io.stdout.isTTY ? "table" : "ndjson");
  const writer = findingWriter(format, (text) => io.stdout.write(text), { width: io.stdout.columns });
  const diskBytes = inputs.reduce((n, i) => n + (i.kind === "file" ? i.size : 0), 0);
  const readsStdin = inputs.some((i) => i.kind === "stdin");
  const progress =
    io.stderr.isTTY && (inputs.length >= PROGRESS_MIN_INPUTS || diskBytes >= PROGRESS_MIN_BYTES || readsStdin)
      ? new ProgressBar(io.stderr, "detect")
      : undefined;
  const sizeOf = new Map(inputs.flatMap((i) => (i.kind === "file" ? [[i.path, i.size] as const] : [])));
  const summary = await scan(guardrail, inputs, {
    jobs,
    pool,
    maxRecordBytes: opts.maxRecordBytes,
    checkEveryRecord: opts.checkEveryRecord,
    includeApproved: opts.includeApproved,
    baselineDays: opts.baselineDays,
    stdin: io.stdin,
    onFinding: (f) => writer.write(f),
    onProblem: (p) => {
      progress?.clear();
      const prefix = p.kind === "unreadable" ? "unreadable: " : p.kind === "not-cloudtrail" ? "warning: " : "";
      io.stderr.write(`detect: ${p.name}: ${prefix}${p.message}\n`);
    },
    onProgress: (d) => progress?.update(d.diskBytes, d.totalDiskBytes, `${d.inputs}/${d.totalInputs} files`),
    // Within one input: a single large file against its size, stdin by the bytes read.
    onBytesRead: ({ name, bytes }) => {
      const size = sizeOf.get(name);
      if (size === undefined) progress?.status(`${name === "-" ? "stdin" : name}: ${megabytes(bytes)} read`);
      else if (inputs.length === 1) progress?.update(bytes, size, `${megabytes(bytes)} of ${megabytes(size)}`);
    },
  });
  progress?.clear();
  writer.end();
  io.stderr.write(scannedNothingWarning("detect", summary));
  io.stderr.write(summaryLine(summary));
  return detectExitCode(summary, opts.failOnFindings ?? false);
}

export function register(program: Command): void {
  const command = addRuleOption(addConfigOptions(program.command("detect")))
    .description("Run the detection rules over local CloudTrail files, directories (AWSLogs/... layout) or stdin (-).")
    .argument("<paths...>", "files (.json, .json.gz, NDJSON, single records), directories (recursive), or - for stdin");
  addFindingOutputOptions(command, FORMATS)
    .option(
      "--baseline-days <n>",
      "new-term rules (first use of a model) learn from the archive's first N days and report after " +
        "(default: the rule's baseline, 30 days; 0 reports every first use)",
      wholeNumberArgument,
    )
    .option(
      "-j, --jobs <n>",
      "worker threads for large archives (default: number of cores, at most twice that)",
      wholeNumberArgument,
    )
    .option(
      "--max-record-bytes <n>",
      `skip (and name) any record larger than this; bounds memory (default ${DEFAULT_MAX_RECORD_BYTES}, 16 MiB)`,
      wholeNumberArgument,
    )
    .option(
      "--check-every-record",
      "parse every record, not only those that can match, so that damage anywhere is named " +
        "(always on for uncompressed inputs; gzip inputs are protected by their CRC)",
    )
    .action(async (paths: string[], opts: DetectOptions) => {
      // `detect ... | head` closing stdout early is handled once for every command (closed-pipe.ts).
      process.exitCode = await runDetect(paths, opts, { stdout: process.stdout, stderr: process.stderr });
    });
}
