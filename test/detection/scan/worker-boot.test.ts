/**
 * A scan worker boots without the schema library: the workers only match records, and loading zod
 * was most of their start-up.
 */
import { tsWorkerFactory } from "./helpers";

test("a scan worker loads no zod module at boot", async () => {
  // Runs after the worker's script (worker.ts included) has loaded: lists the zod files it required.
  const report = `setImmediate(() => require("node:worker_threads").parentPort.postMessage({
    zod: Object.keys(require.cache).filter((file) => /[\\\\/]node_modules[\\\\/]zod[\\\\/]/.test(file)),
    modules: Object.keys(require.cache).length,
  }));`;
  const worker = tsWorkerFactory(report)();
  try {
    const loaded = await new Promise<{ zod: string[]; modules: number }>((resolve) => worker.once("message", resolve));
    expect(loaded.modules).toBeGreaterThan(10);
    expect(loaded.zod).toEqual([]);
  } finally {
    await worker.terminate();
  }
});
