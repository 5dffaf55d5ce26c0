/**
 * A streaming splitter that cuts CloudTrail JSON into one byte slice per record, without parsing
 * the records. It accepts, by content (not by file name):
 *   - CloudTrail's S3 delivery file `{"Records":[ {...}, {...} ]}` (any key order),
 *   - a top-level array of records `[ {...}, ... ]`,
 *   - a single record object, and any number of them one after another (NDJSON, or pretty-printed
 *     objects concatenated).
 * Memory is bounded by the largest single record, never by the file.
 *
 * The scan is a byte-level state machine that tracks strings, escapes and bracket nesting, so it
 * detects unbalanced brackets, unterminated strings, truncation and garbage between values. It
 * does not validate the inside of a record (e.g. `{"a":}`): records that can matter are parsed with
 * JSON.parse, which does.
 *
 * For each record it also reports whether a `\u` escape occurs anywhere in it. That makes the
 * scanner's byte pre-filter provably safe: JSON can spell a letter or a dot only literally or as a
 * `\uXXXX` escape (the other escapes stand for `"`, `\`, `/` and control characters), so a record
 * without `\u` whose bytes do not contain "bedrock.amazonaws.com" cannot have that eventSource.
 */
import { BACKSLASH, CLOSE_ARR, CLOSE_OBJ, COLON, COMMA, isSpace, OPEN_ARR, OPEN_OBJ, QUOTE } from "./json-bytes";

export type RecordKind = "object" | "other";

export type RecordSink = (bytes: Buffer, kind: RecordKind, hasUnicodeEscape: boolean) => void;

export class MalformedJsonError extends Error {
  constructor(
    /** What is wrong, without the position. */
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`${reason} at byte ${offset}`);
    this.name = "MalformedJsonError";
  }
}

const U = 0x75;

/** Whitespace JSON allows, plus the UTF-8 byte-order mark bytes (accepted between values). */
function isSpaceOrBom(c: number): boolean {
  return isSpace(c) || c === 0xef || c === 0xbb || c === 0xbf;
}

/** A growing byte slice that may span several chunks. */
class Span {
  private parts: Buffer[] = [];
  /** Bytes kept in `parts`. */
  kept = 0;
  start = -1;
  get open(): boolean {
    return this.start >= 0;
  }
  begin(at: number): void {
    this.start = at;
    this.parts.length = 0;
    this.kept = 0;
  }
  /** The chunk ends while the span is open: keep its tail. */
  carry(chunk: Buffer): void {
    if (this.start < chunk.length) {
      this.parts.push(chunk.subarray(this.start));
      this.kept += chunk.length - this.start;
    }
    this.start = 0;
  }
  finish(chunk: Buffer, end: number): Buffer {
    const tail = chunk.subarray(this.start, end);
    const bytes = this.parts.length === 0 ? tail : Buffer.concat([...this.parts, tail]);
    this.parts.length = 0;
    this.kept = 0;
    this.start = -1;
    return bytes;
  }
  drop(): void {
    this.parts.length = 0;
    this.kept = 0;
    this.start = -1;
  }
}

export class RecordSplitter {
  /** Open brackets, innermost last (OPEN_OBJ or OPEN_ARR). */
  private stack: number[] = [];
  private inString = false;
  private escaped = false;
  private sawUnicodeEscape = false;
  /** Depth (stack length) at which record elements sit, or -1 outside a records array. */
  private recordDepth = -1;
  /** The current record element inside a records array. */
  private element = new Span();
  private elementKind: RecordKind = "object";
  private elementIsScalar = false;
  private elementIsString = false;
  /** The current top-level object, kept until we know whether it is an envelope or a record. */
  private top = new Span();
  private topIsEnvelope = false;
  /** The last string seen directly inside the top-level object (the key of the next value). */
  private lastTopKey = "";
  private keySpan = new Span();
  private offset = 0;
  private values = 0;

  /** `maxRecordBytes` bounds memory: a longer record stops the input with a MalformedJsonError. */
  constructor(
    private readonly sink: RecordSink,
    private readonly maxRecordBytes = Number.POSITIVE_INFINITY,
  ) {}

  /** How many top-level JSON values (files, envelopes, records) have been completed. */
  get topLevelValues(): number {
    return this.values;
  }

