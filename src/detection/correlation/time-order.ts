/**
 * Sorts correlation events into the one order every backend feeds the engine in: eventTime, then
 * eventID. detect sorts every correlation event of an archive at once, on the main thread after the
 * last file (a Bedrock-heavy archive has tens of thousands): a comparator sort spent 33 ms of that
 * tail in a CPU profile of bench:detect, most of it calling the comparator.
 *
 * Here each event becomes one number, its time relative to the earliest in the high bits and its
 * position in the low bits, and a Float64Array of those sorts natively, without a comparator; then
 * only the runs of equal times are ordered by eventID. The numbers are exact while time span and
 * position fit in a double's 53-bit mantissa together (with 40,000 events, a span of 2^37 ms,
 * about 4 years); a wider span falls back to the comparator sort.
 */
import type { CorrelatedEvent } from "./event";

const MANTISSA_BITS = 53;

/** (eventTime, eventID) order: the one order every backend feeds the engine in. */
export function compareEvents(a: CorrelatedEvent, b: CorrelatedEvent): number {
  return a.timeMs - b.timeMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Sorts `events` in place by (timeMs, id); equal pairs keep their order. */
export function sortEvents(events: CorrelatedEvent[]): void {
  const n = events.length;
  if (n < 2) return;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const e of events) {
    if (e.timeMs < min) min = e.timeMs;
    if (e.timeMs > max) max = e.timeMs;
  }
  const positionBits = Math.ceil(Math.log2(n));
  const scale = 2 ** positionBits;
  const span = max - min;
  if (!Number.isInteger(span) || !Number.isInteger(min) || span >= 2 ** (MANTISSA_BITS - positionBits)) {
    events.sort(compareEvents);
    return;
  }
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = (events[i].timeMs - min) * scale + i;
  keys.sort();
  const sorted = new Array<CorrelatedEvent>(n);
  for (let i = 0; i < n; i++) sorted[i] = events[keys[i] % scale];
  // Equal times are in position order now: order each such run by eventID (stable, so equal ids keep it).
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && sorted[end].timeMs === sorted[start].timeMs) end++;
    if (end - start > 1) {
      const run = sorted.slice(start, end).sort(compareEvents);
      for (let i = start; i < end; i++) sorted[i] = run[i - start];
    }
    start = end;
  }
  for (let i = 0; i < n; i++) events[i] = sorted[i];
}
