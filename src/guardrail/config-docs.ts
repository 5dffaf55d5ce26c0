/**
 * The key reference of docs/configuration.md, generated from the config's JSON Schema (itself
 * generated from the zod schema, whose `.describe()` texts are the one place a key is explained):
 * every key with its default and meaning. It sits between `<!-- generated:config-keys -->` and
 * `<!-- /generated:config-keys -->`; `npm run schema` rewrites it with guardrail.schema.json, and
 * test/docs/config-docs.test.ts fails while either is stale.
 */
import { markdownTable } from "./rule-docs";

export const CONFIG_DOCS_FILE = "docs/configuration.md";
const PART = "config-keys";

interface JsonSchema {
  type?: string;
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
}

const code = (value: unknown) => `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;

/** What the Default column says of a key without a default in the schema. */
function noDefault(key: string, required: boolean, definitionDefaults: Record<string, unknown>): string {
  if (required) return "(required)";
  const fromDefinition = key.startsWith("remediation.") ? definitionDefaults[key.slice(12)] : undefined;
  return fromDefinition === undefined ? "absent" : `${code(fromDefinition)} (definition)`;
}

function row(key: string, prop: JsonSchema, required: boolean, definitionDefaults: Record<string, unknown>): string[] {
  const isSection = prop.properties !== undefined;
  const value =
    prop.const !== undefined
      ? `= ${code(prop.const)}`
      : "default" in prop
        ? isSection
          ? ""
          : code(prop.default)
        : noDefault(key, required, definitionDefaults);
  const choices = prop.enum && prop.enum.length > 1 ? ` One of ${prop.enum.map(code).join(", ")}.` : "";
  const meaning = `${prop.description ?? ""}${prop.description?.endsWith(".") ? "" : "."}${choices}`;
  return [code(key), value, meaning.replaceAll("|", "\\|")];
}

/** Every key of the schema, depth first in schema order: [key, default, meaning]. */
function rows(schema: JsonSchema, prefix: string, definitionDefaults: Record<string, unknown>): string[][] {
  const out: string[][] = [];
  for (const branch of [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])])
    out.push(...rows(branch, prefix, definitionDefaults));
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const key = `${prefix}${name}`;
    out.push(row(key, prop, schema.required?.includes(name) ?? false, definitionDefaults));
    out.push(...rows(prop, `${key}.`, definitionDefaults));
    if (prop.items) out.push(...rows(prop.items, `${key}[].`, definitionDefaults));
  }
  return out;
}

/**
 * The key table. `definitionDefaults`: the definition's remediation defaults, which the config's
 * remediation keys fall back to (they have no default in the schema).
 */
export function configKeyTable(schema: object, definitionDefaults: Record<string, unknown>): string {
  return markdownTable(["Key", "Default", "Meaning"], rows(schema as JsonSchema, "", definitionDefaults));
}

/** `text` (docs/configuration.md) with its generated part replaced by `table`. */
export function refreshConfigDocs(text: string, table: string): string {
  const start = `<!-- generated:${PART} -->`;
  const end = `<!-- /generated:${PART} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${CONFIG_DOCS_FILE}: missing the markers ${start} ... ${end}`);
  return `${text.slice(0, from + start.length)}\n\n${table}\n\n${text.slice(to)}`;
}
