/**
 * Cuts a stream of CloudTrail delivery files into record slices by searching, natively (Buffer.indexOf), for
 * the one byte pattern that starts every record (record-markers.ts), instead of walking every byte:
 *   - "records": CloudTrail's S3 delivery file `{"Records":[{"eventVersion":...},...]}`. CloudTrail
 *     writes every record with `eventVersion` first, and in valid JSON the bytes `{"eventVersion":`
 *     can only open an object (inside a string the quote would have to be escaped). That object is
 *     a record only at the records' depth: a nested object whose first key a caller chose (a tag, a
 *     metadata map) opens with the same bytes, and cutting there would split the record around it
 *     and hand on a piece as a record of its own (a forged finding, or a real one lost). So the
 *     framer follows the depth (json-depth.ts) and cuts only at markers at the records' depth.
 *     Concatenated delivery files (`zcat *.gz`) are one stream.
 *   - "pretty": the same records pretty-printed (`jq .`): `{`, whitespace, `"eventVersion"` (a
 *     string right after `{` can only be a key), so each start is found the same way, at the same depth.
 * This file is where the framer cuts; what it hands on for each slice, and what becomes of a slice that is not
 * one valid record, is record-handover.ts's (its base class). NDJSON is LineFramer's (line-framer.ts); the slice
 * collected across chunks and the cap are SliceFramer's.
 * The same markers are the resynchronisation points: whatever is wrong with one slice (truncated,
 * garbage, an unbalanced bracket, larger than the cap), the next marker starts a clean record, so
 * one bad record costs one record.
 * In damaged JSON the depth is a guess: a marker inside what the depth takes for a string, or
 * above the records' depth, is a cut where the depth starts again (a quote or a bracket too many).
 * A marker below it (a bracket too few, or a nested object) is not, and the slice then holds the
 * markers it passed (`inner`), at which it is split if it is not one valid record.
 * Where the depth started again may still be inside the damaged record, and so may the markers
 * after it at the depth taken there (objects a caller nested side by side): the slice that starts
 * there is `unproven`, it holds those markers as it holds nested ones, and only what follows them
 * (recoverPieces) shows which of them start records. So is the slice after a record the consumer parsed and
 * found damaged in what the depth reads (a nested start's own key broken by brackets or a quote: the
 * depth may come out at the records' depth right at the next nested start). Valid input never comes here.
 */
import {
  BETWEEN_FILES,
  ENVELOPE_START,
  PRETTY_MARKER_MAX,
  prettyRecordStart,
  RECORD_MARKER,
  TAIL_WINDOW,
} from "./record-markers";
import { CLOSE_OBJ, COMMA } from "./json-bytes";
import { RecordHandover } from "./record-handover";
import type { FramerSink } from "./slice-framer";

export class RecordFramer extends RecordHandover {
  /** The next record start in `bytes` at or after `from`, or -1. */
  private readonly find: (bytes: Buffer, from: number) => number;
  /** The last marker.length - 1 bytes seen, for a marker cut in two by a chunk boundary. */
  private tail: Buffer = Buffer.alloc(0);
  /** The marker just cut at is where the framer resynchronised, for the slice it starts (openResynced). */
  private cutResynced = false;
  /** The marker just cut at starts a file's records (no damage before it makes it unproven: endSeparated). */
  private cutAtFileStart = false;

  constructor(
    layout: "records" | "pretty",
    sink: FramerSink,
    maxRecordBytes: number,
    /** Offset of the first byte pushed (after a byte-order mark the caller removed). */
    startOffset = 0,
  ) {
    super(sink, maxRecordBytes, layout === "pretty" ? PRETTY_MARKER_MAX : RECORD_MARKER.length, startOffset);
    this.find = layout === "pretty" ? prettyRecordStart : (bytes, from) => bytes.indexOf(RECORD_MARKER, from);
    // `lowest`: how low the depth went since the open slice began (startsRecord); nothing closed yet.
    this.depth.lowest = Number.POSITIVE_INFINITY;
  }

