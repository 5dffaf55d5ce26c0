import { ConfigError } from "../config/load";
import { Guardrail, loadGuardrail } from "../guardrail/guardrail";
import { EXIT } from "./exit-codes";

export interface ConfigOption {
  config?: string;
  definition?: string;
}

/** Loads the guardrail for a command, or prints the problems and exits 2. */
export function guardrailOrExit(opts: ConfigOption): Guardrail {
  try {
    return loadGuardrail({ configPath: opts.config, definitionPath: opts.definition });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`bedrock-guardrail: ${e.message}\n`);
      process.exit(EXIT.USAGE);
    }
    throw e;
  }
}
