import * as fs from "node:fs";
import { isUtf8 } from "node:buffer";
import * as path from "node:path";
import type { z } from "zod";
import { errorKind, errorText, jsonErrorText } from "../errors/error-text";
import { printable } from "../errors/printable";
import { repeatedKey } from "./repeated-key";
import { type GuardrailConfig, GuardrailConfigSchema } from "./schema";

const DEFAULT_CONFIG_FILE = "guardrail.config.json";
export const CONFIG_ENV_VAR = "GUARDRAIL_CONFIG";

/**
 * A config or definition that cannot be used. `problems` each name the key and the reason; a file
 * that cannot be read or parsed at all is one line (`file: does not exist`), not a list.
 */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
    unreadable = false,
  ) {
    const shownProblems = problems.map(shownProblem);
    super(
      unreadable
        ? `${shownProblem(source)}: ${shownProblems.join("; ")}`
        : `${shownProblem(source)} is invalid:\n${shownProblems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }

  /**
   * Another file's error as the one problem of `source` (a construct's definition file): its message is shown
   * already, so it keeps its lines as they are.
   */
  static within(source: string, inner: ConfigError): ConfigError {
    const error = new ConfigError(source, [inner.message], true);
    error.message = `${shownProblem(source)}: ${inner.message}`;
    return error;
  }
}

/** Longest quoted value a problem shows, its "..." included; the rest is counted, as oneLine does. */
const MAX_QUOTED_CHARS = 80;

/**
 * A problem as the message shows it: one line. The values it quotes come from the file (a key, an ARN), so a newline
 * or a terminal escape is shown escaped, never as a line or a colour of its own, and a long quoted value is cut. The
 * whole problem is escaped, not only what stands between quotes: a value holding a quote of its own (a key
 * `x"<newline>  - ...`) would end its quotes early and put the rest, a forged problem line, outside them. Showing
 * a problem again changes nothing.
 */
function shownProblem(problem: string): string {
  return printable(problem).replace(/"([^"]*)"/g, (_, value: string) => {
    if (value.length <= MAX_QUOTED_CHARS) return `"${value}"`;
    const kept = MAX_QUOTED_CHARS - 3;
    return `"${value.slice(0, kept)}..." (${value.length - kept} more characters)`;
  });
}

/** `a.b[2].c` for people, from a zod issue path. */
export function formatPath(p: readonly PropertyKey[]): string {
  return p.reduce<string>(
    (acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)),
    "",
  );
}

export function zodProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = formatPath(issue.path) || "(top level)";
    if (issue.code === "unrecognized_keys")
      return `${where}: unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    return `${where}: ${issue.message}`;
  });
}

/**
 * zod's safeParse without its JIT. On an object schema's first parse zod compiles a parser for it
 * (new Function), which pays back only over many parses; each schema here reads a few documents per
 * process, so the compiling was most of the parsing: without it `detect` starts 7-9 ms sooner
 * (median of 15 runs on examples/), and no code is generated from a schema a user's definition can extend.
 */
export function safeParseDocument<S extends z.ZodType>(schema: S, value: unknown): z.ZodSafeParseResult<z.output<S>> {
  return schema.safeParse(value, { jitless: true });
}

/** The document as the schema reads it, or a ConfigError naming `source` and each problem. */
export function parseDocument<S extends z.ZodType>(schema: S, value: unknown, source: string): z.output<S> {
  const result = safeParseDocument(schema, value);
  if (!result.success) throw new ConfigError(source, zodProblems(result.error));
  return result.data;
}

export function parseConfig(value: unknown, source = DEFAULT_CONFIG_FILE): GuardrailConfig {
  return parseDocument(GuardrailConfigSchema, value, source);
}

/** How a file is named in messages: relative to the working directory when inside it, else absolute. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const relative = path.relative(cwd, path.resolve(cwd, file));
  return relative === "" || relative.startsWith("..") || path.isAbsolute(relative) ? path.resolve(cwd, file) : relative;
}

/** Why a file cannot be read, in words ("does not exist", "is a directory, not a file"). */
function unreadableProblem(e: unknown): string {
  return errorKind(e) === "file" ? errorText(e) : `cannot be read: ${errorText(e)}`;
}

/**
 * Where the first byte sequence that is not UTF-8 text is, in words, or undefined for UTF-8 text. The decoder replaced
 * it with U+FFFD in `text`; a U+FFFD the file spells in UTF-8 (EF BF BD) is no error. A NUL byte is valid UTF-8 but no
 * JSON text has one (a string must escape it): it is how a UTF-16 file without a byte order mark reads, named here
 * rather than as a JSON syntax error.
 */
function invalidUtf8(bytes: Buffer, text: string): string | undefined {
  if (isUtf8(bytes) && !bytes.includes(0)) return undefined;
  let offset = 0;
  let line = 1;
  let column = 1;
  for (const ch of text) {
    const spelled = bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd;
    if ((ch === "\ufffd" && !spelled) || ch === "\0") {
      const byte = bytes[offset].toString(16).padStart(2, "0");
      return `byte 0x${byte} at line ${line}, column ${column}, byte offset ${offset}`;
    }
    // A byte order mark is no column an editor shows.
    if (ch === "\ufeff" && offset === 0) column--;
    offset += Buffer.byteLength(ch);
    [line, column] = ch === "\n" ? [line + 1, 1] : [line, column + 1];
  }
  return "a byte sequence"; // not reached: the decoder replaces every one it refuses
}

/**
 * A JSON file's value; a UTF-8 byte order mark (as some Windows editors write) is accepted. A file in another
 * encoding is refused: decoding it as UTF-8 would silently turn each non-ASCII character into U+FFFD (an SCP
 * description, a key ID or a name the synth then writes wrong). A key an object names twice is refused: JSON.parse
 * would silently drop the first one's value.
 */
export function readJsonFile(file: string): unknown {
  let text: string;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new ConfigError(displayPath(file), [unreadableProblem(e)], true);
  }
  text = bytes.toString("utf8");
  const notUtf8 = invalidUtf8(bytes, text);
  if (notUtf8) throw new ConfigError(displayPath(file), [`is not UTF-8 text (${notUtf8}): save it as UTF-8`], true);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "") throw new ConfigError(displayPath(file), ["is empty (expected a JSON object)"], true);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(displayPath(file), [`is not valid JSON at ${jsonErrorText(text, e)}`], true);
  }
  const repeated = repeatedKey(text);
  if (repeated) {
    const before = text.slice(0, repeated.position);
    const where = `line ${before.split("\n").length}, column ${repeated.position - before.lastIndexOf("\n")}`;
    const problem = `names key ${JSON.stringify(repeated.key)} twice in one object (at ${where})`;
    throw new ConfigError(displayPath(file), [`${problem}: JSON keeps only the last; merge them into one`], true);
  }
  return value;
}

/**
 * Which config file to use: explicit path, then $GUARDRAIL_CONFIG, then ./guardrail.config.json. An
 * empty value is an error, not the working directory (which would then fail as "is a directory").
 */
export function resolveConfigPath(
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): string {
  if (explicit === "") throw new ConfigError("--config", ["is empty: name a config file"], true);
  if (explicit === undefined && env[CONFIG_ENV_VAR] === "")
    throw new ConfigError(`$${CONFIG_ENV_VAR}`, ["is set but empty: unset it or name a config file"], true);
  return path.resolve(cwd, explicit ?? env[CONFIG_ENV_VAR] ?? DEFAULT_CONFIG_FILE);
}

export function loadConfig(file: string): GuardrailConfig {
  return parseConfig(readJsonFile(file), displayPath(file));
}
