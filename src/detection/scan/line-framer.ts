/**
 * Cuts NDJSON (JSON Lines) into record slices, one per line: a raw newline cannot occur inside a JSON string,
 * so a newline ends a record when the objects on the line are closed. Newlines are found natively
 * (Buffer.indexOf); a whole `{...}` line is cut without reading its depth. A record pretty-printed among the
 * lines (`cat` of an NDJSON and a `jq .` file) goes on over its lines until it closes; a line cut short ends at
 * the next line that starts with `{`, so it costs that line only. An array or a delivery file read so among
 * the lines is handed on whole (`values`): its elements are the records. A line that is not `{`...`}` is
 * handed on as `suspect`. The slice collected across chunks and the cap are SliceFramer's.
 */
import { CLOSE_OBJ, isSpace, NEWLINE, OPEN_ARR, OPEN_OBJ } from "./json-bytes";
import { endsObject, opensEnvelope } from "./record-markers";
import { type FramerSink, SliceFramer } from "./slice-framer";

export class LineFramer extends SliceFramer {
  /** The newlines inside the open slice (a record over several lines), for the line numbers. */
  private continuedLines = 0;
  /** The chunk ended right after a newline inside an open object: the next byte decides (endsLine). */
  private lineCutPending = false;

  constructor(sink: FramerSink, maxRecordBytes: number, startOffset = 0) {
    super(sink, maxRecordBytes, 1, startOffset);
  }

  push(chunk: Buffer): void {
    const chunkStart = this.total;
    this.total += chunk.length;
    let consumed = 0; // bytes of `chunk` already in the open slice
    if (this.lineCutPending) {
      this.lineCutPending = false;
      if (chunk[0] === OPEN_OBJ) this.cutLineAt(chunkStart);
    }
    for (let p = chunk.indexOf(NEWLINE, 0); p !== -1; p = chunk.indexOf(NEWLINE, p + 1)) {
      if (!this.endsLine(chunk, chunkStart, consumed, p)) continue;
      if (this.openBytes === 0 && p - consumed <= this.maxRecordBytes) {
        // The line lies in this chunk: framed where it lies, without copying or collecting parts.
        this.finish(chunk, consumed, p, this.openStart);
      } else {
        this.append(chunk.subarray(consumed, p));
        this.finishOpen(false);
      }
      consumed = p + 1; // a newline ends its line
      this.openStart = chunkStart + consumed;
    }
    this.append(chunk.subarray(consumed));
    // No tail is kept: the depth is read to the chunk's end now (a record may go on in the next chunk).
    this.readDepthTo(chunk, chunkStart, this.total);
  }

  /** Reads the depth up to input offset `to` in `chunk` (which starts at `chunkStart`; what is before, is read). */
  private readDepthTo(chunk: Buffer, chunkStart: number, to: number): void {
    if (to <= this.depthAt) return;
    this.depth.advance(chunk, this.depthAt - chunkStart, to - chunkStart);
    this.depthAt = to;
  }

  /**
   * Whether the newline at `chunk[p]` ends a record. A line of its own that starts with `{` at its first column
   * and ends with `}` does, as NDJSON is written (a pretty-printed record's own lines are indented): its depth
   * is not read. Any other newline does when the objects open since the last cut are closed, or a string is
   * open (a raw newline cannot be in one: the line is damaged), or the next line starts with `{` (the open
   * object was cut short). At a chunk's end the next byte is not known yet: the next chunk's first byte decides.
   */
  private endsLine(chunk: Buffer, chunkStart: number, consumed: number, p: number): boolean {
    const depth = this.depth;
    if (
      this.openBytes === 0 &&
      this.continuedLines === 0 &&
      chunk[consumed] === OPEN_OBJ &&
      endsObject(chunk, consumed, p)
    ) {
      this.depthAt = chunkStart + p;
      depth.reset(0);
      return true;
    }
    this.readDepthTo(chunk, chunkStart, chunkStart + p);
    const next = p + 1 < chunk.length ? chunk[p + 1] : undefined;
    if (depth.inString || depth.depth <= 0 || next === OPEN_OBJ) {
      depth.reset(0);
      return true;
    }
    if (next === undefined) this.lineCutPending = true;
    this.continuedLines++;
    return false;
  }

  /** Ends the open slice at input offset `at` (a chunk's start), after the newline before it. */
  private cutLineAt(at: number): void {
    this.continuedLines--; // the newline before `at` ends the slice after all
    this.depth.reset(0);
    this.finishOpen(false);
    this.openStart = at;
  }

  /** The line numbers a slice spanned past its first, once it is framed. */
  private passContinuedLines(): void {
    this.ordinal += this.continuedLines;
    this.continuedLines = 0;
  }

  protected override skipOversized(size: number): void {
    super.skipOversized(size);
    this.passContinuedLines();
  }

  /** The size of the record on a whole line, what the cap bounds: without the spaces around it. */
  protected recordSize(bytes: Buffer): number {
    let from = 0;
    let to = bytes.length;
    while (from < to && isSpace(bytes[from])) from++;
    while (to > from && isSpace(bytes[to - 1])) to--;
    return to - from;
  }

  /** Frames the line `buf[a, b)`, which starts at `offset` in the input. */
  protected finish(buf: Buffer, a: number, b: number, offset: number): void {
    this.ordinal++; // line numbers count blank lines too
    this.line(buf, a, b, offset);
    this.passContinuedLines();
  }

  /** A line `buf[a, b)`: a blank line is no record; a record line is `{...}`, spaces around allowed. */
  private line(buf: Buffer, a: number, b: number, offset: number): void {
    let from = a;
    let to = b;
    while (from < to && isSpace(buf[from])) from++;
    while (to > from && isSpace(buf[to - 1])) to--;
    if (from === to) return;
    if (buf[from] === OPEN_ARR || opensEnvelope(buf, from, to)) {
      // A file of another shape after the lines: the depth read it whole, as one pretty record is read.
      this.sink.values(buf, from, to, { offset: offset + (from - a), ordinal: this.ordinal });
      return;
    }
    const suspect = buf[from] !== OPEN_OBJ || buf[to - 1] !== CLOSE_OBJ;
    this.sink.slice(buf, from, to, offset + (from - a), this.ordinal, suspect);
  }
}
