/**
 * What `detect` keeps of the records the correlation rules look at, from the scan of each input (on
 * a worker thread or not) until the whole archive is read and put in time order: each record's
 * CorrelatedEvent, packed in flat arrays (a time, an id, where the record is and seven numbers per
 * event, the values that recur, such as credentials, Regions and models, once per input), so that
 * a worker hands over one structured clone of a few arrays rather than an object graph per record.
 *
 * The record itself is not carried: for a file, only where its text is (its byte range in the
 * file's decoded text), and the scan reads again only the records a finding cites (record-reread.ts).
 * Carrying each record as the JSON of the fields a finding reads cost more than the engine itself
 * on a Bedrock-heavy archive (stringified by the worker, cloned to the main thread, kept there
 * through the scan: +0.14 s of 0.93 s and 45 MB of main-thread heap, measured with bench:detect).
 * What cannot be read again (stdin, records recovered from a damaged slice) still travels as that
 * JSON. Either way the finding is built from the compacted record, so it is the same for both.
 */
import type { CorrelationRule } from "../../guardrail/correlation-definition";
import { selectorsOf } from "../../guardrail/correlation-rule";
import type { BearerTokenKind } from "../credential";
import { selectorMatches } from "../match";
import { type CloudTrailRecord, MODEL_REQUEST_KEYS } from "../record";
import { type CorrelatedEvent, eventOf, matchesOf, timeMsOf } from "./event";

const KEPT_FIELDS = [
  "eventID",
  "eventTime",
  "eventSource",
  "eventName",
  "errorCode",
  "awsRegion",
  "recipientAccountId",
  "sourceIPAddress",
  "userAgent",
  "userIdentity",
] as const;
/**
 * requestParameters and additionalEventData keys the finding reads: the model (modelIdOf: modelId, else
 * bedrock-mantle's model) and the bearer-token markers.
 */
const KEPT_KEYS: readonly string[] = [...MODEL_REQUEST_KEYS, "callWithBearerToken", "bearerTokenType"];

function keptKeys(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of KEPT_KEYS) if (key in value) out[key] = (value as Record<string, unknown>)[key];
  return Object.keys(out).length > 0 ? out : undefined;
}

export function compactRecord(record: CloudTrailRecord): CloudTrailRecord {
  const out: CloudTrailRecord = {};
  for (const field of KEPT_FIELDS) if (record[field] !== undefined) out[field] = record[field];
  const params = keptKeys(record.requestParameters);
  if (params) out.requestParameters = params;
  const extra = keptKeys(record.additionalEventData);
  if (extra) out.additionalEventData = extra;
  return out;
}

/** Whether some correlation rule looks at the record (one of its selectors matches it). */
export function correlationWants(rules: readonly CorrelationRule[], record: CloudTrailRecord): boolean {
  return rules.some((rule) => selectorsOf(rule).some((selector) => selectorMatches(selector, record)));
}

/** Where a record's text is in its input's decoded bytes (what a scan can read again). */
export interface RecordLocation {
  offset: number;
  length: number;
}

/** A located event's record, not read yet: its input and its location there. */
export interface UnreadRecord extends RecordLocation {
  source: string;
}

/** The events of one input, packed: plain data, cloned cheaply to another thread. */
export interface PackedEvents {
  /**
   * The earliest eventTime (epoch ms) of a record the rules look at, those without an eventID
   * included (new-term rules learn from the archive's first days); +Infinity when none.
   */
  earliestMs: number;
  timeMs: number[];
  /** Per event: its id and the compacted record's JSON ("" for a located record). */
  strings: string[];
  /** Per event: the record's offset and length in its input (RecordLocation), or -1, -1 when not located. */
  locations: number[];
  /** Per event, SHARED_COLUMNS numbers: the index of the value in `shared`, or -1 for undefined. */
  refs: number[];
  /** The distinct values of the shared columns (a credential, a Region, a model recur in many events). */
  shared: string[];
}

/** matches, credentialGroup, principalGroup, bearerTokenKind, awsRegion, eventName, modelId. */
const SHARED_COLUMNS = 7;

/** Where each value of `shared` is, while the worker packs (not sent: rebuilt from `shared` if needed). */
const sharedIndex = new WeakMap<PackedEvents, Map<string, number>>();

export function emptyPackedEvents(): PackedEvents {
  return { earliestMs: Number.POSITIVE_INFINITY, timeMs: [], strings: [], locations: [], refs: [], shared: [] };
}

/** Where each value of `packed.shared` is: kept beside the pack while a worker fills it. */
function sharedIndexOf(packed: PackedEvents): Map<string, number> {
  let index = sharedIndex.get(packed);
  if (!index) {
    index = new Map(packed.shared.map((v, i) => [v, i]));
    sharedIndex.set(packed, index);
  }
  return index;
}

