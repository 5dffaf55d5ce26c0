/**
 * The detection rules are the files of a folder, one rule a file named after its id: the shipped
 * rules are `policies/rules/*.json`. Nothing else lists them: the CLI, the tests and `dist/` read the
 * folder when the guardrail is loaded, and a Lambda bundle gets the files' content inlined when it is
 * built (`src/infra/bundle/inline-rules.ts` replaces `shippedRuleFiles`), so adding a rule is adding
 * its file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, readJsonFile } from "../config/load";

/** One rule file: how it is named in messages and its parsed (not yet validated) JSON. */
export interface RuleFile {
  file: string;
  rule: unknown;
}

/** Where the shipped rules live, relative to the package root. */
export const SHIPPED_RULES_FOLDER = "policies/rules";

/** The repository (package) root, found from a file in it whether that runs from src/ or dist/. */
export function packageRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (
      fs.existsSync(pkg) &&
      (JSON.parse(fs.readFileSync(pkg, "utf8")) as { name?: string }).name === "bedrock-guardrail"
    )
      return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`bedrock-guardrail package root not found above ${from}`);
    dir = parent;
  }
}

/** Every `*.json` file of a rule folder, by file name; `display` names the folder in messages. */
export function readRuleFolder(dir: string, display: string): RuleFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((name) => name.endsWith(".json"));
  } catch {
    throw new ConfigError(display, ["is not a readable folder of rule files"], true);
  }
  return names.sort().map((name) => ({ file: `${display}/${name}`, rule: readJsonFile(path.join(dir, name)) }));
}
