/** A worker that dies costs (at most) its file, is retried once, and never hangs the scan. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import type { Finding } from "../../../src/detection/finding";
import { expandInputs } from "../../../src/detection/scan/inputs";
import { EventEmitter } from "node:events";
import type { MessagePort } from "node:worker_threads";
import { TASKS_IN_FLIGHT, type WorkerFactory } from "../../../src/detection/scan/pool";
import type { SourceResult } from "../../../src/detection/scan/scan-source";
import { serveScanTasks, type ToScanWorker } from "../../../src/detection/scan/worker-protocol";
import { scan, type ScanProblem } from "../../../src/detection/scan/scan";
import { FIXTURES, testGuardrail, tsWorkerFactory } from "./helpers";

const guardrail = testGuardrail();
let tmp: string;
let files: string[];
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "scan-pool-"));
  const delivery = JSON.parse(fs.readFileSync(path.join(FIXTURES, "delivery.json"), "utf8")).Records;
  files = ["a", "crash", "b", "c"].map((name) => {
    const records = Array.from({ length: 2000 }, (_, i) => ({ ...delivery[i % 3], eventID: `${name}-${i}` }));
    const file = path.join(tmp, `${name}.json.gz`);
    fs.writeFileSync(file, zlib.gzipSync(JSON.stringify({ Records: records })));
    return file;
  });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * Workers that die (exit code 7, no `error` event, as when killed) on the crash file, after a few
 * of its records were parsed (mid-file): every time, or only the first time (a flag file remembers
 * it). The worker holds other files too; only the crash file's records trigger it.
 */
function crashingFactory(mode: "once" | "always") {
  const flag = path.join(tmp, `crashed-${mode}-${Date.now()}`);
  return tsWorkerFactory(`
      const fs = require("fs");
      let parsed = 0;
      const parse = JSON.parse;
      JSON.parse = function (text, ...rest) {
        const crashing = ${JSON.stringify(mode)} === "always" || !fs.existsSync(${JSON.stringify(flag)});
        if (crashing && typeof text === "string" && text.includes('"crash-') && ++parsed === 3) {
          fs.writeFileSync(${JSON.stringify(flag)}, "");
          process.exit(7);
        }
        return parse.call(this, text, ...rest);
      };`);
}

async function run(workerFactory: WorkerFactory, inputs = files) {
  const findings: Finding[] = [];
  const problems: ScanProblem[] = [];
  const summary = await scan(guardrail, expandInputs(inputs), {
    jobs: 2,
    minBytesForWorkers: 0,
    workerFactory,
    onFinding: (f) => findings.push(f),
    onProblem: (p) => problems.push(p),
  });
  return { findings, problems, summary };
}

describe("scan worker pool", () => {
  it("retries the file of a worker killed mid-file once, in a fresh worker: nothing is lost", async () => {
    const { findings, summary } = await run(crashingFactory("once"));
    expect(summary.unreadable).toEqual([]);
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith("crashed-once"))).toHaveLength(1);
    expect(findings.map((f) => f.event.id)).toEqual(
      ["a", "crash", "b", "c"].flatMap((n) => Array.from({ length: 666 }, (_, i) => `${n}-${3 * i + 2}`)),
    );
  });

  it("puts back the file a killed worker held but had not begun: nothing is lost", async () => {
    // The crash file first: its worker holds the next file (TASKS_IN_FLIGHT) when it dies on the first.
    const crashFirst = [files[1], files[0], files[2], files[3]];
    const { findings, summary } = await run(crashingFactory("once"), crashFirst);
    expect(summary.unreadable).toEqual([]);
    expect(findings.map((f) => f.event.id)).toEqual(
      ["crash", "a", "b", "c"].flatMap((n) => Array.from({ length: 666 }, (_, i) => `${n}-${3 * i + 2}`)),
    );
  });

  it("sends a worker its next file before the one it is on comes back, while every worker can get one", async () => {
    const factory = tsWorkerFactory();
    // For each result: how many files its worker had been sent when it came back.
    const sentWhenAnswered: number[] = [];
    const { findings, summary } = await run(() => {
      const worker = factory();
      let sent = 0;
      const post = worker.postMessage.bind(worker);
      worker.postMessage = (message: ToScanWorker) => {
        if (message.kind === "scan") sent++;
        post(message);
      };
      worker.on("message", () => sentWhenAnswered.push(sent));
      return worker;
    });
    expect(summary.unreadable).toEqual([]);
    expect(findings).toHaveLength(4 * 666);
    // Four files, two workers: the first gets two (two are left for the other), the other one, then one more.
    expect(TASKS_IN_FLIGHT).toBe(2);
    expect(sentWhenAnswered.sort()).toEqual([1, 2, 2, 2]);
  });

  it("reports a file whose worker dies twice as unreadable, with the reason; the others are scanned", async () => {
    const { findings, problems, summary } = await run(crashingFactory("always"));
    expect(summary.unreadable).toEqual([
      { name: files[1], reason: "the scan worker died on this file 2 times (exit code 7)" },
    ]);
    expect(problems.filter((p) => p.kind === "unreadable")).toHaveLength(1);
    expect(new Set(findings.map((f) => f.event.id.split("-")[0]))).toEqual(new Set(["a", "b", "c"]));
    expect(summary.files).toBe(4);
  });

  it("scans every file when no worker could start ahead of the scan but one can at its start", async () => {
    const factory = tsWorkerFactory();
    let calls = 0;
    const { findings, summary } = await run(() => {
      if (++calls <= 2) throw new Error("not yet");
      return factory();
    });
    expect(calls).toBe(3);
    expect(summary.unreadable).toEqual([]);
    expect(findings).toHaveLength(4 * 666);
  });

  it("reports every file when no worker can start, instead of waiting", async () => {
    const { summary } = await run(() => {
      throw new Error("no threads here");
    });
    expect(summary.unreadable.map((u) => u.reason)).toEqual(
      files.map(() => "cannot start a scan worker: no threads here"),
    );
  });
});

describe("scan worker protocol (serveScanTasks)", () => {
  it("scans the files a worker is sent one at a time, in order, when a scan waits for I/O", async () => {
    const port = new EventEmitter() as EventEmitter & { posted: unknown[]; postMessage(m: unknown): void };
    port.posted = [];
    port.postMessage = (m) => port.posted.push(m);
    let running = 0;
    let mostAtOnce = 0;
    const started: string[] = [];
    serveScanTasks(port as unknown as MessagePort, "test worker", () => async (file) => {
      started.push(file);
      mostAtOnce = Math.max(mostAtOnce, ++running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return { name: file } as SourceResult;
    });
    port.emit("message", { kind: "setup", setup: {} } as ToScanWorker);
    for (const [index, file] of ["x", "y", "z"].entries()) port.emit("message", { kind: "scan", index, path: file });
    while (port.posted.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(mostAtOnce).toBe(1);
    expect(started).toEqual(["x", "y", "z"]);
    expect(port.posted).toEqual([0, 1, 2].map((index) => ({ index, result: { name: ["x", "y", "z"][index] } })));
  });
});
