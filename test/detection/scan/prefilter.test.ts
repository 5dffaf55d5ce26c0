import fc from "fast-check";
import { correlationWants } from "../../../src/detection/correlation/compact";
import { matchingRule, selectorMatches } from "../../../src/detection/match";
import type { CloudTrailRecord } from "../../../src/detection/record";
import { literalOf, requiredLiterals } from "../../../src/detection/scan/literals";
import { Prefilter, type Prefiltered } from "../../../src/detection/scan/prefilter";
import { RecordSplitter } from "../../../src/detection/scan/record-splitter";
import { detectScope } from "../../../src/detection/scan/record-evaluator";
import type { EventSelector } from "../../../src/guardrail/definition";
import { testGuardrail } from "./helpers";

const guardrail = testGuardrail();
/** detect's pre-filter: every event rule and every correlation rule's selectors. */
const prefilter = new Prefilter(detectScope(guardrail));
const anyRuleReads = (record: CloudTrailRecord): boolean =>
  matchingRule(guardrail, record) !== undefined || correlationWants(guardrail.correlationRules, record);

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

interface Style {
  space: string;
  escapeEvery: number;
  /** Writes `/` as `\/`, as some JSON writers do (a short escape: no `\u` in the record). */
  escapeSlash?: boolean;
}

