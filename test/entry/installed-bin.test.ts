/**
 * The CLI's bin as an installed package runs it: node_modules/bedrock-guardrail with the `files` of
 * package.json (bin/ and dist/, no scripts/ and no sources), inside an app that has TypeScript of its own,
 * as every TypeScript cdktf app has. Only a development checkout rebuilds dist/ before running.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");

describe("the installed bin", () => {
  let app: string;

  beforeAll(() => {
    app = fs.mkdtempSync(path.join(os.tmpdir(), "installed-bin-"));
    const pkg = path.join(app, "node_modules", "bedrock-guardrail");
    fs.mkdirSync(path.join(pkg, "bin"), { recursive: true });
    fs.copyFileSync(path.join(ROOT, "bin", "bedrock-guardrail.js"), path.join(pkg, "bin", "bedrock-guardrail.js"));
    fs.copyFileSync(path.join(ROOT, "package.json"), path.join(pkg, "package.json"));
    fs.symlinkSync(path.join(ROOT, "dist"), path.join(pkg, "dist"), "dir");
    // The app's own TypeScript, beside the package.
    fs.mkdirSync(path.join(app, "node_modules", "typescript"));
    fs.writeFileSync(path.join(app, "node_modules", "typescript", "package.json"), '{"name":"typescript"}\n');
  });

  afterAll(() => fs.rmSync(app, { recursive: true, force: true }));

  it("prints the version in an app that has TypeScript, from any directory", () => {
    const bin = path.join(app, "node_modules", "bedrock-guardrail", "bin", "bedrock-guardrail.js");
    const run = spawnSync(process.execPath, [bin, "--version"], { cwd: os.tmpdir(), encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe(require(path.join(ROOT, "package.json")).version);
    expect(run.status).toBe(0);
  });
});
