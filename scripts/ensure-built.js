#!/usr/bin/env node
// Compiles main.ts + src/ to dist/ only when dist/ is missing or older than a source, so that
// `npx cdktf synth`, `npm run synth` and the CLI skip the type-check-and-emit when nothing
// changed (`npm ci` already builds through the prepare script).

const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const root = path.join(__dirname, "..");
const marker = path.join(root, "dist", "main.js");

function newest(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return /\.(ts|json)$/.test(p) ? st.mtimeMs : 0;
  let max = 0;
  for (const name of fs.readdirSync(p)) max = Math.max(max, newest(path.join(p, name)));
  return max;
}

function ensureBuilt() {
  const sources = ["main.ts", "src", "policies", "tsconfig.json", "tsconfig.build.json"].map((p) => path.join(root, p));
  const built = fs.existsSync(marker) ? fs.statSync(marker).mtimeMs : -1;
  if (built >= 0 && Math.max(...sources.map(newest)) <= built) return;
  const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
  execFileSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  // tsc's incremental mode does not rewrite unchanged outputs: touch the marker so the next check sees the build.
  const now = new Date();
  fs.utimesSync(marker, now, now);
}

module.exports = { ensureBuilt };
if (require.main === module) ensureBuilt();
