/**
 * The docs' rule table, limitations and rule counts are generated from the rule files
 * (src/guardrail/rule-docs.ts, `npm run docs`): this fails while a doc is stale, naming it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { rulesInPrecedenceOrder } from "../../src/guardrail/guardrail";
import { countInWords, GENERATED_PARTS, markdownTable, refreshGeneratedParts } from "../../src/guardrail/rule-docs";
import { guardrailFrom, MINIMAL_CONFIG } from "../support/fixtures";

const ROOT = path.join(__dirname, "..", "..");
const rules = rulesInPrecedenceOrder(guardrailFrom(MINIMAL_CONFIG).definition);

test.each([...new Set(GENERATED_PARTS.map((p) => p.file))])("%s is fresh (else run `npm run docs`)", (file) => {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  expect(refreshGeneratedParts(file, text, rules)).toBe(text);
});

test("the README and docs/detection.md count every rule, and docs/rules.md has a row for each", () => {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  expect(readme).toContain(`**Detect**: <!-- generated:rule-count -->${countInWords(rules.length)}<!--`);
  const table = fs.readFileSync(path.join(ROOT, "docs/rules.md"), "utf8");
  for (const rule of rules) expect(table).toContain(`| \`${rule.id}\` `);
});

test("a stale part is rewritten, a missing marker is an error naming the file and the part", () => {
  const stale = "x <!-- generated:rule-count -->two<!-- /generated:rule-count --> y";
  expect(refreshGeneratedParts("README.md", stale, rules)).toBe(
    `x <!-- generated:rule-count -->${countInWords(rules.length)}<!-- /generated:rule-count --> y`,
  );
  expect(() => refreshGeneratedParts("docs/rules.md", "no markers", rules)).toThrow(
    "docs/rules.md: missing the markers <!-- generated:rule-table -->",
  );
});

test("counts are words up to nineteen; tables are padded to their widest cell", () => {
  expect([0, 9, 12, 19, 20].map(countInWords)).toEqual(["zero", "nine", "twelve", "nineteen", "20"]);
  expect(markdownTable(["a", "bb"], [["long", "x"]])).toBe("| a    | bb  |\n| ---- | --- |\n| long | x   |");
});

test("every SCP statement a rule names as its prevention exists", () => {
  const statements = fs.readFileSync(path.join(ROOT, "src/policy/statement-ids.ts"), "utf8");
  const named = rules.flatMap((r) => [...r.prevention.matchAll(/`(Deny[A-Za-z]+)`/g)].map((m) => m[1]));
  expect(named.length).toBeGreaterThan(0);
  expect(named.filter((sid) => !statements.includes(`"${sid}"`))).toEqual([]);
});
