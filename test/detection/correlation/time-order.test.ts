/**
 * sortEvents puts events in (eventTime, eventID) order exactly as a stable comparator sort does: ties
 * of time ordered by id, equal (time, id) pairs (a record delivered twice) in their input order,
 * whether it takes the native numeric path or falls back for a span too wide for it.
 */
import fc from "fast-check";
import type { CorrelatedEvent } from "../../../src/detection/correlation/event";
import { compareEvents, sortEvents } from "../../../src/detection/correlation/time-order";

const BASE = Date.parse("2026-01-15T00:00:00Z");

/** An event as the sort reads it; `input` remembers where it was, to check the order of equal ones. */
const event = (timeMs: number, id: string, input: number) =>
  ({ id, timeMs, matches: "1", record: {}, input }) as CorrelatedEvent & { input: number };

const events = (times: fc.Arbitrary<number>) =>
  fc
    .array(fc.tuple(times, fc.constantFrom("a", "b", "c", "0000-1", "0000-10", "z")), { maxLength: 300 })
    .map((list) => list.map(([t, id], i) => event(t, id, i)));

const label = (list: (CorrelatedEvent & { input?: number })[]) => list.map((e) => `${e.timeMs}/${e.id}/${e.input}`);

test("sortEvents is the stable comparator sort, ties and duplicates included (property)", () => {
  const close = fc.integer({ min: 0, max: 20 }).map((s) => BASE + s * 1000); // many equal times
  const spread = fc.integer({ min: 0, max: 90 * 86_400_000 }).map((ms) => BASE + ms);
  const wide = fc.constantFrom(0, 2 ** 50, BASE); // a span no 53-bit key holds with a position: the fallback
  fc.assert(
    fc.property(fc.oneof(events(close), events(spread), events(wide)), (list) => {
      const expected = [...list].sort(compareEvents);
      const sorted = [...list];
      sortEvents(sorted);
      expect(label(sorted)).toEqual(label(expected));
    }),
    { numRuns: 400 },
  );
});

test("the order of equal (time, id) pairs is the input's, at every size the position bits change", () => {
  for (const n of [2, 3, 4, 5, 255, 256, 257, 1024, 1025]) {
    const list = Array.from({ length: n }, (_, i) => event(BASE + (n - i) * 7, "dup", i));
    list.push(event(BASE, "dup", n), event(BASE, "dup", n + 1));
    const sorted = [...list];
    sortEvents(sorted);
    expect({ n, order: label(sorted) }).toEqual({ n, order: label([...list].sort(compareEvents)) });
  }
});
