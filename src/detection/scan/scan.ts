/**
 * The local detection backend: scans inputs (files, directories, stdin), evaluates every record
 * with the reference rule (`evaluateRecord`), de-duplicates findings by event.id across the whole
 * scan and delivers them in a deterministic order (input order, then record order), whatever the
 * number of workers.
 */
import * as os from "node:os";
import type { Guardrail } from "../../guardrail/guardrail";
import { type PackedEvents, unpackEvents } from "../correlation/compact";
import type { CorrelatedEvent } from "../correlation/event";
import { archiveCorrelations, citedEvent, correlationFinding } from "../correlation/finding";
import type { Finding } from "../finding";
import { findingGate } from "../finding-gate";
import type { Input } from "./inputs";
import { rereadRecords } from "./record-reread";
import { compiledWorkerFactory, ScanPool, type WorkerFactory } from "./pool";
import type { RecordEvaluator } from "./record-evaluator";
import { type SourceScanOptions, SourceScanner } from "./scan-source";
import { emptyResult, type SourceResult } from "./source-result";

export interface ScanSummary {
  /** Inputs read (files and stdin), including unreadable ones. */
  files: number;
  /** Uncompressed JSON bytes read. */
  bytes: number;
  records: number;
  /** Findings delivered to onFinding (after de-duplication and approved suppression). */
  findings: number;
  /** Delivered findings whose principal is not approved (what --fail-on-findings looks at). */
  unapprovedFindings: number;
  /** Findings by approved principals that were not delivered (no includeApproved). */
  suppressedApproved: number;
  /** Records matching the rule whose event.id was already seen in this scan. */
  duplicates: number;
  invalidRecords: number;
  /** Records not evaluated (malformed, larger than the cap) and their bytes. */
  skippedRecords: number;
  skippedBytes: number;
  /** Records that do not look like CloudTrail (no eventSource/eventName). */
  notCloudTrail: number;
  unreadable: { name: string; reason: string }[];
  elapsedMs: number;
}

export interface ScanProblem {
  name: string;
  kind: "unreadable" | "damaged-records" | "not-cloudtrail";
  message: string;
}

export interface ScanOptions extends SourceScanOptions {
  /** Worker threads for files; 1 scans in this thread. Default: available cores; at most maxJobs(). */
  jobs?: number;
  /** How to start a scan worker. Default: the compiled worker next to pool.js; without one, no workers. */
  workerFactory?: WorkerFactory;
  /** The pool started ahead for these inputs (see startScanPool). Default: started here when worth it. */
  pool?: ScanPool;
  /** Below this many input bytes, workers are not worth their start-up time. */
  minBytesForWorkers?: number;
  includeApproved?: boolean;
  /**
   * New-term rules learn from the archive's first this many days and report after (default: each
   * rule's own baseline); 0 reports every first use.
   */
  baselineDays?: number;
  /** Data for the `-` input. Default process.stdin. */
  stdin?: AsyncIterable<Buffer>;
  onFinding: (finding: Finding) => void;
  /** Evaluates the records instead of the rules (in this thread; the workers are the pool's). */
  evaluator?: RecordEvaluator;
  /** Plain data the workers get with their setup (ScanSetup.extra). */
  workerExtra?: unknown;
  /** Every input's result, in input order, before its findings are delivered. */
  onResult?: (result: SourceResult) => void;
  onProblem?: (problem: ScanProblem) => void;
  /** Called after each input completes, with how many inputs and input bytes (on disk) are done. */
  onProgress?: (done: { inputs: number; totalInputs: number; diskBytes: number; totalDiskBytes: number }) => void;
  /** Progress within one input read on this thread (stdin, or a single large file): raw bytes read so far. */
  onBytesRead?: (read: { name: string; bytes: number }) => void;
}

const DEFAULT_MIN_BYTES_FOR_WORKERS = 8 * 1024 * 1024;

/** More workers than twice the cores only adds memory (each holds its own heap and buffers). */
export function maxJobs(): number {
  return 2 * os.availableParallelism();
}

/**
 * Starts the worker pool a scan of `inputs` will use, or undefined when it scans in this thread (a
 * small scan, one job, or no compiled worker), so that the workers boot while the caller loads the
 * guardrail; pass it to scan() as `pool`, or close() it.
 */
export function startScanPool(
  inputs: Input[],
  options: Pick<ScanOptions, "jobs" | "minBytesForWorkers" | "workerFactory">,
): ScanPool | undefined {
  const jobs = Math.min(maxJobs(), Math.max(1, Math.floor(options.jobs ?? os.availableParallelism())));
  const files = inputs.flatMap((input, index) =>
    input.kind === "file" ? [{ index, path: input.path, size: input.size }] : [],
  );
  const bytes = files.reduce((n, f) => n + f.size, 0);
  if (jobs === 1 || files.length < 2 || bytes < (options.minBytesForWorkers ?? DEFAULT_MIN_BYTES_FOR_WORKERS)) return;
  const factory = options.workerFactory ?? compiledWorkerFactory();
  return factory && ScanPool.start(factory, files, jobs);
}

function emptySummary(): ScanSummary {
  return {
    files: 0,
    bytes: 0,
    records: 0,
    findings: 0,
    unapprovedFindings: 0,
    suppressedApproved: 0,
    duplicates: 0,
    invalidRecords: 0,
    skippedRecords: 0,
    skippedBytes: 0,
    notCloudTrail: 0,
    unreadable: [],
    elapsedMs: 0,
  };
}

