import fc from "fast-check";
import { matchingRule } from "../../../src/detection/match";
import { Prefilter, type Prefiltered } from "../../../src/detection/scan/prefilter";
import { RecordSplitter } from "../../../src/detection/scan/record-splitter";
import { testGuardrail } from "./helpers";

const guardrail = testGuardrail();
const prefilter = new Prefilter(guardrail);

/** Runs bytes through the splitter (for the \u flag, as the generic layout does) and the pre-filter. */
function splitterSays(json: string): Prefiltered {
  let verdict: Prefiltered | undefined;
  const s = new RecordSplitter((bytes, _kind, u) => (verdict = prefilter.decide(bytes, u)));
  s.push(Buffer.from(json));
  s.end();
  return verdict!;
}

const says = (json: string): Prefiltered => prefilter.decide(Buffer.from(json));

/** One character of a string value, sometimes written as a \uXXXX escape (still the same value). */
function escapeChars(value: string, every: number, counter: { n: number }): string {
  return [...value]
    .map((ch) =>
      /[a-zA-Z.-]/.test(ch) && ++counter.n % every === 0
        ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`
        : JSON.stringify(ch).slice(1, -1),
    )
    .join("");
}

/** JSON text of a value in one of the ways a writer may lay it out: compact, spaced, pretty, some letters escaped. */
function write(value: unknown, style: { space: string; escapeEvery: number }, counter = { n: 0 }): string {
  const s = style.space;
  if (typeof value === "string") {
    const text = style.escapeEvery > 0 ? escapeChars(value, style.escapeEvery, counter) : JSON.stringify(value);
    return style.escapeEvery > 0 ? `"${text}"` : text;
  }
  if (Array.isArray(value)) return `[${s}${value.map((v) => write(v, style, counter)).join(`,${s}`)}${s}]`;
  if (value !== null && typeof value === "object")
    return `{${s}${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${write(k, style, counter)}${s}:${s}${write(v, style, counter)}`)
      .join(`,${s}`)}${s}}`;
  return JSON.stringify(value);
}

const sources = fc.constantFrom(
  ...guardrail.eventSources,
  "bedrock-agent.amazonaws.com",
  "ec2.amazonaws.com",
  "BEDROCK.amazonaws.com",
  "bedrock.amazonaws.com.evil",
);
const names = fc.constantFrom(...guardrail.eventNames, "InvokeModel", "putUseCaseForModelAccess", "GetUser");
const records = fc.record(
  {
    eventVersion: fc.constant("1.11"),
    eventSource: sources,
    eventName: names,
    errorCode: fc.constantFrom(undefined, null, "", "AccessDenied", "ValidationException"),
    eventID: fc.uuid(),
    eventTime: fc.constant("2026-01-05T10:00:00Z"),
    // Nested keys that look like the top-level ones, before or after them (key order varies below).
    requestParameters: fc.option(fc.record({ eventSource: sources, eventName: names }), { nil: undefined }),
    other: fc.string(),
  },
  { requiredKeys: ["eventID"] },
);
const styles = fc.record({
  space: fc.constantFrom("", " ", "\n  ", "\t"),
  escapeEvery: fc.constantFrom(0, 0, 1, 3, 17),
});
/** The record with its keys in a shuffled order (CloudTrail's order is not guaranteed by JSON). */
const shuffled = fc.tuple(records, fc.array(fc.nat(), { minLength: 12, maxLength: 12 })).map(([r, keys]) =>
  Object.fromEntries(
    Object.entries(r)
      .map(([k, v], i) => [k, v, keys[i]] as const)
      .sort((a, b) => a[2] - b[2])
      .map(([k, v]) => [k, v]),
  ),
);

describe("Prefilter", () => {
  it("never rules out a record a rule matches, whatever the layout, key order and escapes (property)", () => {
    fc.assert(
      fc.property(shuffled, styles, (record, style) => {
        const json = write(record, style);
        expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(record)));
        const matches = matchingRule(guardrail, JSON.parse(json)) !== undefined;
        if (matches) {
          expect(says(json)).toBe("may-match");
          expect(splitterSays(json)).toBe("may-match");
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("decides a record from its block's hits exactly as on its own (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(shuffled, styles), { minLength: 1, maxLength: 8 }), (batch) => {
        const texts = batch.map(([r, style]) => write(r, style));
        const block = Buffer.from(`{"Records":[${texts.join(",")}]}`);
        const blocks = prefilter.forBlocks();
        blocks.load(block);
        let at = '{"Records":['.length;
        for (const text of texts) {
          const bytes = Buffer.from(text);
          expect(block.subarray(at, at + bytes.length).equals(bytes)).toBe(true);
          expect(blocks.decide(block, at, at + bytes.length)).toBe(prefilter.decide(bytes));
          at += bytes.length + 1;
        }
      }),
      { numRuns: 500 },
    );
  });

  it("searches a record in another buffer than the loaded block on its own", () => {
    const record = Buffer.from(
      '{"eventSource":"bedrock.amazonaws.com","eventName":"CreateFoundationModelAgreement","eventID":"e"}',
    );
    const blocks = prefilter.forBlocks();
    blocks.load(Buffer.from('{"eventSource":"ec2.amazonaws.com"}'));
    expect(blocks.decide(record, 0, record.length)).toBe("may-match");
    expect(blocks.decide(Buffer.concat([Buffer.from("xx"), record]), 2, record.length + 2)).toBe("may-match");
  });

  it("decides records out of order from the block's hits too", () => {
    const a = '{"eventSource":"bedrock.amazonaws.com","eventName":"CreateFoundationModelAgreement"}';
    const b = '{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances"}';
    const block = Buffer.from(`${a},${b}`);
    const blocks = prefilter.forBlocks();
    blocks.load(block);
    expect(blocks.decide(block, a.length + 1, block.length)).toBe("no-match");
    expect(blocks.decide(block, 0, a.length)).toBe("may-match");
  });

  it("lets an escaped event source or key through to the parser", () => {
    const escapedValue =
      '{"eventSource":"bedrock\\u002eamazonaws.com","eventName":"CreateFoundationModelAgreement",' +
      '"eventID":"e","eventTime":"2026-01-05T10:00:00Z"}';
    expect(says(escapedValue)).toBe("may-match");
    expect(matchingRule(guardrail, JSON.parse(escapedValue))?.id).toBe("bedrock-model-access-enabled");
    expect(says('{"event\\u0053ource":"bedrock.amazonaws.com","eventName":"CreateFoundationModelAgreement"}')).toBe(
      "may-match",
    );
  });

  it("rules out ordinary noise, Bedrock InvokeModel and a listed source that is not the eventSource", () => {
    expect(says('{"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances"}')).toBe("no-match");
    expect(says('{"eventSource":"bedrock.amazonaws.com","eventName":"InvokeModel"}')).toBe("no-match");
    expect(
      says('{"eventSource":"ec2.amazonaws.com","eventName":"PutUseCaseForModelAccess","x":"bedrock.amazonaws.com"}'),
    ).toBe("no-match");
    // A source's own names only: an IAM event named like a Bedrock call cannot match a rule.
    expect(says('{"eventSource":"iam.amazonaws.com","eventName":"PutUseCaseForModelAccess"}')).toBe("no-match");
  });

  it("lets a record through when its event source value is cut off", () => {
    expect(says('{"eventName":"CreateServiceSpecificCredential","eventSource":')).toBe("may-match");
    expect(says('{"eventName":"CreateServiceSpecificCredential","eventSource":"iam.amazon')).toBe("may-match");
  });

  it("says not-cloudtrail for a record with no eventSource key", () => {
    expect(says('{"flow":"accept","srcaddr":"10.0.0.1"}')).toBe("not-cloudtrail");
    expect(says('{"source":"eventSource"}')).toBe("no-match");
  });
});
