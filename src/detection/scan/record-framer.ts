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
 * NDJSON is LineFramer's (line-framer.ts); the slice collected across chunks and the cap are SliceFramer's.
 * The same markers are the resynchronisation points: whatever is wrong with one slice (truncated,
 * garbage, an unbalanced bracket, larger than the cap), the next marker starts a clean record, so
 * one bad record costs one record. A slice whose surroundings are not the layout's separator
 * (`},{` between records, `}]}` at the end) is handed on as `suspect`: the consumer must validate it
 * fully (and name the damage) whatever its content.
 * In damaged JSON the depth is a guess: a marker inside what the depth takes for a string, or
 * above the records' depth, is a cut where the depth starts again (a quote or a bracket too many).
 * A marker below it (a bracket too few, or a nested object) is not, and the slice then holds the
 * markers it passed (`inner`): when the consumer finds that the slice is not one valid record, it
 * is split at them after all (damage-recovery.ts), as if the depth had not been followed, so damage
 * still costs only the damaged record. A valid record is never split, whatever objects it nests.
 * Where the depth started again may still be inside the damaged record, and so may the markers
 * after it at the depth taken there (objects a caller nested side by side): the slice that starts
 * there is `unproven`, it holds those markers as it holds nested ones, and only what follows them
 * (recoverPieces) shows which of them start records. So is the slice after a record the consumer parsed and
 * found damaged in what the depth reads (a nested start's own key broken by brackets or a quote: the
 * depth may come out at the records' depth right at the next nested start). Valid input never comes here.
 */
import { CLOSE_OBJ, COMMA, isSpace, OPEN_OBJ } from "./json-bytes";
import { hasObjectSkeleton } from "./json-prefix";
import { recoverPieces } from "./damage-recovery";
import {
  BETWEEN_FILES,
  ENVELOPE_START,
  endsObject,
  PRETTY_MARKER_MAX,
  prettyRecordStart,
  RECORD_MARKER,
  RECORD_THEN_END,
  RECORD_THEN_NEXT_FILE,
  TAIL_WINDOW,
} from "./record-markers";
import { type FramerSink, SliceFramer } from "./slice-framer";

/**
 * How long a streamed slice that passed markers below the records' depth may grow (when the record
 * cap is lower) before it is taken for damage (a bracket missing) rather than one record: it is then
 * cut at its markers (recoverHeld) and the next marker starts a record. CloudTrail's largest events
 * are 1 MB (an event data store's "Large" event size). A slice of a file read whole is a view of it:
 * it waits for the consumer's verdict.
 */
const NESTED_SLICE_BUDGET = 4 * 1024 * 1024;

export class RecordFramer extends SliceFramer {
  /** The next record start in `bytes` at or after `from`, or -1. */
  private readonly find: (bytes: Buffer, from: number) => number;
  /** The record markers the open slice passed (below the records' depth, or unproven), as input offsets. */
  private inner: number[] = [];
  /** The last marker.length - 1 bytes seen, for a marker cut in two by a chunk boundary. */
  private tail: Buffer = Buffer.alloc(0);
  /** The first slice holds the envelope's opening before the first record. */
  private first = true;
  /** The records' depth, once known. */
  private recordDepth?: number;
  /** A streamed slice that passed markers outgrew NESTED_SLICE_BUDGET: the next marker starts a record. */
  private resynchronise = false;
  /**
   * The open slice starts where the framer resynchronised (its depth unknown: it may start inside a
   * record); `cutResynced`: the marker just cut at was such a place, for the slice it starts.
   */
  private openResynced = false;
  private cutResynced = false;
  /**
   * The open slice starts where the depth showed damage (a marker inside what it took for a string, or above the
   * records' depth) and nothing after it has shown that place to be a record's yet: the depth taken there is
   * a guess, and the place may be inside the damaged record (see finish). `cutUnproven`: likewise for the
   * marker just cut at. (After NESTED_SLICE_BUDGET the next marker is taken for a record's: no record is that long.)
   */
  private openUnproven = false;
  private cutUnproven = false;
  /**
   * The last slice framed ended with the layout's separator (`},` or the end of a file's envelope), and when the
   * consumer parsed it and found it damaged, the damage moved nothing the depth reads (structureKept): the depth
   * that cut it came through well-formed bytes. A slice after one that did not starts unproven too (damage can
   * leave the depth right at a marker nested in the damaged record: `"tags":[}}]{"eventVersion":...`, or a nested
   * start's own key broken, `{"eventVersion"}}]...},{"eventVersion":...`, the marker after it right after `},`).
   * `cutAtFileStart`: the marker just cut at starts a file's records (no damage before it makes it unproven).
   */
  private endSeparated = true;
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
      readTo(chunkStart + p);
      if (!this.startsRecord(chunkStart + p, chunk, chunkStart, consumed)) continue;
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

  protected override holdsMarkers(): boolean {
    return this.inner.length > 0;
  }

  protected override skipOversized(size: number): void {
    this.first = false;
    this.inner = [];
    super.skipOversized(size);
  }

  /**
   * `atCut`: the bytes end the open slice (a record start follows them). A slice that passed markers may grow
   * past the cap up to NESTED_SLICE_BUDGET: it may be one record that nests objects opening like records.
   */
  protected override append(bytes: Buffer, atCut = false): void {
    if (this.inner.length === 0 || this.dropping || bytes.length === 0) {
      super.append(bytes);
      return;
    }
    if (this.openBytes + bytes.length > Math.max(this.maxRecordBytes, NESTED_SLICE_BUDGET) && this.parts.length > 0) {
      // A slice that passed markers and outgrew its budget. Within one chunk (a file read whole) it is a
      // view, held for free until the consumer's verdict; across chunks it is taken for damage (a bracket
      // missing) and cut at its markers now, so that memory stays bounded and no record after the
      // damage is lost with it.
      this.recoverHeld(bytes, atCut);
      return;
    }
    this.openBytes += bytes.length;
    this.parts.push(bytes);
  }

  /**
   * The held slice and `bytes` after it, cut at its markers as `finish` cuts a slice that is not one
   * valid record (recoverPieces), each piece framed as a record. Unless a record start follows (`atCut`),
   * the last piece is cut off where the bytes end: the next marker starts a record, the depth afresh.
   */
  private recoverHeld(bytes: Buffer, atCut: boolean): void {
    const held = Buffer.concat([...this.parts, bytes]);
    const start = this.openStart;
    const unproven = this.openUnproven;
    const { pieces, taken } = recoverPieces(
      held,
      0,
      held.length,
      this.inner.map((marker) => marker - start),
      // Unproven, a record start that ends the slice shows nothing when the framer resynchronised there too.
      atCut ? !(unproven && this.cutUnproven) : "held",
      unproven,
      this.recordDepth === 0,
    );
    this.parts = [];
    this.openBytes = 0;
    this.inner = [];
    this.first = false;
    for (const [i, from] of pieces.entries()) {
      this.ordinal++;
      const to = i + 1 < pieces.length ? pieces[i + 1] : held.length;
      this.record(held, from, to, start + from, false, undefined, true, unproven && !taken.has(from));
    }
    this.openStart = start + held.length;
    this.openResynced = !atCut;
    this.openUnproven = !atCut;
    if (!atCut) this.resynchronise = true;
  }

  /**
   * The size of the record in a whole slice, what the cap bounds: without the envelope's opening before
   * it, or the separator after it (as `finish` and `record` cut them off).
   */
  protected recordSize(bytes: Buffer, atEnd: boolean): number {
    let from = 0;
    let to = bytes.length;
    if (this.first) from += ENVELOPE_START.exec(bytes.subarray(0, 256).toString("latin1"))?.[0].length ?? 0;
    const tailStart = Math.max(from, to - TAIL_WINDOW);
    const m = (atEnd ? RECORD_THEN_END : RECORD_THEN_NEXT_FILE).exec(bytes.subarray(tailStart, to).toString("latin1"));
    if (m) to = tailStart + m.index + 1;
    else while (to > from && isSpace(bytes[to - 1])) to--;
    return to - from;
  }

  /** Frames the slice `buf[a, b)`, which starts at `offset` in the input. */
  protected finish(buf: Buffer, a: number, b: number, offset: number, atEnd: boolean): void {
    const first = this.first;
    this.first = false;
    const inner = this.inner;
    if (inner.length > 0) this.inner = [];
    // A slice that starts where the framer resynchronised is a record only when what follows shows it
    // (see recoverPieces).
    const unproven = this.openUnproven;
    let from = a;
    if (first) {
      const head = ENVELOPE_START.exec(buf.subarray(a, Math.min(b, a + 256)).toString("latin1"));
      if (head) from += head[0].length;
    }
    if (from === b) return;
    this.ordinal++;
    const at = offset + (from - a);
    // Unproven, the record start that ends the slice shows nothing when the framer resynchronised there too.
    const cutAfter = !atEnd && !(unproven && this.cutUnproven);
    if (inner.length === 0) {
      this.record(buf, from, b, at, atEnd, undefined, false, unproven && !cutAfter);
      return;
    }
    // Unproven, the slice is not one record because it parses as one (its end may be cut off):
    // recoverPieces rules.
    if (!unproven && !this.record(buf, from, b, at, atEnd, inner)) return;
    // Not one valid record: damage. Each piece is then framed as a record on its own (see recoverPieces).
    const { pieces, taken } = recoverPieces(
      buf,
      from,
      b,
      inner.map((marker) => a + (marker - offset)),
      cutAfter,
      unproven,
      this.recordDepth === 0,
    );
    for (const [i, start] of pieces.entries()) {
      if (i > 0) this.ordinal++;
      const end = i + 1 < pieces.length ? pieces[i + 1] : b;
      const pieceUnproven = unproven && !taken.has(start);
      this.record(buf, start, end, offset + (start - a), atEnd && end === b, undefined, true, pieceUnproven);
    }
  }

  /**
   * A records-layout slice `buf[a, b)`: the record, then `,` or the end of the envelope (and maybe
   * the next one). Returns what the sink returns (true: not one valid record). `unproven`: it starts where
   * the framer resynchronised and nothing after it showed it to be a record; a slice framed whole (not
   * `recovered`) is shown to be one by the end of the input after it (and the envelope's end, if any).
   */
  private record(
    buf: Buffer,
    a: number,
    b: number,
    offset: number,
    atEnd: boolean,
    inner?: number[],
    recovered = false,
    unproven = false,
  ): boolean {
    // A piece recovered from damage is validated whatever its surroundings (recoverPieces).
    const suspectStart = recovered || buf[a] !== OPEN_OBJ;
    // CloudTrail's own separator, `},` before the next record: the common case, checked without a regex.
    const resynced = this.openResynced || recovered;
    if (!recovered && !atEnd && b - a >= 2 && buf[b - 1] === COMMA && buf[b - 2] === CLOSE_OBJ) {
      const suspect = suspectStart || resynced;
      const damaged = this.sink.slice(buf, a, b - 1, offset, this.ordinal, suspect, inner, resynced, unproven) === true;
      this.endSeparated = this.structureKept(damaged, buf, a, b - 1);
      return damaged;
    }
    const tailStart = Math.max(a, b - TAIL_WINDOW);
    const m = (atEnd ? RECORD_THEN_END : RECORD_THEN_NEXT_FILE).exec(buf.subarray(tailStart, b).toString("latin1"));
    const end = m ? tailStart + m.index + 1 : b;
    // Records without an envelope (`jq '.Records[]'`) are separated by whitespace only.
    const separated = m !== null || (this.recordDepth === 0 && endsObject(buf, a, b));
    // A piece recovered from damage comes from a slice held past the cap (see append): the cap applies to it here.
    if (recovered && end - a > this.maxRecordBytes) {
      this.endSeparated = separated;
      this.sink.oversized({ offset, ordinal: this.ordinal }, end - a);
      return false;
    }
    const shown = !recovered && atEnd && (m !== null || this.recordDepth === 0);
    const damaged =
      this.sink.slice(
        buf,
        a,
        end,
        offset,
        this.ordinal,
        m ? suspectStart || resynced : true,
        inner,
        resynced,
        unproven && !shown,
      ) === true;
    this.endSeparated = separated && this.structureKept(damaged, buf, a, end);
    return damaged;
  }

  /**
   * Whether the depth after the record `buf[a, end)`, which the consumer found `damaged` or not, is the depth of
   * the JSON as it was written: the record is valid, or its damage moved no quote or bracket the depth counts
   * (hasObjectSkeleton: a colon lost, a letter changed). Else the record start after it may be an object nested in
   * it, its own start broken (`{"eventVersion"}}]...},{"eventVersion":`). A slice that starts where the framer
   * resynchronised may start inside a record: its damage says nothing, the resynchronisation rules what follows.
   */
  private structureKept(damaged: boolean, buf: Buffer, a: number, end: number): boolean {
    return !damaged || this.openResynced || hasObjectSkeleton(buf, a, end);
  }
}
