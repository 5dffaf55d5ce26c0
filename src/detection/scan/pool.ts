/**
 * Scans files on worker threads so that large archives use every core: each worker inflates and
 * splits whole files; the pool hands out the next file when a worker finishes one. Results come
 * back tagged with their input index; the caller restores input order.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { Guardrail } from "../../guardrail/guardrail";
import type { SourceResult } from "./scan-source";
import type { ScanTask } from "./worker";

/**
 * How to start the worker: the compiled worker.js next to this file; when running from the
 * TypeScript sources (tests), the same worker.ts compiled on load by the dev-only @swc/core.
 */
function workerSpec(): { script: string; eval: boolean } {
  const compiled = path.join(__dirname, "worker.js");
  if (fs.existsSync(compiled)) return { script: compiled, eval: false };
  const source = path.join(__dirname, "worker.ts");
  const script = `
    const fs = require("fs");
    const swc = require(require.resolve("@swc/core", { paths: [${JSON.stringify(__dirname)}] }));
    require.extensions[".ts"] = (m, filename) => {
      const out = swc.transformSync(fs.readFileSync(filename, "utf8"), {
        filename, module: { type: "commonjs" }, jsc: { target: "es2022", parser: { syntax: "typescript" } },
      });
      m._compile(out.code, filename);
    };
    require(${JSON.stringify(source)});`;
  return { script, eval: true };
}

/**
 * A small young generation: the scan allocates many short-lived buffers and strings, and a small
 * nursery keeps them in cache and the RSS low (measured with bench/detect.ts: faster and ~100 MB
 * less peak RSS than V8's default on a 1 GB archive).
 */
const WORKER_YOUNG_GENERATION_MB = 3;

export interface PoolTask {
  index: number;
  path: string;
}

/** Runs every task on `jobs` workers; resolves when all results were delivered. */
export async function scanFilesOnWorkers(
  guardrail: Guardrail,
  tasks: PoolTask[],
  jobs: number,
  onResult: (index: number, result: SourceResult) => void,
): Promise<void> {
  if (tasks.length === 0) return;
  const spec = workerSpec();
  const queue = [...tasks];
  const count = Math.max(1, Math.min(jobs, tasks.length));
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(spec.script, {
            eval: spec.eval,
            workerData: { guardrail },
            resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
          });
          let current: PoolTask | undefined;
          const next = (): void => {
            current = queue.shift();
            if (current) worker.postMessage({ index: current.index, path: current.path } satisfies ScanTask);
            else void worker.terminate().then(() => resolve());
          };
          worker.on("message", (msg: { index: number; result: SourceResult }) => {
            onResult(msg.index, msg.result);
            next();
          });
          worker.on("error", (e) =>
            reject(new Error(`scan worker failed${current ? ` on ${current.path}` : ""}: ${e.message}`)),
          );
          worker.on("online", next);
        }),
    ),
  );
}
