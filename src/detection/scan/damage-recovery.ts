/**
 * Where RecordFramer cuts a slice that passed record markers but is not one valid record (damage): which of
 * the markers in it start records, and so which pieces are framed as records of their own. Pure: it reads
 * the slice's bytes only. Runs on damaged input only (valid input never comes here), in one pass that is
 * linear in the slice.
 */
import { COMMA, isSpace } from "./json-bytes";
import { JsonDepth } from "./json-depth";
import { firstInvalidByte } from "./json-prefix";
import { filesMeetBefore, RECORD_THEN_END, RECORD_THEN_NEXT_FILE, TAIL_WINDOW } from "./record-markers";

export interface RecoveredPieces {
  /** The pieces' starts, ascending: the slice's own start first. */
  pieces: number[];
  /** The pieces' starts shown to be records (the others are damage, or unproven). */
  taken: Set<number>;
}

/**
 * The pieces of the damaged slice `buf[from, to)`, which starts at a record start and passed the record
 * starts `markers` (offsets in `buf`). The depth is read afresh from `from`: a marker can start a record
 * only when nothing after it, up to the last record's end, closes what encloses it (a record after a missing
 * bracket sits one level too deep but is never closed over; an object nested in a record, damaged or not, is).
 * Such a start is taken when its value is valid JSON followed by the next start taken (after `,`, or after
 * the end of a file and the start of the next one), or by what ends the slice: the envelope's end, the end of
 * an input without one (`bareRecords`: the records have no envelope), or (`cutAfter`) the record start that
 * ended the slice. For bytes held while streaming ("held") being followed by the next start is enough. What
 * lies between is damage. `unproven`: the slice starts where the framer resynchronised (maybe inside the
 * damaged record): its own start is then taken only as the others are.
 */
export function recoverPieces(
  buf: Buffer,
  from: number,
  to: number,
  markers: number[],
  cutAfter: boolean | "held",
  unproven: boolean,
  bareRecords: boolean,
): RecoveredPieces {
  const tailStart = Math.max(from, to - TAIL_WINDOW);
  const tail = buf.subarray(tailStart, to).toString("latin1");
  // What ends the slice: the envelope's end at the end of the input; before a cut, also a next file's
  // start (or the `},` before the record); held bytes end nowhere in particular.
  const envelopeEnd =
    cutAfter === "held"
      ? null
      : cutAfter
        ? (RECORD_THEN_END.exec(tail) ?? RECORD_THEN_NEXT_FILE.exec(tail))
        : RECORD_THEN_END.exec(tail);
  const end = envelopeEnd ? tailStart + envelopeEnd.index + 1 : to;
  // Up to the damage the slice is valid JSON, so the depth there is exact: a marker before it below the
  // slice's level is nested, never a record (an input cut off inside a record, whatever objects it
  // nests, is that one damaged record).
  const damageAt = firstInvalidByte(buf, from, to);
  const inside = markers.filter((m) => m < end && m >= damageAt);
  // The depth at each marker and the lowest depth after it, up to `end`.
  const depth = new JsonDepth();
  const at: number[] = [];
  const lowestAfter: number[] = [];
  let pos = from;
  for (const m of inside) {
    depth.lowest = depth.depth;
    // Concatenated files: the bytes between two files close and open an envelope, which encloses no record.
    const filesMeet = filesMeetBefore(buf, pos, m);
    depth.advance(buf, pos, filesMeet === -1 ? m : filesMeet);
    if (filesMeet !== -1 && depth.inString) depth.advance(buf, filesMeet, m);
    if (at.length > 0) lowestAfter.push(depth.lowest);
    at.push(depth.inString ? Number.NaN : depth.depth);
    pos = m;
  }
  depth.lowest = depth.depth;
  depth.advance(buf, pos, end);
  lowestAfter.push(depth.lowest);

  for (let k = lowestAfter.length - 2; k >= 0; k--) lowestAfter[k] = Math.min(lowestAfter[k], lowestAfter[k + 1]);
  const candidates = [from, ...inside.filter((_, k) => lowestAfter[k] >= at[k])];

  // Each candidate's value: where it ends (after its separators), when it is valid JSON.
  const endOf = candidates.map((start, k) => {
    const following = k + 1 < candidates.length ? candidates[k + 1] : to;
    const value = new JsonDepth();
    const valueEnd = value.advance(buf, start, following, 0);
    if (value.depth !== 0 || !isJson(buf, start, valueEnd)) return undefined;
    let after = valueEnd;
    while (after < following && isSpace(buf[after])) after++;
    if (after < following && buf[after] === COMMA) after++;
    else if (after < following && filesMeetBefore(buf, after, following) === after) after = following;
    while (after < following && isSpace(buf[after])) after++;
    return { valueEnd, after };
  });
  // Taken from the last back: followed by a start taken, or by what ends the slice.
  const taken = candidates.map(() => false);
  for (let k = candidates.length - 1; k >= 0; k--) {
    const e = endOf[k];
    if (!e) continue;
    const closesSlice =
      (envelopeEnd !== null && e.valueEnd === end) ||
      (e.after === to && (cutAfter === true || (cutAfter === false && bareRecords)));
    const next = k + 1 < candidates.length ? candidates[k + 1] : undefined;
    taken[k] =
      (k === 0 && !unproven) ||
      (next === undefined ? closesSlice : e.after === next && (cutAfter === "held" || taken[k + 1]));
  }
  const pieces = new Set<number>([from]);
  for (const [k, start] of candidates.entries()) {
    if (!taken[k]) continue;
    pieces.add(start);
    const e = endOf[k];
    // What follows a value up to the next start is a piece of its own, unless the envelope ends there.
    if (e && e.after < to && !(envelopeEnd !== null && e.valueEnd === end)) pieces.add(e.after);
  }
  return {
    pieces: [...pieces].sort((a, b) => a - b),
    taken: new Set(candidates.filter((_, k) => taken[k])),
  };
}

function isJson(buf: Buffer, from: number, to: number): boolean {
  try {
    JSON.parse(buf.toString("utf8", from, to));
    return true;
  } catch {
    return false;
  }
}
