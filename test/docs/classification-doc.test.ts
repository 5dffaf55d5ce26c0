/**
 * docs/scp.md's "Every action is classified" tells a security reviewer which services the classification
 * covers and under which conditions it denies. Both come from policies/action-classification.json, so a
 * service added to its scope or a condition first used there must be named in that paragraph too. The
 * `check --coverage` line below it names the columns the command prints.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runCheck } from "../../src/cli/commands/check";
import { captureOutput } from "../cli/helpers";
import { guardrailFor, MINIMAL_CONFIG } from "../policy/helpers";

const ROOT = path.join(__dirname, "..", "..");
const classification = JSON.parse(
  fs.readFileSync(path.join(ROOT, "policies", "action-classification.json"), "utf8"),
) as {
  scope: { service: string }[];
  actions: { decision?: { statements?: { condition: string }[] } }[];
  rules: { decision?: { statements?: { condition: string }[] } }[];
};

/** The paragraph of docs/scp.md that opens "Every action is classified", whitespace made single spaces. */
const paragraph = (() => {
  const doc = fs.readFileSync(path.join(ROOT, "docs", "scp.md"), "utf8");
  const start = doc.indexOf("`policies/action-classification.json` says, for every IAM action of");
  expect(start).toBeGreaterThanOrEqual(0);
  return doc.slice(start, doc.indexOf("\n\n", start)).replace(/\s+/g, " ");
})();

test("it names every service of the classification's scope", () => {
  const services = [...new Set(classification.scope.map((s) => s.service))];
  expect(services.length).toBeGreaterThan(3);
  expect(services.filter((s) => !paragraph.includes(`\`${s}\``) && !paragraph.includes(`\`${s}:`))).toEqual([]);
});

test("it names every condition a denied action is classified under", () => {
  const conditions = [
    ...new Set(
      [...classification.actions, ...classification.rules].flatMap(
        (entry) => entry.decision?.statements?.map((s) => s.condition) ?? [],
      ),
    ),
  ];
  expect(conditions).toContain("approved-only");
  expect(conditions.filter((c) => !paragraph.includes(`\`${c}\``))).toEqual([]);
});

test("its `check --coverage` line names the columns the command prints", () => {
  const doc = fs.readFileSync(path.join(ROOT, "docs", "scp.md"), "utf8");
  const comment = /^npx bedrock-guardrail check --coverage +# (.*)$/m.exec(doc)?.[1];
  expect(comment).toBeDefined();
  const c = captureOutput();
  expect(runCheck(guardrailFor(MINIMAL_CONFIG), { coverage: true }, c.io)).toBe(0);
  const header = c
    .out()
    .split("\n")[0]
    .trim()
    .split(/\s{2,}/);
  expect(comment).toBe(header.join(", "));
});
