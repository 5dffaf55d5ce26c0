/** A worker that dies costs (at most) its file, is retried once, and never hangs the scan. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import type { Finding } from "../../../src/detection/finding";
import { expandInputs } from "../../../src/detection/scan/inputs";
import type { WorkerFactory } from "../../../src/detection/scan/pool";
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

async function run(workerFactory: WorkerFactory) {
  const findings: Finding[] = [];
  const problems: ScanProblem[] = [];
  const summary = await scan(guardrail, expandInputs(files), {
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
