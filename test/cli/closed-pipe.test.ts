/** `detect ... | head`: a reader that closes the pipe early ends the CLI quietly, not with a stack trace. */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { closedPipeListener, exitQuietlyOnClosedStdout } from "../../src/cli/closed-pipe";
import { inlinedRulesDefine } from "../../src/guardrail/shipped-rules";
import { MINIMAL_CONFIG } from "../support/fixtures";

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

describe("exitQuietlyOnClosedStdout on a stdout that is a file", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "closed-pipe-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A stream on a file, with Node's write on its prototype or, when given, its own. */
  function fileStream(ownWrite?: (chunk: string) => boolean): NodeJS.WriteStream & { fd: number } {
    const nodeWrite = () => {
      throw new Error("Node's asynchronous write: the CLI should have written synchronously");
    };
    const stream = Object.create({ write: nodeWrite, on: () => stream });
    stream.fd = fs.openSync(path.join(dir, "out"), "w");
    stream.isTTY = false;
    if (ownWrite) stream.write = ownWrite;
    return stream;
  }

  it("writes synchronously to the file in place of Node's write", () => {
    const stream = fileStream();
    exitQuietlyOnClosedStdout(stream, () => {});
    stream.write("one line\n");
    fs.closeSync(stream.fd);
    expect(fs.readFileSync(path.join(dir, "out"), "utf8")).toBe("one line\n");
  });

  it("keeps a write someone else installed (a host or a test capturing the output)", () => {
    const captured: string[] = [];
    const stream = fileStream((chunk) => captured.push(chunk) > 0);
    exitQuietlyOnClosedStdout(stream, () => {});
    stream.write("one line\n");
    fs.closeSync(stream.fd);
    expect(captured).toEqual(["one line\n"]);
    expect(fs.readFileSync(path.join(dir, "out"), "utf8")).toBe("");
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
    fs.writeFileSync(path.join(dir, "guardrail.config.json"), JSON.stringify(MINIMAL_CONFIG));
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
  const run = async (args: string[], stdout: "pipe" | number = "pipe", cwd = dir) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd,
      env: { ...process.env, NODE_PATH: path.join(ROOT, "node_modules") },
      stdio: ["ignore", stdout, "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout?.resume();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    return { code, stderr };
  };

  (fs.existsSync("/dev/full") ? it : it.skip)(
    "> /dev/full: one line naming the command, exit 1, no summary",
    async () => {
      for (const args of [["detect", path.join(ROOT, "examples", "cloudtrail")], ["policy"]]) {
        const full = fs.openSync("/dev/full", "w");
        try {
          const r = await run(args, full);
          expect(r.stderr).toBe(`${args[0]}: cannot write the output: no space left on the device\n`);
          expect(r.code).toBe(1);
        } finally {
          fs.closeSync(full);
        }
      }
    },
  );

  it("every line on stderr starts with the running command's name: config problems, --rule, warnings", async () => {
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, JSON.stringify({ approvedPrincipalArns: "nope" }));
    const badConfig = await run(["detect", "--config", bad, path.join(ROOT, "examples", "cloudtrail")]);
    expect(badConfig.code).toBe(2);
    const unknownRule = await run(["query", "--backend", "eventbridge", "--rule", "no-such-rule"]);
    expect(unknownRule.code).toBe(2);
    const warnings = await run(["policy"]); // the minimal config's lint warning
    expect(warnings.stderr).toMatch(/^policy: warning: /m);
    for (const [command, r] of [
      ["detect", badConfig],
      ["query", unknownRule],
      ["policy", warnings],
    ] as const) {
      const lines = r.stderr.trimEnd().split("\n");
      // a config's problems are listed on indented lines below its first one
      for (const line of lines.filter((l) => !l.startsWith("  "))) expect(line).toMatch(new RegExp(`^${command}: `));
    }
  });
});
