#!/usr/bin/env node
// CI (.ci/run): the exit from CDK for Terraform (archived) to CDK Terrain. In a scratch folder outside the
// checkout, the project's sources are installed on cdktn and @cdktn/provider-aws instead of cdktf and
// @cdktf/provider-aws (imports rewritten mechanically, every other dependency at the version of
// package-lock.json), built, and synthesized by CDK Terrain's CLI (`cdktn synth`, the app of cdktf.json) for
// the default and the realistic config; then examples/existing-cdktf-app (a team's app with the library's three
// constructs, its imports rewritten the same way) is type-checked and synthesized by `cdktn synth` against that
// project as its `bedrock-guardrail`, and by plain node against this checkout's build on cdktf. Every file is
// compared with what cdktf synthesizes, as JSON (cdktf 0.21 writes an empty array over two
// lines, cdktn on one). Only the CDK engine's version (each stack's metadata, the manifest) may differ: the
// AWS provider's source and version range are this project's (src/infra/provider.ts) and stay the same. In the
// example, whose constructs use the team's own provider, that provider's requirement (its bindings') may differ too.
// Last, the project on cdktn is packed (`npm pack`, as the package is published) and the tarball installed into a
// copy of the example on cdktn outside the checkout, which must synthesize what it did against the project.
// Only the npm registry (or its cache) is used. docs/deployment.md says why and what this proves.
//
//   node scripts/cdktn-proof.js

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { ensureBuilt } = require("./ensure-built");
const { realisticConfig } = require("./realistic-config");

const root = path.join(__dirname, "..");
const example = path.join(root, "examples", "existing-cdktf-app");
/** The CDK Terrain release the exit is proven on: its provider bindings track a later hashicorp/aws 6.x. */
const CDKTN = { cdktn: "0.24.0", "@cdktn/provider-aws": "25.7.0", constructs: "10.7.2", "cdktn-cli": "0.24.0" };

// The CLIs start with `#!/usr/bin/env node`: the Node running this script goes first on their PATH, so that
// an older system Node (cdktn-cli needs 22) is never the one they get.
const NODE_FIRST_PATH = [path.dirname(process.execPath), process.env.PATH].filter(Boolean).join(path.delimiter);

function run(cmd, args, cwd, env = {}) {
  return execFileSync(cmd, args, {
    cwd,
    env: { ...process.env, PATH: NODE_FIRST_PATH, ...env },
    encoding: "utf8",
    stdio: "pipe",
  });
}

/** The imports of a TypeScript source moved from cdktf to cdktn. */
function onCdktn(text) {
  return text.replaceAll('from "cdktf"', 'from "cdktn"').replaceAll('"@cdktf/provider-aws/', '"@cdktn/provider-aws/');
}

/**
 * The project's sources and manifest in `dir`, on cdktn: the package `bedrock-guardrail` (its entry points), with
 * what `npm pack` needs (packManifestOnCdktn).
 */
