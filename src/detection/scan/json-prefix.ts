/**
 * Where bytes stop being the start of one valid JSON value: record-framer.ts's recovery trusts the
 * depth only before that point (there the JSON is valid, so the depth is exact). JSON.parse says where
 * it failed only for some errors (an unexpected token has no position in V8's message), so the grammar
 * is checked here, for damaged slices only: speed does not matter.
 */
import { BACKSLASH, CLOSE_ARR, CLOSE_OBJ, COLON, COMMA, OPEN_ARR, OPEN_OBJ, QUOTE } from "./json-bytes";

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
/** Every prefix of a number, a number cut off included. */
const NUMBER_PREFIX = /^-?((0|[1-9]\d*)(\.\d*)?([eE][+-]?\d*)?)?$/;
const LITERALS = ["true", "false", "null"];
const ESCAPES = new Set([...'"\\/bfnrt'].map((c) => c.charCodeAt(0)));
const HEX = /^[0-9a-fA-F]{4}$/;

type State = "value" | "valueOrClose" | "keyOrClose" | "key" | "colon" | "afterValue" | "done";

/**
 * The offset of the first byte of `buf[from, to)` at which it stops being the start of one valid JSON
 * value (a second value counts as such a byte), or `to` when none does (valid, or valid but cut off).
 */
export function firstInvalidByte(buf: Buffer, from: number, to: number): number {
  const stack: number[] = [];
  let state: State = "value";
  let i = from;
  const afterValue = (): State => (stack.length > 0 ? "afterValue" : "done");
  while (i < to) {
    const c = buf[i];
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (state === "done") return i;
    if (state === "colon") {
      if (c !== COLON) return i;
      i++;
      state = "value";
      continue;
    }
    if (state === "afterValue") {
      const top = stack[stack.length - 1];
      if (c === COMMA) state = top === OPEN_OBJ ? "key" : "value";
      else if ((c === CLOSE_OBJ && top === OPEN_OBJ) || (c === CLOSE_ARR && top === OPEN_ARR)) {
        stack.pop();
        state = afterValue();
      } else return i;
      i++;
      continue;
    }
    if ((state === "keyOrClose" && c === CLOSE_OBJ) || (state === "valueOrClose" && c === CLOSE_ARR)) {
      stack.pop();
      i++;
      state = afterValue();
      continue;
    }
    if (state === "key" || state === "keyOrClose") {
      if (c !== QUOTE) return i;
      const end = stringEnd(buf, i, to);
      if (end < 0) return -end - 1;
      i = end;
      state = "colon";
      continue;
    }
    // A value.
    if (c === OPEN_OBJ || c === OPEN_ARR) {
      stack.push(c);
      i++;
      state = c === OPEN_OBJ ? "keyOrClose" : "valueOrClose";
      continue;
    }
    if (c === QUOTE) {
      const end = stringEnd(buf, i, to);
      if (end < 0) return -end - 1;
      i = end;
      state = afterValue();
      continue;
    }
    // A number or a literal: its characters up to a delimiter.
    let j = i;
    while (
      j < to &&
      !isSpace(buf[j]) &&
      ![COMMA, COLON, CLOSE_OBJ, CLOSE_ARR, OPEN_OBJ, OPEN_ARR, QUOTE].includes(buf[j])
    )
      j++;
    const token = buf.toString("latin1", i, j);
    const cutOff = j === to;
    const ok = cutOff
      ? NUMBER_PREFIX.test(token) || LITERALS.some((l) => l.startsWith(token))
      : NUMBER.test(token) || LITERALS.includes(token);
    if (!ok) return i;
    i = j;
    state = afterValue();
  }
  return to;
}

/**
 * After the string that opens at `at` (its closing quote's next offset), or, when it is invalid at
 * offset k, -k - 1; a string cut off by `to` is -to - 1.
 */
function stringEnd(buf: Buffer, at: number, to: number): number {
  let i = at + 1;
  while (i < to) {
    const c = buf[i];
    if (c === QUOTE) return i + 1;
    if (c < 0x20) return -i - 1;
    if (c === BACKSLASH) {
      if (i + 1 >= to) return -to - 1;
      const e = buf[i + 1];
      if (e === 0x75) {
        const hex = buf.toString("latin1", i + 2, Math.min(i + 6, to));
        if (hex.length < 4) return /^[0-9a-fA-F]*$/.test(hex) ? -to - 1 : -i - 1;
        if (!HEX.test(hex)) return -i - 1;
        i += 6;
        continue;
      }
      if (!ESCAPES.has(e)) return -i - 1;
      i += 2;
      continue;
    }
    i++;
  }
  return -to - 1;
}
