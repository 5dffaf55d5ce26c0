/** `detect ... | head`: a reader that closes the pipe early ends the CLI quietly, not with a stack trace. */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { closedPipeListener } from "../../src/cli/closed-pipe";
import { inlinedRulesDefine } from "../../src/guardrail/shipped-rules";

const ROOT = path.join(__dirname, "..", "..");

describe("closedPipeListener", () => {
  it("ends with the current exit code on EPIPE", () => {
    const exits: number[] = [];
    const epipe = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
    closedPipeListener(
      (c) => exits.push(c),
      () => undefined,
    )(epipe);
    closedPipeListener(
      (c) => exits.push(c),
      () => 3,
    )(epipe);
    expect(exits).toEqual([0, 3]);
  });

  it("ends every other write error with one line and exit 1 (the output is lost)", () => {
    const exits: number[] = [];
    const err: string[] = [];
    const full = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    closedPipeListener(
      (c) => exits.push(c),
      () => 0,
      { write: (s: string) => err.push(s) },
    )(full);
    expect(exits).toEqual([1]);
    expect(err).toEqual(["bedrock-guardrail: cannot write the output: no space left on the device\n"]);
  });
});

describe("the CLI writing to a closed pipe", () => {
  let dir: string;
  let cli: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bg-closed-pipe-"));
    cli = path.join(dir, "cli.js");
    buildSync({
      entryPoints: [path.join(ROOT, "src", "cli", "index.ts")],
      bundle: true,
      platform: "node",
      packages: "external",
      outfile: cli,
      logLevel: "silent",
      footer: { js: "module.exports.main(process.argv);" },
      define: inlinedRulesDefine(), // the bundle runs outside the package: the rules go in with it
    });
    fs.writeFileSync(
      path.join(dir, "guardrail.config.json"),
      JSON.stringify({ approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"] }),
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("exits 0 without an error on stderr when stdout is closed before it writes", async () => {
    const child = spawn(process.execPath, [cli, "policy"], {
      cwd: dir,
      env: { ...process.env, NODE_PATH: path.join(ROOT, "node_modules") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled 'error'/);
    expect(code).toBe(0);
  });
});