  push(chunk: Buffer): void {
    const chunkStart = this.total;
    this.total += chunk.length;
    const tail = this.tail;
    const overlap = tail.length;
    // The depth is read lazily, up to each marker: the bytes not read yet are in the tail and the chunk.
    const readTo = (to: number): void => {
      if (to <= this.depthAt) return;
      if (this.depthAt < chunkStart) {
        const end = Math.min(to, chunkStart);
        this.depth.advance(tail, this.depthAt - (chunkStart - overlap), end - (chunkStart - overlap));
        this.depthAt = end;
      }
      if (to > this.depthAt) this.depth.advance(chunk, this.depthAt - chunkStart, to - chunkStart);
      this.depthAt = to;
    };
    if (chunkStart === this.openStart && this.first && this.recordDepth === undefined) {
      // An envelope puts the records at depth 2; in any other shape the first record start tells.
      if (ENVELOPE_START.test(chunk.subarray(0, 256).toString("latin1"))) this.recordDepth = 2;
    }
    let consumed = 0; // bytes of `chunk` already in the open slice
    if (overlap > 0) {
      // Only the seam is searched for a record start cut in two (one at most: a start holds one `{`).
      const seam = Buffer.concat([tail, chunk.subarray(0, this.markerSpan - 1)]);
      let p = this.find(seam, 0);
      // A start wholly inside the tail (a pretty one can be) was found in the previous chunk already.
      while (p !== -1 && p < overlap && this.find(tail, p) === p) p = this.find(seam, p + 1);
      if (p !== -1 && p < overlap) {
        const at = chunkStart - overlap + p;
        readTo(at);
        if (this.startsRecord(at, undefined, 0, 0)) {
          // Its first bytes end the open slice: move them to the next one.
          const carried = tail.subarray(p);
          this.truncateOpen(carried.length);
          this.finishOpen(false);
          this.append(carried);
          this.openStart = at;
          this.openResynced = this.cutResynced;
          this.openUnproven = this.cutUnproven || (!this.cutAtFileStart && !this.endSeparated);
        }
      }
    }
    for (let p = this.find(chunk, 0); p !== -1; p = this.find(chunk, p + 1)) {
      if (!this.parsedAhead(chunk, chunkStart, consumed, p)) {
        readTo(chunkStart + p);
        if (!this.startsRecord(chunkStart + p, chunk, chunkStart, consumed)) continue;
      }
      if (this.openBytes === 0 && (p - consumed <= this.maxRecordBytes || this.inner.length > 0)) {
        // The slice lies in this chunk: framed where it lies, without copying or collecting parts (one
        // that passed markers whatever its length: the consumer tells one long record from damage).
        this.finish(chunk, consumed, p, this.openStart, false);
      } else {
        this.append(chunk.subarray(consumed, p), true);
        this.finishOpen(false);
      }
      consumed = p; // a record marker starts its record
      this.openStart = chunkStart + consumed;
      this.openResynced = this.cutResynced;
      this.openUnproven = this.cutUnproven || (!this.cutAtFileStart && !this.endSeparated);
    }
    this.append(chunk.subarray(consumed));
    const keep = this.markerSpan - 1;
    this.tail =
      chunk.length >= keep
        ? Buffer.from(chunk.subarray(chunk.length - keep))
        : Buffer.concat([tail, chunk]).subarray(-keep);
    // What is not read yet is in the tail: a record start there is found with the next chunk.
    readTo(this.total - this.tail.length);
  }

