/**
 * The shipped rule files, read from the package's policies/rules/. A Lambda bundle reads no files:
 * its build defines INLINED_RULE_FILES as the folder's content (`inlinedRulesDefine`, used by lambda-bundle.ts),
 * so both get the same rules and nothing names them one by one.
 */
import * as path from "node:path";
import { packageRoot, type RuleFile, readRuleFolder, SHIPPED_RULES_FOLDER } from "./rule-files";

/** The global a bundler replaces with the rule files (esbuild `define`); undeclared when run from src/ or dist/. */
const INLINED_RULE_FILES = "__BEDROCK_GUARDRAIL_RULE_FILES__";
declare const __BEDROCK_GUARDRAIL_RULE_FILES__: RuleFile[] | undefined;

/** esbuild's `define` that inlines the rule files: every bundle that runs outside the package needs it. */
export function inlinedRulesDefine(): Record<string, string> {
  return { [INLINED_RULE_FILES]: JSON.stringify(shippedRuleFiles()) };
}

export function shippedRuleFiles(): RuleFile[] {
  if (typeof __BEDROCK_GUARDRAIL_RULE_FILES__ !== "undefined") return __BEDROCK_GUARDRAIL_RULE_FILES__;
  return readRuleFolder(path.join(packageRoot(__dirname), SHIPPED_RULES_FOLDER), SHIPPED_RULES_FOLDER);
}
