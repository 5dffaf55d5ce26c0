/**
 * What RecordFramer does with a slice of delivery-file records once it has cut one (where it cuts is
 * record-framer.ts's question, this file is its base class): the record in it is cut from what surrounds it
 * (the envelope's opening before the first record, `},` or the envelope's end after it) and handed to the
 * consumer with what the consumer must know to judge it:
 *   - `suspect`: its surroundings are not the layout's separator (`},` between records, `}]}` at the end):
 *     the consumer must validate it fully (and name the damage) whatever its content;
 *   - `inner`: the record markers it passed below the records' depth. A valid record is never split,
 *     whatever objects it nests; when the consumer finds that the slice is not one valid record, it is
 *     split at them after all (recoverPieces, damage-recovery.ts), as if the depth had not been followed,
 *     so damage still costs only the damaged record;
 *   - `resynced`, `unproven`: it starts where the framer resynchronised, and (unproven) nothing after it
 *     has shown that place to be a record's yet: only what follows (recoverPieces) shows which of its
 *     markers start records.
 * What the consumer found tells the framer how far to trust the depth at the next record start (endSeparated,
 * structureKept). A streamed slice that passed markers is held up to NESTED_SLICE_BUDGET, then cut at them
 * (recoverHeld), so that memory stays bounded. Valid input is never split: recoverPieces runs on damage only.
 */
import { CLOSE_OBJ, COMMA, isSpace, OPEN_OBJ } from "./json-bytes";
import { hasObjectSkeleton } from "./json-prefix";
import { recoverPieces } from "./damage-recovery";
import { ENVELOPE_START, endsObject, RECORD_THEN_END, RECORD_THEN_NEXT_FILE, TAIL_WINDOW } from "./record-markers";
import { SliceFramer } from "./slice-framer";

/**
 * How long a streamed slice that passed markers below the records' depth may grow (when the record
 * cap is lower) before it is taken for damage (a bracket missing) rather than one record: it is then
 * cut at its markers (recoverHeld) and the next marker starts a record. CloudTrail's largest events
 * are 1 MB (an event data store's "Large" event size). A slice of a file read whole is a view of it:
 * it waits for the consumer's verdict.
 */
const NESTED_SLICE_BUDGET = 4 * 1024 * 1024;

export abstract class RecordHandover extends SliceFramer {
  /** The record markers the open slice passed (below the records' depth, or unproven), as input offsets. */
  protected inner: number[] = [];
  /** The first slice holds the envelope's opening before the first record. */
  protected first = true;
  /** The records' depth, once known. */
  protected recordDepth?: number;
  /** A streamed slice that passed markers outgrew NESTED_SLICE_BUDGET: the next marker starts a record. */
  protected resynchronise = false;
  /** The open slice starts where the framer resynchronised (its depth unknown: it may start inside a record). */
  protected openResynced = false;
  /**
   * The open slice starts where the depth showed damage (a marker inside what it took for a string, or above the
   * records' depth) and nothing after it has shown that place to be a record's yet: the depth taken there is
   * a guess, and the place may be inside the damaged record (see finish). `cutUnproven`: likewise for the
   * marker just cut at. (After NESTED_SLICE_BUDGET the next marker is taken for a record's: no record is that long.)
   */
  protected openUnproven = false;
  protected cutUnproven = false;
  /**
   * The last slice framed ended with the layout's separator (`},` or the end of a file's envelope), and when the
   * consumer parsed it and found it damaged, the damage moved nothing the depth reads (structureKept): the depth
   * that cut it came through well-formed bytes. A slice after one that did not starts unproven too (damage can
   * leave the depth right at a marker nested in the damaged record: `"tags":[}}]{"eventVersion":...`, or a nested
   * start's own key broken, `{"eventVersion"}}]...},{"eventVersion":...`, the marker after it right after `},`).
   */
  protected endSeparated = true;

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
