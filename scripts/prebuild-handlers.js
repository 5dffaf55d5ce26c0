#!/usr/bin/env node
// Run by `npm pack` (prepack): writes the Lambda handlers' bundles to dist/lambda/, the same bytes a synth
// in this repository bundles, so an installed package synthesizes the same zips without the TypeScript
// sources and without esbuild (a development dependency).

const path = require("node:path");
const { ensureBuilt } = require("./ensure-built");

ensureBuilt();
const { writePrebuiltHandlers } = require(
  path.join(__dirname, "..", "dist", "src", "infra", "bundle", "lambda-bundle.js"),
);
for (const file of writePrebuiltHandlers()) process.stdout.write(`prebuilt ${path.relative(process.cwd(), file)}\n`);
