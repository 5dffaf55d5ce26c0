/**
 * What every command that reads the guardrail shares: how the `--config` / `--definition` options
 * (options.ts) are resolved, and what a config error does (its problems on stderr, exit 2).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, CONFIG_ENV_VAR, displayPath, loadConfig, parseConfig, resolveConfigPath } from "../config/load";
import type { GuardrailDefinition } from "../guardrail/definition";
import {
  bundledDefinition,
  compileGuardrail,
  type Guardrail,
  parseDefinition,
  readDefinitionFile,
  selectRules,
} from "../guardrail/guardrail";
import type { ConfigOption, RuleOption } from "./options";
import { linePrefix } from "./report";

/** The guardrail narrowed to `--rule` ids, or undefined after naming the unknown id on stderr (exit 2). */
export function narrowToRules(
  guardrail: Guardrail,
  opts: RuleOption,
  io: Pick<ConfigIO, "stderr">,
): Guardrail | undefined {
  try {
    return selectRules(guardrail, opts.rule ?? []);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr.write(`${linePrefix()}: ${e.message}\n`);
      return undefined;
    }
    throw e;
  }
}

/** A stream a command writes text to (process.stdout, or a string collector in tests). */
export interface TextSink {
  write(s: string): unknown;
}

/** Where a command finds its config: the environment and working directory (injectable for tests). */
export interface ConfigIO {
  stderr: TextSink;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface LoadForCommand {
  /**
   * For commands that are useful before any config exists (detect, query): with no --config, no
   * $GUARDRAIL_CONFIG and no ./guardrail.config.json, run with an empty config (nobody approved)
   * and call this to say so. Without it a missing config file is a config error.
   */
  onNoConfig?: () => void;
}

function definitionFrom(file: string | undefined, cwd: string): GuardrailDefinition {
  if (file === undefined) return bundledDefinition();
  const resolved = path.resolve(cwd, file);
  const display = displayPath(resolved, cwd);
  // A definition lists its rules by id: rules/<id>.json beside it, else the bundled rule.
  return parseDefinition(readDefinitionFile(resolved, display), display);
}

/** The guardrail of `--config` and `--definition`; a bad config or definition is a ConfigError. */
export function guardrailForOptions(opts: ConfigOption, env: NodeJS.ProcessEnv, cwd: string): Guardrail {
  const configPath = resolveConfigPath(opts.config, env, cwd);
  return compileGuardrail(definitionFrom(opts.definition, cwd), loadConfig(configPath), displayPath(configPath));
}

/**
 * The guardrail for a command, or undefined after writing the config problems to stderr (the
 * caller returns EXIT.USAGE). Errors other than ConfigError propagate.
 */
export function loadGuardrailFor(opts: ConfigOption, io: ConfigIO, load: LoadForCommand = {}): Guardrail | undefined {
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  try {
    const configPath = resolveConfigPath(opts.config, env, cwd);
    const definition = definitionFrom(opts.definition, cwd);
    const defaultMissing = !opts.config && !env[CONFIG_ENV_VAR] && !fs.existsSync(configPath);
    if (load.onNoConfig && defaultMissing) {
      load.onNoConfig();
      return compileGuardrail(definition, parseConfig({ approvedPrincipalArns: [] }, "(no config)"));
    }
    // Named, so someone who wrote my-org.json and runs a command as printed (undo) knows which file was looked for.
    if (defaultMissing)
      throw new ConfigError(
        displayPath(configPath),
        [`no such file or directory (the default config: name yours with --config FILE or $${CONFIG_ENV_VAR})`],
        true,
      );
    return compileGuardrail(definition, loadConfig(configPath), displayPath(configPath));
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr.write(`${linePrefix()}: ${e.message}\n`);
      return undefined;
    }
    throw e;
  }
}
