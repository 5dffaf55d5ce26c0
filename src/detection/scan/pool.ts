/**
 * Scans files on worker threads so that large archives use every core: each worker inflates and
 * scans whole files; the pool hands out the next file when a worker finishes one. Results come
 * back tagged with their input index; the caller restores input order.
 *
 * A worker that dies (an uncaught error, killed, out of memory: any `exit` the pool did not ask
 * for) costs only the file it was on: that file is retried once in a fresh worker, and reported
 * unreadable with the reason if it fails again; the other workers carry on. The pool never waits
 * for a worker that is gone.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { emptyResult, type SourceResult } from "./scan-source";
import type { ScanTask, ScanTaskResult, ScanWorkerData } from "./worker";

/** Starts one scan worker (worker.ts's code) with the given workerData. */
export type WorkerFactory = (workerData: ScanWorkerData) => Worker;

/**
 * A small young generation: the scan allocates many short-lived buffers and strings, and a small
 * nursery keeps them in cache and the RSS low (measured with bench/detect.ts: faster and ~100 MB
 * less peak RSS than V8's default on a 1 GB archive).
 */
export const WORKER_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 3 };

/**
 * The compiled worker.js next to this file (the built package), or undefined when running from
 * the TypeScript sources: production never compiles code to start a worker.
 */
export function compiledWorkerFactory(): WorkerFactory | undefined {
  const script = path.join(__dirname, "worker.js");
  if (!fs.existsSync(script)) return undefined;
  return (workerData) => new Worker(script, { workerData, resourceLimits: WORKER_RESOURCE_LIMITS });
}

export interface PoolTask {
  index: number;
  path: string;
}

/** Times a file is tried again after its worker died. */
const RETRIES = 1;

/** Runs every task on `jobs` workers; resolves when every task has a result (never rejects). */
export async function scanFilesOnWorkers(
  startWorker: WorkerFactory,
  workerData: ScanWorkerData,
  tasks: PoolTask[],
  jobs: number,
  onResult: (index: number, result: SourceResult) => void,
): Promise<void> {
  if (tasks.length === 0) return;
  const queue = tasks.map((t) => ({ ...t, attempts: 0 }));
  const count = Math.max(1, Math.min(jobs, tasks.length));
  const slot = (): Promise<void> =>
    new Promise<void>((resolve) => {
      let current: (typeof queue)[number] | undefined;
      let worker: Worker;
      let lastError: string | undefined;
      const next = (): void => {
        current = queue.shift();
        if (current) {
          worker.postMessage({ index: current.index, path: current.path } satisfies ScanTask);
          return;
        }
        worker.removeAllListeners();
        void worker.terminate().then(() => resolve());
      };
      const died = (code: number): void => {
        const failed = current;
        current = undefined;
        if (failed) {
          const reason = lastError ?? `exit code ${code}`;
          if (failed.attempts < RETRIES) {
            failed.attempts++;
            queue.unshift(failed);
          } else {
            onResult(failed.index, {
              ...emptyResult(failed.path),
              error: `the scan worker died on this file ${failed.attempts + 1} times (${reason})`,
            });
          }
        }
        start();
      };
      const start = (): void => {
        lastError = undefined;
        try {
          worker = startWorker(workerData);
        } catch (e) {
          // Cannot start a worker at all: every remaining file is reported, nothing waits.
          for (const t of [...(current ? [current] : []), ...queue.splice(0)])
            onResult(t.index, { ...emptyResult(t.path), error: `cannot start a scan worker: ${(e as Error).message}` });
          resolve();
          return;
        }
        worker.on("message", (msg: ScanTaskResult) => {
          if (!current || msg.index !== current.index) return;
          current = undefined;
          onResult(msg.index, msg.result);
          next();
        });
        worker.on("error", (e) => {
          lastError = e.message;
        });
        worker.on("exit", died);
        next();
      };
      start();
    });
  await Promise.all(Array.from({ length: count }, slot));
}
