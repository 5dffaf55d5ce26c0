import * as path from "node:path";
import { parseConfig } from "../../../src/config/load";
import {
  BUNDLED_DEFINITION,
  compileGuardrail,
  type Guardrail,
  parseDefinition,
} from "../../../src/guardrail/guardrail";

export const FIXTURES = path.join(__dirname, "..", "..", "fixtures", "cloudtrail", "scan");
export const EXAMPLES = path.join(__dirname, "..", "..", "..", "examples", "cloudtrail");

export function testGuardrail(approved: string[] = ["arn:aws:iam::*:role/BedrockModelAccessAdmin"]): Guardrail {
  return compileGuardrail(
    parseDefinition(BUNDLED_DEFINITION),
    parseConfig({ approvedPrincipalArns: approved }, "test"),
  );
}

export async function* chunksOf(data: Buffer | string, size = 64 * 1024): AsyncGenerator<Buffer> {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}
