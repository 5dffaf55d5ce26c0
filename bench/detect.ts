/**
 * `npm run bench:detect`: a benchmark, not a test. Generates (once, seeded) a 250 MB uncompressed
 * CloudTrail archive under bench/out/archive, then in the same run times, over the same files:
 *   1. `detect` (the built CLI, default jobs = all cores), with its peak RSS, and `detect --jobs 1`,
 *   2. `zcat <files> | jq -c '<the same rule>'`,
 *   3. `zcat <files> > /dev/null` (the decompression floor of the usual tool),
 *   4. an inflate-only Node loop (zlib.gunzipSync of every file, one thread: the limit of the scan),
 * and prints records/s, MB/s (uncompressed) and the ratios, with the load average before and after
 * (the machine may be shared: ratios from one run are comparable, absolute times are not). It also
 * checks that detect and jq found the same events, so the comparison is between equivalent work.
 *
 * Options (env): BENCH_GB (default 0.25), BENCH_SEED (default 42), BENCH_SKIP_JQ=1.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateArchive } from "./generate";

const root = path.join(__dirname, "..", "..");
const outDir = path.join(root, "bench", "out");
const archiveDir = path.join(outDir, "archive");
const seed = Number(process.env.BENCH_SEED ?? 42);
const targetBytes = Math.round(Number(process.env.BENCH_GB ?? 0.25) * 1e9);

function log(s: string): void {
  process.stderr.write(s);
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".json.gz")) out.push(p);
    }
  };
  walk(dir);
  return out;
}

function ensureArchive(): { records: number; uncompressedBytes: number; compressedBytes: number; files: number } {
  const manifest = `${archiveDir}.manifest.json`;
  if (fs.existsSync(manifest)) {
    const m = JSON.parse(fs.readFileSync(manifest, "utf8"));
    if (m.seed === seed && m.targetBytes === targetBytes) {
      log(`reusing ${path.relative(root, archiveDir)} (seed ${seed})\n`);
      return m;
    }
  }
  fs.rmSync(archiveDir, { recursive: true, force: true });
  log(
    `generating ${(targetBytes / 1e9).toFixed(2)} GB (uncompressed) into ${path.relative(root, archiveDir)} (seed ` +
      `${seed})...\n`,
  );
  const stats = generateArchive({ dir: archiveDir, seed, targetBytes }, log);
  log(`\n`);
  return stats;
}

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

function ensureBuilt(): string {
  const entry = path.join(root, "dist", "src", "cli", "index.js");
  // Build whatever compiles; other parts of the tree may be mid-edit, which must not stop the bench.
  spawnSync(
    process.execPath,
    [require.resolve("typescript/bin/tsc", { paths: [root] }), "-p", path.join(root, "tsconfig.build.json")],
    { stdio: "ignore" },
  );
  if (!fs.existsSync(entry)) throw new Error("build failed: dist/src/cli/index.js missing");
  return entry;
}

interface Timed {
  seconds: number;
  stdout: string;
  stderr: string;
}

function timed(cmd: string, args: string[], opts: { shell?: boolean } = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd: root, shell: opts.shell ?? false, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0 && code !== 1) reject(new Error(`${cmd} exited ${code}: ${stderr.slice(0, 2000)}`));
      else resolve({ seconds, stdout, stderr });
    });
  });
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The rules as a jq filter (the union of every rule), from the same compiled guardrail the scanner uses. */
function jqFilter(entry: string): string {
  const { loadGuardrail } = require(
    path.join(path.dirname(entry), "..", "guardrail", "guardrail.js"),
  ) as typeof import("../src/guardrail/guardrail");
  const g = loadGuardrail({ configPath: path.join(root, "guardrail.config.json") });
  const list = (values: string[]) => values.map((v) => JSON.stringify(v)).join(",");
  const rules = g.rules.map((r) => {
    const outcome =
      r.outcome === "any"
        ? "true"
        : r.outcome === "success"
          ? `(.errorCode == null or (.errorCode | type == "string" and test("^\\\\s*$")))`
          : `(.errorCode | IN(${list(r.errorCodes ?? [])}))`;
    const where = r.where.map((c) => {
      const field = c.field
        .split(".")
        .map((key) => `.${key}?`)
        .join("");
      return "equals" in c
        ? `(${field} | type == "string" and IN(${list(c.equals)}))`
        : `(${field} | type == "string" and startswith(${JSON.stringify(c.startsWith)}))`;
    });
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

async function main(): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const entry = ensureBuilt();
  const archive = ensureArchive();
  const files = listFiles(archiveDir);
  const mb = archive.uncompressedBytes / 1e6;
  log(
    `archive: ${files.length} files, ${archive.records} records, ${mb.toFixed(0)} MB uncompressed, ` +
      `${(archive.compressedBytes / 1e6).toFixed(0)} MB gzipped\n`,
  );

  const loadBefore = os.loadavg()[0];
  // Warm the page cache so that no contender pays for the disk.
  await timed("sh", ["-c", `cat ${files.map(shellQuote).join(" ")} > /dev/null`]);

  const fileArgs = files.map(shellQuote).join(" ");
  log("zcat > /dev/null ...\n");
  const zcat = await timed("sh", ["-c", `zcat ${fileArgs} > /dev/null`]);

  const inflateLoop =
    `const fs=require("fs"),zlib=require("zlib");let n=0;` +
    `for(const f of JSON.parse(process.argv[1]))n+=zlib.gunzipSync(fs.readFileSync(f)).length;console.log(n)`;
  log("inflate-only Node loop ...\n");
  const inflate = await timed(process.execPath, ["-e", inflateLoop, JSON.stringify(files)]);

  const runDetect = async (jobs: string[]): Promise<{ t: Timed; rssMb: number; ids: string[] }> => {
    log(`detect ${jobs.join(" ")} ...\n`);
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
    log(t.stderr.replace(/\nPEAK_RSS_KB \d+\n/, ""));
    const ids = t.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l).event.id as string);
    return { t, rssMb: rssKb / 1024, ids };
  };
  const detectAll = await runDetect([]);
  const detect1 = await runDetect(["--jobs", "1"]);
  const detect2 = os.availableParallelism() === 2 ? detectAll : await runDetect(["--jobs", "2"]);
  const detect = detectAll.t;

  let jq: Timed | undefined;
  let jqIds: string[] = [];
  if (process.env.BENCH_SKIP_JQ !== "1" && ensureJq()) {
    log("zcat | jq ...\n");
    jq = await timed("sh", ["-c", `zcat ${fileArgs} | jq -r ${shellQuote(jqFilter(entry))}`]);
    jqIds = [...new Set(jq.stdout.split("\n").filter(Boolean))];
  }
  const loadAfter = os.loadavg()[0];

  const rate = (t: Timed): string =>
    `${(archive.records / t.seconds / 1e6).toFixed(2)} M records/s, ${(mb / t.seconds).toFixed(0)} MB/s`;
  const ratio = (slow: Timed, fast: Timed): string => `${(slow.seconds / fast.seconds).toFixed(2)}x`;
  const cores = os.availableParallelism();
  const lines = [
    ``,
    `=== bench:detect (${files.length} files, ${archive.records} records, ${mb.toFixed(0)} MB uncompressed) ===`,
    `machine: ${cores} cores, load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
    `detect (jobs=${cores}):        ${detect.seconds.toFixed(2)} s  ${rate(detect)}  peak RSS ` +
      `${detectAll.rssMb.toFixed(0)} MB`,
    `detect --jobs 1:        ${detect1.t.seconds.toFixed(2)} s  ${rate(detect1.t)}  peak RSS ` +
      `${detect1.rssMb.toFixed(0)} MB`,
    jq ? `zcat | jq:              ${jq.seconds.toFixed(2)} s  ${rate(jq)}` : `zcat | jq:              skipped`,
    `zcat > /dev/null:       ${zcat.seconds.toFixed(2)} s  ${rate(zcat)}`,
    `inflate-only Node loop: ${inflate.seconds.toFixed(2)} s  ${rate(inflate)}  (one thread)`,
    jq ? `detect vs jq pipeline:  ${ratio(jq, detect)}  (goal >= 10x)` : ``,
    `detect vs zcat floor:   ${ratio(zcat, detect)}  (goal >= 2.0x)`,
    `detect vs inflate loop: ${ratio(inflate, detect)}  (the one-thread limit; > 1 only with several workers)`,
    `--jobs 2 vs --jobs 1:   ${ratio(detect1.t, detect2.t)}  (goal >= 1.7x)`,
    `peak RSS of detect:     ${Math.max(detectAll.rssMb, detect1.rssMb).toFixed(0)} MB  (goal < 300 MB)`,
    jq
      ? `same events found:      ${sameSet(detectAll.ids, jqIds) && sameSet(detect1.ids, jqIds) ? "yes" : "NO"} ` +
        `(detect ${new Set(detectAll.ids).size}, jq ${jqIds.length})`
      : ``,
  ].filter((l) => l !== ``);
  process.stdout.write(`${lines.join("\n")}\n`);
  if (jq && !(sameSet(detectAll.ids, jqIds) && sameSet(detect1.ids, jqIds))) process.exitCode = 1;
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
