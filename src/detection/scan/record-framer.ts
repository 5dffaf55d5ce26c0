/**
 * Cuts a stream of decoded JSON into record slices by searching, natively (Buffer.indexOf), for
 * the one byte pattern that starts every record of a layout, instead of walking every byte:
 *   - "records": CloudTrail's S3 delivery file `{"Records":[{"eventVersion":...},...]}`. CloudTrail
 *     writes every record with `eventVersion` first, and in valid JSON the bytes `{"eventVersion":`
 *     can only open an object (inside a string the quote would have to be escaped), so each
 *     occurrence starts a record. Concatenated delivery files (`zcat *.gz`) are one stream.
 *   - "pretty": the same records pretty-printed (`jq .`): `{`, whitespace, `"eventVersion"` (a
 *     string right after `{` can only be a key), so each start is found the same way.
 *   - "lines": NDJSON (JSON Lines): a raw newline cannot occur inside a JSON string, so every
 *     newline ends a record.
 * The same markers are the resynchronisation points: whatever is wrong with one slice (truncated,
 * garbage, an unbalanced bracket, larger than the cap), the next marker starts a clean record, so
 * one bad record costs one record. A slice whose surroundings are not the layout's separator
 * (`},{` between records, `}]}` at the end, `{`...`}` on a line) is handed on as `suspect`: the
 * consumer must validate it fully (and name the damage) whatever its content.
 *
 * Inputs in any other shape (a bare array, other key orders) are not framed here: `detectLayout`
 * says "generic" and the caller uses the exact structural walker.
 * Memory is bounded by `maxRecordBytes` (plus one read chunk): a longer slice is dropped as it
 * streams and reported with its size.
 */

export type Layout = "records" | "pretty" | "lines" | "generic";

export interface SliceLocation {
  /** Byte offset of the slice in the decoded input. */
  offset: number;
  /** 1-based line number (lines layout) or record number (records layout). */
  ordinal: number;
}

export interface FramerSink {
  /**
   * A record slice: bytes [start, end) of `buf`, `offset` bytes into the input, record or line number
   * `ordinal`. `suspect` when its framing is wrong (it must then be validated whatever it holds).
   * Positions rather than a subarray and a location: most records are ruled out from positions
   * alone, and no object is made for them (a measured share of the scan on bench:detect's archive).
   */
  slice(buf: Buffer, start: number, end: number, offset: number, ordinal: number, suspect: boolean): void;
  /** A slice longer than the cap, dropped without being kept in memory. */
  oversized(at: SliceLocation, bytes: number): void;
}

const RECORD_MARKER = Buffer.from('{"eventVersion":');
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
const PRETTY_MARKER_MAX = 1 + PRETTY_GAP + PRETTY_KEY_HEAD.length + PRETTY_KEY_TAIL.length;
const EMPTY = Buffer.alloc(0);
const NEWLINE = 0x0a;
const COMMA = 0x2c;
const CLOSE_OBJ = 0x7d;
const OPEN_OBJ = 0x7b;
const QUOTE = 0x22;
/** How much of the input is looked at to choose the layout. */
export const LAYOUT_PROBE_BYTES = 64 * 1024;

