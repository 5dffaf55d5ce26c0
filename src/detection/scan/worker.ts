/**
 * Worker-thread entry: scans the files the pool sends, one at a time, and posts each result back.
 * The guardrail and the scan options arrive first, once, as a setup message (plain data): the pool
 * starts its workers before the guardrail is loaded, so that they boot meanwhile.
 */
import { parentPort } from "node:worker_threads";
import type { Guardrail } from "../../guardrail/guardrail";
import { type SourceScanOptions, SourceScanner } from "./scan-source";
import type { SourceResult } from "./source-result";

export interface ScanSetup {
  guardrail: Guardrail;
  options: SourceScanOptions;
  /** Plain data for another worker speaking this protocol (preview's SCP documents). */
  extra?: unknown;
}

export type ToScanWorker = { kind: "setup"; setup: ScanSetup } | { kind: "scan"; index: number; path: string };

export interface ScanTaskResult {
  index: number;
  result: SourceResult;
}

if (parentPort) {
  const port = parentPort;
  let scanner: SourceScanner | undefined;
  port.on("message", (message: ToScanWorker) => {
    if (message.kind === "setup") {
      scanner = new SourceScanner(message.setup.guardrail, message.setup.options);
      return;
    }
    if (!scanner) throw new Error("scan worker: a file came before the setup");
    void scanner
      .scanFile(message.path)
      .then((result) => port.postMessage({ index: message.index, result } satisfies ScanTaskResult));
  });
}
