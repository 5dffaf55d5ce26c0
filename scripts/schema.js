#!/usr/bin/env node
// Writes what is generated from the config's zod schema: guardrail.schema.json, the key reference
// in docs/configuration.md (between its generated:config-keys markers) and the config's TypeScript interface
// with the descriptions as TSDoc (src/config/config-file-type.ts). test/config/config.test.ts,
// test/docs/config-docs.test.ts and test/config/config-interface.test.ts fail while one is stale.

const fs = require("node:fs");
const path = require("node:path");
const { ensureBuilt } = require("./ensure-built");

ensureBuilt();
const root = path.join(__dirname, "..");
const { configJsonSchemaText, SCHEMA_FILE } = require("../dist/src/config/json-schema");
const { CONFIG_DOCS_FILE, configKeyTable, refreshConfigDocs } = require("../dist/src/guardrail/config-docs");
const { bundledDefinition } = require("../dist/src/guardrail/guardrail");
const { CONFIG_INTERFACE_FILE, configInterfaceText } = require("../dist/src/config/config-interface");

const schemaText = configJsonSchemaText();
const table = configKeyTable(JSON.parse(schemaText), bundledDefinition().remediation.defaults);
for (const [file, fresh] of [
  [SCHEMA_FILE, () => schemaText],
  [CONFIG_DOCS_FILE, (text) => refreshConfigDocs(text, table)],
  [CONFIG_INTERFACE_FILE, () => configInterfaceText()],
]) {
  const full = path.join(root, file);
  const text = fs.readFileSync(full, "utf8");
  const next = fresh(text);
  if (next !== text) {
    fs.writeFileSync(full, next);
    process.stdout.write(`updated ${file}\n`);
  }
}
