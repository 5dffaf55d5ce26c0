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
  return date.toISOString().replace(/\.000Z$/, "Z");
}

/** The modelId request parameter, where the action has one. */
export function modelIdOf(record: CloudTrailRecord): string | undefined {
  const p = record.requestParameters;
  return p && typeof p === "object" ? asString((p as Record<string, unknown>).modelId) : undefined;
}
