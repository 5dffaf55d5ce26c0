/**
 * `bedrock-guardrail synth --config FILE --out DIR` writes the same files, byte for byte, as
 * `npm run synth` (dist/main.js with $GUARDRAIL_CONFIG), for the default and the realistic config,
 * and main.js names each file it wrote on stdout; a bad config writes nothing, names the key, and
 * removes the previous output.
 *
 * @slow (synthesizes in child processes)
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REALISTIC_CONFIG } from "../policy/helpers";

const ROOT = path.join(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "bedrock-guardrail.js");
const MAIN = path.join(ROOT, "dist", "main.js");

/** Every file under `dir`, relative, with its bytes. */
function tree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, full), fs.readFileSync(full));
  }
  return files;
}

describe("bedrock-guardrail synth", () => {
  let work: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "cli-synth-"));
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  it.each([
    ["default", JSON.parse(fs.readFileSync(path.join(ROOT, "guardrail.config.json"), "utf8"))],
    ["realistic", REALISTIC_CONFIG],
  ])(
    "writes the same Terraform JSON as npm run synth (%s config)",
    (name, config) => {
      const file = path.join(work, "config.json");
      fs.writeFileSync(file, JSON.stringify(config));
      const viaCli = spawnSync(process.execPath, [BIN, "synth", "--config", file, "--out", "out"], {
        cwd: work,
        encoding: "utf8",
      });
      expect(viaCli.status).toBe(0);
      const appDir = path.join(work, "app");
      fs.mkdirSync(appDir);
      const viaApp = spawnSync(process.execPath, [MAIN], {
        cwd: appDir,
        env: { ...process.env, GUARDRAIL_CONFIG: file },
        encoding: "utf8",
      });
      expect(viaApp.status).toBe(0);
      // main.js names each stack's file on stdout, and only that: the lint's warnings go to stderr, as the CLI's do.
      const lines = viaApp.stdout.trim().split("\n");
      expect(lines.every((l) => l.startsWith("bedrock-guardrail: ") && l.endsWith("cdk.tf.json"))).toBe(true);
      const reported = lines.map((l) => l.slice(19));
      expect(reported).toContain(path.join("cdktf.out", "stacks", "organization-policy", "cdk.tf.json"));
      expect(reported.sort()).toEqual(
        [...tree(path.join(appDir, "cdktf.out")).keys()]
          .filter((k) => k.endsWith("cdk.tf.json"))
          .map((k) => path.join("cdktf.out", k))
          .sort(),
      );
      const warnings = (stderr: string, prefix: string) =>
        stderr
          .trim()
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => (l.startsWith(`${prefix}: warning: `) ? "warning" : l));
      expect(viaCli.stdout.trim().split("\n")).toHaveLength(lines.length);
      expect(warnings(viaCli.stderr, "synth")).toEqual(warnings(viaApp.stderr, "bedrock-guardrail"));
      expect(warnings(viaApp.stderr, "bedrock-guardrail").every((l) => l === "warning")).toBe(true);
      // The default config lists nobody who may manage the protected roles: a warning, not an error.
      if (name === "default") {
        expect(viaApp.stderr).toMatch(/^bedrock-guardrail: warning: .*scp\.exemptedPrincipalAdminArns/m);
        // Run by the cdktf CLI (which sets CDKTF_CONTEXT_JSON) the warnings go to stdout: that CLI shows an app's
        // stderr as "[ERROR]" lines and prints both streams on its own stdout.
        const underCdktf = spawnSync(process.execPath, [MAIN], {
          cwd: appDir,
          env: { ...process.env, GUARDRAIL_CONFIG: file, CDKTF_CONTEXT_JSON: "{}", CDKTF_OUTDIR: "cdktf.out" },
          encoding: "utf8",
        });
        expect(underCdktf.status).toBe(0);
        expect(underCdktf.stderr).toBe("");
        expect(underCdktf.stdout).toMatch(/^bedrock-guardrail: warning: .*scp\.exemptedPrincipalAdminArns/m);
      }
      const cli = tree(path.join(work, "out"));
      const app = tree(path.join(appDir, "cdktf.out"));
      expect([...cli.keys()].sort()).toEqual([...app.keys()].sort());
      expect([...cli.keys()].filter((k) => k.endsWith("cdk.tf.json"))).toHaveLength(3);
      for (const [name, bytes] of cli)
        expect({ name, same: bytes.equals(app.get(name)!) }).toEqual({ name, same: true });
    },
    120_000,
  );

  it("refuses a bad config naming the key, and removes the previous output", () => {
    // A previous output, as cdktf leaves it (its manifest is what marks the folder as one); the synth
    // tests above prove the CLI writes such a folder.
    const previous = path.join(work, "out", "stacks", "organization-policy");
    fs.mkdirSync(previous, { recursive: true });
    fs.writeFileSync(path.join(work, "out", "manifest.json"), JSON.stringify({ version: "0.21.0", stacks: {} }));
    fs.writeFileSync(path.join(previous, "cdk.tf.json"), "{}");
    const bad = path.join(work, "bad.json");
    fs.writeFileSync(bad, JSON.stringify({ approvedPrincipalArns: ["*"] }));
    const run = spawnSync(process.execPath, [BIN, "synth", "-c", bad, "-o", "out"], { cwd: work, encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/- approvedPrincipalArns\[0\]: "\*" exempts every principal/);
    expect(run.stderr).toContain("the previous out was removed");
    expect(fs.existsSync(path.join(work, "out"))).toBe(false);
  }, 120_000);
});
