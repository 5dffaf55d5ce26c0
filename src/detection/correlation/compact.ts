/**
 * What `detect` keeps of the records the correlation rules look at, from the scan of each input (on
 * a worker thread or not) until the whole archive is read and put in time order: each record's
 * CorrelatedEvent, packed in two flat arrays (one number and a few strings per event), so that a
 * worker hands over one structured clone of two arrays rather than an object graph per record.
 * The record itself travels as the JSON text of the fields a finding reads (a few hundred bytes,
 * so an archive with millions of invocations stays within memory) and is parsed again only for
 * the events a finding cites.
 */
import type { CorrelationRule } from "../../guardrail/correlation-definition";
import { selectorsOf } from "../../guardrail/correlation-rule";
import { selectorMatches } from "../match";
import type { CloudTrailRecord } from "../record";
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
/** requestParameters and additionalEventData keys the group and the finding read. */
const KEPT_KEYS = ["modelId", "callWithBearerToken", "bearerTokenType"];

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

/** The events of one input, packed: plain data, cloned cheaply to another thread. */
export interface PackedEvents {
  /**
   * The earliest eventTime (epoch ms) of a record the rules look at, those without an eventID
   * included (new-term rules learn from the archive's first days); +Infinity when none.
   */
  earliestMs: number;
  timeMs: number[];
  /** COLUMNS strings per event, "" for undefined (none of them is ever empty when defined). */
  strings: string[];
}

/** id, matches, credentialGroup, principalGroup, awsRegion, eventName, modelId, the compacted record's JSON. */
const COLUMNS = 8;

export function emptyPackedEvents(): PackedEvents {
  return { earliestMs: Number.POSITIVE_INFINITY, timeMs: [], strings: [] };
}

/** Adds the record's event to `packed` when a rule looks at it. */
export function packRecord(packed: PackedEvents, rules: readonly CorrelationRule[], record: CloudTrailRecord): void {
  const matches = matchesOf(rules, record);
  if (matches === undefined) return;
  const timeMs = timeMsOf(record);
  if (timeMs !== undefined && timeMs < packed.earliestMs) packed.earliestMs = timeMs;
  const event = eventOf(record, matches, timeMs);
  if (!event) return;
  packed.timeMs.push(event.timeMs);
  packed.strings.push(
    event.id,
    event.matches,
    event.credentialGroup ?? "",
    event.principalGroup ?? "",
    event.awsRegion ?? "",
    event.eventName ?? "",
    event.modelId ?? "",
    JSON.stringify(compactRecord(record)),
  );
}

/** An event unpacked: the record is parsed from its JSON when first read (a finding cites it). */
class PackedEvent implements CorrelatedEvent {
  private parsed?: CloudTrailRecord;
  constructor(
    readonly id: string,
    readonly timeMs: number,
    readonly matches: string,
    readonly credentialGroup: string | undefined,
    readonly principalGroup: string | undefined,
    readonly awsRegion: string | undefined,
    readonly eventName: string | undefined,
    readonly modelId: string | undefined,
    private readonly json: string,
  ) {}

  get record(): CloudTrailRecord {
    this.parsed ??= JSON.parse(this.json) as CloudTrailRecord;
    return this.parsed;
  }
}

/** Appends the events of `packed` to `into`. */
export function unpackEvents(packed: PackedEvents, into: CorrelatedEvent[]): void {
  const s = packed.strings;
  const or = (i: number): string | undefined => (s[i] === "" ? undefined : s[i]);
  for (let e = 0; e < packed.timeMs.length; e++) {
    const i = e * COLUMNS;
    into.push(
      new PackedEvent(
        s[i],
        packed.timeMs[e],
        s[i + 1],
        or(i + 2),
        or(i + 3),
        or(i + 4),
        or(i + 5),
        or(i + 6),
        s[i + 7],
      ),
    );
  }
}
