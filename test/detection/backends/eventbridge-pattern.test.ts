/**
 * The EventBridge pattern: its shape, a differential test against the in-process matcher through a
 * faithful EventBridge matcher (support/eventbridge-matcher.ts, itself checked against the
 * documentation's examples below), and the event -> record mapper.
 */
import fc from "fast-check";
import {
  buildEventPattern,
  buildEventPatterns,
  eventBridgeEventToRecord,
  eventBridgeSource,
} from "../../../src/detection/backends/eventbridge-pattern";
import { evaluateRecord } from "../../../src/detection/finding";
import { matchingRule, ruleMatches } from "../../../src/detection/match";
import type { CloudTrailRecord } from "../../../src/detection/record";
import { type DetectionRule, whereAlternatives } from "../../../src/guardrail/definition";
import { BLANK_CHARACTERS } from "../../../src/detection/backends/blank";
import { matchesPattern } from "./support/eventbridge-matcher";
import { batchArb, edgeCases, loadSamples, record, testGuardrail, typedConditionRules } from "./support/records";

const guardrail = testGuardrail();
const pattern = buildEventPattern(guardrail) as unknown as Record<string, unknown>;

/** How EventBridge delivers a CloudTrail record: the record is `detail`; `source` comes from its eventSource. */
function envelope(r: CloudTrailRecord): Record<string, unknown> {
  const src = typeof r.eventSource === "string" ? /^([a-z0-9-]+)\.amazonaws\.com$/i.exec(r.eventSource) : null;
  return {
    version: "0",
    id: "6f87d04b-9f74-4f04-a780-7acf4b0a9b38",
    "detail-type": "AWS API Call via CloudTrail",
    source: src ? `aws.${src[1].toLowerCase()}` : "aws.unknown",
    account: "494659789341",
    time: "2024-10-17T20:09:51Z",
    region: "us-east-1",
    resources: [],
    detail: r,
  };
}

/** Whitespace-only (non-empty) errorCode: the one input the pattern cannot express (see eventbridge-pattern.ts). */
const blankButNotEmpty = (r: CloudTrailRecord) =>
  typeof r.errorCode === "string" && r.errorCode !== "" && r.errorCode.trim() === "";

const valueAt = (r: CloudTrailRecord, path: string): unknown =>
  path.split(".").reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), r);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `exists: true` on a null leaf: EventBridge's exists looks at presence, so the pattern over-selects (documented);
 * a condition inside an anyOf's list too.
 */
const nullWhereExists = (rules: readonly DetectionRule[], r: CloudTrailRecord) =>
  rules.some((rule) =>
    rule.where
      .flatMap((entry) => whereAlternatives(entry).flat())
      .some((c) => "exists" in c && c.exists && valueAt(r, c.field) === null),
  );
/** The inputs where the pattern is known to differ from the matcher (both over-select, never miss). */
const knownDifference = (rules: readonly DetectionRule[], r: CloudTrailRecord) =>
  blankButNotEmpty(r) || nullWhereExists(rules, r);

/**
 * The rule's pattern alone selects what the matcher selects on batches focused on the rule plus
 * `extra` records (known differences aside), and selects something.
 */
function expectRuleAloneAgrees(rule: DetectionRule, numRuns: number, extra: CloudTrailRecord[]): void {
  const alone = buildEventPattern({ rules: [rule] }) as unknown as Record<string, unknown>;
  let matched = 0;
  fc.assert(
    fc.property(batchArb(guardrail, true, rule), (batch) => {
      for (const r of [...batch, ...extra].filter((x) => !knownDifference([rule], x))) {
        const eb = matchesPattern(alone, envelope(r));
        expect([rule.id, r, eb]).toEqual([rule.id, r, ruleMatches(rule, r)]);
        matched += eb ? 1 : 0;
      }
    }),
    { numRuns },
  );
  // Each rule must be exercised, or equality would prove little for it.
  expect([rule.id, matched > 0]).toEqual([rule.id, true]);
}

