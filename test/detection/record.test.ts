/**
 * eventTime normalization: CloudTrail's ISO form and the normalized pipeline form become ISO-8601
 * UTC; a time that names no real instant is refused (undefined), never rolled over to another day.
 */
import fc from "fast-check";
import { testGuardrail } from "./backends/support/records";
import { eventTimeMs, isCalendarTime, modelIdOf, normalizeEventTime, parseEventTime } from "../../src/detection/record";
import { evaluateRecord } from "../../src/detection/finding";

describe("normalizeEventTime", () => {
  it.each([
    ["2024-10-17T20:09:51Z", "2024-10-17T20:09:51Z"],
    ["2025-01-21 17:49:47.000000000", "2025-01-21T17:49:47Z"],
    ["2024-10-17T20:09:51.5Z", "2024-10-17T20:09:51.500Z"],
    ["2024-10-17T22:09:51+02:00", "2024-10-17T20:09:51Z"],
    ["2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"],
  ])("%s -> %s", (input, output) => {
    expect(normalizeEventTime(input)).toBe(output);
  });

  it.each([
    "2024-02-30T10:00:00Z",
    "2023-02-29T10:00:00Z",
    "2024-04-31T10:00:00Z",
    "2024-10-17T24:00:00Z",
    "2024-10-17T23:60:00Z",
    "2024-10-17T23:59:60Z",
    "2024-13-01T00:00:00Z",
    "2024-00-10T00:00:00Z",
    "2024-10-00T00:00:00Z",
    "yesterday",
    "",
  ])("refuses %j", (input) => {
    expect(normalizeEventTime(input)).toBeUndefined();
  });

  it("takes the canonical form's shortcut only where the general parse says the same (property)", () => {
    const digits = (n: number, max: number) => fc.integer({ min: 0, max }).map((v) => String(v).padStart(n, "0"));
    const canonical = fc
      .tuple(digits(4, 9999), digits(2, 13), digits(2, 32), digits(2, 25), digits(2, 61), digits(2, 61))
      .map(([y, mo, d, h, mi, s]) => `${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
    // Damage of one character: another digit, a letter, a separator, a space, or a different length.
    const damaged = fc
      .tuple(canonical, fc.nat(21), fc.constantFrom("0", "9", "a", "T", "Z", "-", ":", " ", "", "00", "\u0661"))
      .map(([s, at, ch]) => s.slice(0, at) + ch + s.slice(at + 1));
    fc.assert(
      fc.property(fc.oneof(canonical, damaged), (s) => {
        const general = parseEventTime(s);
        expect(normalizeEventTime(s)).toBe(general);
        // The instant read from the digits is the one the general parse names.
        expect(eventTimeMs(s)).toBe(general === undefined ? undefined : Date.parse(general));
      }),
      { numRuns: 20_000 },
    );
  });

  it("isCalendarTime knows month lengths and leap years", () => {
    expect(isCalendarTime(2024, 2, 29, 23, 59, 59)).toBe(true);
    expect(isCalendarTime(2100, 2, 29, 0, 0, 0)).toBe(false);
    expect(isCalendarTime(2000, 2, 29, 0, 0, 0)).toBe(true);
  });
});

describe("a matching record with an impossible eventTime", () => {
  it("is an invalid record, not a finding dated another day", () => {
    const guardrail = testGuardrail();
    const record = {
      eventID: "e1",
      eventTime: "2024-02-30T10:00:00Z",
      eventSource: "bedrock.amazonaws.com",
      eventName: "PutUseCaseForModelAccess",
      userIdentity: { type: "Root", arn: "arn:aws:iam::111122223333:root" },
    };
    expect(evaluateRecord(guardrail, record)).toEqual({
      skip: "invalid-record",
      reason: "matching record e1 has no parsable eventTime",
    });
  });
});

describe("modelIdOf", () => {
  it.each([
    ["bedrock-runtime's modelId", { modelId: "amazon.nova-pro-v1:0" }, "amazon.nova-pro-v1:0"],
    ["bedrock-mantle's model (no modelId)", { model: "openai.gpt-oss-120b", stream: true }, "openai.gpt-oss-120b"],
    ["modelId first when both are there", { modelId: "a.b-v1:0", model: "c.d" }, "a.b-v1:0"],
    ["neither", { userName: "x" }, undefined],
    ["an empty modelId falls back to model", { modelId: "", model: "c.d" }, "c.d"],
  ])("%s", (_, requestParameters, model) => {
    expect(modelIdOf({ requestParameters })).toBe(model);
  });
});
