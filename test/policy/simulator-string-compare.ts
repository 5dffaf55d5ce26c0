/**
 * The simulator compares IAM names (condition operators, `...IfExists`, set operators) case-blind with
 * `a.localeCompare(b, undefined, { sensitivity: "accent" }) === 0`, which builds an ICU collator on
 * every call: 17% of the CPU of a decision-table suite (profile of simulate-realistic-govcloud). For
 * printable ASCII, equal under that collation means equal once lower-cased (no printable ASCII character
 * is ignorable in the root collation, and case is the only difference "accent" ignores), so those are
 * compared that way and every other string still goes to ICU: the simulator decides exactly as before
 * (simulator-string-compare.test.ts checks the two answers agree). Installed by simulator.ts.
 */
import * as path from "node:path";

interface CompareUtils {
  caseInsensitiveEquals(first: string, second: string): boolean;
  caseInsensitiveEndsWith(value: string, suffix: string): boolean;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** ICU's answer: what the simulator computes by itself. */
export const collatorEquals = (first: string, second: string): boolean =>
  first.localeCompare(second, undefined, { sensitivity: "accent" }) === 0;

export function fastEquals(first: string, second: string): boolean {
  if (!PRINTABLE_ASCII.test(first) || !PRINTABLE_ASCII.test(second)) return collatorEquals(first, second);
  return first.length === second.length && first.toLowerCase() === second.toLowerCase();
}

/**
 * Replaces the two functions in the simulator's policy library. Its modules call them through the
 * exports object, so every caller gets the replacement; the module is not exported by the package,
 * so it is found next to the entry point. Fails loudly if a new version moves or renames them.
 */
export function installFastCompare(): void {
  const file = path.join(path.dirname(require.resolve("@cloud-copilot/iam-policy")), "utils.js");
  const utils = require(file) as CompareUtils;
  if (typeof utils.caseInsensitiveEquals !== "function" || typeof utils.caseInsensitiveEndsWith !== "function")
    throw new Error(`${file} no longer exports caseInsensitiveEquals/caseInsensitiveEndsWith`);
  utils.caseInsensitiveEquals = fastEquals;
  utils.caseInsensitiveEndsWith = (value, suffix) => fastEquals(value.slice(suffix.length * -1), suffix);
}
