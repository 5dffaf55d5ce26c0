/**
 * Scans files on worker threads so that large archives use every core: each worker inflates and
 * scans whole files; the pool hands out the next file when a worker finishes one. Results come
 * back tagged with their input index; the caller restores input order.
 *
 * The pool starts its workers before the guardrail is known (start), so that their boot overlaps
 * the main thread's loading of the config (bench:detect measures the gain).
 *
 * A worker that dies (an uncaught error, killed, out of memory: any `exit` the pool did not ask
 * for) costs only the file it was on: that file is retried once in a fresh worker, and reported
 * unreadable with the reason if it fails again; the other workers carry on. The pool never waits
 * for a worker that is gone.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { emptyResult, type SourceResult } from "./source-result";
import type { ScanSetup, ScanTaskResult, ToScanWorker } from "./worker";

/** Starts one scan worker (worker.ts's code); it waits for its setup message. */
export type WorkerFactory = () => Worker;

/**
 * A small young generation: the scan allocates many short-lived buffers and strings, and a small
 * nursery keeps them in cache and the RSS low (measured with bench/detect.ts: faster and ~100 MB
 * less peak RSS than V8's default on a 1 GB archive). Not smaller: on an archive where a fifth of
 * the records are parsed for the correlation rules, 3 MB cost 12% more CPU and 30 MB more peak RSS
 * than 12 MB (survivors promoted at every scavenge), for 15-25 MB less on an archive of noise.
 */
export const WORKER_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 12 };

/**
 * The compiled worker.js next to this file (the built package), or another compiled worker speaking
 * the same protocol (`script`); undefined when running from the TypeScript sources: production never
 * compiles code to start a worker.
 */
export function compiledWorkerFactory(script = path.join(__dirname, "worker.js")): WorkerFactory | undefined {
  if (!fs.existsSync(script)) return undefined;
  return () => new Worker(script, { resourceLimits: WORKER_RESOURCE_LIMITS });
}

export interface PoolTask {
  index: number;
  path: string;
}

/** Times a file is tried again after its worker died. */
const RETRIES = 1;

interface QueuedTask extends PoolTask {
  attempts: number;
}

interface Slot {
  worker: Worker;
  /** The file the worker is scanning. */
  current?: QueuedTask;
  lastError?: string;
}

export class ScanPool {
  private readonly queue: QueuedTask[];
  private readonly slots = new Set<Slot>();
  private remaining: number;
  private setup?: ScanSetup;
  private onResult?: (index: number, result: SourceResult) => void;
  private finished?: () => void;

  private constructor(
    private readonly factory: WorkerFactory,
    tasks: PoolTask[],
  ) {
    this.queue = tasks.map((t) => ({ ...t, attempts: 0 }));
    this.remaining = tasks.length;
  }

  /** Starts `jobs` workers (at most one per file); they wait for run(). */
  static start(factory: WorkerFactory, tasks: PoolTask[], jobs: number): ScanPool {
    const pool = new ScanPool(factory, tasks);
    const count = Math.min(Math.max(1, jobs), tasks.length);
    for (let i = 0; i < count; i++) pool.startWorker();
    return pool;
  }

  /** Scans every file with this setup; resolves when each has a result (never rejects), all workers stopped. */
  run(setup: ScanSetup, onResult: (index: number, result: SourceResult) => void): Promise<void> {
    this.setup = setup;
    this.onResult = onResult;
    const done = new Promise<void>((resolve) => {
      this.finished = resolve;
    });
    for (const slot of this.slots) {
      this.send(slot, { kind: "setup", setup });
      this.next(slot);
    }
    // None could start before (start() reports nothing): one more try, which reports if it fails.
    if (this.slots.size === 0 && this.queue.length > 0) this.startWorker();
    this.checkFinished();
    return done;
  }

  /** Stops every worker (for a pool whose run() never comes, e.g. after a config error; a no-op after run). */
  async close(): Promise<void> {
    const workers = [...this.slots].map((s) => s.worker);
    this.slots.clear();
    await Promise.all(workers.map((w) => w.removeAllListeners().terminate()));
  }

  private startWorker(): void {
    let worker: Worker;
    try {
      worker = this.factory();
    } catch (e) {
      // Before run() nothing is reported: run() tries again (other workers may have started).
      if (!this.onResult) return;
      // Cannot start a worker at all: every file left is reported, nothing waits.
      const reason = `cannot start a scan worker: ${(e as Error).message}`;
      for (const task of this.queue.splice(0)) this.result(task.index, { ...emptyResult(task.path), error: reason });
      return;
    }
    const slot: Slot = { worker };
    this.slots.add(slot);
    worker.on("message", (message: ScanTaskResult) => {
      if (slot.current?.index !== message.index) return;
      slot.current = undefined;
      this.result(message.index, message.result);
      this.next(slot);
    });
    worker.on("error", (e) => {
      slot.lastError = e.message;
    });
    worker.on("exit", (code) => this.died(slot, code));
    if (this.setup) {
      this.send(slot, { kind: "setup", setup: this.setup });
      this.next(slot);
    }
  }

  /** Sends the worker its next file, or stops it when none is left. */
  private next(slot: Slot): void {
    const task = this.queue.shift();
    if (task) {
      slot.current = task;
      this.send(slot, { kind: "scan", index: task.index, path: task.path });
      return;
    }
    this.slots.delete(slot);
    void slot.worker.removeAllListeners().terminate();
    this.checkFinished();
  }

  private died(slot: Slot, code: number): void {
    if (!this.slots.delete(slot)) return;
    const failed = slot.current;
    if (failed) {
      const reason = slot.lastError ?? `exit code ${code}`;
      if (failed.attempts < RETRIES) {
        failed.attempts++;
        this.queue.unshift(failed);
      } else {
        this.result(failed.index, {
          ...emptyResult(failed.path),
          error: `the scan worker died on this file ${failed.attempts + 1} times (${reason})`,
        });
      }
    }
    if (this.queue.length > 0) this.startWorker();
    this.checkFinished();
  }

  private send(slot: Slot, message: ToScanWorker): void {
    slot.worker.postMessage(message);
  }

  private result(index: number, result: SourceResult): void {
    this.remaining--;
    this.onResult?.(index, result);
  }

  private checkFinished(): void {
    if (this.remaining > 0 || !this.finished) return;
    const finished = this.finished;
    this.finished = undefined;
    void this.close().then(finished);
  }
}
