/**
 * Worker-thread entry: scans the files the pool sends, one at a time, and posts each result back.
 * The guardrail arrives once as workerData (it is plain data: the compiled definition and config).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Guardrail } from "../../guardrail/guardrail";
import { SourceScanner } from "./scan-source";

export interface ScanTask {
  index: number;
  path: string;
}

if (parentPort) {
  const port = parentPort;
  const scanner = new SourceScanner((workerData as { guardrail: Guardrail }).guardrail);
  port.on("message", (task: ScanTask) => {
    void scanner.scanFile(task.path).then((result) => port.postMessage({ index: task.index, result }));
  });
}