/** JSON text of a value in one of the ways a writer may lay it out: compact, spaced, pretty, some letters escaped. */
function write(value: unknown, style: Style, counter = { n: 0 }): string {
  const s = style.space;
  if (typeof value === "string") {
    const text = style.escapeEvery > 0 ? escapeChars(value, style.escapeEvery, counter) : JSON.stringify(value);
    const quoted = style.escapeEvery > 0 ? `"${text}"` : text;
    return style.escapeSlash ? quoted.replaceAll("/", "\\/") : quoted;
  }
  if (Array.isArray(value)) return `[${s}${value.map((v) => write(v, style, counter)).join(`,${s}`)}${s}]`;
  if (value !== null && typeof value === "object")
    return `{${s}${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${write(k, style, counter)}${s}:${s}${write(v, style, counter)}`)
      .join(`,${s}`)}${s}}`;
  return JSON.stringify(value);
}

const scope = detectScope(guardrail).rules;
const sources = fc.constantFrom(
  ...new Set(scope.map((r) => r.eventSource)),
  "bedrock-agent.amazonaws.com",
  "ec2.amazonaws.com",
  "BEDROCK.amazonaws.com",
  "bedrock.amazonaws.com.evil",
);
const names = fc.constantFrom(...new Set(scope.flatMap((r) => r.eventNames)), "putUseCaseForModelAccess", "GetUser");
/** Every error code a rule names, and others. */
const errorCodes = fc.constantFrom(
  ...new Set(scope.flatMap((r) => r.errorCodes ?? [])),
  undefined,
  null,
  "",
  "ThrottlingException",
  "accessdenied",
);
// The values the rules' conditions test, and near misses (another case, a prefix, a suffix, the wrong type).
const identities = fc.record(
  {
    type: fc.constantFrom("IAMUser", "AssumedRole", "Root"),
    accessKeyId: fc.constantFrom("AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE", "AKIA", "akia1", "xAKIA", "", 7),
  },
  { requiredKeys: [] },
);
const parameters = fc.record(
  {
    // Keys that look like the top-level ones, before or after them (key order varies below).
    eventSource: sources,
    eventName: names,
    serviceName: fc.constantFrom("bedrock.amazonaws.com", "codecommit.amazonaws.com", "bedrock.amazonaws.com.x"),
    bearerTokenType: fc.constantFrom("LONG_TERM", "SHORT_TERM", "ABSK", "long_term"),
    userName: fc.constantFrom("BedrockAPIKey-x1y2", "bedrockapikey-x", "svc"),
    status: fc.constantFrom("Active", "Inactive"),
    callWithBearerToken: fc.constantFrom(true, "true", false),
    // The typed conditions (is, exists) give the pre-filter no literal; these records prove it still lets them by.
    loggingConfig: fc.record(
      {
        textDataDeliveryEnabled: fc.constantFrom(true, "true", false),
        s3Config: fc.record({ bucketName: fc.constantFrom("logs", null) }, { requiredKeys: [] }),
        cloudWatchConfig: fc.record({ logGroupName: fc.constantFrom("/aws/bedrock", null) }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);
const additionalEventData = fc.record({ callWithBearerToken: fc.constantFrom(true, "true", false, 1) });
/**
 * Mostly a source with one of its selectors' names and, half the time, one of its error codes (so
 * that the other fields decide, and a rare failure rule is met often enough), else any.
 */
const sourceAndName = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .constantFrom(...scope)
      .chain((r) =>
        fc.tuple(
          fc.constant(r.eventSource),
          fc.constantFrom(...r.eventNames),
          r.errorCodes ? fc.option(fc.constantFrom(...r.errorCodes), { nil: undefined }) : fc.constant(undefined),
        ),
      ),
  },
  { weight: 1, arbitrary: fc.tuple(sources, names, fc.constant(undefined)) },
);
const records = fc
  .record(
    {
      eventVersion: fc.constant("1.11"),
      event: sourceAndName,
      errorCode: errorCodes,
      eventID: fc.uuid(),
      eventTime: fc.constant("2026-01-05T10:00:00Z"),
      userIdentity: identities,
      requestParameters: parameters,
      additionalEventData,
      other: fc.string(),
    },
    { requiredKeys: ["eventID", "event"] },
  )
  .map(({ event: [eventSource, eventName, code], ...rest }) =>
    code === undefined ? { eventSource, eventName, ...rest } : { eventSource, eventName, ...rest, errorCode: code },
  );
const styles = fc.record({
  space: fc.constantFrom("", " ", "\n  ", "\t"),
  escapeEvery: fc.constantFrom(0, 0, 1, 3, 17),
  escapeSlash: fc.boolean(),
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
  const matched = new Set<string>();
  it("never rules out a record a rule matches, whatever the layout, key order and escapes (property)", () => {
    fc.assert(
      fc.property(shuffled, styles, (record, style) => {
        const json = write(record, style);
        expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(record)));
        const matches = anyRuleReads(JSON.parse(json));
        matched.add(matchingRule(guardrail, JSON.parse(json))?.id ?? "");
        if (matches) {
          expect(says(json)).toBe("may-match");
          expect(splitterSays(json)).toBe("may-match");
        }
      }),
      { numRuns: 3000, seed: 20 },
    );
    // Not vacuous: rules with a failure outcome and with conditions were among those matched.
    const required = guardrail.rules.filter((r) => r.outcome === "failure" || r.where.length > 0).map((r) => r.id);
    expect(required.length).toBeGreaterThan(2);
    expect(required.filter((id) => !matched.has(id))).toEqual([]);
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

  it("rules out ordinary noise, a Bedrock call no event rule names, a listed source not the eventSource", () => {
    // The event rules alone (the correlation rules read every invocation).
    const eventRules = new Prefilter(guardrail);
    const says = (json: string): Prefiltered => eventRules.decide(Buffer.from(json));
    expect(says('{"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances"}')).toBe("no-match");
    expect(says('{"eventSource":"bedrock.amazonaws.com","eventName":"ListFoundationModels"}')).toBe("no-match");
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

describe("required literals", () => {
  it("are the names, error codes and condition values a matching record spells; other kinds give none", () => {
    const selector = {
      eventSource: "iam.amazonaws.com",
      eventNames: ["CreateServiceSpecificCredential"],
      outcome: "failure",
      errorCodes: ["AccessDenied"],
      where: [
        { field: "requestParameters.serviceName", equals: ["bedrock.amazonaws.com", "codecommit.amazonaws.com"] },
        { field: "userIdentity.accessKeyId", startsWith: "AKIA" },
        { field: "userIdentity.arn", startsWith: "arn:aws:iam::111122223333:role/ops" },
        // Kinds this pre-filter does not know: no literal (leaving a condition out is always exact).
        { field: "requestParameters.flag", equals: [true] },
        { field: "userIdentity.accessKeyId", exists: true },
        { field: "userIdentity.accessKeyId", equals: ["AKIA"], negate: true },
        { field: "userIdentity.type", equals: ["/"] },
      ],
    };
    expect(requiredLiterals(selector)).toEqual([
      ["CreateServiceSpecificCredential"],
      ["AccessDenied"],
      ["bedrock.amazonaws.com", "codecommit.amazonaws.com"],
      ["AKIA"],
      ["arn:aws:iam::111122223333:role"],
    ]);
    // An anyOf: one group of each list, joined (a matching record meets one list); none when a list has none.
    const eitherType = {
      anyOf: [
        [
          { field: "requestParameters.callWithBearerToken", is: true },
          { field: "requestParameters.bearerTokenType", equals: ["LONG_TERM", "ABSK"] },
        ],
        [{ field: "additionalEventData.bearerTokenType", startsWith: "LONG" }],
      ],
    };
    const withWhere = (where: unknown[]) => requiredLiterals({ ...selector, outcome: "any", where });
    expect(withWhere([eitherType])).toEqual([["CreateServiceSpecificCredential"], ["LONG_TERM", "ABSK", "LONG"]]);
    const oneListWithout = { anyOf: [...eitherType.anyOf, [{ field: "userIdentity.type", exists: true }]] };
    expect(withWhere([oneListWithout])).toEqual([["CreateServiceSpecificCredential"]]);
    // A success or any outcome needs no error code.
    expect(requiredLiterals({ ...selector, outcome: "any", where: [] })).toEqual([["CreateServiceSpecificCredential"]]);
    expect(literalOf('say "hi"\\now')).toBe("say ");
    expect(literalOf("café-au-lait")).toBe("-au-lait");
  });

  const VALUES = ["a/b", "a/bc", "x/a/b", "role/admin", "role", "admin", "ro", "/", "b"];
  const FIELDS = [
    "userIdentity.type",
    "userIdentity.accessKeyId",
    "requestParameters.serviceName",
    "requestParameters.bearerTokenType",
  ] as const;
  const condition = fc.oneof(
    fc.record({
      field: fc.constantFrom(...FIELDS),
      equals: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1 }),
    }),
    fc.record({ field: fc.constantFrom(...FIELDS), startsWith: fc.constantFrom("a/", "ro", "role/", "/", "x", "b") }),
  );
  const selector: fc.Arbitrary<EventSelector> = fc
    .record({
      eventSource: fc.constant("svc.amazonaws.com"),
      eventNames: fc.uniqueArray(fc.constantFrom("Do", "Undo", "DoMore"), { minLength: 1 }),
      outcome: fc.constantFrom("success" as const, "failure" as const, "any" as const),
      where: fc.array(
        fc.oneof(
          { weight: 2, arbitrary: condition },
          fc.record({
            anyOf: fc.array(fc.array(condition, { minLength: 1, maxLength: 2 }), { minLength: 2, maxLength: 3 }),
          }),
        ),
        { maxLength: 2 },
      ),
    })
    .map((s) => (s.outcome === "failure" ? { ...s, errorCodes: ["E1", "E:2"] } : s));
  const value = fc.constantFrom(...VALUES, "ROLE/admin", "a\\b", undefined);
  const record = fc.record({
    eventSource: fc.constant("svc.amazonaws.com"),
    eventName: fc.constantFrom("Do", "Undo", "DoMore", "Other"),
    errorCode: fc.constantFrom(undefined, "E1", "E:2", "E3"),
    eventID: fc.constant("e"),
    userIdentity: fc.record({ type: value, accessKeyId: value }),
    requestParameters: fc.record({ serviceName: value, bearerTokenType: value }),
  });

  it("never rule out a record one of the selectors matches, with `/` written as `\\/` or not (property)", () => {
    let escapedMatches = 0;
    fc.assert(
      fc.property(fc.array(selector, { minLength: 1, maxLength: 3 }), record, styles, (selectors, r, style) => {
        const json = write(r, style);
        const parsed = JSON.parse(json) as CloudTrailRecord;
        if (!selectors.some((s) => selectorMatches(s, parsed))) return;
        if (style.escapeSlash && style.escapeEvery === 0 && json.includes("\\/")) escapedMatches++;
        expect(new Prefilter({ rules: selectors }).decide(Buffer.from(json))).toBe("may-match");
      }),
      { numRuns: 4000, seed: 21 },
    );
    expect(escapedMatches).toBeGreaterThan(50);
  });

  it("rules out records of a listed source that lack a required literal", () => {
    const eventRules = new Prefilter(guardrail);
    const created = (serviceName: string) =>
      Buffer.from(
        `{"eventSource":"iam.amazonaws.com","eventName":"CreateServiceSpecificCredential",` +
          `"requestParameters":{"serviceName":"${serviceName}"}}`,
      );
    const serviceIs = (ignoreCase: boolean) =>
      new Prefilter({
        rules: [
          {
            eventSource: "iam.amazonaws.com",
            eventNames: ["CreateServiceSpecificCredential"],
            outcome: "success",
            where: [
              {
                field: "requestParameters.serviceName",
                equals: ["bedrock.amazonaws.com"],
                ...(ignoreCase && { ignoreCase }),
              },
            ],
          },
        ],
      });
    expect(serviceIs(false).decide(created("bedrock.amazonaws.com"))).toBe("may-match");
    expect(serviceIs(false).decide(created("codecommit.amazonaws.com"))).toBe("no-match");
    // A value compared ignoring case is no literal the record must hold: any case of it may match.
    expect(serviceIs(true).decide(created("Bedrock.AmazonAWS.com"))).toBe("may-match");
    expect(eventRules.decide(created("Bedrock.AmazonAWS.com"))).toBe("may-match");
    const recon = (key: string) =>
      `{"eventSource":"bedrock.amazonaws.com","eventName":"GetFoundationModelAvailability",` +
      `"userIdentity":{"accessKeyId":"${key}"}}`;
    expect(eventRules.decide(Buffer.from(recon("AKIAIOSFODNN7EXAMPLE")))).toBe("may-match");
    expect(eventRules.decide(Buffer.from(recon("ASIAIOSFODNN7EXAMPLE")))).toBe("no-match");
  });
});
