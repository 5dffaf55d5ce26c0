/**
 * guardrail.schema.json and docs/configuration.md's key reference are generated from the zod schema
 * (`npm run schema`): every key has a description there, and the committed docs are fresh.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { configJsonSchemaText } from "../../src/config/json-schema";
import { CONFIG_DOCS_FILE, configKeyTable, refreshConfigDocs } from "../../src/guardrail/config-docs";
import { bundledDefinition } from "../../src/guardrail/guardrail";

const ROOT = path.join(__dirname, "..", "..");
const schema = JSON.parse(configJsonSchemaText());
const table = configKeyTable(schema, bundledDefinition().remediation.defaults);

interface Node {
  description?: string;
  properties?: Record<string, Node>;
  items?: Node;
  oneOf?: Node[];
  anyOf?: Node[];
}

/** Every key of the schema (nested, array items and union branches), with whether it has a description. */
function keys(node: Node, prefix = ""): [string, boolean][] {
  const branches = [...(node.oneOf ?? []), ...(node.anyOf ?? [])].flatMap((b) => keys(b, prefix));
  return [
    ...branches,
    ...Object.entries(node.properties ?? {}).flatMap(([name, prop]): [string, boolean][] => [
      [`${prefix}${name}`, Boolean(prop.description)],
      ...keys(prop, `${prefix}${name}.`),
      ...(prop.items ? keys(prop.items, `${prefix}${name}[].`) : []),
    ]),
  ];
}

test("every key of guardrail.schema.json has a description", () => {
  const all = keys(schema);
  expect(all.length).toBeGreaterThan(80);
  expect(all.filter(([, described]) => !described).map(([key]) => key)).toEqual([]);
});

test(`${CONFIG_DOCS_FILE}'s key reference is fresh (else run \`npm run schema\`)`, () => {
  const text = fs.readFileSync(path.join(ROOT, CONFIG_DOCS_FILE), "utf8");
  expect(refreshConfigDocs(text, table)).toBe(text);
});

test("the reference has a row per key, with the definition's defaults for remediation", () => {
  for (const [key] of keys(schema)) expect(table).toContain(`| \`${key}\` `);
  const mode = bundledDefinition().remediation.defaults.mode;
  expect(table).toMatch(new RegExp(`\\| \`remediation\\.mode\` +\\| \`${mode}\` \\(definition\\)`));
  expect(table).toMatch(/\| `approvedPrincipalArns` +\| \(required\) /);
});

test("a missing marker is an error naming the file", () => {
  expect(() => refreshConfigDocs("no markers", table)).toThrow(`${CONFIG_DOCS_FILE}: missing the markers`);
});