  push(chunk: Buffer): void {
    // Hot loop: state lives in locals and is written back before the (rare) structural events
    // that call methods, and at the end of the chunk.
    const n = chunk.length;
    const stack = this.stack;
    let inString = this.inString;
    let escaped = this.escaped;
    let i = 0;
    let backslash = -2; // position of the next backslash; -2 unknown, -1 none left in this chunk
    while (i < n) {
      if (inString) {
        if (escaped) {
          // The previous chunk ended right after a backslash.
          escaped = false;
          if (chunk[i++] === U) this.sawUnicodeEscape = true;
          continue;
        }
        // Jump to the closing quote with native searches (most bytes of a record are inside
        // strings); `backslash` caches the next backslash so each is searched for once.
        const quote = chunk.indexOf(QUOTE, i);
        if (backslash !== -1 && backslash < i) backslash = chunk.indexOf(BACKSLASH, i);
        if (backslash !== -1 && (quote === -1 || backslash < quote)) {
          if (backslash + 1 >= n) {
            escaped = true;
            i = n;
          } else {
            if (chunk[backslash + 1] === U) this.sawUnicodeEscape = true;
            i = backslash + 2;
          }
          continue;
        }
        if (quote === -1) {
          i = n;
          continue;
        }
        i = quote + 1;
        inString = false;
        if (!inString && stack.length <= 2) this.endString(chunk, i - 1);
        continue;
      }
      const c = chunk[i++];
      // Inside a record most bytes are scalars, keys' colons and commas: nothing to do.
      if (c === QUOTE) {
        inString = true;
        if (stack.length <= 2) this.beginString(i - 1);
      } else if (c === OPEN_OBJ || c === OPEN_ARR) {
        if (stack.length <= 2) this.open(c, i - 1);
        stack.push(c);
      } else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        if (stack.length <= 3) this.close(chunk, c, i - 1);
        else if ((stack.pop() === OPEN_OBJ) !== (c === CLOSE_OBJ))
          throw new MalformedJsonError(`unexpected '${String.fromCharCode(c)}'`, this.offset + i - 1);
      } else if (stack.length <= 2) {
        this.other(chunk, c, i - 1);
      }
    }
    this.inString = inString;
    this.escaped = escaped;
    if (this.element.open) this.element.carry(chunk);
    if (this.top.open) this.top.carry(chunk);
    if (this.keySpan.open) this.keySpan.carry(chunk);
    this.offset += n;
    if (this.element.kept > this.maxRecordBytes || this.top.kept > this.maxRecordBytes)
      throw new MalformedJsonError(`a record is larger than the ${this.maxRecordBytes}-byte cap`, this.offset);
  }

  private beginString(i: number): void {
    const depth = this.stack.length;
    if (depth === this.recordDepth && !this.element.open) this.beginElement(i, "other", true, true);
    else if (depth === 1 && !this.topIsEnvelope && this.stack[0] === OPEN_OBJ) this.keySpan.begin(i + 1);
    else if (depth === 0) throw new MalformedJsonError("a string is not a CloudTrail record or file", this.offset + i);
  }

  private open(c: number, i: number): void {
    const depth = this.stack.length;
    if (depth === this.recordDepth && !this.element.open)
      this.beginElement(i, c === OPEN_OBJ ? "object" : "other", false, false);
    else if (depth === 0) this.beginTop(c, i);
    else if (
      depth === 1 &&
      c === OPEN_ARR &&
      this.stack[0] === OPEN_OBJ &&
      !this.topIsEnvelope &&
      this.lastTopKey === "Records"
    ) {
      // {"Records": [ ... ]}: a CloudTrail delivery file; its elements are the records.
      this.topIsEnvelope = true;
      this.top.drop();
      this.recordDepth = 2;
    }
  }

  private close(chunk: Buffer, c: number, i: number): void {
    const stack = this.stack;
    if (this.elementIsScalar && stack.length === this.recordDepth) this.endElement(chunk, i);
    const open = stack.pop();
    if (open === undefined || (open === OPEN_OBJ) !== (c === CLOSE_OBJ))
      throw new MalformedJsonError(`unexpected '${String.fromCharCode(c)}'`, this.offset + i);
    const now = stack.length;
    if (now > 2) return;
    if (this.element.open && now === this.recordDepth) this.endElement(chunk, i + 1);
    else if (now === this.recordDepth - 1) this.recordDepth = -1;
    if (now === 0) this.endTop(chunk, i + 1);
  }

  /** Commas, colons, whitespace and scalar characters at the top two levels. */
  private other(chunk: Buffer, c: number, i: number): void {
    const depth = this.stack.length;
    const separator = c === COMMA || c === COLON || isSpaceOrBom(c);
    if (separator) {
      if (this.elementIsScalar && depth === this.recordDepth) this.endElement(chunk, i);
      if (depth === 0 && !isSpaceOrBom(c))
        throw new MalformedJsonError(`unexpected '${String.fromCharCode(c)}' between values`, this.offset + i);
      return;
    }
    // A scalar character (number, true, false, null).
    if (depth === 0) throw new MalformedJsonError(`unexpected '${printable(c)}' (not JSON)`, this.offset + i);
    if (depth === this.recordDepth && !this.element.open) this.beginElement(i, "other", true, false);
  }

  /** The input ended: everything opened must be closed. */
  end(): void {
    if (this.inString) throw new MalformedJsonError("truncated: unterminated string", this.offset);
    if (this.stack.length > 0)
      throw new MalformedJsonError(`truncated: ${this.stack.length} unclosed bracket(s)`, this.offset);
  }

  private beginTop(c: number, i: number): void {
    this.sawUnicodeEscape = false;
    this.topIsEnvelope = false;
    this.lastTopKey = "";
    if (c === OPEN_ARR) {
      this.recordDepth = 1; // a bare array of records
      this.topIsEnvelope = true;
    } else {
      this.top.begin(i);
    }
  }

  private endTop(chunk: Buffer, end: number): void {
    this.values++;
    if (this.top.open) {
      const hasU = this.sawUnicodeEscape;
      this.sink(this.top.finish(chunk, end), "object", hasU);
    }
    this.recordDepth = -1;
    this.topIsEnvelope = false;
  }

  private beginElement(i: number, kind: RecordKind, scalar: boolean, isString: boolean): void {
    this.element.begin(i);
    this.elementKind = kind;
    this.elementIsScalar = scalar && !isString;
    this.elementIsString = isString;
    this.sawUnicodeEscape = false;
  }

  private endElement(chunk: Buffer, end: number): void {
    this.elementIsScalar = false;
    this.elementIsString = false;
    this.sink(this.element.finish(chunk, end), this.elementKind, this.sawUnicodeEscape);
  }

  private endString(chunk: Buffer, i: number): void {
    if (this.elementIsString && this.stack.length === this.recordDepth) {
      this.endElement(chunk, i + 1);
    } else if (this.keySpan.open) {
      const key = this.keySpan.finish(chunk, i);
      this.lastTopKey = key.length <= 16 ? key.toString("latin1") : "";
    }
  }
}

function printable(c: number): string {
  return c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `0x${c.toString(16).padStart(2, "0")}`;
}
