/** Worker-thread entry: scans the files the pool sends (worker-protocol.ts) and posts each result back. */
import { parentPort } from "node:worker_threads";
import { SourceScanner } from "./scan-source";
import { serveScanTasks } from "./worker-protocol";

if (parentPort) {
  serveScanTasks(parentPort, "scan worker", ({ guardrail, options }) => {
    const scanner = new SourceScanner(guardrail, options);
    return (path) => scanner.scanFile(path);
  });
}
