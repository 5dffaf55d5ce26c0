/**
 * `npm run bench:detect`: a benchmark, not a test. Generates (once, seeded) a 250 MB uncompressed
 * CloudTrail archive under bench/out/archive, then in the same run times, over the same files, each
 * as the median of $BENCH_RUNS runs (default 5; the contenders take turns, so that a busy moment of
 * a shared machine hits them alike):
 *   1. `detect` (the built CLI, default jobs = all cores), with its peak RSS, and `detect --jobs 1`,
 *      by wall time and by the scan time detect reports (its start-up excluded),
 *   2. `zcat <files> | jq -c '<the same rule>'` (fewer runs: it is slow),
 *   3. `zcat <files> > /dev/null` (the decompression floor of the usual tool),
 *   4. inflate-only Node loops (zlib.gunzipSync of every file): on one thread (the limit of one scan
 *      thread) and split over two worker threads (how far inflating alone scales on this machine:
 *      the ceiling of --jobs 2 vs --jobs 1),
 *   5. `preview` (the SCP replay, the built CLI, default jobs) over the same archive, as a ratio to detect,
 * and prints records/s, MB/s (uncompressed) and the ratios, with the load average before and after
 * (the machine may be shared: ratios from one run are comparable, absolute times are not). It also
 * checks that detect and jq found the same events, so the comparison is between equivalent work.
 *
 * Options (env): BENCH_GB (default 0.25), BENCH_SEED (default 42), BENCH_RUNS (default 5), BENCH_SKIP_JQ=1,
 * BENCH_BEDROCK_SHARE (default 0: about 1 record in 1,000 is Bedrock; 0.2 is the Bedrock-heavy archive).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Condition } from "../src/guardrail/definition";
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

function ensureJq(): boolean {
  if (spawnSync("jq", ["--version"]).status === 0) return true;
  log("jq not found: installing it from Debian (apt-get update && apt-get install -y jq)\n");
  const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
  const run = (args: string[]): boolean =>
    spawnSync(sudo[0] ?? args[0], sudo.length ? args : args.slice(1), { stdio: "inherit" }).status === 0;
  return (
    run(["apt-get", "update"]) && run(["apt-get", "install", "-y", "jq"]) && spawnSync("jq", ["--version"]).status === 0
  );
}

/** The rules as a jq filter (the union of every rule), from the same compiled guardrail the scanner uses. */
function jqFilter(entry: string): string {
  const { loadGuardrail } = require(
    path.join(path.dirname(entry), "..", "guardrail", "guardrail.js"),
  ) as typeof import("../src/guardrail/guardrail");
  const { conditionKind, whereAlternatives } = require(
    path.join(path.dirname(entry), "..", "guardrail", "definition.js"),
  ) as typeof import("../src/guardrail/definition");
  const g = loadGuardrail({ configPath: path.join(root, "guardrail.config.json") });
  const list = (values: string[]) => values.map((v) => JSON.stringify(v)).join(",");
  const rules = g.rules.map((r) => {
    const outcome =
      r.outcome === "any"
        ? "true"
        : r.outcome === "success"
          ? `(.errorCode == null or (.errorCode | type == "string" and test("^\\\\s*$")))`
          : `(.errorCode | IN(${list(r.errorCodes ?? [])}))`;
    const condition = (c: Condition) => {
      const field = c.field
        .split(".")
        .map((key) => `.${key}?`)
        .join("");
      const k = conditionKind(c);
      // [path][0]: null, not empty output, when a step of the path is not an object.
      const value = `([${field}] | .[0])`;
      if (k.kind === "equals") return `(${value} | type == "string" and IN(${list(k.values)}))`;
      if (k.kind === "startsWith") return `(${value} | type == "string" and startswith(${JSON.stringify(k.prefix)}))`;
      if (k.kind === "is") return `(${value} | . == ${k.value} or . == "${k.value}")`;
      return `((${value} != null) == ${k.value})`;
    };
    // A where entry: one condition, or an anyOf's lists (every condition of one list holds).
    const where = r.where.map(
      (entry) =>
        `(${whereAlternatives(entry)
          .map((list) => `(${list.map(condition).join(" and ")})`)
          .join(" or ")})`,
    );
    return [
      `.eventSource == ${JSON.stringify(r.eventSource)}`,
      `(.eventName | IN(${list(r.eventNames)}))`,
      outcome,
      ...where,
    ]
      .map((part) => `(${part})`)
      .join(" and ");
  });
  return `.Records[] | select(${rules.map((r) => `(${r})`).join(" or ")}) | .eventID`;
}

