/**
 * The lint's checks as a list (src/policy/lint/checks.ts): each code belongs to one check, each check is the file
 * of this folder named after its code, and the list keeps the order the findings are printed in (tests and the
 * CLI's output depend on it).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LINT_CHECKS } from "../../src/policy/lint/checks";

const LINT_DIR = path.join(__dirname, "..", "..", "src", "policy", "lint");
/** The files of the folder that are not a check: what a check is, the list, and what several checks share. */
const FRAMEWORK = ["allow-list-entries.ts", "check.ts", "checks.ts", "exemption-lists.ts"];

const codes = LINT_CHECKS.flatMap((check) => check.codes);

test("the checks report their findings in this order, each code from one check", () => {
  expect(codes).toEqual([
    "policy-too-large",
    "too-many-policies",
    "unknown-action",
    "duplicate-statement",
    "broad-exemption",
    "no-approved-principal",
    "allow-list-profile-without-model",
    "allow-list-regional-model",
    "allow-list-upper-case-id",
    "allow-list-model-denied-on-mantle",
    "unprotectable-exemption",
    "no-exempted-principal-admin",
    "identity-center-prefix-extension",
    "unknown-region",
    "approved-products-without-control",
    "api-key-use-without-creation-control",
    "monitor-in-management-account",
    "rule-off-monitor-backend",
    "disabled-rule-not-prevented",
  ]);
  expect(new Set(codes).size).toBe(codes.length);
});

test("every file of src/policy/lint/ but the framework is the check of the code it is named after", () => {
  const checkFiles = fs
    .readdirSync(LINT_DIR)
    .filter((f) => !FRAMEWORK.includes(f))
    .map((f) => f.replace(/\.ts$/, ""));
  expect(checkFiles.sort()).toEqual([...codes].sort());
});