function copyOnCdktn(dir) {
  const entries = [
    "main.ts",
    "src",
    "policies",
    "tsconfig.json",
    "tsconfig.build.json",
    "package-lock.json",
    "cdktf.json",
  ];
  const packed = ["bin", "guardrail.schema.json", "scripts/prebuild-handlers.js"];
  for (const entry of [...entries, ...packed, "scripts/ensure-built.js"])
    fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
  for (const file of fs.readdirSync(dir, { recursive: true })) {
    if (!file.endsWith(".ts")) continue;
    const full = path.join(dir, file);
    const text = fs.readFileSync(full, "utf8");
    const moved = onCdktn(text);
    if (moved !== text) fs.writeFileSync(full, moved);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const keep = ["typescript", "esbuild", "@types/node"];
  const manifest = {
    name: pkg.name,
    version: pkg.version,
    private: true,
    main: pkg.main,
    types: pkg.types,
    exports: pkg.exports,
    dependencies: { ...pkg.dependencies, ...CDKTN },
    devDependencies: Object.fromEntries(keep.map((name) => [name, pkg.devDependencies[name]])),
  };
  fs.writeFileSync(path.join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * The manifest the project on cdktn is packed with: package.json's `files`, `bin` and prepack (the prebuilt Lambda
 * bundles), its runtime dependencies, and the engine, bindings and constructs as optional peer dependencies, as
 * package.json has cdktf's, at the versions proven here.
 */
function packManifestOnCdktn(project) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const engine = Object.fromEntries(Object.entries(CDKTN).filter(([name]) => name !== "cdktn-cli"));
  const manifest = {
    ...JSON.parse(fs.readFileSync(path.join(project, "package.json"), "utf8")),
    engines: pkg.engines,
    bin: pkg.bin,
    files: pkg.files,
    scripts: { prepack: pkg.scripts.prepack },
    dependencies: pkg.dependencies,
    peerDependencies: engine,
    peerDependenciesMeta: Object.fromEntries(Object.keys(engine).map((name) => [name, { optional: true }])),
  };
  fs.writeFileSync(path.join(project, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

function synth(main, cwd, outdir, configFile) {
  run(process.execPath, [main], cwd, { GUARDRAIL_CONFIG: configFile, CDKTF_OUTDIR: outdir });
}

/**
 * `cdktn synth`: CDK Terrain's CLI runs the app of the cdktf.json in `cwd` (no checkpoint call: only the registry
 * is reachable).
 */
function cdktnSynth(cwd, outdir, configFile) {
  const cli = path.join(cwd, "node_modules", ".bin", "cdktn");
  run(cli, ["synth", "--output", outdir], cwd, {
    GUARDRAIL_CONFIG: configFile,
    CI: "true",
    CHECKPOINT_DISABLE: "1",
  });
}

/**
 * examples/existing-cdktf-app in `dir` (its sources, config, tsconfig and cdktf.json), with `node_modules` linked
 * to `modules`: the engine, the provider bindings, TypeScript and `bedrock-guardrail` built on that engine.
 */
function copyExample(dir, modules, cdktn) {
  fs.cpSync(example, dir, {
    recursive: true,
    filter: (src) => !/node_modules|dist|cdktf\.out/.test(path.basename(src)),
  });
  if (cdktn) fs.writeFileSync(path.join(dir, "main.ts"), onCdktn(fs.readFileSync(path.join(dir, "main.ts"), "utf8")));
  fs.symlinkSync(modules, path.join(dir, "node_modules"), "dir");
}

/** This checkout's node_modules, with `bedrock-guardrail` the checkout itself (its build on cdktf). */
function checkoutModules(dir) {
  fs.mkdirSync(dir);
  const modules = path.join(root, "node_modules");
  for (const name of fs.readdirSync(modules)) fs.symlinkSync(path.join(modules, name), path.join(dir, name), "dir");
  fs.symlinkSync(root, path.join(dir, "bedrock-guardrail"), "dir");
  return dir;
}

/**
 * The example app on both engines: type-checked (node16 resolution, the package's exports map and declarations)
 * and synthesized by plain node on cdktf (what `npm run synth` in the example does), by `cdktn synth` (the
 * example's cdktf.json: tsc, then node) on cdktn. Returns the two output folders.
 */
function synthExample(scratch, project) {
  const onCdktf = path.join(scratch, "example-cdktf");
  copyExample(onCdktf, checkoutModules(path.join(scratch, "checkout-modules")), false);
  run(process.execPath, [path.join(onCdktf, "node_modules", "typescript", "bin", "tsc"), "-p", "."], onCdktf);
  const cdktfOut = path.join(scratch, "example-out-cdktf");
  run(process.execPath, ["dist/main.js"], onCdktf, { CDKTF_OUTDIR: cdktfOut });

  // The project on cdktn is the package the example requires.
  fs.symlinkSync("..", path.join(project, "node_modules", "bedrock-guardrail"), "dir");
  const onCdktn = path.join(scratch, "example-cdktn");
  copyExample(onCdktn, path.join(project, "node_modules"), true);
  const cdktnOut = path.join(scratch, "example-out-cdktn");
  cdktnSynth(onCdktn, cdktnOut, path.join(onCdktn, "guardrail.config.json"));
  return { cdktfOut, cdktnOut };
}

/**
 * The way a team on cdktn gets the package: the project on cdktn packed (`npm pack`, as the published package is) and
 * the tarball installed, with the engine, bindings and constructs of CDKTN, into a copy of the example app outside
 * the checkout whose imports and dependencies are moved to cdktn; type-checked and synthesized there. The package as
 * published (on cdktf) does not load in an app without cdktf (docs/deployment.md). Returns the output folder.
 */
function synthPackedOnCdktn(scratch, project) {
  const started = Date.now();
  packManifestOnCdktn(project);
  const packed = run("npm", ["pack", "--silent", "--pack-destination", scratch], project).trim().split("\n");
  const tarball = path.join(scratch, packed[packed.length - 1]);
  const app = path.join(scratch, "example-packed-cdktn");
  fs.cpSync(example, app, {
    recursive: true,
    filter: (src) => !/node_modules|dist|cdktf\.out/.test(path.basename(src)),
  });
  fs.writeFileSync(path.join(app, "main.ts"), onCdktn(fs.readFileSync(path.join(app, "main.ts"), "utf8")));
  const manifest = JSON.parse(fs.readFileSync(path.join(app, "package.json"), "utf8"));
  const { "cdktn-cli": _cli, ...engine } = CDKTN;
  manifest.dependencies = { ...engine, "bedrock-guardrail": `file:${tarball}` };
  fs.writeFileSync(path.join(app, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], app);
  run(process.execPath, [path.join(app, "node_modules", "typescript", "bin", "tsc"), "-p", "."], app);
  const out = path.join(scratch, "example-out-packed-cdktn");
  run(process.execPath, ["dist/main.js"], app, { CDKTF_OUTDIR: out });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`cdktn proof: packed, installed in a cdktn app, type-checked and synthesized in ${seconds} s\n`);
  return out;
}

/** Every file under `dir`, relative. */
function files(dir) {
  return fs
    .readdirSync(dir, { recursive: true })
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

/** Paths at which two JSON values differ, with both values (an empty array and object are written differently). */
function jsonDifferences(x, y, at = "") {
  if (
    typeof x === "object" &&
    x !== null &&
    typeof y === "object" &&
    y !== null &&
    Array.isArray(x) === Array.isArray(y)
  ) {
    const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
    return keys.flatMap((k) => jsonDifferences(x[k], y[k], `${at}/${k}`));
  }
  return JSON.stringify(x) === JSON.stringify(y) ? [] : [`${at}: ${JSON.stringify(x)} -> ${JSON.stringify(y)}`];
}

/** The only values allowed to differ: the CDK engine's version, in each stack's metadata and in the manifest. */
const ENGINE_VERSION = ["////metadata/version: ", "/version: "]; // "//" is the key of a stack's metadata

/**
 * Also allowed in the example app: its stacks' provider requirement, which the team's own AwsProvider writes from
 * its bindings (hashicorp/aws 6.25.0 on cdktf, 6.66.0 on cdktn); constructs with `awsProvider: false` add none.
 */
const TEAM_PROVIDER_REQUIREMENT = ["/terraform/required_providers/aws/"];

function compare(cdktfDir, cdktnDir, problems, alsoAllowed = []) {
  const a = files(cdktfDir);
  const b = files(cdktnDir);
  if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(`different files: ${a.join(", ")} / ${b.join(", ")}`);
  const allowed = [];
  for (const file of a.filter((f) => b.includes(f))) {
    const x = fs.readFileSync(path.join(cdktfDir, file));
    const y = fs.readFileSync(path.join(cdktnDir, file));
    if (x.equals(y)) continue;
    if (!file.endsWith(".json")) {
      problems.push(`${file}: different bytes`);
      continue;
    }
    for (const difference of jsonDifferences(JSON.parse(x.toString("utf8")), JSON.parse(y.toString("utf8")))) {
      if ([...ENGINE_VERSION, ...alsoAllowed].some((p) => difference.startsWith(p)))
        allowed.push(`${file} ${difference}`);
      else problems.push(`${file} ${difference}`);
    }
  }
  return { files: a.length, allowed };
}

function main() {
  ensureBuilt();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bedrock-guardrail-cdktn-"));
  const problems = [];
  try {
    const project = path.join(scratch, "project");
    fs.mkdirSync(project);
    copyOnCdktn(project);
    run(
      "npm",
      ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts"],
      project,
    );
    const served = Object.keys(CDKTN).map(
      (name) => `${name}@${require(path.join(project, "node_modules", name, "package.json")).version}`,
    );
    process.stdout.write(`cdktn proof: installed ${served.join(", ")}\n`);
    run(
      process.execPath,
      [path.join(project, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
      project,
    );

    const configs = {
      default: path.join(root, "guardrail.config.json"),
      realistic: path.join(scratch, "realistic.json"),
    };
    fs.writeFileSync(configs.realistic, JSON.stringify(realisticConfig()));
    for (const [name, configFile] of Object.entries(configs)) {
      const cdktfOut = path.join(scratch, `${name}-cdktf`);
      const cdktnOut = path.join(scratch, `${name}-cdktn`);
      synth(path.join(root, "dist", "main.js"), scratch, cdktfOut, configFile);
      cdktnSynth(project, cdktnOut, configFile);
      const { files: count, allowed } = compare(cdktfOut, cdktnOut, problems);
      process.stdout.write(
        `cdktn proof: ${name} config, ${count} files equal but for ${allowed.length} engine versions\n`,
      );
      for (const line of allowed) process.stdout.write(`  ${line}\n`);
    }
    const { cdktfOut, cdktnOut } = synthExample(scratch, project);
    const { files: count, allowed } = compare(cdktfOut, cdktnOut, problems, TEAM_PROVIDER_REQUIREMENT);
    process.stdout.write(
      `cdktn proof: example app, ${count} files equal but for ${allowed.length} values: engine versions and ` +
        "the requirement of the team's own provider\n",
    );
    for (const line of allowed) process.stdout.write(`  ${line}\n`);
    const packedOut = synthPackedOnCdktn(scratch, project);
    const packed = compare(cdktnOut, packedOut, problems);
    process.stdout.write(
      `cdktn proof: example app on the packed package, ${packed.files} files equal to it on the project on cdktn\n`,
    );
    for (const line of packed.allowed) process.stdout.write(`  ${line}\n`);
  } finally {
    if (process.env.KEEP_SCRATCH) process.stdout.write(`kept ${scratch}\n`);
    else fs.rmSync(scratch, { recursive: true, force: true });
  }
  for (const p of problems) process.stderr.write(`cdktn-proof: ${p}\n`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}

main();