/** Inflates its files (workerData) with zlib.gunzipSync, as the inflate-only loop does, once told to go. */
const INFLATE_WORKER = `const { parentPort, workerData } = require("worker_threads");
const fs = require("fs"), zlib = require("zlib");
parentPort.once("message", () => {
  for (const f of workerData) zlib.gunzipSync(fs.readFileSync(f));
  parentPort.postMessage("done");
});
parentPort.postMessage("ready");`;
/**
 * Deals the files (argv[1]) round-robin to argv[2] worker threads and, once all have booted, times
 * them from "go" to the last "done" (seconds on stdout): the scaling of inflating itself.
 */
const INFLATE_ON_THREADS = `const { Worker } = require("worker_threads");
const [files, threads, code] = [JSON.parse(process.argv[1]), Number(process.argv[2]), process.argv[3]];
const workers = [];
let ready = 0, done = 0, start = 0n;
for (let t = 0; t < threads; t++) {
  const w = new Worker(code, { eval: true, workerData: files.filter((_, i) => i % threads === t) });
  workers.push(w);
  w.on("message", (m) => {
    if (m === "ready" && ++ready === threads) {
      start = process.hrtime.bigint();
      for (const x of workers) x.postMessage("go");
    }
    if (m === "done" && ++done === threads) {
      console.log(Number(process.hrtime.bigint() - start) / 1e9);
      for (const x of workers) x.terminate();
    }
  });
}`;

async function inflateOnThreads(files: string[], threads: number): Promise<number> {
  const args = ["-e", INFLATE_ON_THREADS, JSON.stringify(files), String(threads), INFLATE_WORKER];
  return Number((await timed(process.execPath, args)).stdout.trim());
}

interface DetectRun {
  seconds: number;
  scanSeconds: number;
  rssMb: number;
  ids: string[];
}