  /**
   * Whether the marker at `chunk[p]` ends the open slice `chunk[consumed, p)` as one record the consumer parsed
   * ahead (sink.parseAhead: only a record it parses anyway), its depth not read: reading it would find what
   * startsRecord then concludes, which is set here. Exact: the slice starts right after a cut at the records'
   * depth, outside any string, the depth read up to there, and passed no marker; it ends with CloudTrail's
   * separator `},`, and its bytes before the comma are one JSON value. Valid JSON is balanced (UTF-8 decoding
   * keeps every quote, backslash and bracket as it is, and JSON has them only where the depth reads them), so
   * the depth after it is the depth before it, outside a string, and went no lower on the way. A nested marker
   * or damage ends a slice that does not parse: the depth is then read as always.
   */
  private parsedAhead(chunk: Buffer, chunkStart: number, consumed: number, p: number): boolean {
    const depth = this.depth;
    const cleanCut =
      !this.first &&
      this.openBytes === 0 &&
      this.openStart === chunkStart + consumed &&
      this.depthAt === this.openStart &&
      this.inner.length === 0 &&
      !this.openResynced &&
      !this.openUnproven &&
      !this.resynchronise &&
      !depth.inString &&
      depth.depth === this.recordDepth &&
      depth.lowest === this.recordDepth;
    const separated = p - consumed >= 2 && chunk[p - 1] === COMMA && chunk[p - 2] === CLOSE_OBJ;
    if (!cleanCut || !separated || p - consumed > this.maxRecordBytes) return false;
    if (!this.sink.parseAhead?.(chunk, consumed, p - 1)) return false;
    this.depthAt = chunkStart + p;
    this.cutAtFileStart = false;
    this.cutResynced = false;
    this.cutUnproven = false;
    return true;
  }

  /**
   * Whether the marker at input offset `at` (the depth read up to it) starts a record: one at the
   * records' depth does, one below it is remembered in the open slice. See the file's comment.
   * `chunk` (from `chunkStart` in the input) holds the bytes of the open slice from `consumed` up to the marker.
   */
  private startsRecord(at: number, chunk: Buffer | undefined, chunkStart: number, consumed: number): boolean {
    const depth = this.depth;
    if (this.recordDepth === undefined) this.recordDepth = depth.inString ? 0 : depth.depth;
    const recordDepth = this.recordDepth;
    // Since the open slice began the depth went above the records' (a bracket too many, even one an opening
    // bracket after it made up for: the objects after it would sit at the records' depth), or it is not there now.
    const off = depth.inString || depth.depth < recordDepth || depth.lowest < recordDepth;
    if (off && this.afterFileEnd(at, chunk, chunkStart, consumed)) {
      // Concatenated files: one envelope closed and the next opened right before the marker (which no JSON can
      // nest): a record start, whatever the depth made of the bytes before.
      this.resynchronise = false;
      depth.reset(recordDepth);
      depth.lowest = recordDepth;
      this.cutResynced = false;
      this.cutUnproven = false;
      this.cutAtFileStart = true;
      return true;
    }
    this.cutAtFileStart = false;
    if (this.resynchronise || off) {
      this.cutUnproven = !this.resynchronise;
      this.resynchronise = false;
      depth.reset(recordDepth);
      depth.lowest = recordDepth;
      this.cutResynced = true;
      return true;
    }
    this.cutResynced = false;
    this.cutUnproven = false;
    if (depth.depth === recordDepth) {
      if (!this.openUnproven) {
        depth.lowest = recordDepth;
        return true;
      }
      // After such a resynchronisation the depth taken there may be too low (the place was inside the damaged
      // record): a marker at the records' depth is then only a candidate, held in the slice until what follows
      // rules (recoverPieces). A slice over the cap holds nothing to rule on: cut, and what follows is as unproven.
      if (this.dropping) {
        depth.lowest = recordDepth;
        this.cutResynced = true;
        this.cutUnproven = true;
        return true;
      }
    }
    this.inner.push(at);
    return false;
  }

  /**
   * Whether the bytes of the open slice right before input offset `at` are the end of a file's envelope and the
   * start of the next one's (BETWEEN_FILES). Its bytes are `chunk` from `consumed` (see startsRecord), after the
   * parts held from earlier chunks; a slice being dropped has none left, and no such end is seen there.
   */
  private afterFileEnd(at: number, chunk: Buffer | undefined, chunkStart: number, consumed: number): boolean {
    if (this.dropping) return false;
    const from = Math.max(this.openStart, at - TAIL_WINDOW);
    return BETWEEN_FILES.test(this.openBytesBetween(from, at, chunk, chunkStart, consumed).toString("latin1"));
  }
}
