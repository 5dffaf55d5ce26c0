/**
 * docs/scp.md numbers the SCP's statements ("1. **`DenyBedrockModelAccessApis`**" ... ), and every page refers to
 * them by that number ("statement 11", "Statements 10-18"). A statement added, or one that no longer exists, must
 * change the list and every reference with it; and the sizes the "Size" section states are the synthesized ones.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildScpDocuments } from "../../src/policy/documents";
import { SID } from "../../src/policy/statement-ids";
import { FULL_CONFIG, guardrailFor, MINIMAL_CONFIG, REALISTIC_CONFIG } from "../policy/helpers";

const ROOT = path.join(__dirname, "..", "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const SCP_DOC = read("docs/scp.md");
const PAGES = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).map((f) => `docs/${f}`)].filter((f) =>
  f.endsWith(".md"),
);

/** The statement list of scp.md: number and Sid of each "N. **`Sid`**" item, in order. */
const numbered = [...SCP_DOC.matchAll(/^(\d+)\. \*\*`(\w+)`\*\*/gm)].map((m) => ({ n: Number(m[1]), sid: m[2] }));

/** The statements scp.md describes inside another's item: split off it only with remediation operators. */
const SPLIT_OFF: string[] = [SID.protectStateItems, SID.protectJobItems];

test("scp.md numbers its statements 1, 2, 3 ... each Sid once, every statement the guardrail can emit", () => {
  expect(numbered.map((s) => s.n)).toEqual(numbered.map((_, i) => i + 1));
  const sids = numbered.map((s) => s.sid);
  expect(new Set(sids).size).toBe(sids.length);
  expect([...sids].sort()).toEqual(
    Object.values(SID)
      .filter((sid) => !SPLIT_OFF.includes(sid))
      .sort(),
  );
  for (const sid of SPLIT_OFF) expect(SCP_DOC).toContain(`**\`${sid}\`**`);
});

test.each(PAGES)("%s: every statement number it names is one of scp.md's list", (page) => {
  const text = read(page).replace(/\s+/g, " ");
  const last = numbered.length;
  const wrong: string[] = [];
  for (const [ref, first, , second] of text.matchAll(/\b[Ss]tatements? (\d+)(-(\d+))?\b/g)) {
    const numbers = [Number(first), ...(second === undefined ? [] : [Number(second)])];
    if (numbers.some((n) => n < 1 || n > last)) wrong.push(ref);
  }
  // "Statements 10-N" is every protection: it must end at the list's last statement.
  for (const [ref, , end] of text.matchAll(/\b[Ss]tatements (10)-(\d+)\b/g))
    if (Number(end) !== last) wrong.push(`${ref} (the list ends at ${last})`);
  expect(wrong).toEqual([]);
});

test("the first protection is statement 10, as 'Statements 1-9' and 'Statements 10-N' say", () => {
  expect(numbered[9]?.sid).toBe(SID.protectExempted);
});

/** The sizes of a config's documents, as `policy` prints them. */
const sizes = (config: Parameters<typeof guardrailFor>[0]) =>
  buildScpDocuments(guardrailFor(config)).map((d) => d.size);
/** "10,135" -> 10135. */
const num = (text: string) => Number(text.replace(/,/g, ""));
const sizeSection = SCP_DOC.slice(SCP_DOC.indexOf("### Size"), SCP_DOC.indexOf("## Every action is classified"));
const sentence = (pattern: RegExp) => {
  const m = pattern.exec(sizeSection.replace(/\s+/g, " "));
  expect(m).not.toBeNull();
  return (m as RegExpExecArray).slice(1).map(num);
};

test("the Size section's sizes are the synthesized documents' (default, FULL_CONFIG, realistic)", () => {
  expect(sentence(/default config is one document of ([\d,]+) characters/)).toEqual(sizes(MINIMAL_CONFIG));
  expect(sentence(/\(`FULL_CONFIG`\) two of ([\d,]+) and ([\d,]+)/)).toEqual(sizes(FULL_CONFIG));
  const [total, ...documents] = sentence(/the SCP is ([\d,]+) characters in two documents of ([\d,]+) and ([\d,]+)/);
  expect(documents).toEqual(sizes(REALISTIC_CONFIG));
  expect(total).toBe(documents[0] + documents[1]);
});
