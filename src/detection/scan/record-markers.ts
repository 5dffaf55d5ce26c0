/**
 * The byte patterns that start, separate and enclose CloudTrail records, shared by the layout probe
 * (record-layout.ts) and the framers (record-framer.ts, line-framer.ts):
 *   - a record start: compact `{"eventVersion":` (CloudTrail writes `eventVersion` first, and in valid JSON
 *     these bytes can only open an object), or pretty `{`, whitespace, `"eventVersion"`;
 *   - a delivery file's envelope `{"Records":[...]}`: its opening, its end after a record, and the bytes
 *     between two files one after another (`zcat *.gz`), a byte-order mark before a file included.
 * The envelope patterns are regular expressions over a slice's first or last bytes (as latin1 text); the
 * record starts are found natively (Buffer.indexOf).
 */
import { CLOSE_OBJ, isSpace, OPEN_OBJ } from "./json-bytes";

export const RECORD_MARKER = Buffer.from('{"eventVersion":');
/** The key of a delivery file's records, after its `{` and any whitespace. */
const RECORDS_KEY = Buffer.from('"Records"');
/**
 * Pretty-printed records (`jq .`, `JSON.stringify(x, null, 2)`) start with `{`, at most
 * PRETTY_GAP whitespace bytes, then `"eventVersion"`: a string right after `{` can only be a key.
 * The key is found by its tail `Version"` (Buffer.indexOf finds a needle that starts with a rare
 * byte fast), then checked backwards. The gap is bounded so that every chunking finds the same starts.
 */
const PRETTY_KEY_TAIL = Buffer.from('Version"');
const PRETTY_KEY_HEAD = Buffer.from('"event');
const PRETTY_GAP = 64;
/** The longest pretty record start: `{`, the gap, `"eventVersion"`. */
export const PRETTY_MARKER_MAX = 1 + PRETTY_GAP + PRETTY_KEY_HEAD.length + PRETTY_KEY_TAIL.length;

export const ENVELOPE_START = /^[ \t\r\n]*\{[ \t\r\n]*"Records"[ \t\r\n]*:[ \t\r\n]*\[[ \t\r\n]*/;
/** A UTF-8 byte-order mark (as latin1 text): a concatenated file may start with one. */
const BOM = String.raw`(?:\xEF\xBB\xBF)?`;
const EMPTY_ENVELOPE = String.raw`${BOM}\{\s*"Records"\s*:\s*\[\s*\]\s*\}\s*`;
/** The end of a record followed by the end of its envelope (and of any empty ones after it). */
export const RECORD_THEN_END = new RegExp(String.raw`\}\s*\]\s*\}\s*(?:${EMPTY_ENVELOPE})*$`);
/** ... or followed by the end of its envelope and the start of the next one (concatenated files). */
export const RECORD_THEN_NEXT_FILE = new RegExp(
  String.raw`\}\s*(?:,|\]\s*\}\s*(?:${EMPTY_ENVELOPE})*${BOM}\{\s*"Records"\s*:\s*\[)\s*$`,
);
/** The end of a file's envelope and the start of the next one's, between two records (concatenated files). */
export const BETWEEN_FILES = new RegExp(String.raw`\]\s*\}\s*(?:${EMPTY_ENVELOPE})*${BOM}\{\s*"Records"\s*:\s*\[\s*$`);
/** How many bytes at the end of a slice the separator patterns look at. */
export const TAIL_WINDOW = 256;

/** Offset of the first pretty record start (`{`, whitespace, `"eventVersion"`) at or after `from`, or -1. */
export function prettyRecordStart(bytes: Buffer, from: number): number {
  const headLength = PRETTY_KEY_HEAD.length;
  for (let t = bytes.indexOf(PRETTY_KEY_TAIL, from); t !== -1; t = bytes.indexOf(PRETTY_KEY_TAIL, t + 1)) {
    const key = t - headLength;
    if (key < from || bytes.compare(PRETTY_KEY_HEAD, 0, headLength, key, t) !== 0) continue;
    let open = key - 1;
    while (open >= from && key - open <= PRETTY_GAP && isSpace(bytes[open])) open--;
    if (open >= from && key - open <= PRETTY_GAP + 1 && bytes[open] === OPEN_OBJ) return open;
  }
  return -1;
}

/** Where the bytes between two files (BETWEEN_FILES) start when they end `buf[from, to)`, or -1. */
export function filesMeetBefore(buf: Buffer, from: number, to: number): number {
  const start = Math.max(from, to - TAIL_WINDOW);
  const m = BETWEEN_FILES.exec(buf.toString("latin1", start, to));
  return m ? start + m.index : -1;
}

/** Whether `buf[from, to)` ends with `}` and whitespace. */
export function endsObject(buf: Buffer, from: number, to: number): boolean {
  let end = to;
  while (end > from && isSpace(buf[end - 1])) end--;
  return end > from && buf[end - 1] === CLOSE_OBJ;
}

/** Whether `buf[from, to)` opens like a delivery file: `{`, whitespace, `"Records"` (no record has that key). */
export function opensEnvelope(buf: Buffer, from: number, to: number): boolean {
  if (buf[from] !== OPEN_OBJ) return false;
  let key = from + 1;
  while (key < to && key - from <= PRETTY_GAP && isSpace(buf[key])) key++;
  const end = key + RECORDS_KEY.length;
  return (
    end <= to && buf[key + 1] === RECORDS_KEY[1] && buf.compare(RECORDS_KEY, 0, RECORDS_KEY.length, key, end) === 0
  );
}
