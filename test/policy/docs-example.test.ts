/**
 * docs/scp.md shows a config and what `check` prints for it; this keeps the two equal, so the
 * documented decision table is always the real one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runCheck } from "../../src/cli/commands/check";
import { captureOutput } from "../cli/helpers";
import { guardrailFor } from "./helpers";

const DOC = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "scp.md"), "utf8");

/** The fenced block right after `<!-- decision-table-example:<name> -->`. */
function block(name: string): string {
  const marker = DOC.indexOf(`<!-- decision-table-example:${name} -->`);
  expect(marker).toBeGreaterThanOrEqual(0);
  const open = DOC.indexOf("\n", DOC.indexOf("```", marker)) + 1;
  return DOC.slice(open, DOC.indexOf("\n```", open));
}

test("the decision table in docs/scp.md is what check prints for the config shown there", () => {
  const c = captureOutput();
  expect(runCheck(guardrailFor(JSON.parse(block("config"))), {}, c.io)).toBe(0);
  const printed = c.out();
  // From the size line to the table's legend; the rule-test summary after it is not part of the example.
  const legend = "n/a = SCPs never apply to this principal.";
  const table = printed.slice(printed.indexOf("SCP: "), printed.indexOf(legend) + legend.length);
  expect(block("output")).toBe(table);
});
