/**
 * guardrail.schema.json, generated from the zod schema (`npm run schema`), is what editors and a team's own CI
 * validate a config with (the `$schema` key). Checked here with an independent JSON Schema validator (Ajv, draft
 * 2020-12): every config the tool accepts, the schema accepts, and the mistakes a schema can express (a wrong type,
 * an unknown key, a value outside an enum, a malformed e-mail) it refuses, as the tool does. What only code can check
 * (an ARN pattern's shape, cross-key rules) the schema may let through: the tool's `check` is the authority.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { parseConfig } from "../../src/config/load";
import { FULL_CONFIG, REALISTIC_CONFIG } from "../policy/helpers";

const ROOT = path.join(__dirname, "..", "..");
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, "guardrail.schema.json"), "utf8"));
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8"));
/** The "A full example" block of docs/configuration.md. */
function docsExample(): unknown {
  const doc = fs.readFileSync(path.join(ROOT, "docs", "configuration.md"), "utf8");
  const block = /A full example:\n\n```json\n([\s\S]*?)\n```/.exec(doc);
  if (!block) throw new Error("docs/configuration.md has no full example");
  return JSON.parse(block[1]);
}

const toolAccepts = (config: unknown): boolean => {
  try {
    parseConfig(config);
    return true;
  } catch {
    return false;
  }
};

describe("guardrail.schema.json, by an independent validator", () => {
  const accepted: [string, unknown][] = [
    ["the shipped guardrail.config.json", readJson("guardrail.config.json")],
    ["the example app's config", readJson("examples/existing-cdktf-app/guardrail.config.json")],
    ["docs/configuration.md's full example", docsExample()],
    ["the minimal config", { approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"] }],
    ["the tests' full config", FULL_CONFIG],
    ["the tests' realistic config", REALISTIC_CONFIG],
  ];

  it.each(accepted)("accepts what the tool accepts: %s", (_, config) => {
    expect(toolAccepts(config)).toBe(true);
    expect({ valid: validate(config), errors: validate.errors ?? [] }).toEqual({ valid: true, errors: [] });
  });

  const minimal = { approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"] };
  const refused: [string, unknown][] = [
    ["a list given as a string", { approvedPrincipalArns: "arn:aws:iam::*:role/BedrockModelAccessAdmin" }],
    ["an unknown top-level key", { ...minimal, approvedPrincipals: [] }],
    ["an unknown nested key", { ...minimal, monitor: { alertEmail: ["soc@example.com"] } }],
    ["a mode outside its enum", { ...minimal, remediation: { mode: "always" } }],
    ["a backend outside its enum", { ...minimal, monitor: { backend: "splunk" } }],
    ["a malformed e-mail", { ...minimal, monitor: { alertEmails: ["soc-at-example.com"] } }],
    ["a number given as a string", { ...minimal, monitor: { logRetentionDays: "90" } }],
    ["a boolean given as a string", { ...minimal, monitor: { driftCheck: "yes" } }],
  ];

  it.each(refused)("refuses, as the tool does: %s", (_, config) => {
    expect(toolAccepts(config)).toBe(false);
    expect(validate(config)).toBe(false);
  });
});
