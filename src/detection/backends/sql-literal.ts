/**
 * SQL literals for CloudTrail Lake (Trino dialect). Every value that comes from the definition, the
 * config or the command line enters a query through one of these functions, so no value can change
 * the query's structure: a string can only ever be one string literal.
 */
import { BackendInputError } from "./input-error";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A Trino string literal. Inside '...' the only special character is the quote itself, written
 * twice; backslashes, `--`, `;`, `/*` and newlines are ordinary characters there. Values that no
 * legitimate input contains and that engines or the UTF-8 encoding could mangle (NUL, unpaired
 * UTF-16 surrogates) are refused rather than escaped.
 */
export function sqlString(value: string, input: string): string {
  if (typeof value !== "string") throw new BackendInputError(input, `must be a string, got ${typeof value}`);
  if (value.includes("\u0000")) throw new BackendInputError(input, "contains a NUL character");
  if (LONE_SURROGATE.test(value))
    throw new BackendInputError(input, "contains an unpaired UTF-16 surrogate (not encodable as UTF-8)");
  return `'${value.replace(/'/g, "''")}'`;
}

/** The first of `expressions` that is neither NULL nor empty, else NULL (Trino and Athena alike). */
export function firstNonEmpty(expressions: readonly string[]): string {
  return `COALESCE(${expressions.map((e) => `NULLIF(${e}, '')`).join(", ")})`;
}

/** `TIMESTAMP 'YYYY-MM-DD HH:MM:SS.mmm'` in UTC, the form Lake's eventtime column compares with. */
export function sqlTimestamp(epochMs: number): string {
  const iso = new Date(epochMs).toISOString(); // 2024-10-17T20:09:51.000Z
  return `TIMESTAMP '${iso.slice(0, 10)} ${iso.slice(11, 23)}'`;
}

/** `chr(9) || chr(10) || ...`: a string of the given code points without invisible characters in the query text. */
export function sqlCodePoints(codePoints: readonly number[]): string {
  return codePoints.map((cp) => `chr(${cp})`).join(" || ");
}
