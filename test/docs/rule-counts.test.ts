/**
 * The README and docs/detection.md say how many detection rules there are, in words; this keeps the
 * words equal to the bundled definition's rule list.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { guardrailFrom, MINIMAL_CONFIG } from "../support/fixtures";

const ROOT = path.join(__dirname, "..", "..");
const WORDS = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
];
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), "utf8").replace(/\s+/g, " ");
const rules = guardrailFrom(MINIMAL_CONFIG).rules;

test("the README counts every rule", () => {
  expect(read("README.md")).toContain(`**Detect**: ${WORDS[rules.length]} rules (`);
});

test("docs/detection.md counts the rules beyond the two model-access ones", () => {
  expect(rules.slice(0, 2).map((r) => r.id)).toEqual(["bedrock-model-access-enabled", "bedrock-model-access-denied"]);
  expect(read("docs/detection.md")).toContain(`and ${WORDS[rules.length - 2]} rules for the rest of the kill chain`);
});
