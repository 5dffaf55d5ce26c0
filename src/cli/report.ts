/**
 * How a command reports a failure: one line, `<command>: <what failed>`, in the tool's one error
 * vocabulary (src/errors/error-text.ts). The stack trace only with --debug or BEDROCK_GUARDRAIL_DEBUG=1.
 */
import { errorText } from "../errors/error-text";
import type { TextSink } from "./common";

export const DEBUG_ENV_VAR = "BEDROCK_GUARDRAIL_DEBUG";

function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[DEBUG_ENV_VAR];
  return value !== undefined && value !== "" && value !== "0" && value.toLowerCase() !== "false";
}

/** Writes `<prefix>: <one line>` (and the stack in debug mode) to stderr. */
export function reportError(stderr: TextSink, prefix: string, e: unknown, env: NodeJS.ProcessEnv = process.env): void {
  stderr.write(`${prefix}: ${errorText(e)}\n`);
  if (debugEnabled(env) && e instanceof Error && e.stack) stderr.write(`${e.stack}\n`);
}
