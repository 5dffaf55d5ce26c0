/**
 * The synth entry point as `npm run synth` (and `npx cdktf synth`) runs it: the compiled main.js,
 * config from $GUARDRAIL_CONFIG: a bad config is refused before anything is written, naming the key,
 * with a non-zero exit, and a failed synth removes the previous output. Its success (every stack
 * written, each named on stdout) is checked in cli-synth.test.ts.
 *
 * @slow (synthesizes in child processes)
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../../src/config/load";
import { loadGuardrail } from "../../src/guardrail/guardrail";

const ROOT = path.join(__dirname, "..", "..");
const MAIN = path.join(ROOT, "dist", "main.js");

function synth(config: unknown): { status: number | null; stdout: string; stderr: string; cwd: string } {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "synth-entry-"));
  const file = path.join(cwd, "config.json");
  fs.writeFileSync(file, JSON.stringify(config));
  const run = spawnSync(process.execPath, [MAIN], {
    cwd,
    env: { ...process.env, GUARDRAIL_CONFIG: file },
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, cwd };
}

describe("synth entry point (dist/main.js)", () => {
  // Writing every stack and naming each file on stdout: test/entry/cli-synth.test.ts, whose main.js run
  // with the default config is this suite's success case (one synth fewer in the test run).

  it("refuses a bad config before writing anything: exit 2, the file and the problem on stderr", () => {
    const run = synth({ approvedPrincipalArns: ["*"] });
    try {
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/config\.json is invalid:\n/);
      expect(run.stderr).toMatch(/- approvedPrincipalArns\[0\]: "\*" exempts every principal/);
      expect(run.stdout).toBe("");
      expect(fs.existsSync(path.join(run.cwd, "cdktf.out"))).toBe(false);
    } finally {
      fs.rmSync(run.cwd, { recursive: true, force: true });
    }
  }, 60_000);

  // The other refusals are the same loadGuardrail call main.ts makes, checked in process.
  it.each([
    [{ approvedPrincipalArns: ["arn:aws:iam::*:role/A"], foo: 1 }, /- \(top level\): unknown key\(s\) "foo"/],
    [{ approvedPrincipalArns: ["arn:aws:iam::*:role/*"] }, /- approvedPrincipalArns\[0\]: .* exempts every role/],
    [
      { approvedPrincipalArns: ["arn:aws:iam::*:role/A"], targets: ["ou-abc"] },
      /- targets\[0\]: must be an organization root/,
    ],
  ])("refuses %j with a ConfigError naming the key", (config, message) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-config-"));
    try {
      const file = path.join(dir, "config.json");
      fs.writeFileSync(file, JSON.stringify(config));
      let error: unknown;
      try {
        loadGuardrail({ configPath: file });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/config\.json is invalid:\n/);
      expect((error as Error).message).toMatch(message);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a failed synth leaves no stale plan", () => {
  it("removes the previous cdktf.out and says so", () => {
    // A previous plan as cdktf leaves it (its manifest marks the folder); the first test proves main.js writes one.
    const good = { cwd: fs.mkdtempSync(path.join(os.tmpdir(), "synth-entry-")) };
    try {
      const previous = path.join(good.cwd, "cdktf.out", "stacks", "organization-policy");
      fs.mkdirSync(previous, { recursive: true });
      fs.writeFileSync(path.join(good.cwd, "cdktf.out", "manifest.json"), JSON.stringify({ stacks: {} }));
      fs.writeFileSync(path.join(previous, "cdk.tf.json"), "{}");
      const file = path.join(good.cwd, "config.json");
      fs.writeFileSync(
        file,
        JSON.stringify({
          approvedPrincipalArns: Array.from({ length: 40 }, (_, i) => `arn:aws:iam::${100000000000 + i}:role/A${i}`),
          scp: { maxPolicySize: 1000 },
        }),
      );
      const failed = spawnSync(process.execPath, [MAIN], {
        cwd: good.cwd,
        env: { ...process.env, GUARDRAIL_CONFIG: file },
        encoding: "utf8",
      });
      expect(failed.status).toBe(2);
      expect(failed.stderr).toMatch(/bedrock-guardrail: the SCP failed lint\n/);
      expect(failed.stderr).toMatch(/bedrock-guardrail: nothing was synthesized; the previous cdktf\.out was removed/);
      expect(fs.existsSync(path.join(good.cwd, "cdktf.out"))).toBe(false);
    } finally {
      fs.rmSync(good.cwd, { recursive: true, force: true });
    }
  }, 60_000);
});
