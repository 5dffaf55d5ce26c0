/**
 * Worker-thread entry: scans the files the pool sends, one at a time, and posts each result back.
 * The guardrail and the scan options arrive once as workerData (plain data).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Guardrail } from "../../guardrail/guardrail";
import { type SourceResult, type SourceScanOptions, SourceScanner } from "./scan-source";

export interface ScanTask {
  index: number;
  path: string;
}

export interface ScanWorkerData {
  guardrail: Guardrail;
  options: SourceScanOptions;
}

export interface ScanTaskResult {
  index: number;
  result: SourceResult;
}

if (parentPort) {
  const port = parentPort;
  const data = workerData as ScanWorkerData;
  const scanner = new SourceScanner(data.guardrail, data.options);
  port.on("message", (task: ScanTask) => {
    void scanner
      .scanFile(task.path)
      .then((result) => port.postMessage({ index: task.index, result } satisfies ScanTaskResult));
  });
}
