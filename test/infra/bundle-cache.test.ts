/** The Lambda bundle's disk cache and the config the package carries. */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bundleCacheDir, cachedBuild } from "../../src/infra/bundle/bundle-cache";
import { bundleLambda, lambdaConfig } from "../../src/infra/bundle/lambda-bundle";
import { FIXTURE_HANDLER, guardrailWith, STAGING } from "./helpers";

const SRC = path.join(__dirname, "..", "..", "src");
const LAMBDA_BUNDLE = JSON.stringify(path.join(SRC, "infra", "bundle", "lambda-bundle.ts"));
/** The shipped definition, in the child process (too long to pass as an argument). */
const DEFINITION = `require(${JSON.stringify(path.join(SRC, "guardrail", "guardrail.ts"))}).bundledDefinition()`;

/** A `node -e` script that can require the TypeScript sources (swc compiles each as it loads), then runs `body`. */
const withTsSources = (body: string): string => `
  const swc = require(require.resolve("@swc/core", { paths: [${JSON.stringify(__dirname)}] }));
  require.extensions[".ts"] = (m, f) => m._compile(swc.transformSync(require("fs").readFileSync(f, "utf8"), {
    filename: f, module: { type: "commonjs" }, jsc: { target: "es2022", parser: { syntax: "typescript" } },
  }).code, f);
  ${body}`;

describe("cachedBuild", () => {
  let root: string;
  let cacheDir: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-cache-root-"));
    cacheDir = path.join(root, ".cache");
    fs.mkdirSync(path.join(root, "src"));
    fs.mkdirSync(path.join(root, "node_modules"));
    fs.writeFileSync(path.join(root, "src", "a.ts"), "a1");
    fs.writeFileSync(path.join(root, "src", "b.ts"), "b1");
    fs.writeFileSync(path.join(root, "node_modules", "dep.js"), "d1");
    fs.writeFileSync(path.join(root, "package-lock.json"), "lock1");
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /**
   * A fake build: its output is the concatenation of what it read, and it counts its runs. It lists a
   * virtual input too, as esbuild does for a define.
   */
  function builder() {
    let runs = 0;
    const build = () => {
      runs++;
      const read = ["src/a.ts", "src/b.ts", "node_modules/dep.js"];
      const inputs = [...read, "<define:__RULES__>"];
      const code = Buffer.from(read.map((f) => fs.readFileSync(path.join(root, f), "utf8")).join("+"));
      return { code, inputs };
    };
    const run = (settings: unknown = { minify: true }) =>
      cachedBuild({ root, entry: path.join(root, "src", "a.ts"), settings }, build, cacheDir);
    return { run, runs: () => runs };
  }

  it("returns the stored output while no input changed, and rebuilds when one does", () => {
    const b = builder();
    expect(b.run()).toEqual({ code: Buffer.from("a1+b1+d1"), hit: false });
    expect(b.run()).toEqual({ code: Buffer.from("a1+b1+d1"), hit: true });
    expect(b.runs()).toBe(1);

    fs.writeFileSync(path.join(root, "src", "b.ts"), "b2"); // a project source the build read
    expect(b.run()).toEqual({ code: Buffer.from("a1+b2+d1"), hit: false });
    expect(b.run().hit).toBe(true);

    fs.writeFileSync(path.join(root, "package-lock.json"), "lock2"); // the dependencies
    fs.writeFileSync(path.join(root, "node_modules", "dep.js"), "d2");
    expect(b.run()).toEqual({ code: Buffer.from("a1+b2+d2"), hit: false });

    expect(b.run({ minify: false }).hit).toBe(false); // other esbuild options
    fs.rmSync(path.join(root, "src", "b.ts")); // a source that is gone
    expect(() => b.run()).toThrow();
  });

  // A cached bundle is deployed as the monitor's code: a cache someone else can write is code they run.
  it("a cache directory others can write is not used: a bundle planted there is never returned", () => {
    const b = builder();
    expect(b.run().hit).toBe(false);
    for (const f of fs.readdirSync(cacheDir).filter((f) => f.endsWith(".js")))
      fs.writeFileSync(path.join(cacheDir, f), "planted");
    fs.chmodSync(cacheDir, 0o777);
    expect(b.run()).toEqual({ code: Buffer.from("a1+b1+d1"), hit: false });
    fs.chmodSync(cacheDir, 0o700); // the same planted entry, in a private directory, is what a hit returns
    expect(b.run()).toEqual({ code: Buffer.from("planted"), hit: true });
    expect(b.runs()).toBe(2);
  });

  it("a cache directory that is a link is not followed", () => {
    const b = builder();
    expect(b.run().hit).toBe(false);
    const real = `${cacheDir}-real`;
    fs.renameSync(cacheDir, real);
    fs.symlinkSync(real, cacheDir);
    expect(b.run().hit).toBe(false);
    expect(b.runs()).toBe(2);
  });

  it("is not used inside a folder others can write (they could rename it and put theirs there), unless sticky", () => {
    const shared = path.join(root, "shared");
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o777);
    const build = () => ({ code: Buffer.from("x"), inputs: ["src/a.ts"] });
    const inShared = () =>
      cachedBuild({ root, entry: path.join(root, "src", "a.ts"), settings: {} }, build, path.join(shared, "c"));
    expect([inShared().hit, inShared().hit]).toEqual([false, false]);
    fs.chmodSync(shared, 0o1777); // sticky, as /tmp: others cannot rename what is not theirs
    expect([inShared().hit, inShared().hit]).toEqual([false, true]);
  });

  it("is made private (0700) where it is missing", () => {
    builder().run();
    expect(fs.statSync(cacheDir).mode & 0o777).toBe(0o700);
  });

  it("lives in the checkout's node_modules/.cache unless BEDROCK_GUARDRAIL_BUNDLE_CACHE says where", () => {
    expect(bundleCacheDir("/repo", {})).toBe(path.join("/repo", "node_modules", ".cache", "bedrock-guardrail-bundles"));
    expect(bundleCacheDir("/repo", { BEDROCK_GUARDRAIL_BUNDLE_CACHE: "/ci/cache" })).toBe("/ci/cache");
  });

  it("a cache that cannot be written only costs a build", () => {
    fs.writeFileSync(cacheDir, "not a directory");
    const b = builder();
    expect(b.run().hit).toBe(false);
    expect(b.run().hit).toBe(false);
  });
});

