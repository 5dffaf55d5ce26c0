/**
 * `npm run bench:floor`: a benchmark, not a test. The floor of any exact scan of the bench archive on this
 * machine, against `zcat > /dev/null` and `detect` in the same run (medians of $BENCH_RUNS runs that take turns).
 *
 * The floor is a process that does only what no exact scan can leave out: Node's start, loading the config and
 * the guardrail as detect does (its schema included) while two worker threads boot, then, on those two workers
 * (files handed out one at a time, as detect's pool does), reading and inflating every file and JSON.parse of
 * the records some rule's selector matches (an event rule's, or a step of a correlation rule's: a scan must read
 * their fields, and JSON.parse is the cheapest exact way to). Where those records are is worked out before the
 * timing, by the exact walker and the matcher, and handed to the workers for free: the floor finds no record
 * boundary, follows no depth, pre-filters nothing, evaluates no rule and correlates nothing. So detect can come
 * near it but not under it; if the floor itself misses a goal against zcat, the goal is out of reach here.
 *
 * It also prints how many records detect's pre-filter lets through to be parsed (some match no selector: the
 * pre-filter reads literals, not fields) and the CPU time (user + system, all threads) of the floor and detect.
 * Same archive and options as bench:detect (bench/archive.ts): BENCH_BEDROCK_SHARE=0.2 is the Bedrock-heavy one.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import {
  archiveDir,
  bedrockShare,
  ensureArchive,
  ensureBuilt,
  listFiles,
  log,
  median,
  outDir,
  root,
  runs,
  shellQuote,
  timed,
  warmCache,
} from "./archive";

/** Per file: the [offset, length] of each record a selector matches, in the inflated bytes. */
type Plan = { file: string; ranges: number[] }[];

interface PlanStats {
  mustParse: number;
  prefilterLetsThrough: number;
  records: number;
}

/** Works out, with the built scanner's exact walker and matcher, where the records a scan must parse are. */
function makePlan(entry: string, files: string[]): { plan: Plan; stats: PlanStats } {
  const dist = path.join(path.dirname(entry), "..");
  const load = <T>(p: string): T => require(path.join(dist, p)) as T;
  const { loadGuardrail } = load<typeof import("../src/guardrail/guardrail")>("guardrail/guardrail.js");
  const { selectorMatches } = load<typeof import("../src/detection/match")>("detection/match.js");
  const { detectScope } = load<typeof import("../src/detection/scan/record-evaluator")>(
    "detection/scan/record-evaluator.js",
  );
  const { Prefilter } = load<typeof import("../src/detection/scan/prefilter")>("detection/scan/prefilter.js");
  const { RecordSplitter } = load<typeof import("../src/detection/scan/record-splitter")>(
    "detection/scan/record-splitter.js",
  );
  const { selectorsOf } = load<typeof import("../src/guardrail/correlation-rule")>("guardrail/correlation-rule.js");
  const guardrail = loadGuardrail({ configPath: path.join(root, "guardrail.config.json") });
  // What detect's pre-filter lets through (record-evaluator.ts), and every selector a record can match.
  const prefilter = new Prefilter(detectScope(guardrail));
  const selectors = [...guardrail.rules, ...guardrail.correlationRules.flatMap(selectorsOf)];
  const stats: PlanStats = { mustParse: 0, prefilterLetsThrough: 0, records: 0 };
  const plan = files.map((file) => {
    const bytes = zlib.gunzipSync(fs.readFileSync(file));
    const ranges: number[] = [];
    let cursor = 0;
    const splitter = new RecordSplitter((value, _kind, hasU) => {
      // The walker's slices are in order: the next occurrence of the bytes is this record.
      const offset = bytes.indexOf(value, cursor);
      cursor = offset + value.length;
      stats.records++;
      if (prefilter.decide(value, hasU) === "may-match") stats.prefilterLetsThrough++;
      const record = JSON.parse(value.toString("utf8"));
      if (!selectors.some((selector) => selectorMatches(selector, record))) return;
      stats.mustParse++;
      ranges.push(offset, value.length);
    }, bytes.length);
    splitter.push(bytes);
    splitter.end();
    return { file, ranges };
  });
  return { plan, stats };
}

/** A floor worker: inflates each file it is sent and parses the planned records, then asks for the next. */
const FLOOR_WORKER = `const { parentPort } = require("worker_threads");
const fs = require("fs"), zlib = require("zlib");
parentPort.on("message", ({ file, ranges }) => {
  const bytes = zlib.gunzipSync(fs.readFileSync(file));
  let parsed = 0;
  for (let i = 0; i < ranges.length; i += 2)
    if (JSON.parse(bytes.toString("utf8", ranges[i], ranges[i] + ranges[i + 1])) !== null) parsed++;
  parentPort.postMessage(parsed);
});`;

/**
 * The floor process (argv: the built guardrail module, the config, the plan's file, the worker's code): starts
 * two workers, loads the guardrail meanwhile, then deals the files one at a time to whichever worker is free.
 * Prints the records parsed and the process's CPU time (ms).
 */
