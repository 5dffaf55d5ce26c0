/**
 * What the two framers share: the slice being collected across chunks, and the record cap. RecordFramer
 * (delivery files, compact and pretty) and LineFramer (NDJSON) find where slices end and what a slice is;
 * this base holds the bytes of a slice that spans chunks, drops one longer than `maxRecordBytes` as it streams
 * (reported with its size, never kept in memory), and hands the rest to the subclass's `finish`. Memory is so
 * bounded by the cap (plus one read chunk). A slice that lies in one chunk is framed where it lies, without
 * passing here (the common case: no copy, no parts).
 */
import { JsonDepth } from "./json-depth";

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
   * `inner`: the input offsets of the record markers inside the slice, below the records' depth.
   * `resynced`: the slice starts where the framer resynchronised after damage (its depth unknown), so
   * what it holds may be nested in a record that started before it.
   * `unproven`: such a slice that nothing after it showed to be a record (see RecordFramer): damage,
   * whatever it holds, never evaluated.
   * Returns true when the slice was parsed and is not one valid record: the framer then splits it at its
   * `inner` markers and, unless the damage left what the depth reads as it was (hasObjectSkeleton), takes the
   * record start after it for one only once what follows shows it (endSeparated).
   */
  slice(
    buf: Buffer,
    start: number,
    end: number,
    offset: number,
    ordinal: number,
    suspect: boolean,
    inner?: readonly number[],
    resynced?: boolean,
    unproven?: boolean,
  ): boolean | undefined;
  /**
   * Records layout: parses the slice [start, end) ahead of its cut when the consumer would parse it anyway, and
   * tells whether it is one JSON value (then `slice` for the same bytes uses what was parsed). The framer then
   * knows the depth after it without reading its bytes (RecordFramer.parsedAhead).
   */
  parseAhead?(buf: Buffer, start: number, end: number): boolean;
  /** A slice longer than the cap, dropped without being kept in memory. */
  oversized(at: SliceLocation, bytes: number): void;
  /**
   * Lines layout: bytes [start, end) of `buf` are a JSON array or a delivery file (`{"Records":[...]}`) among the
   * lines (`cat lines.ndjson array.json`), whole: each of its elements is a record.
   */
  values(buf: Buffer, start: number, end: number, at: SliceLocation): void;
}

const EMPTY = Buffer.alloc(0);
/**
 * What a slice may hold after its record before the next record start (`,`, a line break, indentation, an
 * envelope's end) without counting against the cap: a record of exactly the cap is kept, as any smaller one.
 */
const SEPARATOR_SLACK = 64;

export abstract class SliceFramer {
  /** The open slice: its bytes (unless dropping), count, where it starts. */
  protected parts: Buffer[] = [];
  protected openBytes = 0;
  protected openStart = 0;
  protected dropping = false;
  /** Input offset of the end of what was pushed. */
  protected total = 0;
  protected ordinal = 0;
  /** The depth, read up to `depthAt` (an input offset). */
  protected readonly depth = new JsonDepth();
  protected depthAt = 0;

  constructor(
    protected readonly sink: FramerSink,
    protected readonly maxRecordBytes: number,
    /** The longest a record start can be: a start cut by a chunk boundary is found in this many bytes. */
    protected readonly markerSpan: number,
    /** Offset of the first byte pushed (after a byte-order mark the caller removed). */
    startOffset: number,
  ) {
    this.total = startOffset;
    this.openStart = startOffset;
    this.depthAt = startOffset;
  }

  abstract push(chunk: Buffer): void;

  /** The input ended. */
  end(): void {
    this.finishOpen(true);
  }

  /** Frames the slice `buf[a, b)`, which starts at `offset` in the input. */
  protected abstract finish(buf: Buffer, a: number, b: number, offset: number, atEnd: boolean): void;

  /** The size of the record in a whole slice, what the cap bounds (without the separators around it). */
  protected abstract recordSize(bytes: Buffer, atEnd: boolean): number;

  /** Whether the open slice holds record starts it passed (it may then be damage rather than one large record). */
  protected holdsMarkers(): boolean {
    return false;
  }

  /** A slice whose record is over the cap (`size` bytes): skipped and reported. */
  protected skipOversized(size: number): void {
    this.ordinal++;
    this.sink.oversized({ offset: this.openStart, ordinal: this.ordinal }, size);
  }

  /** Adds `bytes` to the open slice, or only counts them once it is over the cap. */
  protected append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (!this.dropping && this.openBytes + bytes.length > this.maxRecordBytes + this.markerSpan - 1 + SEPARATOR_SLACK) {
      // Dropped only past the cap by more than a record start and a separator: the start of the next record,
      // cut by a chunk boundary, may be among these bytes and be moved to the next slice (truncateOpen). A
      // slice kept within that slack is reported as oversized when it ends if its record is (finishOpen).
      this.openBytes += bytes.length;
      this.dropping = true;
      this.parts = [];
      return;
    }
    this.openBytes += bytes.length;
    if (!this.dropping) this.parts.push(bytes);
  }

  /** Takes the last `n` bytes off the open slice (the start of the next record, cut by a chunk boundary). */
  protected truncateOpen(n: number): void {
    this.openBytes -= n;
    // A dropped slice stays dropped (its bytes are gone); n is less than the slack before dropping.
    if (this.dropping) return;
    const all = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    this.parts = [all.subarray(0, all.length - n)];
  }

  /** Ends the open slice, collected from one or more chunks. */
  protected finishOpen(atEnd: boolean): void {
    const size = this.openBytes;
    const dropped = this.dropping;
    const parts = this.parts;
    this.parts = [];
    this.openBytes = 0;
    this.dropping = false;
    const bytes = dropped || parts.length === 0 ? EMPTY : parts.length === 1 ? parts[0] : Buffer.concat(parts);
    // Over the cap (within the slack append keeps), and one record: skipped as any larger record.
    const recordSize = dropped ? size : this.recordSize(bytes, atEnd);
    if (dropped || (!this.holdsMarkers() && recordSize > this.maxRecordBytes)) {
      this.skipOversized(recordSize);
      return;
    }
    this.finish(bytes, 0, bytes.length, this.openStart, atEnd);
  }

  /**
   * The open slice's bytes from input offset `from` up to `at`: those held from earlier chunks, then `chunk`'s
   * from `consumed` (`chunk` starts at `chunkStart` in the input). A slice being dropped holds none.
   */
  protected openBytesBetween(
    from: number,
    at: number,
    chunk: Buffer | undefined,
    chunkStart: number,
    consumed: number,
  ): Buffer {
    const pieces: Buffer[] = [];
    let end = this.openStart + this.openBytes;
    for (let i = this.parts.length - 1; i >= 0 && end > from; i--) {
      const part = this.parts[i];
      const start = end - part.length;
      if (start < at) pieces.unshift(part.subarray(Math.max(0, from - start), Math.min(part.length, at - start)));
      end = start;
    }
    if (chunk !== undefined && at > chunkStart + consumed)
      pieces.push(chunk.subarray(Math.max(consumed, from - chunkStart), at - chunkStart));
    return Buffer.concat(pieces);
  }
}
