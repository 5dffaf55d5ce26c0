/** `schema`: print the JSON Schema of guardrail.config.json (what guardrail.schema.json holds). */
import type { Command } from "commander";
import { configJsonSchemaText } from "../../config/json-schema";

export function register(program: Command): void {
  program
    .command("schema")
    .description("Print the JSON Schema of guardrail.config.json (the committed guardrail.schema.json)")
    .action(() => {
      process.stdout.write(configJsonSchemaText());
    });
}