const ENVELOPE_START = /^[ \t\r\n]*\{[ \t\r\n]*"Records"[ \t\r\n]*:[ \t\r\n]*\[[ \t\r\n]*/;
const EMPTY_ENVELOPE = String.raw`\{\s*"Records"\s*:\s*\[\s*\]\s*\}\s*`;
/** The end of a record followed by the end of its envelope (and of any empty ones after it). */
const RECORD_THEN_END = new RegExp(String.raw`\}\s*\]\s*\}\s*(?:${EMPTY_ENVELOPE})*$`);
/** ... or followed by the end of its envelope and the start of the next one (concatenated files). */
const RECORD_THEN_NEXT_FILE = new RegExp(
  String.raw`\}\s*(?:,|\]\s*\}\s*(?:${EMPTY_ENVELOPE})*\{\s*"Records"\s*:\s*\[)\s*$`,
);
/** How many bytes at the end of a slice the separator patterns look at. */
const TAIL_WINDOW = 256;

/**
 * Chooses the layout from the first bytes (after any byte-order mark) of an input. A damaged start
 * does not change the choice: a line-per-record input is recognised by any of its first lines,
 * a delivery file by its record markers.
 */
export function detectLayout(head: Buffer): Layout {
  const text = head.subarray(0, 256).toString("latin1");
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

/** Offset of the first pretty record start (`{`, whitespace, `"eventVersion"`) at or after `from`, or -1. */
function prettyRecordStart(bytes: Buffer, from: number): number {
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

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

export class RecordFramer {
  /** The next record start (or newline) in `bytes` at or after `from`, or -1. */
  private readonly find: (bytes: Buffer, from: number) => number;
  /** The longest a record start can be: a start cut by a chunk boundary is found in this many bytes. */
  private readonly markerSpan: number;
  /** The open slice: its bytes (unless dropping), count, and where it starts. */
  private parts: Buffer[] = [];
  private openBytes = 0;
  private openStart = 0;
  private dropping = false;
  /** The last marker.length - 1 bytes seen, for a marker cut in two by a chunk boundary. */
  private tail: Buffer = Buffer.alloc(0);
  private total = 0;
  private ordinal = 0;
  /** Records layout: the first slice holds the envelope's opening before the first record. */
  private first = true;

  constructor(
    private readonly layout: "records" | "pretty" | "lines",
    private readonly sink: FramerSink,
    private readonly maxRecordBytes: number,
    /** Offset of the first byte pushed (after a byte-order mark the caller removed). */
    startOffset = 0,
  ) {
    if (layout === "pretty") {
      this.find = prettyRecordStart;
      this.markerSpan = PRETTY_MARKER_MAX;
    } else {
      const marker = layout === "records" ? RECORD_MARKER : Buffer.from([NEWLINE]);
      this.find = (bytes, from) => bytes.indexOf(marker, from);
      this.markerSpan = marker.length;
    }
    this.total = startOffset;
    this.openStart = startOffset;
  }

  push(chunk: Buffer): void {
    const chunkStart = this.total;
    this.total += chunk.length;
    let consumed = 0; // bytes of `chunk` already in the open slice
    const overlap = this.tail.length;
    if (overlap > 0) {
      // Only the seam is searched for a record start cut in two (one at most: a start holds one `{`).
      const seam = Buffer.concat([this.tail, chunk.subarray(0, this.markerSpan - 1)]);
      let p = this.find(seam, 0);
      // A start wholly inside the tail (a pretty one can be) was found in the previous chunk already.
      while (p !== -1 && p < overlap && this.find(this.tail, p) === p) p = this.find(seam, p + 1);
      if (p !== -1 && p < overlap) {
        // Its first bytes end the open slice: move them to the next one.
        const carried = this.tail.subarray(p);
        this.truncateOpen(carried.length);
        this.finishOpen(false);
        this.append(carried);
        this.openStart = chunkStart - overlap + p;
      }
    }
    const afterMarker = this.layout === "lines" ? 1 : 0; // a newline ends its line; a record marker starts its record
    for (let p = this.find(chunk, 0); p !== -1; p = this.find(chunk, p + 1)) {
      if (this.openBytes === 0 && p - consumed <= this.maxRecordBytes) {
        // The slice lies in this chunk: framed where it lies, without copying or collecting parts.
        this.finish(chunk, consumed, p, this.openStart, false);
      } else {
        this.append(chunk.subarray(consumed, p));
        this.finishOpen(false);
      }
      consumed = p + afterMarker;
      this.openStart = chunkStart + consumed;
    }
    this.append(chunk.subarray(consumed));
    const keep = this.markerSpan - 1;
    if (keep > 0)
      this.tail =
        chunk.length >= keep
          ? Buffer.from(chunk.subarray(chunk.length - keep))
          : Buffer.concat([this.tail, chunk]).subarray(-keep);
  }

  /** The input ended. */
  end(): void {
    this.finishOpen(true);
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.openBytes += bytes.length;
    if (this.dropping) return;
    if (this.openBytes > this.maxRecordBytes) {
      this.dropping = true;
      this.parts = [];
      return;
    }
    this.parts.push(bytes);
  }

  private truncateOpen(n: number): void {
    this.openBytes -= n;
    if (this.dropping) {
      if (this.openBytes <= this.maxRecordBytes) this.dropping = false; // cannot happen: n < marker length
      return;
    }
    const all = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    this.parts = [all.subarray(0, all.length - n)];
  }

  /** Ends the open slice, collected from one or more chunks. */
  private finishOpen(atEnd: boolean): void {
    const size = this.openBytes;
    const dropped = this.dropping;
    const parts = this.parts;
    this.parts = [];
    this.openBytes = 0;
    this.dropping = false;
    if (dropped) {
      this.first = false;
      this.ordinal++;
      this.sink.oversized({ offset: this.openStart, ordinal: this.ordinal }, size);
      return;
    }
    const bytes = parts.length === 1 ? parts[0] : parts.length === 0 ? EMPTY : Buffer.concat(parts);
    this.finish(bytes, 0, bytes.length, this.openStart, atEnd);
  }

  /** Frames the slice `buf[a, b)`, which starts at `offset` in the input. */
  private finish(buf: Buffer, a: number, b: number, offset: number, atEnd: boolean): void {
    const first = this.first;
    this.first = false;
    if (this.layout === "lines") {
      this.ordinal++; // line numbers count blank lines too
      this.line(buf, a, b, offset);
      return;
    }
    let from = a;
    if (first) {
      const head = ENVELOPE_START.exec(buf.subarray(a, Math.min(b, a + 256)).toString("latin1"));
      if (head) from += head[0].length;
    }
    if (from === b) return;
    this.ordinal++;
    this.record(buf, from, b, offset + (from - a), atEnd);
  }

  /** A records-layout slice `buf[a, b)`: the record, then `,` or the end of the envelope (and maybe the next one). */
  private record(buf: Buffer, a: number, b: number, offset: number, atEnd: boolean): void {
    const suspectStart = buf[a] !== OPEN_OBJ;
    // CloudTrail's own separator, `},` before the next record: the common case, checked without a regex.
    if (!atEnd && b - a >= 2 && buf[b - 1] === COMMA && buf[b - 2] === CLOSE_OBJ) {
      this.sink.slice(buf, a, b - 1, offset, this.ordinal, suspectStart);
      return;
    }
    const tailStart = Math.max(a, b - TAIL_WINDOW);
    const m = (atEnd ? RECORD_THEN_END : RECORD_THEN_NEXT_FILE).exec(buf.subarray(tailStart, b).toString("latin1"));
    if (m) this.sink.slice(buf, a, tailStart + m.index + 1, offset, this.ordinal, suspectStart);
    else this.sink.slice(buf, a, b, offset, this.ordinal, true);
  }

  /** A lines-layout slice `buf[a, b)`: a blank line is no record; a record line is `{...}`, spaces around allowed. */
  private line(buf: Buffer, a: number, b: number, offset: number): void {
    let from = a;
    let to = b;
    while (from < to && isSpace(buf[from])) from++;
    while (to > from && isSpace(buf[to - 1])) to--;
    if (from === to) return;
    const suspect = buf[from] !== OPEN_OBJ || buf[to - 1] !== CLOSE_OBJ;
    this.sink.slice(buf, from, to, offset + (from - a), this.ordinal, suspect);
  }
}
