/**
 * The options every command that reads the guardrail declares, worded the same everywhere. Apart
 * from common.ts (which loads the config schema) so that a command can declare them without
 * loading it: detect starts its scan workers first, and they boot while the config loads.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { BACKENDS, type BackendName } from "../config/backends";

export interface ConfigOption {
  config?: string;
  definition?: string;
}

/** `--rule ID`, repeatable: the commands that run rules (detect, query) run only those. */
export interface RuleOption {
  rule?: string[];
}

/** Adds `-c, --config` and `--definition`. */
export function addConfigOptions(command: Command): Command {
  return command
    .option("-c, --config <file>", "guardrail config (default: $GUARDRAIL_CONFIG, then ./guardrail.config.json)")
    .option("--definition <file>", "guardrail definition (default: the bundled policies/bedrock-model-access.json)");
}

export function addRuleOption(command: Command): Command {
  return command.option(
    "--rule <id>",
    "run only this detection rule (repeatable; default: every rule, see `check`)",
    (id: string, ids: string[] = []) => [...ids, id],
  );
}

/**
 * `--backend <name>`, one of `names` (src/config/backends.ts). A backend's former name passes too:
 * the command resolves it with backendNamed, which warns.
 */
export function backendOption(description: string, names: readonly BackendName[]): Option {
  const accepted: readonly string[] = names.flatMap((name) => [name, ...BACKENDS[name].formerNames]);
  return new Option(
    "--backend <backend>",
    `${description} (choices: ${names.map((n) => `"${n}"`).join(", ")})`,
  ).argParser((value: string) => {
    if (!accepted.includes(value)) throw new InvalidArgumentError(`Allowed choices are ${names.join(", ")}.`);
    return value;
  });
}
