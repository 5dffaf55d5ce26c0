#!/usr/bin/env node
// Runs the compiled CLI. `npm ci` builds it (prepare); if dist/ is missing or older than the
// sources (a fresh checkout without install scripts, or edited sources), build it first.
"use strict";
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

const root = path.join(__dirname, "..");
const entry = path.join(root, "dist", "src", "cli", "index.js");

function newestSource(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (/\.(ts|json)$/.test(e.name)) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

let stale = !fs.existsSync(entry);
if (!stale) {
  const built = fs.statSync(entry).mtimeMs;
  stale = newestSource(path.join(root, "src")) > built || newestSource(path.join(root, "policies")) > built;
}
if (stale) {
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc", { paths: [root] }), "-p", path.join(root, "tsconfig.build.json")], { stdio: ["ignore", "ignore", "inherit"] });
}
require(entry).main(process.argv);
