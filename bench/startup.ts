/**
 * `npm run bench:startup`: how long the commands a person types take to start, as medians over
 * several runs beside `node -e 0` (the floor: starting Node itself). The goals: --version
 * within 2x of node -e 0, npm run synth <= 1.2 s, npx cdktf synth <= 4.0 s. Runs: $BENCH_RUNS
 * (default 7; `npx cdktf synth` gets at most 3). Needs a build (npm run build) first.
 */
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const CLI = path.join(ROOT, "dist", "src", "cli", "index.js");
const BIN = path.join(ROOT, "bin", "bedrock-guardrail.js");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";

interface Case {
  name: string;
  command: string;
  args: string[];
  runs?: number;
}

const CASES: Case[] = [
  { name: "node -e 0", command: process.execPath, args: ["-e", "0"] },
  { name: "bedrock-guardrail --version (dist)", command: process.execPath, args: [CLI, "--version"] },
  { name: "bedrock-guardrail --version (bin)", command: process.execPath, args: [BIN, "--version"] },
  { name: "bedrock-guardrail --help (dist)", command: process.execPath, args: [CLI, "--help"] },
  {
    name: "detect examples/cloudtrail (dist)",
    command: process.execPath,
    args: [CLI, "detect", path.join(ROOT, "examples", "cloudtrail")],
  },
  { name: "node dist/main.js (synth itself)", command: process.execPath, args: [path.join(ROOT, "dist", "main.js")] },
  { name: "npm run synth", command: npm, args: ["run", "--silent", "synth"] },
  { name: "npx cdktf synth", command: npx, args: ["cdktf", "synth"], runs: Math.min(RUNS, 3) },
];

function timeOnce(c: Case): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(c.command, c.args, {
    cwd: ROOT,
    stdio: "ignore",
    env: { ...process.env, CI: "true", CHECKPOINT_DISABLE: "1" },
  });
  if (run.status !== 0) throw new Error(`${c.name} exited ${run.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function main(): void {
  process.stdout.write(
    `bench:startup: ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(2)}, ${RUNS} runs each\n`,
  );
  let floor = 0;
  for (const c of CASES) {
    const runs = c.runs ?? RUNS;
    timeOnce(c); // warm the file system cache (and the Lambda bundle cache for the synths)
    const times = Array.from({ length: runs }, () => timeOnce(c));
    const m = median(times);
    if (floor === 0) floor = m;
    process.stdout.write(
      `${c.name.padEnd(40)} median ${(m / 1000).toFixed(3)} s  (${(m / floor).toFixed(1)}x node -e 0; ` +
        `min ${(Math.min(...times) / 1000).toFixed(3)} s, ${runs} runs)\n`,
    );
  }
}

main();