async function main(): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const entry = ensureBuilt();
  const archive = ensureArchive();
  const files = listFiles(archiveDir);
  const mb = archive.uncompressedBytes / 1e6;
  log(
    `archive: ${files.length} files, ${archive.records} records, ${mb.toFixed(0)} MB uncompressed, ` +
      `${(archive.compressedBytes / 1e6).toFixed(0)} MB gzipped; ${runs} runs each\n`,
  );

  const loadBefore = os.loadavg()[0];
  await warmCache(files);
  const fileArgs = files.map(shellQuote).join(" ");

  const detectOnce = async (jobs: string[]): Promise<DetectRun> => {
    const rssProbe =
      `const m=require(${JSON.stringify(entry)});m.main(process.argv).then(()=>process.on("exit",()=>` +
      `process.stderr.write("\\nPEAK_RSS_KB "+process.resourceUsage().maxRSS+"\\n")))`;
    const t = await timed(process.execPath, [
      "-e",
      rssProbe,
      "bedrock-guardrail",
      "detect",
      "--format",
      "ndjson",
      "--include-approved",
      ...jobs,
      archiveDir,
    ]);
    const rssKb = Number(/PEAK_RSS_KB (\d+)/.exec(t.stderr)?.[1] ?? NaN);
    const scanSeconds = Number(/ in ([\d.]+) s\n/.exec(t.stderr)?.[1] ?? NaN);
    // jq matches single events: the correlation rules' findings (which jq cannot express) are counted apart.
    const findings = t.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { event: { id: string }; guardrail: { correlation?: unknown } });
    const ids = findings.filter((f) => !f.guardrail.correlation).map((f) => f.event.id);
    return { seconds: t.seconds, scanSeconds, rssMb: rssKb / 1024, ids };
  };
  const previewOnce = async (): Promise<{ seconds: number; scanSeconds: number }> => {
    const t = await timed(process.execPath, [entry, "preview", "--format", "json", archiveDir]);
    return { seconds: t.seconds, scanSeconds: Number(/ in ([\d.]+) s\n/.exec(t.stderr)?.[1] ?? NaN) };
  };
  const inflateLoop =
    `const fs=require("fs"),zlib=require("zlib");let n=0;` +
    `for(const f of JSON.parse(process.argv[1]))n+=zlib.gunzipSync(fs.readFileSync(f)).length;console.log(n)`;

  const all: DetectRun[] = [];
  const one: DetectRun[] = [];
  const zcat: number[] = [];
  const inflate: number[] = [];
  const inflate1: number[] = [];
  const inflate2: number[] = [];
  const previews: { seconds: number; scanSeconds: number }[] = [];
  for (let run = 1; run <= runs; run++) {
    log(`run ${run}/${runs}: detect, preview, detect --jobs 1, zcat > /dev/null, inflate loops\n`);
    all.push(await detectOnce([]));
    previews.push(await previewOnce());
    one.push(await detectOnce(["--jobs", "1"]));
    zcat.push((await timed("sh", ["-c", `zcat ${fileArgs} > /dev/null`])).seconds);
    inflate.push((await timed(process.execPath, ["-e", inflateLoop, JSON.stringify(files)])).seconds);
    inflate1.push(await inflateOnThreads(files, 1));
    inflate2.push(await inflateOnThreads(files, 2));
  }
  const jq: number[] = [];
  let jqIds: string[] = [];
  if (process.env.BENCH_SKIP_JQ !== "1" && ensureJq()) {
    for (let run = 1; run <= Math.min(runs, 3); run++) {
      log(`zcat | jq (${run}/${Math.min(runs, 3)}) ...\n`);
      const t = await timed("sh", ["-c", `zcat ${fileArgs} | jq -r ${shellQuote(jqFilter(entry))}`]);
      jq.push(t.seconds);
      jqIds = [...new Set(t.stdout.split("\n").filter(Boolean))];
    }
  }
  const loadAfter = os.loadavg()[0];

  const detect = median(all.map((r) => r.seconds));
  const detect1 = median(one.map((r) => r.seconds));
  const scanAll = median(all.map((r) => r.scanSeconds));
  const scan1 = median(one.map((r) => r.scanSeconds));
  const rssAll = Math.max(...all.map((r) => r.rssMb));
  const rss1 = Math.max(...one.map((r) => r.rssMb));
  const rate = (seconds: number): string =>
    `${(archive.records / seconds / 1e6).toFixed(2)} M records/s, ${(mb / seconds).toFixed(0)} MB/s`;
  const x = (slow: number, fast: number): string => `${(slow / fast).toFixed(2)}x`;
  const s = (seconds: number): string => `${seconds.toFixed(2)} s`;
  const mbOf = (rss: number): string => `${rss.toFixed(0)} MB`;
  const cores = os.availableParallelism();
  const sameAsJq = jq.length > 0 && [...all, ...one].every((r) => sameSet(r.ids, jqIds));
  const lines = [
    ``,
    `=== bench:detect (${files.length} files, ${archive.records} records, ${mb.toFixed(0)} MB uncompressed; ` +
      `medians of ${runs} runs) ===`,
    `machine: ${cores} cores, load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
    `detect (jobs=${cores}):`.padEnd(24) +
      `${s(detect)}  ${rate(detect)}  scan ${s(scanAll)}  peak RSS ${mbOf(rssAll)}`,
    `detect --jobs 1:`.padEnd(24) + `${s(detect1)}  ${rate(detect1)}  scan ${s(scan1)}  peak RSS ${mbOf(rss1)}`,
    jq.length ? `zcat | jq:              ${s(median(jq))}  ${rate(median(jq))}` : `zcat | jq:              skipped`,
    `zcat > /dev/null:       ${s(median(zcat))}  ${rate(median(zcat))}`,
    `inflate-only Node loop: ${s(median(inflate))}  ${rate(median(inflate))}  (one thread)`,
    `inflate on 1 / 2 worker threads: ${s(median(inflate1))} / ${s(median(inflate2))}`,
    jq.length ? `detect vs jq pipeline:  ${x(median(jq), detect)}  (goal >= 10x)` : ``,
    `detect vs zcat floor:   ${x(median(zcat), detect)}  (goal >= ${bedrockShare > 0 ? "1.3" : "2.0"}x)`,
    `detect vs inflate loop: ${x(median(inflate), detect)}  (the one-thread limit; > 1 only with several workers)`,
    `--jobs 2 vs --jobs 1:   ${x(scan1, scanAll)} by scan time, ${x(detect1, detect)} by wall time (goal >= 1.7x; ` +
      `inflating alone scales ${x(median(inflate1), median(inflate2))} on 2 threads here)`,
    `peak RSS of detect:     ${Math.max(rssAll, rss1).toFixed(0)} MB  (goal < 300 MB)`,
    `preview (jobs=${cores}):`.padEnd(24) +
      `${s(median(previews.map((p) => p.seconds)))}  scan ${s(median(previews.map((p) => p.scanSeconds)))}`,
    `preview vs detect:      ${x(median(previews.map((p) => p.seconds)), detect)} by wall time, ` +
      `${x(median(previews.map((p) => p.scanSeconds)), scanAll)} by scan time (goal <= 2x)`,
    jq.length
      ? `same events found:      ${sameAsJq ? "yes" : "NO"} (detect ${new Set(all[0].ids).size}, jq ${jqIds.length})`
      : ``,
  ].filter((l) => l !== ``);
  process.stdout.write(`${lines.join("\n")}\n`);
  if (jq.length && !sameAsJq) process.exitCode = 1;
}

function sameSet(a: string[], b: string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

void main().catch((e) => {
  process.stderr.write(`bench:detect failed: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
