/**
 * The pre-filter: decides on raw record bytes, without parsing, whether a record can match a rule.
 * "no-match" must be exact (a record it rules out provably matches no rule); "may-match" only
 * costs a JSON.parse.
 *
 * Why it is exact: every rule names one eventSource and its event names. A matching record holds a
 * top-level `"eventSource"` key whose value is that source, and the event name somewhere. JSON can
 * write a letter, a digit, `.` or `-` only literally or as a `\uXXXX` escape (the other escapes
 * stand for `"`, `\`, `/` and control characters). So a record without `\u` spells the key, the
 * source and the name literally, with only JSON whitespace and `:` between key and value. A record
 * with `\u` anywhere is always parsed. Every `"eventSource"` key is checked, nested ones too, so
 * the top-level one is among them whatever the key order.
 *
 * Why it is fast: a whole block (a decompressed file, a read chunk) is searched once for `\u` and
 * once for `Source"`, the part of the key Buffer.indexOf finds quickly (it is slow on needles that
 * start with a byte as common in JSON as `"` or `e`: measured with bench/detect.ts). A record
 * inside the block is then decided from those hits; only a record whose event source is listed is
 * searched, for its source's event names.
 */

export type Prefiltered = "may-match" | "no-match" | "not-cloudtrail";

const KEY_TAIL = Buffer.from('Source"');
/** `"event`: the bytes before KEY_TAIL in the key `"eventSource"`. */
const KEY_HEAD = Buffer.from('"event');
const BACKSLASH_U = Buffer.from("\\u");
const QUOTE = 0x22;
const COLON = 0x3a;
/** The key is followed by something other than a string value (it is itself a value, or damaged). */
const NOT_A_STRING = -1;
/** The bytes end before the value starts. */
const CUT_OFF = -2;

const isJsonSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

export interface Hits {
  /** Offsets (relative to the searched bytes) of `"eventSource"` keys, ascending. */
  keys: number[];
  /** For each key: where its string value's first byte is, NOT_A_STRING or CUT_OFF. */
  values: number[];
  /** Offsets of `\u`, ascending. */
  escapes: number[];
}

/** What can match: event sources, each with the names (or other literal text) a record of it must hold. */
export interface PrefilterScope {
  rules: readonly { eventSource: string; eventNames: readonly string[] }[];
}

/** The rules' sources and names as bytes; immutable, shared by every input a scanner reads. */
export class Prefilter {
  private readonly sources: Buffer[];
  private readonly namesBySource: Buffer[][];
  private readonly allNames: Buffer[];

  constructor(scope: PrefilterScope) {
    const sources = [...new Set(scope.rules.map((r) => r.eventSource))];
    this.sources = sources.map((s) => Buffer.from(s, "utf8"));
    this.namesBySource = sources.map((s) =>
      [...new Set(scope.rules.filter((r) => r.eventSource === s).flatMap((r) => r.eventNames))].map((n) =>
        Buffer.from(n, "utf8"),
      ),
    );
    this.allNames = [...new Set(scope.rules.flatMap((r) => r.eventNames))].map((n) => Buffer.from(n, "utf8"));
  }

  /** Decides one record on its own. `hasUnicodeEscape` may be given when already known. */
  decide(record: Buffer, hasUnicodeEscape?: boolean): Prefiltered {
    if (hasUnicodeEscape) return "may-match";
    return this.decideHits(record, 0, record.length, this.search(record), 0, 0);
  }

  /** A pre-filter for one input read in blocks (not shared between inputs: it holds the current block). */
  forBlocks(): BlockPrefilter {
    return new BlockPrefilter(this);
  }

  /**
   * The verdict for the record `buf[from, to)`, from the hits of a search of `buf`, given cursors at
   * or before the record's first hits. The record's own bytes are cut out only to look for names.
   */
  decideHits(buf: Buffer, from: number, to: number, hits: Hits, keyAt: number, escapeAt: number): Prefiltered {
    if (escapeAt < hits.escapes.length && hits.escapes[escapeAt] < to) return "may-match";
    if (!(keyAt < hits.keys.length && hits.keys[keyAt] < to)) return "not-cloudtrail";
    for (let k = keyAt; k < hits.keys.length && hits.keys[k] < to; k++) {
      const names = this.namesFor(buf, hits.values[k], to);
      if (!names) continue;
      const record = buf.subarray(from, to);
      for (const name of names) if (record.indexOf(name) !== -1) return "may-match";
    }
    return "no-match";
  }

