/**
 * Where a stream of JSON bytes is in its structure: how deep in objects and arrays, and whether
 * inside a string. record-framer.ts asks it at each record marker, because the marker's bytes
 * (`{"eventVersion":`) also open any nested object whose first key is `eventVersion`, and a caller
 * chooses such keys (tags, metadata and other maps a request logs): only a marker at the depth of
 * the records starts one. Exact for valid JSON, which is what CloudTrail writes; in damaged JSON its
 * answer is only a guess, which the framer checks (see RecordFramer).
 *
 * Strings are skipped with Buffer.indexOf (native): the bytes looked at one by one are the few
 * between strings (`:`, `,`, brackets, numbers, literals), which keeps it a small share of a scan
 * (measured with bench/detect.ts).
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

export class JsonDepth {
  /** Open objects and arrays. */
  depth = 0;
  inString = false;
  /** Inside a string: the backslashes that end what was read (an odd run escapes the next byte). */
  private backslashes = 0;

  /**
   * Reads `buf[from, to)`, the bytes that follow what was read before. With `closingTo`, stops right
   * after the bracket that closes back to that depth (the end of the value open there) and returns
   * where it stopped; else, or when no bracket does, returns `to`.
   */
  advance(buf: Buffer, from: number, to: number, closingTo = Number.NEGATIVE_INFINITY): number {
    let depth = this.depth;
    let i = from;
    while (i < to) {
      if (this.inString) {
        const quote = buf.indexOf(QUOTE, i);
        const end = quote === -1 || quote >= to ? to : quote;
        // The backslashes right before `end`; a run that starts where this read started continues
        // the run that ended the last read.
        let run = 0;
        while (end - run - 1 >= i && buf[end - run - 1] === BACKSLASH) run++;
        if (end - run === i) run += this.backslashes;
        if (end === to) {
          this.backslashes = run;
          break;
        }
        this.backslashes = 0;
        this.inString = run % 2 === 1;
        i = quote + 1;
        continue;
      }
      const c = buf[i++];
      if (c === QUOTE) {
        this.inString = true;
        this.backslashes = 0;
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
      else if ((c === CLOSE_OBJECT || c === CLOSE_ARRAY) && --depth === closingTo) {
        this.depth = depth;
        return i;
      }
    }
    this.depth = depth;
    return to;
  }

  /** Takes the position as the one given (a resynchronisation after damage). */
  reset(depth: number): void {
    this.depth = depth;
    this.inString = false;
    this.backslashes = 0;
  }
}
