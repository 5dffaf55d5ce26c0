/**
 * Text from a record (a model id, a user agent, a principal name: values the caller of an API
 * chooses) shown to people in a terminal or an e-mail. Every character that is not printed as itself
 * becomes a visible escape, so a value can neither start a line of its own (a fake table row, a fake
 * "Response:" line in the alert) nor send the terminal escape sequences (colours, the cursor, the
 * window title), nor reorder what follows it on the line (bidirectional overrides).
 */

/** C0 controls, DEL, C1 controls, the line and paragraph separators, and the bidirectional controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what this escapes
const NOT_PRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

const SHORT: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** `text` with each character that is not printable as `\n`, `\r`, `\t` or `\uXXXX` (JSON's escapes). */
export function printable(text: string): string {
  return text.replace(NOT_PRINTABLE, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
