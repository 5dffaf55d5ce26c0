import { oneLine } from "../../errors/error-text";
import { isCalendarTime } from "../record";

/**
 * A query backend was given input it cannot use safely (an event data store id, a time, a value
 * that would change a query's structure). The message names the input and the problem; the CLI
 * turns it into exit code 2.
 */
export class BackendInputError extends Error {
  constructor(
    readonly input: string,
    readonly problem: string,
  ) {
    super(`${input}: ${problem}`);
    this.name = "BackendInputError";
  }
}

/** A user-supplied value quoted for a message, cut to a readable length (never a 100 KB argument echoed). */
export function shown(value: unknown): string {
  return oneLine(JSON.stringify(value) ?? String(value), 80);
}

/** An instant as epoch milliseconds, from an ISO-8601 text with an explicit zone (or a Date). */
export function parseInstant(value: string | Date, input: string): number {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw new BackendInputError(input, "is an invalid Date");
    return ms;
  }
  // Strict: a calendar date, a time to the second (optional fraction, any number of digits: kept to the
  // millisecond) and a zone, so that "2024-10-17" or "yesterday" never silently become some local midnight.
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (!m)
    throw new BackendInputError(
      input,
      `${shown(value)} is not an ISO-8601 time such as 2024-10-17T20:00:00Z (seconds and a zone are required)`,
    );
  const [, y, mo, d, h, mi, s] = m.map(Number);
  if (!isCalendarTime(y, mo, d, h, mi, s)) {
    throw new BackendInputError(input, `${shown(value)} is not a real calendar time`);
  }
  // A zone offset's hours and minutes are checked too: Date.parse gives NaN for +25:00, which no query can use.
  const zone = /^[+-](\d{2}):(\d{2})$/.exec(m[8]);
  if (zone && (Number(zone[1]) > 23 || Number(zone[2]) > 59))
    throw new BackendInputError(input, `${shown(value)} has no real zone offset (${m[8]}: at most 23:59)`);
  // Date.parse reads at most three fraction digits in every engine only when there are at most three.
  return Date.parse(value.replace(/(\.\d{3})\d+/, "$1"));
}

/** Validates a [start, end) window: both instants valid and start before end. */
export function parseWindow(start: string | Date, end: string | Date): { startMs: number; endMs: number } {
  const startMs = parseInstant(start, "start");
  const endMs = parseInstant(end, "end");
  if (!(startMs < endMs))
    throw new BackendInputError(
      "start",
      `must be before end (${new Date(startMs).toISOString()} is not before ${new Date(endMs).toISOString()})`,
    );
  return { startMs, endMs };
}