const FLOOR_PROCESS = `const { Worker } = require("worker_threads");
const [guardrailModule, configPath, planFile, code] = process.argv.slice(1);
const workers = [0, 1].map(() => new Worker(code, { eval: true }));
require(guardrailModule).loadGuardrail({ configPath });
const plan = JSON.parse(require("fs").readFileSync(planFile, "utf8"));
let next = 0, busy = 0, parsed = 0;
const give = (w) => {
  if (next < plan.length) { busy++; w.postMessage(plan[next++]); }
  else if (busy === 0) {
    const cpu = process.cpuUsage();
    console.log(parsed, (cpu.user + cpu.system) / 1000);
    for (const x of workers) x.terminate();
  }
};
for (const w of workers) {
  w.on("message", (n) => { parsed += n; busy--; give(w); });
  give(w);
}`;

async function main(): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const entry = ensureBuilt();
  const archive = ensureArchive();
  const files = listFiles(archiveDir);
  const mb = archive.uncompressedBytes / 1e6;
  log(`planning: finding the records a selector matches in ${files.length} files...\n`);
  const { plan, stats } = makePlan(entry, files);
  const planFile = path.join(outDir, `floor-plan-${path.basename(archiveDir)}.json`);
  fs.writeFileSync(planFile, JSON.stringify(plan));
  const guardrailModule = path.join(path.dirname(entry), "..", "guardrail", "guardrail.js");
  const configPath = path.join(root, "guardrail.config.json");

  const loadBefore = os.loadavg()[0];
  await warmCache(files);
  const fileArgs = files.map(shellQuote).join(" ");
  const cpuProbe =
    `const m=require(${JSON.stringify(entry)});m.main(process.argv).then(()=>process.on("exit",()=>{` +
    `const c=process.cpuUsage();process.stderr.write("\\nCPU_MS "+(c.user+c.system)/1000+"\\n")}))`;
  const floor: number[] = [];
  const floorCpu: number[] = [];
  const detect: number[] = [];
  const detectCpu: number[] = [];
  const zcat: number[] = [];
  let parsed = 0;
  for (let run = 1; run <= runs; run++) {
    log(`run ${run}/${runs}: floor, detect, zcat > /dev/null\n`);
    const f = await timed(process.execPath, ["-e", FLOOR_PROCESS, guardrailModule, configPath, planFile, FLOOR_WORKER]);
    floor.push(f.seconds);
    const [count, cpu] = f.stdout.trim().split(" ").map(Number);
    parsed = count;
    floorCpu.push(cpu / 1000);
    const d = await timed(process.execPath, [
      "-e",
      cpuProbe,
      "bedrock-guardrail",
      "detect",
      "--format",
      "ndjson",
      "--include-approved",
      archiveDir,
    ]);
    detect.push(d.seconds);
    detectCpu.push(Number(/CPU_MS ([\d.]+)/.exec(d.stderr)?.[1] ?? NaN) / 1000);
    zcat.push((await timed("sh", ["-c", `zcat ${fileArgs} > /dev/null`])).seconds);
  }
  const loadAfter = os.loadavg()[0];
  if (parsed !== stats.mustParse) throw new Error(`the floor parsed ${parsed} records, not ${stats.mustParse}`);

  const s = (seconds: number): string => `${seconds.toFixed(2)} s`;
  const x = (slow: number, fast: number): string => `${(slow / fast).toFixed(2)}x`;
  const goal = bedrockShare > 0 ? 1.3 : 2.0;
  const lines = [
    ``,
    `=== bench:floor (${files.length} files, ${archive.records} records, ${mb.toFixed(0)} MB uncompressed; ` +
      `medians of ${runs} runs) ===`,
    `machine: ${os.availableParallelism()} cores, load average ${loadBefore.toFixed(2)} before, ` +
      `${loadAfter.toFixed(2)} after`,
    `records a selector matches (the floor parses them): ${stats.mustParse} of ${stats.records}; ` +
      `detect's pre-filter lets ${stats.prefilterLetsThrough} through`,
    `floor (2 workers):      ${s(median(floor))}  CPU ${s(median(floorCpu))}`,
    `detect (2 workers):     ${s(median(detect))}  CPU ${s(median(detectCpu))}`,
    `zcat > /dev/null:       ${s(median(zcat))}`,
    `floor vs zcat:          ${x(median(zcat), median(floor))}  (the best any exact scan can do here)`,
    `detect vs zcat:         ${x(median(zcat), median(detect))}  (goal >= ${goal}x)`,
    `detect vs floor:        ${x(median(floor), median(detect))} by wall time, ` +
      `${x(median(floorCpu), median(detectCpu))} by CPU time`,
    `zcat time for ${goal}x:     ${s(median(zcat) / goal)}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

void main().catch((e) => {
  process.stderr.write(`bench:floor failed: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
