/**
 * The published JSON Schema of guardrail.config.json (guardrail.schema.json), generated from the
 * zod schema so editors autocomplete exactly what the loader accepts. `input` mode: keys with
 * defaults are optional, as they are for the user.
 */
import { z } from "zod";
import { GuardrailConfigSchema } from "./schema";

export const SCHEMA_FILE = "guardrail.schema.json";

function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(GuardrailConfigSchema, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return {
    ...schema,
    $id: "https://github.com/bedrock-guardrail/bedrock-guardrail/guardrail.schema.json",
    title: "bedrock-guardrail configuration (guardrail.config.json)",
  };
}

/** Exactly the bytes of the committed guardrail.schema.json. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
