/**
 * Where a stream of JSON bytes is in its structure: how deep in objects and arrays, and whether
 * inside a string. record-framer.ts asks it at each record marker, because the marker's bytes
 * (`{"eventVersion":`) also open any nested object whose first key is `eventVersion`, and a caller
 * chooses such keys (tags, metadata and other maps a request logs): only a marker at the depth of
 * the records starts one. Exact for valid JSON, which is what CloudTrail writes; in damaged JSON its
 * answer is only a guess, which the framer checks (see RecordFramer).
 *
 * Strings are skipped with Buffer.indexOf (native): the bytes looked at one by one are the few
 * between strings (`:`, `,`, brackets, numbers, literals). It is still about a fifth of a worker's
 * scan of bench:detect's archive, the price of exactness (docs/detection.md). A record the scan parses
 * anyway is not read here: that it parses proves it balanced (RecordFramer.parsedAhead).
 */
import { BACKSLASH, CLOSE_ARR, CLOSE_OBJ, OPEN_ARR, OPEN_OBJ, QUOTE } from "./json-bytes";

export class JsonDepth {
  /** Open objects and arrays. */
  depth = 0;
  /** The lowest depth a closing bracket left since the caller last set it (damage-recovery.ts). */
  lowest = 0;
  inString = false;
  /** Inside a string: the backslashes that end what was read (an odd run escapes the next byte). */
  private backslashes = 0;

  /**
   * Reads `buf[from, to)`, the bytes that follow what was read before. With `closingTo`, stops right
   * after the bracket that closes back to that depth (the end of the value open there) and returns
   * where it stopped; else, or when no bracket does, returns `to`.
   */
  advance(buf: Buffer, from: number, to: number, closingTo = Number.NEGATIVE_INFINITY): number {
    // Hot loop (every byte of a delivery file passes here): state in locals, written back at the end.
    let depth = this.depth;
    let lowest = this.lowest;
    let i = this.inString ? this.afterString(buf, from, to, this.backslashes) : from;
    while (i < to) {
      const c = buf[i++];
      if (c === QUOTE) i = this.afterString(buf, i, to, 0);
      else if (c === OPEN_OBJ || c === OPEN_ARR) depth++;
      else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        if (--depth < lowest) lowest = depth;
        if (depth === closingTo) {
          this.depth = depth;
          this.lowest = lowest;
          this.inString = false;
          return i;
        }
      }
    }
    this.depth = depth;
    this.lowest = lowest;
    // A string still open at `to` was noted by afterString (which returned `to` + 1).
    if (i === to) this.inString = false;
    return to;
  }

  /**
   * From inside a string at `from` (`carried`: the backslashes right before it, read before), the
   * offset after its closing quote; or, the string still open at `to`, `to` + 1 with the state noted.
   */
  private afterString(buf: Buffer, from: number, to: number, carried: number): number {
    let i = from;
    let backslashes = carried;
    for (;;) {
      const quote = buf.indexOf(QUOTE, i);
      const end = quote === -1 || quote >= to ? to : quote;
      // The backslashes right before `end`; a run that reaches where this read began continues.
      let run = 0;
      while (end - run > i && buf[end - run - 1] === BACKSLASH) run++;
      if (end - run === i) run += backslashes;
      if (end === to) {
        this.inString = true;
        this.backslashes = run;
        return to + 1;
      }
      i = quote + 1;
      if (run % 2 === 0) return i;
      backslashes = 0; // an escaped quote: the string goes on, and no run carries past it
    }
  }

  /** Takes the position as the one given (a resynchronisation after damage). */
  reset(depth: number): void {
    this.depth = depth;
    this.inString = false;
    this.backslashes = 0;
  }
}
