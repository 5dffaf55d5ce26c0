#!/usr/bin/env node
// Synthesizes a fixed set of configs (the repository's guardrail.config.json, the tests' realistic
// organization, and that organization on the Athena and CloudWatch Logs backends) into <outdir>/<name>/,
// so that a refactoring can prove its synth output unchanged: run it before and after, then
// `diff -r before after`. A Lambda bundle's asset path carries the hash of its zip, which changes whenever
// handler code does, so each cdk.tf.json is also written with those hashes blanked (<stack>.tf.normalized.json)
// and the bundled guardrail.config.json of each function is kept beside it (<function>.config.json).
//
//   node scripts/synth-snapshot.js <outdir>

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const zlib = require("node:zlib");
const { execFileSync } = require("node:child_process");
const { ensureBuilt } = require("./ensure-built");
const { realisticConfig } = require("./realistic-config");

const root = path.join(__dirname, "..");
const outdir = process.argv[2];
if (!outdir) {
  process.stderr.write("usage: node scripts/synth-snapshot.js <outdir>\n");
  process.exit(2);
}

/** One entry of a zip written by src/infra/bundle/zip.ts (local headers, deflate, no data descriptors). */
function zipEntry(zip, wanted) {
  for (let at = 0; zip.readUInt32LE(at) === 0x04034b50; ) {
    const size = zip.readUInt32LE(at + 18);
    const nameLength = zip.readUInt16LE(at + 26);
    const start = at + 30 + nameLength + zip.readUInt16LE(at + 28);
    if (zip.toString("utf8", at + 30, at + 30 + nameLength) === wanted)
      return zlib.inflateRawSync(zip.subarray(start, start + size));
    at = start + size;
  }
  throw new Error(`${wanted} not found in a bundle`);
}

ensureBuilt();
const realistic = realisticConfig();
const configs = {
  default: JSON.parse(fs.readFileSync(path.join(root, "guardrail.config.json"), "utf8")),
  realistic,
  "realistic-athena": {
    ...realistic,
    monitor: {
      ...realistic.monitor,
      backend: "athena",
      athena: {
        bucket: "org-trail-bucket",
        organizationId: "o-abcdefghij",
        kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      },
    },
  },
  "realistic-logs": {
    ...realistic,
    monitor: { ...realistic.monitor, backend: "cloudwatch-logs", cloudwatchLogs: { logGroups: ["org-trail"] } },
  },
};
delete configs.default.$schema;

const work = fs.mkdtempSync(path.join(os.tmpdir(), "synth-snapshot-"));
for (const [name, config] of Object.entries(configs)) {
  const configFile = path.join(work, `${name}.json`);
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  const target = path.resolve(outdir, name);
  fs.rmSync(target, { recursive: true, force: true });
  const synthOut = path.join(work, name);
  const stdout = execFileSync(process.execPath, [path.join(root, "dist", "main.js")], {
    cwd: root,
    env: { ...process.env, GUARDRAIL_CONFIG: configFile, CDKTF_OUTDIR: synthOut },
    encoding: "utf8",
  });
  fs.mkdirSync(target, { recursive: true });
  fs.writeFileSync(path.join(target, "stdout.txt"), stdout.replaceAll(synthOut, "<out>"));
  for (const stack of fs.readdirSync(path.join(synthOut, "stacks"))) {
    const text = fs.readFileSync(path.join(synthOut, "stacks", stack, "cdk.tf.json"), "utf8");
    fs.writeFileSync(path.join(target, `${stack}.tf.json`), text);
    const normalized = text.replace(/(assets\/[\w-]+)\/[0-9A-F]{32}\/[0-9a-f]{32}\.zip/g, "$1/<hash>/<hash>.zip");
    fs.writeFileSync(path.join(target, `${stack}.tf.normalized.json`), normalized);
    const assets = path.join(synthOut, "stacks", stack, "assets");
    if (!fs.existsSync(assets)) continue;
    for (const asset of fs.readdirSync(assets)) {
      // assets/<function>_code_<id>/<hash>/<hash>.zip
      for (const dir of fs.readdirSync(path.join(assets, asset))) {
        for (const zip of fs.readdirSync(path.join(assets, asset, dir))) {
          const config = zipEntry(fs.readFileSync(path.join(assets, asset, dir, zip)), "guardrail.config.json");
          fs.writeFileSync(path.join(target, `${asset.split("_code_")[0]}.config.json`), config);
        }
      }
    }
  }
  process.stdout.write(`synth-snapshot: ${name} -> ${target}\n`);
}
fs.rmSync(work, { recursive: true, force: true });
