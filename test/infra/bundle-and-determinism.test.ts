/** The Lambda bundle (esbuild at synth time, deterministic zip) and byte-identical synths. */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { packageRoot } from "../../src/guardrail/rule-files";
import { bundleLambda, handlerEntry } from "../../src/infra/bundle/lambda-bundle";
import { zipEntries } from "../../src/infra/bundle/zip";
import { readZip } from "../support/zip-reader";
import { FIXTURE_HANDLER, guardrailWith, STAGING, synthApp } from "./helpers";

function treeDigest(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = crypto.createHash("sha256").update(fs.readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

describe("zip writer", () => {
  test("is readable by an independent ZIP reader (CRC-32 and sizes checked) and independent of entry order", () => {
    const a = zipEntries([
      { name: "b.txt", data: Buffer.from("two") },
      { name: "a.txt", data: Buffer.from("one".repeat(100)) },
    ]);
    const b = zipEntries([
      { name: "a.txt", data: Buffer.from("one".repeat(100)) },
      { name: "b.txt", data: Buffer.from("two") },
    ]);
    expect(a.equals(b)).toBe(true);
    expect(readZip(a).map((e) => [e.name, e.data.length])).toEqual([
      ["a.txt", 300],
      ["b.txt", 3],
    ]);
    expect(readZip(a)[0].data.toString()).toBe("one".repeat(100));
  });
});

describe("Lambda bundle", () => {
  test("index.js + guardrail.config.json from the validated config; same input, same bytes", () => {
    const guardrail = guardrailWith();
    const one = bundleLambda({ entry: FIXTURE_HANDLER, config: guardrail.config, stagingDir: STAGING });
    const two = bundleLambda({
      entry: FIXTURE_HANDLER,
      config: guardrail.config,
      stagingDir: path.join(STAGING, "other"),
    });
    expect(one.sha256).toBe(two.sha256);
    expect(fs.readdirSync(one.dir).sort()).toEqual(["guardrail.config.json", "index.js"]);
    expect(JSON.parse(fs.readFileSync(path.join(one.dir, "guardrail.config.json"), "utf8"))).toEqual(guardrail.config);
    const code = fs.readFileSync(path.join(one.dir, "index.js"), "utf8");
    expect(code).not.toContain(packageRoot());
    expect(code).not.toContain(os.homedir());
  });

  test("a different config gives a different bundle (so source_code_hash changes)", () => {
    const a = bundleLambda({ entry: FIXTURE_HANDLER, config: guardrailWith().config, stagingDir: STAGING });
    const b = bundleLambda({
      entry: FIXTURE_HANDLER,
      config: guardrailWith({ approvedPrincipalArns: ["arn:aws:iam::*:role/Other"] }).config,
      stagingDir: STAGING,
    });
    expect(a.sha256).not.toBe(b.sha256);
  });

  test("carries every rule file of policies/rules/, inlined: the bundle runs outside the package", async () => {
    const entry = path.join(__dirname, "..", "fixtures", "infra", "rules-handler.ts");
    const b = bundleLambda({ entry, config: guardrailWith().config, stagingDir: STAGING });
    expect(path.relative(packageRoot(), b.dir).startsWith("..")).toBe(true);
    const mod = require(path.join(b.dir, "index.js")) as { handler: () => Promise<string[]> };
    const files = fs.readdirSync(path.join(packageRoot(), "policies", "rules")).map((f) => path.basename(f, ".json"));
    expect((await mod.handler()).sort()).toEqual(files.sort());
  });

  test("the real handlers bundle and export `handler` (sizes printed for the report)", () => {
    const config = guardrailWith().config;
    for (const name of ["query-job", "realtime"]) {
      const b = bundleLambda({ entry: handlerEntry(name), config, stagingDir: STAGING });
      process.stdout.write(`bundle ${name}: index.js ${b.codeBytes} bytes, zip ${b.zipBytes} bytes\n`);
      const mod = require(path.join(b.dir, "index.js")) as { handler?: unknown };
      expect(typeof mod.handler).toBe("function");
      expect(b.zipBytes).toBeLessThan(50 * 1024 * 1024); // Lambda's direct-upload limit
    }
  });
});

describe("determinism", () => {
  test("two full synths are byte-identical (every stack file and asset)", () => {
    const config = { monitor: { eventbridge: { enabled: true, regions: ["us-east-1"] } } };
    const a = treeDigest(synthApp(config));
    const b = treeDigest(synthApp(config));
    expect(Object.keys(a).some((f) => f.startsWith(path.join("stacks", "monitor", "assets")))).toBe(true);
    expect(b).toEqual(a);
  });

  test("the full app has the organization-policy, monitor and remediation-member-role stacks", () => {
    const out = synthApp();
    expect(fs.readdirSync(path.join(out, "stacks")).sort()).toEqual([
      "monitor",
      "organization-policy",
      "remediation-member-role",
    ]);
  });
});
