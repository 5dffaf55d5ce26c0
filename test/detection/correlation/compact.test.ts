/**
 * The hand-over of correlation events from a scan worker: packed events, cloned as a worker's
 * message is and unpacked, are the events the engine computes from the records themselves, and
 * correlate to the same findings (the finding's record being the compacted one).
 */
import fc from "fast-check";
import { compactRecord, emptyPackedEvents, packRecord, unpackEvents } from "../../../src/detection/correlation/compact";
import { correlate, correlateEvents } from "../../../src/detection/correlation/engine";
import { type CorrelatedEvent, eventOf, matchesOf, noMatches } from "../../../src/detection/correlation/event";
import { correlationFinding } from "../../../src/detection/correlation/finding";
import { selectorMatches } from "../../../src/detection/match";
import type { CloudTrailRecord } from "../../../src/detection/record";
import { guardrailFrom, MINIMAL_CONFIG } from "../../support/fixtures";
import { historyArb } from "./histories";

const guardrail = guardrailFrom(MINIMAL_CONFIG);
const rules = guardrail.correlationRules;

function handedOver(records: Record<string, unknown>[]): CorrelatedEvent[] {
  const packed = emptyPackedEvents();
  for (const record of records) packRecord(packed, rules, record);
  const events: CorrelatedEvent[] = [];
  unpackEvents(structuredClone(packed), events);
  return events;
}

const fieldsOf = (e: CorrelatedEvent) => ({
  id: e.id,
  timeMs: e.timeMs,
  matches: e.matches,
  credentialGroup: e.credentialGroup,
  principalGroup: e.principalGroup,
  bearerTokenKind: e.bearerTokenKind,
  awsRegion: e.awsRegion,
  eventName: e.eventName,
  modelId: e.modelId,
  record: e.record,
});

test("packed events are the records' own events, the record compacted (property)", () => {
  fc.assert(
    fc.property(historyArb, (history) => {
      const wanted = history.filter((r) => matchesOf(rules, r) !== undefined);
      const expected = wanted.map((r) => fieldsOf(eventOf(compactRecord(r), matchesOf(rules, r)!)!));
      expect(handedOver(history).map(fieldsOf)).toEqual(expected);
    }),
    { numRuns: 200, seed: 3 },
  );
});

test("a record no rule reads is not packed; one without an id only moves the earliest time", () => {
  const packed = emptyPackedEvents();
  const invoke = { eventSource: "bedrock.amazonaws.com", eventName: "InvokeModel", eventTime: "2026-01-15T10:00:00Z" };
  packRecord(packed, rules, { ...invoke, eventName: "GetUser", eventID: "a" });
  expect(packed).toEqual(emptyPackedEvents());
  packRecord(packed, rules, invoke);
  expect(packed.timeMs).toEqual([]);
  expect(packed.earliestMs).toBe(Date.parse("2026-01-15T10:00:00Z"));
  expect(matchesOf(rules, { ...invoke, eventName: "GetUser" })).toBeUndefined();
  expect(noMatches(rules)).toMatch(/^0+$/);
});

test("handed-over events correlate to the findings of the records themselves (property)", () => {
  fc.assert(
    fc.property(historyArb, (history) => {
      const direct = correlate(rules, history.map(compactRecord)).map((c) => correlationFinding(guardrail, c));
      const viaPack = correlateEvents(rules, handedOver(history)).map((c) => correlationFinding(guardrail, c));
      expect(viaPack).toEqual(direct);
    }),
    { numRuns: 200, seed: 5 },
  );
});

test("matchesOf finds a rule's selectors by source and name as testing every selector does (property)", () => {
  // The definition: each rule's digit is FIRST_STEP if a selector of its select (or first step)
  // matches, plus SECOND_STEP if one of a sequence's second step does.
  const reference = (record: CloudTrailRecord): string | undefined => {
    const digits = rules.map((rule) => {
      const [first, second] = rule.kind === "sequence" ? rule.steps : [rule.select, []];
      return (
        (first.some((s) => selectorMatches(s, record)) ? 1 : 0) +
        (second.some((s) => selectorMatches(s, record)) ? 2 : 0)
      );
    });
    return digits.some((d) => d > 0) ? digits.join("") : undefined;
  };
  const selectors = rules.flatMap((r) => (r.kind === "sequence" ? r.steps.flat() : r.select));
  const sources = fc.constantFrom(...new Set(selectors.map((s) => s.eventSource)), "iam.amazonaws.com", 7);
  const names = fc.constantFrom(...new Set(selectors.flatMap((s) => s.eventNames)), "GetUser", "", undefined);
  const seen = new Set<string>();
  fc.assert(
    fc.property(historyArb, fc.array(fc.tuple(sources, names)), (history, renames) => {
      const records = history.map((r, i) =>
        i < renames.length ? { ...r, eventSource: renames[i][0], eventName: renames[i][1] } : r,
      );
      for (const record of records) {
        const expected = reference(record);
        seen.add(expected ?? "none");
        expect(matchesOf(rules, record)).toBe(expected);
      }
    }),
    { numRuns: 300, seed: 9 },
  );
  // Not vacuous: records no rule reads, and records read by a sequence's each step, were among them.
  expect(seen.has("none")).toBe(true);
  expect([...seen].some((m) => m.includes("1")) && [...seen].some((m) => m.includes("2"))).toBe(true);
});

test("a finding from handed-over events names what the full records' does: a mantle call's model too", () => {
  // The finding cites the compacted record: it must keep what the finding reads (modelIdOf: modelId, else model).
  const examples = rules.flatMap((rule) => rule.tests.map((t) => t.history));
  const mantle = examples.filter((h) => h.some((r) => r.eventSource === "bedrock-mantle.amazonaws.com"));
  expect(mantle.length).toBeGreaterThan(0);
  for (const history of examples) {
    const direct = correlate(rules, history).map((c) => correlationFinding(guardrail, c));
    const viaPack = correlateEvents(rules, handedOver(history)).map((c) => correlationFinding(guardrail, c));
    expect(viaPack.map((f) => [f.message, f.guardrail.model_id])).toEqual(
      direct.map((f) => [f.message, f.guardrail.model_id]),
    );
  }
});
