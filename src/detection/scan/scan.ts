/**
 * The local detection backend: scans inputs (files, directories, stdin), evaluates every record
 * with the reference rule (`evaluateRecord`), de-duplicates findings by event.id across the whole
 * scan and delivers them in a deterministic order (input order, then record order), whatever the
 * number of workers.
 */
import * as os from "node:os";
import type { Guardrail } from "../../guardrail/guardrail";
import type { Finding } from "../finding";
import type { Input } from "./inputs";
import { scanFilesOnWorkers } from "./pool";
import { emptyResult, type SourceResult, SourceScanner } from "./scan-source";

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
  unreadable: { name: string; reason: string }[];
  elapsedMs: number;
}

export interface ScanProblem {
  name: string;
  kind: "unreadable" | "invalid-records";
  message: string;
}

export interface ScanOptions {
  /** Worker threads for files; 1 scans in this thread. Default: available cores. */
  jobs?: number;
  /** Below this many input bytes, workers are not worth their start-up time. */
  minBytesForWorkers?: number;
  includeApproved?: boolean;
  /** Data for the `-` input. Default process.stdin. */
  stdin?: AsyncIterable<Buffer>;
  onFinding: (finding: Finding) => void;
  onProblem?: (problem: ScanProblem) => void;
  /** Called after each input completes, with how many inputs and input bytes (on disk) are done. */
  onProgress?: (done: { inputs: number; totalInputs: number; diskBytes: number; totalDiskBytes: number }) => void;
}

export const DEFAULT_MIN_BYTES_FOR_WORKERS = 8 * 1024 * 1024;

export async function scan(guardrail: Guardrail, inputs: Input[], options: ScanOptions): Promise<ScanSummary> {
  const started = process.hrtime.bigint();
  const summary: ScanSummary = {
    files: 0,
    bytes: 0,
    records: 0,
    findings: 0,
    unapprovedFindings: 0,
    suppressedApproved: 0,
    duplicates: 0,
    invalidRecords: 0,
    unreadable: [],
    elapsedMs: 0,
  };
  const seen = new Set<string>();
  const pending = new Map<number, SourceResult>();
  let nextToDeliver = 0;
  let diskBytesDone = 0;
  const totalDiskBytes = inputs.reduce((n, i) => n + (i.kind === "file" ? i.size : 0), 0);

  const deliver = (result: SourceResult): void => {
    summary.files++;
    summary.bytes += result.bytes;
    summary.records += result.records;
    summary.invalidRecords += result.invalid;
    if (result.error) {
      summary.unreadable.push({ name: result.name, reason: result.error });
      options.onProblem?.({ name: result.name, kind: "unreadable", message: result.error });
    }
    if (result.invalid > 0) {
      const more =
        result.invalid > result.invalidSamples.length
          ? ` (and ${result.invalid - result.invalidSamples.length} more)`
          : "";
      options.onProblem?.({
        name: result.name,
        kind: "invalid-records",
        message: `${result.invalid} invalid record(s): ${result.invalidSamples.join("; ")}${more}`,
      });
    }
    for (const finding of result.findings) {
      if (seen.has(finding.event.id)) {
        summary.duplicates++;
        continue;
      }
      seen.add(finding.event.id);
      if (finding.guardrail.approved && !options.includeApproved) {
        summary.suppressedApproved++;
        continue;
      }
      summary.findings++;
      if (!finding.guardrail.approved) summary.unapprovedFindings++;
      options.onFinding(finding);
    }
  };
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

  const scanner = new SourceScanner(guardrail);
  const fileTasks: { index: number; path: string }[] = [];
  const inProcess: Promise<void>[] = [];
  inputs.forEach((input, index) => {
    if (input.kind === "unreadable") onResult(index, { ...emptyResult(input.path), error: input.reason });
    else if (input.kind === "file") fileTasks.push({ index, path: input.path });
    else
      inProcess.push(
        scanner.scan("-", options.stdin ?? (process.stdin as AsyncIterable<Buffer>)).then((r) => onResult(index, r)),
      );
  });
  const jobs = Math.max(1, Math.floor(options.jobs ?? os.availableParallelism()));
  const useWorkers =
    jobs > 1 && fileTasks.length > 1 && totalDiskBytes >= (options.minBytesForWorkers ?? DEFAULT_MIN_BYTES_FOR_WORKERS);
  if (useWorkers) {
    inProcess.push(scanFilesOnWorkers(guardrail, fileTasks, jobs, onResult));
  } else {
    inProcess.push(
      (async () => {
        for (const task of fileTasks) onResult(task.index, await scanner.scanFile(task.path));
      })(),
    );
  }
  await Promise.all(inProcess);
  summary.elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  return summary;
}