  search(bytes: Buffer): Hits {
    const hits: Hits = { keys: [], values: [], escapes: [] };
    for (let p = bytes.indexOf(BACKSLASH_U); p !== -1; p = bytes.indexOf(BACKSLASH_U, p + 1)) hits.escapes.push(p);
    for (let p = bytes.indexOf(KEY_TAIL); p !== -1; p = bytes.indexOf(KEY_TAIL, p + 1)) {
      const key = p - KEY_HEAD.length;
      if (key < 0 || !matchesAt(bytes, key, KEY_HEAD)) continue;
      hits.keys.push(key);
      hits.values.push(stringValueAt(bytes, p + KEY_TAIL.length));
    }
    return hits;
  }

  /**
   * The event names to look for, given the value of an `"eventSource"` key (`value`: the offset of
   * its first byte in `buf`, or NOT_A_STRING / CUT_OFF) in a record that ends at `to`: those of the
   * listed source the value starts with, every name when the record ends before that can be told,
   * none for any other value. A prefix is enough (no closing quote needed), so that a listed source
   * in a damaged record is still parsed and the damage named.
   */
  private namesFor(buf: Buffer, value: number, to: number): Buffer[] | undefined {
    if (value === NOT_A_STRING) return undefined;
    if (value === CUT_OFF || value >= to) return this.allNames;
    for (let s = 0; s < this.sources.length; s++) {
      const source = this.sources[s];
      const available = Math.min(source.length, to - value);
      if (!matchesAt(buf, value, source, available)) continue;
      return available === source.length ? this.namesBySource[s] : this.allNames;
    }
    return undefined;
  }
}

/**
 * Decides the records of one input from the hits of the block (decoded chunk) they lie in: the
 * block is searched once when loaded. A record in any other buffer (one that straddled two chunks
 * and was put together) is searched on its own.
 */
export class BlockPrefilter {
  private block: Buffer | undefined;
  private hits: Hits = { keys: [], values: [], escapes: [] };
  /** Cursors into the hits: records come in block order, so each search resumes where the last stopped. */
  private keyAt = 0;
  private escapeAt = 0;
  private lastStart = 0;

  constructor(private readonly prefilter: Prefilter) {}

  /** Searches a block. */
  load(block: Buffer): void {
    this.block = block;
    this.hits = this.prefilter.search(block);
    this.keyAt = 0;
    this.escapeAt = 0;
    this.lastStart = 0;
  }

  /** Decides the record `buf[start, end)`. */
  decide(buf: Buffer, start: number, end: number): Prefiltered {
    if (buf !== this.block) return this.prefilter.decide(buf.subarray(start, end));
    if (start < this.lastStart) {
      this.keyAt = 0;
      this.escapeAt = 0;
    }
    this.lastStart = start;
    const { keys, escapes } = this.hits;
    while (this.keyAt < keys.length && keys[this.keyAt] < start) this.keyAt++;
    while (this.escapeAt < escapes.length && escapes[this.escapeAt] < start) this.escapeAt++;
    return this.prefilter.decideHits(buf, start, end, this.hits, this.keyAt, this.escapeAt);
  }
}

/** After a key's closing quote (at `at`): the offset of its string value's first byte, NOT_A_STRING or CUT_OFF. */
function stringValueAt(bytes: Buffer, at: number): number {
  let i = at;
  while (i < bytes.length && isJsonSpace(bytes[i])) i++;
  if (i < bytes.length && bytes[i] !== COLON) return NOT_A_STRING;
  i++;
  while (i < bytes.length && isJsonSpace(bytes[i])) i++;
  if (i >= bytes.length) return CUT_OFF;
  return bytes[i] === QUOTE ? i + 1 : NOT_A_STRING;
}

/** Whether the first `length` bytes of `needle` are at `at` in `bytes`. */
function matchesAt(bytes: Buffer, at: number, needle: Buffer, length = needle.length): boolean {
  for (let j = 0; j < length; j++) if (bytes[at + j] !== needle[j]) return false;
  return true;
}
