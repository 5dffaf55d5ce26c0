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
 * the top-level one is among them whatever the key order. Besides its event names, a rule's
 * selector may require more literals (an error code, a condition's value or prefix: literals.ts
 * says which and why): a record of the source is let through when, for some selector of its
 * source, it holds one literal of every group.
 *
 * Why it is fast: a whole block (a decompressed file, a read chunk) is searched once for `\u` and
 * once for `Source"`, the part of the key Buffer.indexOf finds quickly (it is slow on needles that
 * start with a byte as common in JSON as `"` or `e`: measured with bench/detect.ts). A record
 * inside the block is then decided from those hits; only a record whose event source is listed is
 * searched, for its source's selectors' literals, each literal at most once per record.
 */
import { COLON, isSpace, QUOTE } from "./json-bytes";
import { requiredLiterals, type ScopeSelector } from "./literals";

export type Prefiltered = "may-match" | "no-match" | "not-cloudtrail";

const KEY_TAIL = Buffer.from('Source"');
/** `"event`: the bytes before KEY_TAIL in the key `"eventSource"`. */
const KEY_HEAD = Buffer.from('"event');
const BACKSLASH_U = Buffer.from("\\u");
/** The key is followed by something other than a string value (it is itself a value, or damaged). */
const NOT_A_STRING = -1;
/** The bytes end before the value starts. */
const CUT_OFF = -2;

export interface Hits {
  /** Offsets (relative to the searched bytes) of `"eventSource"` keys, ascending. */
  keys: number[];
  /** For each key: where its string value's first byte is, NOT_A_STRING or CUT_OFF. */
  values: number[];
  /** Offsets of `\u`, ascending. */
  escapes: number[];
}

/**
 * What can match: event selectors, each an event source with the names (or other literal text) a
 * record of it must hold, and for rules the outcome and conditions they require.
 */
export interface PrefilterScope {
  rules: readonly ScopeSelector[];
}

/** A selector as the pre-filter tests it: groups of literal numbers (see literals.ts). */
type Requirement = number[][];

/**
 * The rules' sources and literals as bytes, shared by every input a scanner reads (its only state
 * is scratch for the one record being decided, synchronously).
 */
export class Prefilter {
  private readonly sources: Buffer[];
  private readonly literals: Buffer[];
  private readonly bySource: Requirement[][];
  private readonly all: Requirement[];
  /** Per literal, for the record being decided: 0 not searched yet, 1 found, 2 absent. */
  private readonly seen: Uint8Array;

  constructor(scope: PrefilterScope) {
    const sources = [...new Set(scope.rules.map((r) => r.eventSource))];
    this.sources = sources.map((s) => Buffer.from(s, "utf8"));
    const numbers = new Map<string, number>();
    const numberOf = (literal: string): number => {
      if (!numbers.has(literal)) numbers.set(literal, numbers.size);
      return numbers.get(literal)!;
    };
    this.bySource = sources.map((source) =>
      withoutRedundant(
        scope.rules
          .filter((r) => r.eventSource === source)
          .map((r) => requiredLiterals(r).map((group) => group.map(numberOf))),
      ),
    );
    // A record cut off before its source can be told is tested for the names alone, as a damaged
    // record of a listed source is parsed so that its damage is named.
    const namesOnly = scope.rules.map((r) =>
      requiredLiterals({ eventSource: r.eventSource, eventNames: r.eventNames }),
    );
    this.all = withoutRedundant(namesOnly.map((groups) => groups.map((group) => group.map(numberOf))));
    this.literals = [...numbers.keys()].map((l) => Buffer.from(l, "utf8"));
    this.seen = new Uint8Array(this.literals.length);
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
    let record: Buffer | undefined;
    for (let k = keyAt; k < hits.keys.length && hits.keys[k] < to; k++) {
      const requirements = this.requirementsFor(buf, hits.values[k], to);
      if (!requirements) continue;
      if (!record) {
        record = buf.subarray(from, to);
        this.seen.fill(0);
      }
      for (let r = 0; r < requirements.length; r++) {
        if (!this.holds(record, requirements[r])) continue;
        toFront(requirements, r);
        return "may-match";
      }
    }
    return "no-match";
  }

  /**
   * Whether the record holds a literal of every group of the requirement. What held is moved to the
   * front (of its group, of its source's requirements), so that the next record, most often of the
   * same kind, is decided with fewest searches; the order never changes a verdict.
   */
  private holds(record: Buffer, requirement: Requirement): boolean {
    for (const group of requirement) {
      let found = -1;
      for (let l = 0; l < group.length && found === -1; l++) {
        const literal = group[l];
        if (this.seen[literal] === 0) this.seen[literal] = record.indexOf(this.literals[literal]) === -1 ? 2 : 1;
        if (this.seen[literal] === 1) found = l;
      }
      if (found === -1) return false;
      toFront(group, found);
    }
    return true;
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
   * The selectors to test, given the value of an `"eventSource"` key (`value`: the offset of its
   * first byte in `buf`, or NOT_A_STRING / CUT_OFF) in a record that ends at `to`: those of the
   * listed source the value starts with, every source's names when the record ends before that can
   * be told, none for any other value. A prefix is enough (no closing quote needed), so that a listed
   * source in a damaged record is still parsed and the damage named.
   */
  private requirementsFor(buf: Buffer, value: number, to: number): Requirement[] | undefined {
    if (value === NOT_A_STRING) return undefined;
    if (value === CUT_OFF || value >= to) return this.all;
    for (let s = 0; s < this.sources.length; s++) {
      const source = this.sources[s];
      const available = Math.min(source.length, to - value);
      if (!matchesAt(buf, value, source, available)) continue;
      return available === source.length ? this.bySource[s] : this.all;
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

/** Moves `items[at]` to the front, the others keeping their order. */
function toFront<T>(items: T[], at: number): void {
  if (at === 0) return;
  const item = items[at];
  items.copyWithin(1, 0, at);
  items[0] = item;
}

/**
 * The requirements without those another one implies: a requirement whose groups include all of
 * another's holds only when that one does, so testing it adds nothing (e.g. a failure rule beside
 * a rule with the same names and any outcome). Identical ones are kept once.
 */
function withoutRedundant(requirements: Requirement[]): Requirement[] {
  const keyOf = (group: number[]): string => [...group].sort((a, b) => a - b).join(",");
  const sets = requirements.map((r) => new Set(r.map(keyOf)));
  const within = (a: Set<string>, b: Set<string>): boolean => [...a].every((g) => b.has(g));
  // Requirement i goes when another's groups are all among its own (the first of equal ones stays).
  return requirements.filter((_, i) =>
    sets.every((other, j) => j === i || !within(other, sets[i]) || (within(sets[i], other) && i < j)),
  );
}

/** After a key's closing quote (at `at`): the offset of its string value's first byte, NOT_A_STRING or CUT_OFF. */
function stringValueAt(bytes: Buffer, at: number): number {
  let i = at;
  while (i < bytes.length && isSpace(bytes[i])) i++;
  if (i < bytes.length && bytes[i] !== COLON) return NOT_A_STRING;
  i++;
  while (i < bytes.length && isSpace(bytes[i])) i++;
  if (i >= bytes.length) return CUT_OFF;
  return bytes[i] === QUOTE ? i + 1 : NOT_A_STRING;
}

/** Whether the first `length` bytes of `needle` are at `at` in `bytes`. */
function matchesAt(bytes: Buffer, at: number, needle: Buffer, length = needle.length): boolean {
  for (let j = 0; j < length; j++) if (bytes[at + j] !== needle[j]) return false;
  return true;
}
