/**
 * What the pool (pool.ts) and a scan worker (worker.ts, preview's worker) say to each other: the
 * guardrail and the scan options first, once, as a setup message (plain data: the pool starts its
 * workers before the guardrail is loaded, so that they boot meanwhile), then files by path; a
 * result back for each file, tagged with its input index.
 */
import type { MessagePort } from "node:worker_threads";
import type { Guardrail } from "../../guardrail/guardrail";
import type { SourceResult, SourceScanOptions } from "./scan-source";

export interface ScanSetup {
  guardrail: Guardrail;
  options: SourceScanOptions;
  /** Plain data for another worker speaking this protocol (preview's SCP documents). */
  extra?: unknown;
}

export type ToScanWorker = { kind: "setup"; setup: ScanSetup } | { kind: "scan"; index: number; path: string };

export interface ScanTaskResult<R extends SourceResult = SourceResult> {
  index: number;
  result: R;
}

/**
 * The worker's side: `start` takes the setup and returns what scans one file. The pool sends a worker its next
 * file before the result of the one it is on has come back (TASKS_IN_FLIGHT in pool.ts), so that it never waits
 * for the main thread between files; the files are taken one at a time, in the order they came, so that a scan
 * waiting for I/O never overlaps the next one.
 */
export function serveScanTasks(
  port: MessagePort,
  worker: string,
  start: (setup: ScanSetup) => (path: string) => Promise<SourceResult>,
): void {
  let scanFile: ((path: string) => Promise<SourceResult>) | undefined;
  let previous = Promise.resolve();
  port.on("message", (message: ToScanWorker) => {
    if (message.kind === "setup") {
      scanFile = start(message.setup);
      return;
    }
    const scan = scanFile;
    if (!scan) throw new Error(`${worker}: a file came before the setup`);
    previous = previous
      .then(() => scan(message.path))
      .then((result) => port.postMessage({ index: message.index, result } satisfies ScanTaskResult));
  });
}
