/**
 * How a command reports a failure: one line, `<command>: <what failed>`, in the tool's one error
 * vocabulary (src/errors/error-text.ts). The stack trace only with --debug or BEDROCK_GUARDRAIL_DEBUG=1.
 *
 * One convention for every line on stderr: it starts with the name of the command that wrote it
 * (`detect: `, `verify: `), whatever part of the command wrote it (the config loader, `--rule`, a
 * failed write to stdout); `bedrock-guardrail: ` only when no command runs (synth, usage errors).
 */
import { missingProfile } from "../aws/profile";
import { errorKind, errorText, oneLine } from "../errors/error-text";
import type { TextSink } from "./common";

const PROGRAM = "bedrock-guardrail";
let runningCommand: string | undefined;

/** Set once by main before the command runs (undefined for --help, --version and unknown commands). */
export function setRunningCommand(name: string | undefined): void {
  runningCommand = name;
}

/** The prefix of every stderr line of this run: the running command's name, else the program's. */
export function linePrefix(): string {
  return runningCommand ?? PROGRAM;
}

/** Each line of `text` with the run's prefix (`check: warning: ...`). */
export function prefixLines(text: string): string {
  return text
    .split("\n")
    .map((line) => (line ? `${linePrefix()}: ${line}` : line))
    .join("\n");
}

export const DEBUG_ENV_VAR = "BEDROCK_GUARDRAIL_DEBUG";

function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[DEBUG_ENV_VAR];
  return value !== undefined && value !== "" && value !== "0" && value.toLowerCase() !== "false";
}

/**
 * The one line for a failure. Missing credentials while AWS_PROFILE names a profile no shared file
 * defines are said as that (a mistyped profile), not as "configure credentials".
 */
export function failureText(e: unknown, env: NodeJS.ProcessEnv = process.env): string {
  const missing = errorKind(e) === "credentials" ? missingProfile(env) : undefined;
  if (!missing) return errorText(e);
  return (
    `AWS_PROFILE names the profile "${oneLine(missing.profile, 64)}", which is in neither ${missing.configFile} ` +
    `nor ${missing.credentialsFile}: check the name (aws configure list-profiles)`
  );
}

/** Writes `<prefix>: <one line>` (and the stack in debug mode) to stderr. */
export function reportError(stderr: TextSink, prefix: string, e: unknown, env: NodeJS.ProcessEnv = process.env): void {
  stderr.write(`${prefix}: ${failureText(e, env)}\n`);
  if (debugEnabled(env) && e instanceof Error && e.stack) stderr.write(`${e.stack}\n`);
}
