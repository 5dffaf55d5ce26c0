/**
 * Chooses how an input is framed from its first bytes: "records" (compact delivery files) and "pretty"
 * (the same pretty-printed) go to RecordFramer, "lines" (NDJSON) to LineFramer, and any other shape
 * ("generic": a bare array, other key orders) to the exact structural walker (record-splitter.ts).
 */
import { CLOSE_OBJ, isSpace, NEWLINE, OPEN_OBJ, QUOTE } from "./json-bytes";
import { ENVELOPE_START, prettyRecordStart, RECORD_MARKER } from "./record-markers";

export type Layout = "records" | "pretty" | "lines" | "generic";

/** How much of the input is looked at to choose the layout. */
export const LAYOUT_PROBE_BYTES = 64 * 1024;

const ARRAY_START = /^[ \t\r\n]*\[/;

/**
 * Chooses the layout from the first bytes (after any byte-order mark) of an input. A damaged start
 * does not change the choice: a line-per-record input is recognised by any of its first lines,
 * a delivery file by its record markers. A bare array (`jq '.Records'`), whatever follows it, is
 * the exact walker's: its records sit where no delivery file's do, and no separator ends its last.
 */
export function detectLayout(head: Buffer): Layout {
  const text = head.subarray(0, 256).toString("latin1");
  if (ARRAY_START.test(text)) return "generic";
  const marked = markedLayout(head);
  if (ENVELOPE_START.test(text)) return marked;
  if (hasOneLineObject(head)) return "lines";
  return marked;
}

/**
 * "records" when every record start in the head is CloudTrail's compact one, "pretty" when some
 * have whitespace after the `{` (a damaged pretty record can look compact: the majority is not
 * enough, every start counts), "generic" when there is none.
 */
function markedLayout(head: Buffer): Layout {
  // The first LAYOUT_PROBE_BYTES only (the head may be a whole file); a start counts when a compact
  // marker there would fit in them too, so that one cut by the window's end counts for neither.
  const window = head.subarray(0, LAYOUT_PROBE_BYTES);
  const last = window.length - RECORD_MARKER.length;
  let compact = 0;
  for (let p = window.indexOf(RECORD_MARKER); p !== -1; p = window.indexOf(RECORD_MARKER, p + 1)) compact++;
  let starts = 0;
  for (let p = prettyRecordStart(window, 0); p !== -1 && p <= last; p = prettyRecordStart(window, p + 1)) starts++;
  return starts === 0 ? "generic" : starts === compact ? "records" : "pretty";
}

/**
 * True when the first line starts a compact object (`{"`, as JSON Lines are written; pretty JSON
 * breaks the line after `{`), or when one of the first complete lines is a whole `{"...}` object.
 */
function hasOneLineObject(head: Buffer): boolean {
  let start = 0;
  for (let line = 0; line < 1000 && start < head.length; line++) {
    const newline = head.indexOf(NEWLINE, start);
    const end = newline === -1 ? head.length : newline;
    let a = start;
    let b = end;
    while (a < b && isSpace(head[a])) a++;
    while (b > a && isSpace(head[b - 1])) b--;
    const opens = head[a] === OPEN_OBJ && head[a + 1] === QUOTE;
    if (opens && (line === 0 || (newline !== -1 && head[b - 1] === CLOSE_OBJ))) return true;
    if (newline === -1) return false;
    start = newline + 1;
  }
  return false;
}