describe("buildEventPattern", () => {
  it("is compiled from the guardrail: one branch per rule outcome, the seed's two rules merged", () => {
    const p = buildEventPattern(guardrail);
    expect(p["detail-type"]).toEqual(["AWS API Call via CloudTrail"]);
    const branches = p.$or ?? [];
    expect(branches.slice(0, 2)).toEqual([
      {
        source: ["aws.bedrock"],
        detail: {
          eventSource: ["bedrock.amazonaws.com"],
          eventName: ["PutUseCaseForModelAccess", "CreateFoundationModelAgreement", "PutFoundationModelEntitlement"],
          errorCode: [{ exists: false }],
        },
      },
      {
        source: ["aws.bedrock"],
        detail: {
          eventSource: ["bedrock.amazonaws.com"],
          eventName: ["PutUseCaseForModelAccess", "CreateFoundationModelAgreement", "PutFoundationModelEntitlement"],
          errorCode: ["", null, "AccessDenied", "AccessDeniedException"],
        },
      },
    ]);
    // Every rule's source is there, and the conditions become nested matches.
    expect([...new Set(branches.map((b) => b.source[0]))].sort()).toEqual([
      "aws.aws-external-anthropic",
      "aws.bedrock",
      "aws.bedrock-mantle",
      "aws.iam",
    ]);
    expect(branches).toContainEqual({
      source: ["aws.bedrock"],
      detail: {
        eventSource: ["bedrock.amazonaws.com"],
        eventName: ["GetFoundationModelAvailability"],
        userIdentity: { accessKeyId: [{ prefix: "AKIA" }] },
      },
    });
    expect(branches).toContainEqual(
      expect.objectContaining({
        source: ["aws.iam"],
        detail: expect.objectContaining({
          requestParameters: { serviceName: [{ "equals-ignore-case": "bedrock.amazonaws.com" }] },
        }),
      }),
    );
    expect(eventBridgeSource("sagemaker.amazonaws.com")).toBe("aws.sagemaker");
    expect(() => eventBridgeSource('evil"}')).toThrow(/eventSource: .* is not an AWS service endpoint/);
  });

  it("a single rule with one outcome branch is written at the top level", () => {
    const recon = guardrail.rules.find((r) => r.outcome === "any")!;
    expect(buildEventPattern({ rules: [recon] })).toEqual({
      source: ["aws.bedrock"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: expect.objectContaining({ userIdentity: { accessKeyId: [{ prefix: "AKIA" }] } }),
    });
    expect(buildEventPattern({ rules: [guardrail.primaryRule] }).$or?.map((b) => b.detail.errorCode)).toEqual([
      [{ exists: false }],
      ["", null],
    ]);
  });
});

describe("the test matcher follows the EventBridge documentation's examples", () => {
  const doc = {
    detail: { eventVersion: "", responseElements: null, state: "running", "c-count": 5 },
    resources: ["arn:a", "arn:b"],
  };
  it.each([
    [{ detail: { eventVersion: [""] } }, true],
    [{ detail: { responseElements: [null] } }, true],
    [{ detail: { responseElements: [""] } }, false], // null and "" are not interchangeable
    [{ detail: { eventVersion: [null] } }, false],
    [{ detail: { state: ["initializing", "running"] } }, true],
    [{ detail: { "c-count": [{ exists: true }] } }, true],
    [{ detail: { "c-count": [{ exists: false }] } }, false],
    [{ detail: { missing: [{ exists: false }] } }, true],
    [{ detail: { responseElements: [{ exists: true }] } }, true], // exists ignores the value
    [{ detail: { "c-count": ["5"] } }, false], // types differ
    [{ resources: ["arn:b"] }, true], // array event value: any element
    [{ detail: { $or: [{ state: ["stopped"] }, { "c-count": [5] }] } }, true],
    [{ detail: { $or: [{ state: ["stopped"] }, { "c-count": [6] }] } }, false],
    [{ detail: { state: [{ prefix: "run" }] } }, true],
    [{ detail: { state: [{ prefix: "Run" }] } }, false], // case-sensitive
    [{ detail: { "c-count": [{ prefix: "5" }] } }, false], // strings only
    [{ $or: [{ detail: { state: ["stopped"] } }, { resources: ["arn:a"] }] }, true],
  ])("%j -> %s", (p, expected) => {
    expect(matchesPattern(p as Record<string, unknown>, doc)).toBe(expected);
  });
  it("a nested field under a missing or leaf parent is absent (Event Ruler matches flattened leaf paths)", () => {
    expect(matchesPattern({ detail: { missing: { x: [{ exists: false }] } } }, doc)).toBe(true);
    expect(matchesPattern({ detail: { state: { x: [{ exists: false }] } } }, doc)).toBe(true);
    expect(matchesPattern({ detail: { missing: { x: [{ exists: true }] } } }, doc)).toBe(false);
  });
  it("exists:false also matches a non-leaf (object) field, as the Event Ruler README documents", () => {
    expect(matchesPattern({ detail: { "c-count": [{ exists: false }] } }, { detail: { "c-count": { c1: 100 } } })).toBe(
      true,
    );
  });
  it("refuses operators it does not implement", () => {
    expect(() => matchesPattern({ a: [{ suffix: "x" }] }, { a: "x" })).toThrow(/unsupported operator/);
  });
});

describe("EventBridge pattern vs the in-process matcher", () => {
  it("agrees on every real sample", () => {
    for (const { file, record: r } of loadSamples()) {
      expect([file, matchesPattern(pattern, envelope(r))]).toEqual([file, matchingRule(guardrail, r) !== undefined]);
    }
    const matched = loadSamples()
      .filter((s) => matchesPattern(pattern, envelope(s.record)))
      .map((s) => s.file);
    expect(matched).toEqual([
      "panther_DeleteGuardrail.json",
      "panther_DeleteModelInvocationLoggingConfiguration.json",
      "panther_UpdateGuardrail.json",
      "stratus__CreateFoundationModelAgreement.json",
      "stratus__PutFoundationModelEntitlement.json",
      "stratus__PutUseCaseForModelAccess.json",
    ]);
  });

  it("agrees on every rule's own examples, for the whole rule set and for each rule alone", () => {
    for (const rule of guardrail.rules) {
      const alone = buildEventPattern({ rules: [rule] }) as unknown as Record<string, unknown>;
      for (const t of rule.tests) {
        const r = t.record as CloudTrailRecord;
        const label = `${rule.id}: ${t.name}`;
        expect([label, matchesPattern(alone, envelope(r))]).toEqual([label, t.expect]);
        expect([label, matchesPattern(pattern, envelope(r))]).toEqual([
          label,
          matchingRule(guardrail, r) !== undefined,
        ]);
      }
    }
  });

  it("agrees on every edge case except a whitespace-only errorCode", () => {
    for (const { name, record: r } of edgeCases()) {
      const expected = matchingRule(guardrail, r) !== undefined && !blankButNotEmpty(r);
      if (nullWhereExists(guardrail.rules, r) && !expected) continue;
      expect([name, matchesPattern(pattern, envelope(r))]).toEqual([name, expected]);
    }
  });

  it("agrees with each rule alone on fast-check-generated records", () => {
    for (const rule of guardrail.rules) {
      expectRuleAloneAgrees(rule, 60, []);
    }
  });

  it("agrees on fast-check-generated records with CloudTrail's leaf types", () => {
    let matched = 0;
    let total = 0;
    fc.assert(
      fc.property(batchArb(guardrail, true), (records) => {
        for (const r of records.filter((x) => !knownDifference(guardrail.rules, x))) {
          const eb = matchesPattern(pattern, envelope(r));
          expect([r, eb]).toEqual([r, matchingRule(guardrail, r) !== undefined]);
          matched += eb ? 1 : 0;
          total += 1;
        }
      }),
      { numRuns: 300 },
    );
    expect(matched).toBeGreaterThan(total / 50);
    expect(matched).toBeLessThan(total / 2);
  });

  it("known, documented differences: blank errorCode, and arrays or objects where CloudTrail writes strings", () => {
    // Blank: the reference calls it success; EventBridge cannot express "only whitespace".
    for (const ch of BLANK_CHARACTERS) {
      const r = record({ errorCode: ch });
      expect(matchingRule(guardrail, r)?.id).toBe("bedrock-model-access-enabled");
      expect(matchesPattern(pattern, envelope(r))).toBe(false);
    }
    // Odd types (never written by CloudTrail, which is EventBridge's only source of these events):
    // the pattern over-selects; the realtime handler runs evaluateRecord, which drops them.
    for (const r of [record({ eventName: ["CreateFoundationModelAgreement"] }), record({ errorCode: { code: "x" } })]) {
      expect(matchesPattern(pattern, envelope(r))).toBe(true);
      expect(evaluateRecord(guardrail, r)).toEqual({ skip: "not-matching" });
    }
  });
});

describe("buildEventPatterns: the pattern split over rules that fit AWS's pattern size quota", () => {
  type Branches = { $or?: unknown[]; source?: unknown; detail?: unknown };
  const branchesOf = (p: Branches): string[] =>
    (p.$or ?? [{ source: p.source, detail: p.detail }]).map((b) => JSON.stringify(b));

  // 800: the smallest a part can be is the largest branch (bedrock-long-term-api-key-used's, with its anyOf's $or).
  it.each([800, 1024, 2048, 4096])(
    "every part is at most %i characters, and together they hold every branch",
    (max) => {
      const parts = buildEventPatterns(guardrail, max);
      for (const part of parts) expect(JSON.stringify(part).length).toBeLessThanOrEqual(max);
      const whole = branchesOf(pattern as Branches);
      expect(parts.flatMap((p) => branchesOf(p as Branches)).sort()).toEqual([...whole].sort());
      // The shipped rules need more than AWS's default quota: more than one rule then.
      if (max <= 2048) expect(parts.length).toBeGreaterThan(1);
    },
  );

  it("is the one pattern when the quota holds it", () => {
    expect(buildEventPatterns(guardrail, JSON.stringify(pattern).length)).toEqual([pattern]);
  });

  it("delivers an event when, and only when, the whole pattern matches it", () => {
    const parts = buildEventPatterns(guardrail, 1024) as unknown as Record<string, unknown>[];
    const anyPart = (r: CloudTrailRecord): boolean => parts.some((p) => matchesPattern(p, envelope(r)));
    for (const { record: r } of loadSamples()) expect(anyPart(r)).toBe(matchesPattern(pattern, envelope(r)));
    for (const rule of guardrail.rules)
      for (const t of rule.tests) {
        const r = t.record as CloudTrailRecord;
        expect([rule.id, t.name, anyPart(r)]).toEqual([rule.id, t.name, matchesPattern(pattern, envelope(r))]);
      }
    let matched = 0;
    fc.assert(
      fc.property(batchArb(guardrail, true), (records) => {
        for (const r of records) {
          const whole = matchesPattern(pattern, envelope(r));
          expect([r, anyPart(r)]).toEqual([r, whole]);
          if (whole) matched++;
        }
      }),
      { numRuns: 200 },
    );
    expect(matched).toBeGreaterThan(0);
  });

  it("refuses a rule whose branch alone is over the quota, naming the rule and the setting", () => {
    expect(() => buildEventPatterns(guardrail, 200)).toThrow(
      new RegExp(
        String.raw`^rule [a-z-]+(, [a-z-]+)*: needs an EventBridge pattern of \d+ characters, over the 200 of ` +
          String.raw`monitor\.eventbridge\.maxPatternChars`,
      ),
    );
  });
});

describe("EventBridge pattern: typed conditions (is, exists)", () => {
  const rules = typedConditionRules(guardrail);

  it("writes is as the boolean and its text, exists:false as two branches (absent, null)", () => {
    const byId = (id: string) => buildEventPattern({ rules: [rules.find((r) => r.id === id)!] });
    expect(byId("t-signed").detail).toEqual(
      expect.objectContaining({ additionalEventData: { callWithBearerToken: [false, "false"] } }),
    );
    expect(byId("t-unmarked").$or?.map((b) => b.detail.additionalEventData)).toEqual([
      { callWithBearerToken: [{ exists: false }] },
      { callWithBearerToken: [null] },
    ]);
    expect(byId("t-no-s3").$or?.map((b) => b.detail.requestParameters)).toEqual([
      { loggingConfig: { s3Config: { bucketName: [{ exists: false }] } } },
      { loggingConfig: { s3Config: { bucketName: [null] } } },
    ]);
    const keptOn = guardrail.rules.find((r) => r.id === "bedrock-invocation-logging-kept-on-s3")!;
    expect(buildEventPattern({ rules: [keptOn] }).$or?.[0].detail.requestParameters).toEqual({
      loggingConfig: { textDataDeliveryEnabled: [true, "true"], s3Config: { bucketName: [{ exists: true }] } },
    });
  });

  it("writes anyOf as $or inside the detail, one element per way its lists hold (the product of two anyOf)", () => {
    // The test rules' outcome is any: one branch, written out at the top level.
    const detailOf = (id: string) => buildEventPattern({ rules: [rules.find((r) => r.id === id)!] }).detail;
    const marker = [true, "true"];
    const longTerm = ["LONG_TERM", "ABSK"];
    expect(detailOf("t-key-pair-either-object")?.$or).toEqual([
      { requestParameters: { callWithBearerToken: marker, bearerTokenType: longTerm } },
      { additionalEventData: { callWithBearerToken: marker, bearerTokenType: longTerm } },
    ]);
    // exists:false is two elements (absent, null), times the second anyOf's two lists.
    const kinds = detailOf("t-anyof-kinds");
    expect(kinds?.userIdentity).toEqual({ type: ["IAMUser"] });
    expect(kinds?.$or).toHaveLength(6);
    expect(kinds?.$or).toContainEqual({
      additionalEventData: { bearerTokenType: [{ "equals-ignore-case": "LONG_TERM" }] },
      requestParameters: { bearerTokenType: [{ exists: true }] },
    });
  });

  it("writes an anyOf whose lists all come out the same as that one match (a $or needs two objects)", () => {
    const base = rules.find((r) => r.id === "t-key-pair-either-object")!;
    const marked = { field: "additionalEventData.callWithBearerToken" as const, is: true };
    const same: DetectionRule = { ...base, where: [{ anyOf: [[marked], [marked]] }] };
    expect(buildEventPattern({ rules: [same] }).detail).toEqual({
      eventSource: ["bedrock-mantle.amazonaws.com"],
      eventName: ["ListModels"],
      additionalEventData: { callWithBearerToken: [true, "true"] },
    });
  });

  it("refuses, in one line, an anyOf that tests a field the rest of the rule tests too", () => {
    const base = rules.find((r) => r.id === "t-key-pair-either-object")!;
    const twice: DetectionRule = {
      ...base,
      where: [{ field: "requestParameters.callWithBearerToken", is: true }, ...base.where],
    };
    expect(() => buildEventPattern({ rules: [twice] })).toThrow(
      "rule t-key-pair-either-object where[1].anyOf[0][0]: " +
        "tests requestParameters.callWithBearerToken twice, which a pattern cannot AND",
    );
  });

  it("agrees with the matcher for every kind, on generated records and the rules' examples", () => {
    for (const rule of rules) {
      expectRuleAloneAgrees(
        rule,
        40,
        rule.tests.map((t) => t.record as CloudTrailRecord),
      );
    }
  });

  it("known difference: exists:true over-selects a null leaf, which evaluateRecord (realtime handler) drops", () => {
    const keptOn = guardrail.rules.find((r) => r.id === "bedrock-invocation-logging-kept-on-s3")!;
    const r = record({
      eventName: "PutModelInvocationLoggingConfiguration",
      requestParameters: { loggingConfig: { textDataDeliveryEnabled: true, s3Config: { bucketName: null } } },
    });
    expect(matchesPattern(buildEventPattern({ rules: [keptOn] }) as never, envelope(r))).toBe(true);
    expect(ruleMatches(keptOn, r)).toBe(false);
    expect(evaluateRecord(guardrail, r)).toMatchObject({
      finding: { rule: { id: "bedrock-invocation-logging-tampering" } },
    });
  });
});

describe("eventBridgeEventToRecord", () => {
  it("returns the detail of a CloudTrail API-call event, which evaluateRecord turns into the same finding", () => {
    const sample = loadSamples().find((s) => s.record.eventName === "PutUseCaseForModelAccess")!.record;
    const out = eventBridgeEventToRecord(JSON.parse(JSON.stringify(envelope(sample))));
    expect(out).toEqual({ record: sample });
    if ("record" in out) expect(evaluateRecord(guardrail, out.record)).toEqual(evaluateRecord(guardrail, sample));
  });

  it.each([
    [null, /not a JSON object/],
    [[], /not a JSON object/],
    [
      { "detail-type": "EC2 Instance State-change Notification", detail: {} },
      /detail-type is "EC2 Instance State-change Notification"/,
    ],
    [{ "detail-type": "AWS API Call via CloudTrail" }, /no detail object/],
    [{ "detail-type": "AWS API Call via CloudTrail", detail: "x" }, /no detail object/],
  ])("explains why %j carries no record", (event, reason) => {
    const out = eventBridgeEventToRecord(event);
    expect("reason" in out && out.reason).toMatch(reason);
  });
});
