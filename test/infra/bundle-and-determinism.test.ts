/** The Lambda bundle (esbuild at synth time, deterministic zip) and byte-identical synths. */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { loadGuardrail } from "../../src/guardrail/guardrail";
import { packageRoot } from "../../src/guardrail/rule-files";
import { bundleLambda, handlerEntry } from "../../src/infra/bundle/lambda-bundle";
import { MonitorStack } from "../../src/infra/monitor/monitor-stack";
import { readHandlerEnv } from "../../src/runtime/env";
import { TOPIC_ARN } from "../runtime/helpers";
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
  test("index.js, guardrail.config.json, guardrail.definition.json from the validated inputs; same bytes", () => {
    const { config, definition } = guardrailWith();
    const one = bundleLambda({ entry: FIXTURE_HANDLER, config, definition, stagingDir: STAGING });
    const two = bundleLambda({ entry: FIXTURE_HANDLER, config, definition, stagingDir: path.join(STAGING, "other") });
    expect(one.sha256).toBe(two.sha256);
    expect(fs.readdirSync(one.dir).sort()).toEqual(["guardrail.config.json", "guardrail.definition.json", "index.js"]);
    expect(JSON.parse(fs.readFileSync(path.join(one.dir, "guardrail.config.json"), "utf8"))).toEqual(config);
    const code = fs.readFileSync(path.join(one.dir, "index.js"), "utf8");
    expect(code).not.toContain(packageRoot());
    expect(code).not.toContain(os.homedir());
  });

  test("a different config gives a different bundle (so source_code_hash changes)", () => {
    const { definition } = guardrailWith();
    const a = bundleLambda({ entry: FIXTURE_HANDLER, config: guardrailWith().config, definition, stagingDir: STAGING });
    const b = bundleLambda({
      entry: FIXTURE_HANDLER,
      config: guardrailWith({ approvedPrincipalArns: ["arn:aws:iam::*:role/Other"] }).config,
      definition,
      stagingDir: STAGING,
    });
    expect(a.sha256).not.toBe(b.sha256);
  });

  test("carries every rule file of policies/rules/, inlined: the bundle runs outside the package", async () => {
    const entry = path.join(__dirname, "..", "fixtures", "infra", "rules-handler.ts");
    const { config, definition } = guardrailWith();
    const b = bundleLambda({ entry, config, definition, stagingDir: STAGING });
    expect(path.relative(packageRoot(), b.dir).startsWith("..")).toBe(true);
    const mod = require(path.join(b.dir, "index.js")) as { handler: () => Promise<string[]> };
    const files = fs.readdirSync(path.join(packageRoot(), "policies", "rules")).map((f) => path.basename(f, ".json"));
    expect((await mod.handler()).sort()).toEqual(files.sort());
  });

  test("the real handlers bundle and export `handler` (sizes printed for the report)", () => {
    const { config, definition } = guardrailWith();
    for (const name of ["query-job", "realtime"]) {
      const b = bundleLambda({ entry: handlerEntry(name), config, definition, stagingDir: STAGING });
      process.stdout.write(`bundle ${name}: index.js ${b.codeBytes} bytes, zip ${b.zipBytes} bytes\n`);
      const mod = require(path.join(b.dir, "index.js")) as { handler?: unknown };
      expect(typeof mod.handler).toBe("function");
      expect(b.zipBytes).toBeLessThan(50 * 1024 * 1024); // Lambda's direct-upload limit
    }
  });
});

describe("a definition given with --definition", () => {
  // A user's rule beside their definition: the synth compiles it into the event selectors and patterns, so
  // the functions must run it too, not only the shipped rules their code has inlined.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-definition-"));
  const shipped = path.join(packageRoot(), "policies");
  fs.copyFileSync(path.join(shipped, "bedrock-model-access.json"), path.join(dir, "bedrock-model-access.json"));
  fs.mkdirSync(path.join(dir, "rules"));
  const rule = JSON.parse(fs.readFileSync(path.join(shipped, "rules", "bedrock-api-key-created.json"), "utf8"));
  const renamed = (r: { record: Record<string, unknown> }) => ({
    ...r,
    record: { ...r.record, eventName: "DeleteServiceSpecificCredential" },
  });
  const own = {
    ...rule,
    id: "own-api-key-deleted",
    precedence: 9999,
    eventNames: ["DeleteServiceSpecificCredential"],
    tests: rule.tests.map(renamed),
  };
  fs.writeFileSync(path.join(dir, "rules", "own-api-key-deleted.json"), JSON.stringify(own));
  const config = path.join(dir, "guardrail.config.json");
  fs.writeFileSync(config, JSON.stringify({ approvedPrincipalArns: ["arn:aws:iam::*:role/Admin"] }));
  const guardrail = loadGuardrail({ configPath: config, definitionPath: path.join(dir, "bedrock-model-access.json") });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("is the one the functions load from their bundle, with its own rules", () => {
    const { definition } = guardrail;
    const b = bundleLambda({ entry: FIXTURE_HANDLER, config: guardrail.config, definition, stagingDir: STAGING });
    const env = readHandlerEnv(
      "realtime",
      { STATE_TABLE_NAME: "t", ALERT_TOPIC_ARN: TOPIC_ARN, GUARDRAIL_DEFINITION: "guardrail.definition.json" },
      b.dir,
    );
    const loaded = loadGuardrail({
      configPath: env.guardrailConfigPath,
      assembledDefinitionPath: env.guardrailDefinitionPath,
    });
    expect(loaded.rules.map((r) => r.id)).toContain("own-api-key-deleted");
    expect(loaded.definition).toEqual(definition);
  });

  test("reaches the functions of the synthesized monitor stack", () => {
    const zips: string[] = [];
    const stack = new MonitorStack(Testing.app(), "monitor", {
      guardrail,
      handlerEntries: { queryJob: FIXTURE_HANDLER, realtime: FIXTURE_HANDLER },
      stagingDir: STAGING,
      onBundle: (_name, b) => zips.push(b.zipFile),
    });
    const functions = Object.values(JSON.parse(Testing.synth(stack)).resource.aws_lambda_function) as {
      environment: { variables: Record<string, string> };
    }[];
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) expect(fn.environment.variables.GUARDRAIL_DEFINITION).toBe("guardrail.definition.json");
    expect(zips.length).toBeGreaterThan(0);
    for (const zip of zips) {
      const file = readZip(fs.readFileSync(zip)).find((e) => e.name === "guardrail.definition.json");
      const rules = JSON.parse(file!.data.toString("utf8")).detection.rules as { id: string }[];
      expect(rules.map((r) => r.id)).toContain("own-api-key-deleted");
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
