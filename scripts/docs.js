#!/usr/bin/env node
// Rewrites the generated parts of the docs (the rule table and limitations in docs/rules.md, the rule
// counts in README.md and docs/detection.md) from the rule files in policies/rules/.
// test/docs/generated-docs.test.ts fails while they are stale.

const fs = require("node:fs");
const path = require("node:path");
const { ensureBuilt } = require("./ensure-built");

ensureBuilt();
const root = path.join(__dirname, "..");
const { bundledDefinition, rulesInPrecedenceOrder } = require("../dist/src/guardrail/guardrail");
const { GENERATED_PARTS, refreshGeneratedParts } = require("../dist/src/guardrail/rule-docs");

const rules = rulesInPrecedenceOrder(bundledDefinition());
for (const file of new Set(GENERATED_PARTS.map((part) => part.file))) {
  const full = path.join(root, file);
  const text = fs.readFileSync(full, "utf8");
  const fresh = refreshGeneratedParts(file, text, rules);
  if (fresh !== text) {
    fs.writeFileSync(full, fresh);
    process.stdout.write(`updated ${file}\n`);
  }
}
