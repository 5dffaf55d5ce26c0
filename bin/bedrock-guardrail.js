#!/usr/bin/env node
// Runs the compiled CLI. In a development checkout (TypeScript installed) dist/ is rebuilt first when it
// is missing or older than the sources; an installed package ships dist/ and never runs the compiler.

const path = require("node:path");

let developing = false;
try {
  require.resolve("typescript/package.json", { paths: [path.join(__dirname, "..")] });
  developing = true;
} catch {
  // No TypeScript: an installed package, which ships dist/.
}
if (developing) require(path.join(__dirname, "..", "scripts", "ensure-built.js")).ensureBuilt();
require(path.join(__dirname, "..", "dist", "src", "cli", "index.js")).main(process.argv);
