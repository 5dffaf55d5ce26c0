#!/usr/bin/env node
// Runs the compiled CLI. In a development checkout (scripts/ and TypeScript there) dist/ is rebuilt first
// when it is missing or older than the sources; an installed package ships dist/ and no scripts/ (the
// `files` of package.json), and never runs the compiler, even in an app that has TypeScript of its own.

const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const ensureBuilt = path.join(root, "scripts", "ensure-built.js");
let developing = false;
if (fs.existsSync(ensureBuilt)) {
  try {
    require.resolve("typescript/package.json", { paths: [root] });
    developing = true;
  } catch {
    // A checkout without its development dependencies runs the dist/ it has.
  }
}
if (developing) require(ensureBuilt).ensureBuilt();
require(path.join(root, "dist", "src", "cli", "index.js")).main(process.argv);
