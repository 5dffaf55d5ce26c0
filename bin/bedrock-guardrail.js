#!/usr/bin/env node
// Runs the compiled CLI, building dist/ first when it is missing or older than the sources.

const path = require("node:path");
require(path.join(__dirname, "..", "scripts", "ensure-built.js")).ensureBuilt();
require(path.join(__dirname, "..", "dist", "src", "cli", "index.js")).main(process.argv);
