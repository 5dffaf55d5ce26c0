/**
 * Cuts a stream of decoded JSON into record slices by searching, natively (Buffer.indexOf), for
 * the one byte pattern that starts every record of a layout, instead of walking every byte:
 *   - "records": CloudTrail's S3 delivery file `{"Records":[{"eventVersion":...},...]}`. CloudTrail
 *     writes every record with `eventVersion` first, and in valid JSON the bytes `{"eventVersion":`
 *     can only open an object (inside a string the quote would have to be escaped), so each
 *     occurrence starts a record. Concatenated delivery files (`zcat *.gz`) are one stream.
 *   - "lines": NDJSON (JSON Lines): a raw newline cannot occur inside a JSON string, so every
 *     newline ends a record.
 * The same markers are the resynchronisation points: whatever is wrong with one slice (truncated,
 * garbage, an unbalanced bracket, larger than the cap), the next marker starts a clean record, so
 * one bad record costs one record. A slice whose surroundings are not the layout's separator
 * (`},{` between records, `}]}` at the end, `{`...`}` on a line) is handed on as `suspect`: the
 * consumer must validate it fully (and name the damage) whatever its content.
 *
 * Inputs in any other shape (pretty-printed records, a bare array, other key orders) are not
 * framed here: `detectLayout` says "generic" and the caller uses the exact structural walker.
 * Memory is bounded by `maxRecordBytes` (plus one read chunk): a longer slice is dropped as it
 * streams and reported with its size.
 */

export type Layout = "records" | "lines" | "generic";

export interface SliceLocation {
  /** Byte offset of the slice in the decoded input. */
  offset: number;
  /** 1-based line number (lines layout) or record number (records layout). */
  ordinal: number;
}

export interface FramerSink {
  /** A record slice; `suspect` when its framing is wrong (it must then be validated whatever it holds). */
  slice(bytes: Buffer, at: SliceLocation, suspect: boolean): void;
  /** A slice longer than the cap, dropped without being kept in memory. */
  oversized(at: SliceLocation, bytes: number): void;
}

const RECORD_MARKER = Buffer.from('{"eventVersion":');
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
  const hasMarker = head.indexOf(RECORD_MARKER) !== -1;
  if (ENVELOPE_START.test(text)) return hasMarker ? "records" : "generic";
  if (hasOneLineObject(head)) return "lines";
  return hasMarker ? "records" : "generic";
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
  private readonly marker: Buffer;
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
    private readonly layout: "records" | "lines",
    private readonly sink: FramerSink,
    private readonly maxRecordBytes: number,
    /** Offset of the first byte pushed (after a byte-order mark the caller removed). */
    startOffset = 0,
  ) {
    this.marker = layout === "records" ? RECORD_MARKER : Buffer.from([NEWLINE]);
    this.total = startOffset;
    this.openStart = startOffset;
  }

  push(chunk: Buffer): void {
    const chunkStart = this.total;
    this.total += chunk.length;
    const overlap = this.tail.length;
    const region = overlap > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
    const regionStart = chunkStart - overlap;
    let consumed = 0; // bytes of `chunk` already added to the open slice
    let from = 0;
    for (;;) {
      const p = region.indexOf(this.marker, from);
      if (p === -1) break;
      const markerAt = regionStart + p;
      if (p >= overlap) {
        this.append(chunk.subarray(consumed, p - overlap));
        consumed = p - overlap;
        this.finishOpen(false);
      } else {
        // The marker began in the previous chunk: its first bytes end the open slice; move them.
        const carried = this.tail.subarray(p);
        this.truncateOpen(carried.length);
        this.finishOpen(false);
        this.append(carried);
      }
      if (this.layout === "lines") {
        // The newline ends the line; the next slice starts after it.
        if (p >= overlap) consumed++;
        this.openStart = markerAt + 1;
      } else {
        this.openStart = markerAt;
      }
      from = p + 1;
    }
    this.append(chunk.subarray(consumed));
    const keep = this.marker.length - 1;
    this.tail = keep === 0 ? this.tail : Buffer.from(region.subarray(Math.max(0, region.length - keep)));
  }

  /** The input ended. */
  end(): void {
    this.finishOpen(true);
  }

  /** Decoded bytes seen. */
  get bytes(): number {
    return this.total;
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

  private finishOpen(atEnd: boolean): void {
    const start = this.openStart;
    const size = this.openBytes;
    const dropped = this.dropping;
    const parts = this.parts;
    this.parts = [];
    this.openBytes = 0;
    this.dropping = false;
    const first = this.first;
    this.first = false;
    if (this.layout === "lines") {
      this.ordinal++; // line numbers count blank lines too
      if (size === 0) return;
      if (dropped) {
        this.sink.oversized({ offset: start, ordinal: this.ordinal }, size);
        return;
      }
      this.line(parts.length === 1 ? parts[0] : Buffer.concat(parts), start);
      return;
    }
    if (size === 0) return;
    if (dropped) {
      this.ordinal++;
      this.sink.oversized({ offset: start, ordinal: this.ordinal }, size);
      return;
    }
    let bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    let offset = start;
    if (first) {
      const head = ENVELOPE_START.exec(bytes.subarray(0, 256).toString("latin1"));
      if (head) {
        bytes = bytes.subarray(head[0].length);
        offset += head[0].length;
        if (bytes.length === 0) return;
      }
    }
    this.ordinal++;
    this.record(bytes, offset, atEnd);
  }

  /** A records-layout slice: the record, then `,` or the end of the envelope (and maybe the next one). */
  private record(bytes: Buffer, offset: number, atEnd: boolean): void {
    const at = { offset, ordinal: this.ordinal };
    const n = bytes.length;
    // CloudTrail's own separator, `},` before the next record: the common case, checked without a regex.
    if (!atEnd && n >= 2 && bytes[n - 1] === COMMA && bytes[n - 2] === CLOSE_OBJ) {
      this.sink.slice(bytes.subarray(0, n - 1), at, bytes[0] !== OPEN_OBJ);
      return;
    }
    const tailStart = Math.max(0, n - TAIL_WINDOW);
    const tail = bytes.subarray(tailStart).toString("latin1");
    const m = (atEnd ? RECORD_THEN_END : RECORD_THEN_NEXT_FILE).exec(tail);
    if (m) this.sink.slice(bytes.subarray(0, tailStart + m.index + 1), at, bytes[0] !== OPEN_OBJ);
    else this.sink.slice(bytes, at, true);
  }

  /** A lines-layout slice: blank lines are not records; a record line is `{...}` (spaces around allowed). */
  private line(bytes: Buffer, offset: number): void {
    let a = 0;
    let b = bytes.length;
    while (a < b && isSpace(bytes[a])) a++;
    while (b > a && isSpace(bytes[b - 1])) b--;
    if (a === b) return;
    const text = bytes.subarray(a, b);
    this.sink.slice(
      text,
      { offset: offset + a, ordinal: this.ordinal },
      text[0] !== OPEN_OBJ || text[text.length - 1] !== CLOSE_OBJ,
    );
  }
}