describe("a handler bundle", () => {
  it("is built by esbuild once: a new process takes it from the disk cache, without esbuild", () => {
    // New processes: the in-process cache is empty, only the disk cache can answer.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-cache-handler-"));
    const cacheDir = path.join(tmp, "bundles");
    const bundle = (esbuildRuns: boolean) =>
      withTsSources(`
      ${esbuildRuns ? "" : 'require("esbuild").buildSync = () => { throw new Error("esbuild ran"); };'}
      require(${LAMBDA_BUNDLE}).bundleLambda({
        entry: ${JSON.stringify(path.join(SRC, "handlers", "realtime.ts"))},
        config: ${JSON.stringify(guardrailWith().config)},
        definition: ${DEFINITION},
        stagingDir: ${JSON.stringify(path.join(tmp, "staging"))},
      });`);
    const run = (esbuildRuns: boolean) =>
      execFileSync(process.execPath, ["-e", bundle(esbuildRuns)], {
        env: { ...process.env, BEDROCK_GUARDRAIL_BUNDLE_CACHE: cacheDir },
      });
    try {
      run(true);
      const stored = fs.readdirSync(cacheDir).filter((f) => f.endsWith(".js"));
      expect(stored).toHaveLength(1);
      expect(() => run(false)).not.toThrow();
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("a bundle staged without a stagingDir", () => {
  it("is staged in a fresh directory only its user can write, removed when the process exits", () => {
    const script = withTsSources(`
      const fs = require("fs"), path = require("path");
      const { zipFile } = require(${LAMBDA_BUNDLE}).bundleLambda({
        entry: ${JSON.stringify(FIXTURE_HANDLER)},
        config: ${JSON.stringify(guardrailWith().config)},
        definition: ${DEFINITION},
      });
      const base = path.dirname(zipFile);
      const mode = fs.lstatSync(base).mode & 0o777;
      process.stdout.write(JSON.stringify({ base, mode, zip: fs.existsSync(zipFile) }));`);
    const runs = [0, 1].map(() => JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })));
    for (const run of runs) {
      expect(run).toMatchObject({ mode: 0o700, zip: true });
      expect(fs.existsSync(run.base)).toBe(false);
    }
    expect(runs[0].base).not.toBe(runs[1].base); // not a name another user could make first
  }, 60_000);
});

describe("the config in the Lambda package", () => {
  it("leaves out the deployment credentials and state backend, keeps what the functions read", () => {
    const config = guardrailWith({
      aws: {
        region: "eu-west-1",
        organization: {
          assumeRoleArn: "arn:aws:iam::999988887777:role/OrgDeployer",
          externalId: "org-secret-external-id",
          profile: "mgmt",
        },
        security: { accountId: "111122223333", assumeRoleArn: "arn:aws:iam::111122223333:role/SecDeployer" },
        stateBackend: { type: "s3", bucket: "tf-state-bucket" },
      },
    }).config;
    const { definition } = guardrailWith();
    const bundle = bundleLambda({ entry: FIXTURE_HANDLER, config, definition, stagingDir: STAGING });
    const text = fs.readFileSync(path.join(bundle.dir, "guardrail.config.json"), "utf8");
    for (const secret of ["OrgDeployer", "org-secret-external-id", "mgmt", "SecDeployer", "tf-state-bucket"])
      expect(text).not.toContain(secret);
    expect(JSON.parse(text).aws).toEqual({
      region: "eu-west-1",
      organization: {},
      security: { accountId: "111122223333" },
      stateBackend: { type: "local" },
    });
  });

  it("keeps the account of aws.security's role when it names no accountId (the rotated secrets' readers)", () => {
    const config = guardrailWith({
      aws: { security: { assumeRoleArn: "arn:aws:iam::111122223333:role/SecDeployer" } },
    }).config;
    expect(lambdaConfig(config).aws.security).toEqual({ accountId: "111122223333" });
  });

  it("a default config is written unchanged (the default synth stays byte-identical)", () => {
    const config = guardrailWith().config;
    expect(JSON.stringify(lambdaConfig(config))).toBe(JSON.stringify(config));
  });
});
