/**
 * What the detect benchmarks share (bench/detect.ts, bench/floor.ts): the seeded archive they time, its files, a
 * timed child process, the median of runs. Options (env): BENCH_GB (default 0.25), BENCH_SEED (default 42),
 * BENCH_RUNS (default 5), BENCH_BEDROCK_SHARE (default 0: about 1 record in 1,000 is Bedrock; 0.2 is the
 * Bedrock-heavy archive).
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { generateArchive } from "./generate";

export const root = path.join(__dirname, "..", "..");
export const outDir = path.join(root, "bench", "out");
/** BENCH_BEDROCK_SHARE=0.2: the Bedrock-heavy archive (20% Bedrock records, half of them invocations). */
export const bedrockShare = Number(process.env.BENCH_BEDROCK_SHARE ?? 0);
export const archiveDir = path.join(outDir, bedrockShare > 0 ? `archive-bedrock-${bedrockShare}` : "archive");
const seed = Number(process.env.BENCH_SEED ?? 42);
const targetBytes = Math.round(Number(process.env.BENCH_GB ?? 0.25) * 1e9);
export const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));

export function log(s: string): void {
  process.stderr.write(s);
}

/** The archive's `.json.gz` files, in sorted order (as detect walks a directory). */
export function listFiles(dir: string): string[] {
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

export interface ArchiveStats {
  records: number;
  uncompressedBytes: number;
  compressedBytes: number;
  files: number;
}

/** Generates the archive (seeded, so the same bytes every time), or reuses it when its manifest matches. */
export function ensureArchive(): ArchiveStats {
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
  const stats = generateArchive({ dir: archiveDir, seed, targetBytes, bedrockShare }, log);
  log(`\n`);
  return stats;
}

/** Builds dist/ (whatever compiles) and returns the built CLI's entry. */
export function ensureBuilt(): string {
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

export interface Timed {
  seconds: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end and times it (wall clock); exit codes 0 and 1 count as success. */
export function timed(cmd: string, args: string[], opts: { shell?: boolean } = {}): Promise<Timed> {
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

export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Warms the page cache, so that no contender pays for the disk. */
export async function warmCache(files: string[]): Promise<void> {
  await timed("sh", ["-c", `cat ${files.map(shellQuote).join(" ")} > /dev/null`]);
}
