/**
 * Where bytes stop being the start of one valid JSON value: damage-recovery.ts trusts the
 * depth only before that point (there the JSON is valid, so the depth is exact). JSON.parse says where
 * it failed only for some errors (an unexpected token has no position in V8's message), so the grammar
 * is checked here, for damaged slices only: speed does not matter. hasObjectSkeleton says whether the
 * damage in a slice moved what the depth counts (json-depth.ts), or only what the grammar refuses.
 */
import { BACKSLASH, CLOSE_ARR, CLOSE_OBJ, COLON, COMMA, isSpace, OPEN_ARR, OPEN_OBJ, QUOTE } from "./json-bytes";

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

/**
 * Whether `buf[from, to)` (whitespace around it allowed) is one object by the bytes json-depth.ts reads: strings
 * (a string ends at its first quote no odd run of backslashes escapes), brackets that close the kind they open,
 * and in an object a string as every key and a value after each. Colons and commas are not looked at, nor what a
 * string holds, nor how a number or a literal is spelled, and a value may be any run of other bytes but a
 * backslash (only a string can hold one). Damage that keeps this skeleton (a colon or a comma lost, a letter
 * changed) moved no quote and no bracket, so the depth read over it is the depth of the JSON as it was written.
 * Damage that moved one shows in it, unless it wrote every bracket it moved (`]}}` inserted where a record ends).
 */
export function hasObjectSkeleton(buf: Buffer, from: number, to: number): boolean {
  const open: number[] = []; // the brackets open, innermost last
  const items: number[] = []; // for each, the keys and values read in it (an object's: a key is at an even count)
  let closed = false;
  let i = from;
  while (i < to) {
    const c = buf[i];
    if (isSpace(c) || c === COLON || c === COMMA) {
      i++;
      continue;
    }
    if (closed) return false; // bytes after the object
    const top = open.length - 1;
    const atKey = top >= 0 && open[top] === OPEN_OBJ && items[top] % 2 === 0;
    if (c === CLOSE_OBJ || c === CLOSE_ARR) {
      if (top < 0 || open[top] !== (c === CLOSE_OBJ ? OPEN_OBJ : OPEN_ARR) || (c === CLOSE_OBJ && !atKey)) return false;
      open.pop();
      items.pop();
      if (open.length === 0) closed = true;
      else items[top - 1]++;
      i++;
      continue;
    }
    if (top < 0 ? c !== OPEN_OBJ : atKey && c !== QUOTE) return false;
    if (c === OPEN_OBJ || c === OPEN_ARR) {
      open.push(c);
      items.push(0);
      i++;
      continue;
    }
    if (c === QUOTE) {
      i++;
      while (i < to && buf[i] !== QUOTE) i += buf[i] === BACKSLASH ? 2 : 1;
      if (i >= to) return false;
      i++;
    } else {
      while (i < to && !isDelimiter(buf[i])) {
        if (buf[i] === BACKSLASH) return false;
        i++;
      }
    }
    items[top]++;
  }
  return closed;
}

const isDelimiter = (c: number): boolean =>
  isSpace(c) || [COMMA, COLON, CLOSE_OBJ, CLOSE_ARR, OPEN_OBJ, OPEN_ARR, QUOTE].includes(c);