/** An input's problems, each reported once: unreadable, damaged records, records that are not CloudTrail. */
function reportProblems(result: SourceResult, onProblem: ScanOptions["onProblem"]): void {
  if (result.error) onProblem?.({ name: result.name, kind: "unreadable", message: result.error });
  if (result.invalid > 0 || result.skippedRecords > 0) {
    const counts = [
      result.invalid > 0 ? `${result.invalid} invalid record(s)` : "",
      result.skippedRecords > 0 ? `${result.skippedRecords} record(s) skipped (${result.skippedBytes} bytes)` : "",
    ].filter(Boolean);
    const shown = result.problemSamples.length;
    const more =
      result.invalid + result.skippedRecords > shown
        ? ` (and ${result.invalid + result.skippedRecords - shown} more)`
        : "";
    onProblem?.({
      name: result.name,
      kind: "damaged-records",
      message: `${counts.join(", ")}: ${result.problemSamples.join("; ")}${more}`,
    });
  }
  if (result.notCloudTrail > 0) {
    onProblem?.({
      name: result.name,
      kind: "not-cloudtrail",
      message: `${result.notCloudTrail} record(s) do not look like CloudTrail (${result.notCloudTrailExample})`,
    });
  }
}

/**
 * Takes each input's result in input order (results arrive in any order): counts it into `summary`,
 * reports its problems and hands on its findings, each finding once across inputs.
 */
function inOrderDelivery(
  inputs: Input[],
  summary: ScanSummary,
  options: ScanOptions,
): { onResult: (index: number, result: SourceResult) => void; deliverFinding: (finding: Finding) => void } {
  const pending = new Map<number, SourceResult>();
  let nextToDeliver = 0;
  let diskBytesDone = 0;
  const totalDiskBytes = inputs.reduce((n, i) => n + (i.kind === "file" ? i.size : 0), 0);
  const deliver = (result: SourceResult): void => {
    options.onResult?.(result);
    summary.files++;
    summary.bytes += result.bytes;
    summary.records += result.records;
    summary.invalidRecords += result.invalid;
    summary.skippedRecords += result.skippedRecords;
    summary.skippedBytes += result.skippedBytes;
    summary.notCloudTrail += result.notCloudTrail;
    if (result.error) summary.unreadable.push({ name: result.name, reason: result.error });
    reportProblems(result, options.onProblem);
    for (const finding of result.findings) deliverFinding(finding);
  };
  const deliverFinding = findingGate(options.includeApproved ?? false, summary, options.onFinding);
  const onResult = (index: number, result: SourceResult): void => {
    const input = inputs[index];
    if (input.kind === "file") diskBytesDone += input.size;
    pending.set(index, result);
    while (pending.has(nextToDeliver)) {
      deliver(pending.get(nextToDeliver)!);
      pending.delete(nextToDeliver);
      nextToDeliver++;
    }
    options.onProgress?.({
      inputs: nextToDeliver,
      totalInputs: inputs.length,
      diskBytes: diskBytesDone,
      totalDiskBytes,
    });
  };
  return { onResult, deliverFinding };
}

export async function scan(guardrail: Guardrail, inputs: Input[], options: ScanOptions): Promise<ScanSummary> {
  const started = process.hrtime.bigint();
  const summary = emptySummary();
  const { onResult: delivered, deliverFinding } = inOrderDelivery(inputs, summary, options);
  // Correlation needs the whole archive in time order: the events of the records the correlation
  // rules read are kept from every input, and the engine runs once all are read, so its findings
  // are the same whatever the number of workers (events are taken in input order: of two with the
  // same time and eventID, the engine keeps the first).
  const packs: PackedEvents[] = [];
  const onResult = (index: number, result: SourceResult): void => {
    packs[index] = result.correlation;
    delivered(index, result);
  };
  const sourceOptions: SourceScanOptions = {
    maxRecordBytes: options.maxRecordBytes,
    checkEveryRecord: options.checkEveryRecord,
  };
  const scanner = new SourceScanner(guardrail, sourceOptions, options.evaluator);
  scanner.onBytesRead = options.onBytesRead;
  const fileTasks: { index: number; path: string }[] = [];
  const inProcess: Promise<void>[] = [];
  inputs.forEach((input, index) => {
    if (input.kind === "unreadable") onResult(index, { ...emptyResult(input.path), error: input.reason });
    else if (input.kind === "file") fileTasks.push({ index, path: input.path });
    else
      inProcess.push(
        scanner
          .scanStream("-", options.stdin ?? (process.stdin as AsyncIterable<Buffer>))
          .then((r) => onResult(index, r)),
      );
  });
  const pool = options.pool ?? startScanPool(inputs, options);
  if (pool) {
    const extra = options.workerExtra === undefined ? {} : { extra: options.workerExtra };
    inProcess.push(pool.run({ guardrail, options: sourceOptions, ...extra }, onResult));
  } else {
    inProcess.push(
      (async () => {
        for (const task of fileTasks) onResult(task.index, await scanner.scanFile(task.path));
      })(),
    );
  }
  await Promise.all(inProcess);
  const events: CorrelatedEvent[] = [];
  let earliestMs = Number.POSITIVE_INFINITY;
  packs.forEach((packed, index) => {
    const input = inputs[index];
    unpackEvents(packed, events, input.kind === "file" ? input.path : undefined);
    earliestMs = Math.min(earliestMs, packed.earliestMs);
  });
  const correlations = archiveCorrelations(guardrail, events, earliestMs, options.baselineDays);
  // A file that cannot give back the records its findings cite is an unreadable input like any other:
  // counted, named, and the run incomplete (detect's exit code).
  for (const { file, reason } of await rereadRecords(correlations.map(citedEvent))) {
    summary.unreadable.push({ name: file, reason });
    options.onProblem?.({ name: file, kind: "unreadable", message: reason });
  }
  for (const correlation of correlations) deliverFinding(correlationFinding(guardrail, correlation));
  summary.elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  return summary;
}
