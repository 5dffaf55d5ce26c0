/**
 * docs/remediation.md's table of `remediate --format ndjson` fields lists the values of `api` and `kind` a
 * responder's script may meet. Both come from the action registry (src/remediation/actions/): every kind and every
 * API an action module declares is listed, and no other, so a new action shows up in the table.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ACTIONS } from "../../src/remediation/actions";

const DOC = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "remediation.md"), "utf8");

/** The backticked values in the Meaning column of the field table's row for `field`. */
function documentedValues(field: string): string[] {
  const row = new RegExp(`^\\| \`${field}\` +\\|(.*)\\|$`, "m").exec(DOC)?.[1] ?? "";
  expect(row).not.toBe("");
  return [...row.matchAll(/`([^`]+)`/g)].map((m) => m[1]).sort();
}

const definitions = Object.values(ACTIONS);

test("the registry has actions (or this test would check nothing)", () => {
  expect(Object.keys(ACTIONS)).toEqual(expect.arrayContaining(["deactivate-key", "revoke-role-sessions"]));
});

test("the kind row lists every action kind, and no other", () => {
  expect(documentedValues("kind")).toEqual(Object.keys(ACTIONS).sort());
});

test("the api row lists every action's API, and no other", () => {
  expect(documentedValues("api")).toEqual([...new Set(definitions.map((d) => d.api))].sort());
});