function refOf(packed: PackedEvents, index: Map<string, number>, value: string | undefined): number {
  if (value === undefined) return -1;
  let ref = index.get(value);
  if (ref === undefined) {
    ref = packed.shared.push(value) - 1;
    index.set(value, ref);
  }
  return ref;
}

/**
 * Adds the record's event to `packed` when a rule looks at it. `location`: where the record is in an
 * input the scan can read again (then its JSON is not kept).
 */
export function packRecord(
  packed: PackedEvents,
  rules: readonly CorrelationRule[],
  record: CloudTrailRecord,
  location?: RecordLocation,
): void {
  const matches = matchesOf(rules, record);
  if (matches === undefined) return;
  const timeMs = timeMsOf(record);
  if (timeMs !== undefined && timeMs < packed.earliestMs) packed.earliestMs = timeMs;
  const event = eventOf(record, matches, timeMs);
  if (!event) return;
  packed.timeMs.push(event.timeMs);
  packed.strings.push(event.id, location ? "" : JSON.stringify(compactRecord(record)));
  packed.locations.push(location?.offset ?? -1, location?.length ?? -1);
  // One look-up of the index per event, no array per event: this runs for every invocation record.
  const index = sharedIndexOf(packed);
  packed.refs.push(
    refOf(packed, index, event.matches),
    refOf(packed, index, event.credentialGroup),
    refOf(packed, index, event.principalGroup),
    refOf(packed, index, event.bearerTokenKind),
    refOf(packed, index, event.awsRegion),
    refOf(packed, index, event.eventName),
    refOf(packed, index, event.modelId),
  );
}

/**
 * An event unpacked. Its record is parsed from its JSON when first read (a finding cites it); a
 * located one must be read again first (unreadRecordOf, supplyRecord).
 */
class PackedEvent implements CorrelatedEvent {
  private parsed?: CloudTrailRecord;
  constructor(
    readonly id: string,
    readonly timeMs: number,
    readonly matches: string,
    readonly credentialGroup: string | undefined,
    readonly principalGroup: string | undefined,
    readonly bearerTokenKind: BearerTokenKind | undefined,
    readonly awsRegion: string | undefined,
    readonly eventName: string | undefined,
    readonly modelId: string | undefined,
    private readonly json: string,
    /** The input a located record is in (undefined: the record is in `json`), its offset and length there. */
    private readonly source: string | undefined,
    private readonly offset: number,
    private readonly length: number,
  ) {}

  get record(): CloudTrailRecord {
    if (!this.parsed && this.source !== undefined) throw new Error(`the record of event ${this.id} was not read again`);
    this.parsed ??= JSON.parse(this.json) as CloudTrailRecord;
    return this.parsed;
  }

  /** Where its record is, while it was not read again. */
  get unread(): UnreadRecord | undefined {
    if (this.parsed || this.source === undefined) return undefined;
    return { source: this.source, offset: this.offset, length: this.length };
  }

  supply(record: CloudTrailRecord): void {
    this.parsed = compactRecord(record);
  }
}

/** Where to read the event's record from, when it is a located event whose record was not read yet. */
export function unreadRecordOf(event: CorrelatedEvent): UnreadRecord | undefined {
  return event instanceof PackedEvent ? event.unread : undefined;
}

/** Gives a located event its record, read again (compacted here, as a carried one is). */
export function supplyRecord(event: CorrelatedEvent, record: CloudTrailRecord): void {
  if (event instanceof PackedEvent) event.supply(record);
}

/** Appends the events of `packed` to `into`; `source`: the input they were read from, for located records. */
export function unpackEvents(packed: PackedEvents, into: CorrelatedEvent[], source?: string): void {
  const { strings, refs, shared, locations } = packed;
  const at = (i: number): string | undefined => (refs[i] === -1 ? undefined : shared[refs[i]]);
  for (let e = 0; e < packed.timeMs.length; e++) {
    const r = e * SHARED_COLUMNS;
    const matches = shared[refs[r]];
    const offset = locations[2 * e];
    if (offset !== -1 && source === undefined) throw new Error("located events need the path of their input");
    into.push(
      new PackedEvent(
        strings[2 * e],
        packed.timeMs[e],
        matches,
        at(r + 1),
        at(r + 2),
        at(r + 3) as BearerTokenKind | undefined,
        at(r + 4),
        at(r + 5),
        at(r + 6),
        strings[2 * e + 1],
        offset === -1 ? undefined : source,
        offset,
        locations[2 * e + 1],
      ),
    );
  }
}
