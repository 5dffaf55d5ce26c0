/**
 * CloudTrail records as they arrive: untrusted JSON. These helpers read fields defensively so that
 * a record with missing, null or wrongly typed fields is classified, never a crash.
 */
import type { UserIdentityLike } from "../arn/principal";

/** The fields the rules read. Anything may be absent or of the wrong type in real input. */
export interface CloudTrailRecord {
  eventID?: unknown;
  eventTime?: unknown;
  eventSource?: unknown;
  eventName?: unknown;
  errorCode?: unknown;
  errorMessage?: unknown;
  awsRegion?: unknown;
  recipientAccountId?: unknown;
  sourceIPAddress?: unknown;
  userAgent?: unknown;
  userIdentity?: UserIdentityLike | null;
  requestParameters?: Record<string, unknown> | null;
  [key: string]: unknown;
}

export const asString = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);

export function isRecordObject(v: unknown): v is CloudTrailRecord {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** True when the fields name a real calendar date and time of day (no 30 February, no 24:00). */
export function isCalendarTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): boolean {
  const probe = new Date(Date.UTC(year, month - 1, day));
  return (
    probe.getUTCFullYear() === year &&
    probe.getUTCMonth() === month - 1 &&
    probe.getUTCDate() === day &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59
  );
}

/**
 * eventTime as ISO-8601 UTC. Accepts CloudTrail's `2024-10-17T10:00:00Z` and the normalized
 * `2025-01-21 17:49:47.000000000` form some pipelines (Panther) write. Undefined when unparseable.
 */
export function normalizeEventTime(v: unknown): string | undefined {
  const s = asString(v);
  if (!s) return undefined;
  return isCanonicalTime(s) ? s : parseEventTime(s);
}

/** normalizeEventTime without the shortcut for CloudTrail's canonical form (the shortcut is tested against it). */
export function parseEventTime(s: string): string | undefined {
  const m = s.match(/^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/);
  if (!m) return undefined;
  // Date would roll 2024-02-30 over to 1 March: a corrupt time is no time, not another one.
  const [year, month, day] = m[1].split("-").map(Number);
  const [hour, minute, second] = m[2].split(":").map(Number);
  if (!isCalendarTime(year, month, day, hour, minute, second)) return undefined;
  const frac = m[3] ? m[3].slice(0, 4).padEnd(4, "0") : "";
  const zone = m[4] ?? "Z";
  const date = new Date(`${m[1]}T${m[2]}${frac}${zone}`);
  if (Number.isNaN(date.getTime())) return undefined;
  return isoTimeOf(date.getTime());
}

/** An instant as normalizeEventTime writes it: ISO-8601 UTC, milliseconds only when there are some. */
export function isoTimeOf(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, "Z");
}

const digitAt = (s: string, i: number): number => s.charCodeAt(i) - 0x30;
const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const SEPARATORS: [number, string][] = [
  [4, "-"],
  [7, "-"],
  [10, "T"],
  [13, ":"],
  [16, ":"],
  [19, "Z"],
];

/**
 * Whether `s` is already what normalizeEventTime returns for it: CloudTrail's own
 * `YYYY-MM-DDTHH:MM:SSZ` naming a real calendar time (the form of nearly every record, checked
 * without a regular expression or a Date string round trip).
 */
function isCanonicalTime(s: string): boolean {
  return canonicalTimeMs(s) !== undefined;
}

/** The instant of a canonical `YYYY-MM-DDTHH:MM:SSZ` (see isCanonicalTime) in epoch ms; else undefined. */
function canonicalTimeMs(s: string): number | undefined {
  if (s.length !== 20) return undefined;
  for (const i of DIGIT_POSITIONS) {
    const d = digitAt(s, i);
    if (d < 0 || d > 9) return undefined;
  }
  for (const [i, c] of SEPARATORS) if (s[i] !== c) return undefined;
  const number = (i: number, n: number): number => {
    let v = 0;
    for (let j = i; j < i + n; j++) v = v * 10 + digitAt(s, j);
    return v;
  };
  // Named one by one, not destructured from an array: this runs for every record the correlation rules read.
  const year = number(0, 4);
  const month = number(5, 2);
  const day = number(8, 2);
  const hour = number(11, 2);
  const minute = number(14, 2);
  const second = number(17, 2);
  if (year < 100 || !isCalendarTime(year, month, day, hour, minute, second)) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/**
 * eventTime as epoch ms (the instant normalizeEventTime names), undefined when unparseable. The
 * canonical form is read from its digits once, not written out and parsed again (every record the
 * correlation rules read goes through here).
 */
export function eventTimeMs(v: unknown): number | undefined {
  const s = asString(v);
  if (!s) return undefined;
  const canonical = canonicalTimeMs(s);
  if (canonical !== undefined) return canonical;
  const time = parseEventTime(s);
  return time === undefined ? undefined : Date.parse(time);
}

/**
 * The request parameters that name the model, in the order read: `modelId` (bedrock and bedrock-runtime), else
 * `model` (bedrock-mantle writes its OpenAI- and Anthropic-style requests' model there: CreateInference, GetModel,
 * CreateFineTuningJob). The SQL backends and detect's trimmed records read the same keys.
 */
export const MODEL_REQUEST_KEYS = ["modelId", "model"] as const;

/** The model the request names (MODEL_REQUEST_KEYS). */
export function modelIdOf(record: CloudTrailRecord): string | undefined {
  const p = record.requestParameters;
  if (!p || typeof p !== "object") return undefined;
  const params = p as Record<string, unknown>;
  for (const key of MODEL_REQUEST_KEYS) {
    const value = asString(params[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}
