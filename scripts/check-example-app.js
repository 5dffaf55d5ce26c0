#!/usr/bin/env node
// CI (.ci/run): the package as a platform team gets it. In a scratch folder outside the checkout:
// 1. `npm pack` this repository (prepack builds dist/ and the prebuilt Lambda bundles);
// 2. the CLI alone: install the tarball, run it, and check that `synth` names its missing peer dependencies;
// 3. examples/existing-cdktf-app: install the tarball with the app's own dependencies, run the CLI there (the
//    app has TypeScript), type-check it
//    (tsc, node16 resolution: the exports map and the declarations), synthesize it, and check that every
//    resource and data source of the guardrail's three constructs equals the one `npm run synth` writes
//    for the same config (Terraform addresses differ: the constructs sit at other paths, so references
//    are compared by construct path), and that the team's own resources are there beside them.
// Only the npm registry (or its cache) is used. Prints the install sizes.

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const root = path.join(__dirname, "..");
const example = path.join(root, "examples", "existing-cdktf-app");
const quiet = ["--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];

/** The example's stack and construct of each stack of the app. */
const PLACEMENT = {
  "organization-policy": ["management", "bedrock-guardrail-policy"],
  "remediation-member-role": ["management", "bedrock-guardrail-member-role"],
  monitor: ["security", "bedrock-guardrail-monitor"],
};
/** The team's own resources in the example, which must be there beside the guardrail. */
const OWN = [
  ["management", "aws_organizations_organizational_unit", "sandbox"],
  ["security", "aws_cloudwatch_log_group", "audit"],
];

function run(cmd, args, cwd, env = {}) {
  return execFileSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", stdio: "pipe" });
}

function megabytes(dir) {
  return Number(run("du", ["-sm", dir], dir).split("\t")[0]);
}

/** Every resource and data source of a synthesized stack: [type, logical id, metadata path, body]. */
function elements(stackJson) {
  const out = [];
  for (const block of ["resource", "data"])
    for (const [type, byId] of Object.entries(stackJson[block] ?? {}))
      for (const [id, body] of Object.entries(byId))
        out.push({ kind: `${block}.${type}`, id, path: body["//"].metadata.path, body });
  return out;
}

/**
 * A body without the tool's tag: the app's stacks set it as their provider's default_tags, a construct on a
 * team's own provider on each resource (test/infra/constructs.test.ts checks that every resource has it).
 */
function withoutToolTag(body) {
  if (body.tags?.["managed-by"] !== "bedrock-guardrail") return body;
  const { "managed-by": _tool, ...tags } = body.tags;
  const { tags: _all, ...rest } = body;
  return Object.keys(tags).length > 0 ? { ...rest, tags } : rest;
}

/**
 * The elements under `prefix` keyed by kind and path below it, each body with its references to other
 * elements written as their paths and the asset folder (named after the construct path) left out.
 */
function normalized(stackJson, prefix) {
  const all = elements(stackJson);
  const relative = (p) => (p.startsWith(prefix) ? p.slice(prefix.length) : p);
  // A reference names its target as `aws_x.<id>` (a resource) or `data.aws_x.<id>` (a data source).
  const addresses = new Map(
    all.map((e) => [`${e.kind.replace(/^resource\./, "")}.${e.id}`, `${e.kind}.<${relative(e.path)}>`]),
  );
  const escaped = [...addresses.keys()]
    .sort((a, b) => b.length - a.length)
    .map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp(`(${escaped.join("|")})(?![\\w-])`, "g");
  const result = new Map();
  for (const e of all) {
    if (!e.path.startsWith(prefix)) continue;
    const { "//": _metadata, ...body } = withoutToolTag(e.body);
    const text = JSON.stringify(body)
      .replace(pattern, (address) => addresses.get(address))
      .replace(/assets\/[^/"]+\//g, "assets/");
    result.set(`${e.kind} ${relative(e.path)}`, text);
  }
  return result;
}

function readStack(outdir, stack) {
  return JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
}

function main() {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bedrock-guardrail-example-"));
  const problems = [];
  try {
    const packed = run("npm", ["pack", "--silent", "--pack-destination", scratch], root).trim().split("\n");
    const tarball = path.join(scratch, packed[packed.length - 1]);
    process.stdout.write(`packed ${path.basename(tarball)} (${Math.round(fs.statSync(tarball).size / 1024)} KB)\n`);

    // The CLI alone: no cdktf, no provider bindings.
    const cli = path.join(scratch, "cli");
    fs.mkdirSync(cli);
    fs.writeFileSync(path.join(cli, "package.json"), '{ "name": "cli-only", "version": "1.0.0", "private": true }\n');
    run("npm", ["install", ...quiet, tarball], cli);
    const bin = path.join(cli, "node_modules", ".bin", "bedrock-guardrail");
    run(bin, ["--version"], cli);
    fs.copyFileSync(path.join(example, "guardrail.config.json"), path.join(cli, "guardrail.config.json"));
    try {
      run(bin, ["synth"], cli);
      problems.push("the CLI alone synthesized without its peer dependencies");
    } catch (e) {
      if (e.status !== 2 || !/optional peer dependency: npm install .*cdktf@/.test(e.stderr))
        problems.push(`CLI-only synth: expected exit 2 naming the peers, got ${e.status}: ${e.stderr}`);
    }
    process.stdout.write(`the CLI alone installs ${megabytes(path.join(cli, "node_modules"))} MB\n`);

    // The platform team's app.
    const app = path.join(scratch, "app");
    fs.cpSync(example, app, {
      recursive: true,
      filter: (src) => !/node_modules|dist|cdktf\.out/.test(path.basename(src)),
    });
    run("npm", ["install", ...quiet, tarball], app);
    process.stdout.write(`the example app with the package installs ${megabytes(path.join(app, "node_modules"))} MB\n`);
    // The CLI inside an app that has TypeScript of its own (an installed package never rebuilds itself).
    run(path.join(app, "node_modules", ".bin", "bedrock-guardrail"), ["--version"], app);
    run(path.join(app, "node_modules", ".bin", "tsc"), ["-p", "."], app);
    const appOut = path.join(app, "cdktf.out");
    run(process.execPath, ["dist/main.js"], app, { CDKTF_OUTDIR: appOut });

    // The repository's app (npm run synth) with the same config.
    const reference = path.join(scratch, "reference");
    fs.mkdirSync(reference);
    run(process.execPath, [path.join(root, "dist", "main.js")], reference, {
      GUARDRAIL_CONFIG: path.join(app, "guardrail.config.json"),
      CDKTF_OUTDIR: path.join(reference, "cdktf.out"),
    });

    let compared = 0;
    for (const [stack, [exampleStack, construct]] of Object.entries(PLACEMENT)) {
      const expected = normalized(readStack(path.join(reference, "cdktf.out"), stack), `${stack}/`);
      const actual = normalized(readStack(appOut, exampleStack), `${exampleStack}/${construct}/`);
      for (const [key, body] of expected) {
        if (!actual.has(key)) problems.push(`${exampleStack}/${construct}: missing ${key}`);
        else if (actual.get(key) !== body)
          problems.push(
            `${exampleStack}/${construct}: ${key} differs${process.env.DEBUG_EXAMPLE ? `\n${body}\n${actual.get(key)}` : ""}`,
          );
        else compared++;
      }
      for (const key of actual.keys())
        if (!expected.has(key)) problems.push(`${exampleStack}/${construct}: extra ${key}`);
    }
    for (const [stack, type, id] of OWN) {
      const own = elements(readStack(appOut, stack)).some(
        (e) => e.kind === `resource.${type}` && e.path === `${stack}/${id}`,
      );
      if (!own) problems.push(`${stack}: the team's own ${type} "${id}" is missing`);
    }
    // The Lambda zips the example references are the app's, byte for byte.
    const zips = (dir) =>
      fs
        .readdirSync(dir, { recursive: true })
        .filter((f) => f.endsWith(".zip"))
        .map((f) => fs.readFileSync(path.join(dir, f)).toString("base64"))
        .sort();
    if (JSON.stringify(zips(path.join(reference, "cdktf.out"))) !== JSON.stringify(zips(appOut)))
      problems.push("the example's Lambda zips differ from the app's");
    process.stdout.write(`example app: ${compared} guardrail resources and data sources equal to the app's\n`);
    if (compared === 0) problems.push("nothing was compared");
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  for (const p of problems) process.stderr.write(`check-example-app: ${p}\n`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}

main();
