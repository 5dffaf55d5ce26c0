import fc from "fast-check";
import { matchingRule } from "../../../src/detection/match";
import { recordPrefilter } from "../../../src/detection/scan/scan-source";
import { RecordSplitter } from "../../../src/detection/scan/record-splitter";
import { testGuardrail } from "./helpers";

const guardrail = testGuardrail();
const mayMatch = recordPrefilter(guardrail);

/** Runs bytes through the splitter (for the \u flag) and the pre-filter. */
function prefilterSays(json: string): boolean {
  let verdict: boolean | undefined;
  const s = new RecordSplitter((bytes, _kind, u) => (verdict = mayMatch(bytes, u)));
  s.push(Buffer.from(json));
  s.end();
  return verdict!;
}

/**
 * JSON text of a flat record with some letters of its string values written as \uXXXX escapes (still the same value).
 */
function escapeSome(record: Record<string, unknown>, every: number): string {
  let n = 0;
  const escapeChar = (ch: string): string =>
    /[a-z.]/.test(ch) && ++n % every === 0
      ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`
      : JSON.stringify(ch).slice(1, -1);
  const str = (v: string): string => `"${[...v].map(escapeChar).join("")}"`;
  return `{${Object.entries(record)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${JSON.stringify(k)}:${typeof v === "string" ? str(v) : JSON.stringify(v)}`)
    .join(",")}}`;
}

describe("recordPrefilter", () => {
  it("never drops a record the rule matches: skipping implies no rule matches (property)", () => {
    const source = fc.constantFrom(
      "bedrock.amazonaws.com",
      "bedrock-agent.amazonaws.com",
      "ec2.amazonaws.com",
      "BEDROCK.amazonaws.com",
    );
    const name = fc.constantFrom(...guardrail.eventNames, "InvokeModel", "putUseCaseForModelAccess");
    const record = fc.record(
      {
        eventSource: source,
        eventName: name,
        errorCode: fc.constantFrom(undefined, null, "", "AccessDenied", "ValidationException"),
        eventID: fc.uuid(),
        other: fc.string(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(record, fc.integer({ min: 1, max: 30 }), fc.boolean(), (r, every, escaped) => {
        const json = escaped ? escapeSome(r, every) : JSON.stringify(r);
        expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(r)));
        if (!prefilterSays(json)) expect(matchingRule(guardrail, JSON.parse(json))).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it("lets an escaped event source through to the parser", () => {
    const json =
      '{"eventSource":"bedrock\\u002eamazonaws.com","eventName":"CreateFoundationModelAgreement",' +
      '"eventID":"e","eventTime":"2026-01-05T10:00:00Z"}';
    expect(prefilterSays(json)).toBe(true);
    expect(matchingRule(guardrail, JSON.parse(json))?.id).toBe("bedrock-model-access-enabled");
  });

  it("skips ordinary noise and Bedrock InvokeModel", () => {
    expect(prefilterSays('{"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances"}')).toBe(false);
    expect(prefilterSays('{"eventSource":"bedrock.amazonaws.com","eventName":"InvokeModel"}')).toBe(false);
  });
});
