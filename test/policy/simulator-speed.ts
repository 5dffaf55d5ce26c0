/**
 * Two of the simulator's pure computations, made cheaper for the tests without changing an answer
 * (simulator-speed.test.ts checks each against the original). They were a third of the CPU of a
 * decision-table suite (profile of simulate-realistic-govcloud.test.ts):
 * - Case-blind comparison of IAM names (condition operators, `...IfExists`, set operators):
 *   `a.localeCompare(b, undefined, { sensitivity: "accent" }) === 0` builds an ICU collator on every
 *   call (17%). For printable ASCII, equal under that collation means equal once lower-cased (no
 *   printable ASCII character is ignorable in the root collation, and case is the only difference
 *   "accent" ignores), so those are compared that way; every other string still goes to ICU, in English
 *   whatever the machine's locale (see collatorEquals).
 * - The resource types of an action for a resource ARN (18%): a function of its three arguments and
 *   the service authorization data, so each answer is kept and given again.
 * Both are replaced in the modules' exports, through which the library's own modules call them; the
 * modules are not exported by their packages, so they are found next to the entry points. A version
 * that moves or renames them fails here, loudly. Installed by simulator.ts.
 */
import * as path from "node:path";

interface CompareUtils {
  caseInsensitiveEquals(first: string, second: string): boolean;
  caseInsensitiveEndsWith(value: string, suffix: string): boolean;
}

type ResourceTypesOf = (service: string, action: string, resource: string) => Promise<unknown[]>;

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * ICU's answer: what the simulator computes by itself, in English (ICU's root collation, no tailoring). The
 * simulator names no locale, so its own answer follows the machine's: in Turkish "i" and "I" differ. The
 * replacement names English, so no simulated verdict depends on the locale the tests run in.
 */
export const collatorEquals = (first: string, second: string): boolean =>
  first.localeCompare(second, "en", { sensitivity: "accent" }) === 0;

export function fastEquals(first: string, second: string): boolean {
  if (!PRINTABLE_ASCII.test(first) || !PRINTABLE_ASCII.test(second)) return collatorEquals(first, second);
  return first.length === second.length && first.toLowerCase() === second.toLowerCase();
}

/** A module a package does not export, by its path from the package's entry point (`entry`, resolved). */
function moduleOf<T>(entry: string, file: string, names: string[]): T {
  const full = path.join(path.dirname(entry), file);
  const mod = require(full) as Record<string, unknown>;
  for (const name of names)
    if (typeof mod[name] !== "function")
      throw new Error(`${full} no longer exports ${name}: update simulator-speed.ts`);
  return mod as T;
}

/** The simulator's own resource-type lookup (before installSimulatorSpeedups replaces it). */
export function resourceTypesModule(): { getResourceTypesForAction: ResourceTypesOf } {
  const entry = require.resolve("@cloud-copilot/iam-simulate");
  return moduleOf(entry, path.join("simulation_engine", "resourceTypes.js"), ["getResourceTypesForAction"]);
}

/** Each answer of `lookup` kept by its arguments (a failed one too: it fails the same way again). */
export function memoized(lookup: ResourceTypesOf): ResourceTypesOf {
  const answers = new Map<string, Promise<unknown[]>>();
  return (service, action, resource) => {
    const key = `${service}\0${action}\0${resource}`;
    let answer = answers.get(key);
    if (!answer) {
      answer = lookup(service, action, resource);
      answers.set(key, answer);
    }
    return answer;
  };
}

let installed = false;

export function installSimulatorSpeedups(): void {
  if (installed) return;
  installed = true;
  const utils = moduleOf<CompareUtils>(require.resolve("@cloud-copilot/iam-policy"), "utils.js", [
    "caseInsensitiveEquals",
    "caseInsensitiveEndsWith",
  ]);
  utils.caseInsensitiveEquals = fastEquals;
  utils.caseInsensitiveEndsWith = (value, suffix) => fastEquals(value.slice(suffix.length * -1), suffix);
  const resourceTypes = resourceTypesModule();
  resourceTypes.getResourceTypesForAction = memoized(resourceTypes.getResourceTypesForAction);
}
