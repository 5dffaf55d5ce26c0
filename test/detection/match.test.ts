import fc from "fast-check";
import {
  conditionFieldValue,
  conditionHolds,
  isGuardedEvent,
  isSuccess,
  matchingRule,
  outcomeMatches,
  ruleMatches,
  selectorMatches,
} from "../../src/detection/match";
import type { CloudTrailRecord } from "../../src/detection/record";
import type { Condition, EventSelector } from "../../src/guardrail/definition";
import { edgeCases, errorCodeArb, record, testGuardrail } from "./backends/support/records";

const guardrail = testGuardrail();
const [success, denied] = guardrail.rules;

describe("isSuccess", () => {
  it.each([
    [undefined, true],
    [null, true],
    ["", true],
    ["  \t\r\n", true],
    ["\u3000\ufeff", true],
    ["AccessDenied", false],
    [" x ", false],
    [0, false],
    [false, false],
    [{}, false],
  ])("errorCode %j -> %s", (errorCode, expected) => {
    expect(isSuccess({ errorCode })).toBe(expected);
  });
  it("an absent errorCode key is success", () => expect(isSuccess({})).toBe(true));
});

describe("isGuardedEvent", () => {
  it("needs the exact event source and one of the event names of a rule with that source", () => {
    expect(isGuardedEvent(guardrail, record())).toBe(true);
    for (const rule of guardrail.rules)
      for (const eventName of rule.eventNames)
        expect(isGuardedEvent(guardrail, record({ eventSource: rule.eventSource, eventName }))).toBe(true);
    // A name of one source's rule under another source is not guarded.
    expect(isGuardedEvent(guardrail, record({ eventName: "CreateServiceSpecificCredential" }))).toBe(false);
    expect(isGuardedEvent(guardrail, record({ eventSource: "Bedrock.amazonaws.com" }))).toBe(false);
    expect(isGuardedEvent(guardrail, record({ eventSource: "sagemaker.amazonaws.com" }))).toBe(false);
    expect(isGuardedEvent(guardrail, record({ eventName: "ListFoundationModels" }))).toBe(false);
    expect(isGuardedEvent(guardrail, record({ eventName: "createfoundationmodelagreement" }))).toBe(false);
    expect(isGuardedEvent(guardrail, record({ eventName: ["CreateFoundationModelAgreement"] }))).toBe(false);
  });
});

describe("matchingRule", () => {
  it("picks the success rule, the denied rule, or none", () => {
    expect(matchingRule(guardrail, record())?.id).toBe("bedrock-model-access-enabled");
    expect(matchingRule(guardrail, record({ errorCode: "AccessDenied" }))?.id).toBe("bedrock-model-access-denied");
    expect(matchingRule(guardrail, record({ errorCode: "AccessDeniedException" }))?.id).toBe(
      "bedrock-model-access-denied",
    );
    expect(matchingRule(guardrail, record({ errorCode: "ThrottlingException" }))).toBeUndefined();
    expect(matchingRule(guardrail, record({ errorCode: " AccessDenied" }))).toBeUndefined();
  });

  it("never throws on the edge cases", () => {
    for (const { record: r } of edgeCases()) expect(() => matchingRule(guardrail, r)).not.toThrow();
  });

  it("the two rules never both match, and a match is always a guarded event", () => {
    fc.assert(
      fc.property(
        errorCodeArb(false),
        fc.constantFrom(...guardrail.eventNames, "InvokeModel"),
        (errorCode, eventName) => {
          const r = record({ errorCode, eventName });
          expect(ruleMatches(success, r) && ruleMatches(denied, r)).toBe(false);
          if (matchingRule(guardrail, r)) expect(isGuardedEvent(guardrail, r)).toBe(true);
        },
      ),
    );
  });
});

describe("conditions and outcomes", () => {
  it("reads a condition field only when it is a non-empty string", () => {
    expect(conditionFieldValue({ userIdentity: { accessKeyId: "AKIAX" } }, "userIdentity.accessKeyId")).toBe("AKIAX");
    for (const userIdentity of [null, undefined, "AKIA", [{ accessKeyId: "AKIAX" }], { accessKeyId: 5 }, {}])
      expect(conditionFieldValue({ userIdentity } as never, "userIdentity.accessKeyId")).toBeUndefined();
    expect(conditionFieldValue({ userIdentity: { accessKeyId: "" } }, "userIdentity.accessKeyId")).toBeUndefined();
  });

  it("equals any of the values, or starts with the prefix, case-sensitively", () => {
    const prefix: Condition = { field: "userIdentity.accessKeyId", startsWith: "AKIA" };
    expect(conditionHolds(prefix, { userIdentity: { accessKeyId: "AKIAEXAMPLE" } })).toBe(true);
    expect(conditionHolds(prefix, { userIdentity: { accessKeyId: "akiaEXAMPLE" } })).toBe(false);
    expect(conditionHolds(prefix, { userIdentity: { accessKeyId: "ASIAAKIA" } })).toBe(false);
    const equals: Condition = { field: "requestParameters.serviceName", equals: ["bedrock.amazonaws.com"] };
    expect(conditionHolds(equals, { requestParameters: { serviceName: "bedrock.amazonaws.com" } })).toBe(true);
    expect(conditionHolds(equals, { requestParameters: { serviceName: "bedrock.amazonaws.com " } })).toBe(false);
    expect(conditionHolds(equals, { requestParameters: null })).toBe(false);
  });

  it("with ignoreCase, equals and startsWith compare both sides lower-cased", () => {
    const user = (userName: unknown) => ({ requestParameters: { userName } });
    const prefix: Condition = { field: "requestParameters.userName", startsWith: "BedrockAPIKey-", ignoreCase: true };
    for (const name of ["BedrockAPIKey-q7r3", "bedrockapikey-q7r3", "BEDROCKAPIKEY-Q7R3"])
      expect([name, conditionHolds(prefix, user(name))]).toEqual([name, true]);
    for (const name of ["svc-bedrockapikey-x", "BedrockAPIKey", " bedrockapikey-x", 5, null, ""])
      expect([name, conditionHolds(prefix, user(name))]).toEqual([name, false]);
    const equals: Condition = { field: "requestParameters.status", equals: ["Active"], ignoreCase: true };
    const status = (s: unknown) => conditionHolds(equals, { requestParameters: { status: s } });
    expect(["Active", "active", "ACTIVE"].map(status)).toEqual([true, true, true]);
    expect(["Inactive", "Active ", true, null].map(status)).toEqual([false, false, false, false]);
    expect(conditionHolds({ ...equals, ignoreCase: false }, { requestParameters: { status: "active" } })).toBe(false);
  });

  it("anyOf holds when every condition of one of its lists holds (and with the rest of where)", () => {
    const selector: EventSelector = {
      eventSource: "bedrock-mantle.amazonaws.com",
      eventNames: ["ListModels"],
      outcome: "any",
      where: [
        { field: "userIdentity.type", equals: ["IAMUser"] },
        {
          anyOf: [
            [
              { field: "requestParameters.callWithBearerToken", is: true },
              { field: "requestParameters.bearerTokenType", equals: ["LONG_TERM"] },
            ],
            [{ field: "additionalEventData.bearerTokenType", equals: ["ABSK"] }],
          ],
        },
      ],
    };
    const call = (
      type: unknown,
      requestParameters: Record<string, unknown> | null,
      additionalEventData: Record<string, unknown> | null,
    ): CloudTrailRecord => ({
      eventSource: "bedrock-mantle.amazonaws.com",
      eventName: "ListModels",
      userIdentity: { type },
      requestParameters,
      additionalEventData,
    });
    const params = fc.option(
      fc.record(
        {
          callWithBearerToken: fc.constantFrom(true, "true", false),
          bearerTokenType: fc.constantFrom("LONG_TERM", "ABSK"),
        },
        { requiredKeys: [] },
      ),
    );
    let held = 0;
    fc.assert(
      fc.property(fc.constantFrom("IAMUser", "Root"), params, params, (type, rp, aed) => {
        const first =
          (rp?.callWithBearerToken === true || rp?.callWithBearerToken === "true") &&
          rp?.bearerTokenType === "LONG_TERM";
        const expected = type === "IAMUser" && (first || aed?.bearerTokenType === "ABSK");
        expect(selectorMatches(selector, call(type, rp, aed))).toBe(expected);
        held += expected ? 1 : 0;
      }),
      { numRuns: 300 },
    );
    expect(held).toBeGreaterThan(30);
    // One list alone is not enough when its other condition fails, whatever the other list's fields hold.
    const half = call(
      "IAMUser",
      { callWithBearerToken: true, bearerTokenType: "ABSK" },
      { bearerTokenType: "LONG_TERM" },
    );
    expect(selectorMatches(selector, half)).toBe(false);
  });

  it("is: the JSON boolean or its text, nothing else", () => {
    const marked: Condition = { field: "additionalEventData.callWithBearerToken", is: true };
    const holds = (v: unknown) => conditionHolds(marked, { additionalEventData: { callWithBearerToken: v } });
    expect([true, "true"].map(holds)).toEqual([true, true]);
    expect([false, "false", "TRUE", 1, null, undefined, [true], { v: true }].map(holds)).toEqual(Array(8).fill(false));
    const off: Condition = { field: "requestParameters.loggingConfig.textDataDeliveryEnabled", is: false };
    expect(conditionHolds(off, { requestParameters: { loggingConfig: { textDataDeliveryEnabled: false } } })).toBe(
      true,
    );
    expect(conditionHolds(off, { requestParameters: { loggingConfig: {} } })).toBe(false);
    expect(conditionHolds(off, { requestParameters: { loggingConfig: "{}" } })).toBe(false);
  });

  it("exists: a value other than null is there; missing, null or under a non-object parent is absent", () => {
    const field = "requestParameters.loggingConfig.s3Config.bucketName" as const;
    const present: Condition = { field, exists: true };
    const absent: Condition = { field, exists: false };
    const at = (s3Config: unknown) => ({ requestParameters: { loggingConfig: { s3Config } } });
    for (const value of ["b", "", 0, false, { x: 1 }, []]) {
      expect([value, conditionHolds(present, at({ bucketName: value }))]).toEqual([value, true]);
      expect([value, conditionHolds(absent, at({ bucketName: value }))]).toEqual([value, false]);
    }
    for (const s3Config of [{ bucketName: null }, {}, null, "b", [{ bucketName: "b" }]]) {
      expect([s3Config, conditionHolds(present, at(s3Config))]).toEqual([s3Config, false]);
      expect([s3Config, conditionHolds(absent, at(s3Config))]).toEqual([s3Config, true]);
    }
    expect(conditionHolds(absent, {})).toBe(true);
  });

  it("an 'any' outcome ignores errorCode", () => {
    for (const errorCode of [undefined, "", "AccessDenied", 5, { x: 1 }])
      expect(outcomeMatches({ outcome: "any" }, { errorCode })).toBe(true);
  });

  it("each rule matches its own positive examples and none of its negatives", () => {
    for (const rule of guardrail.rules)
      for (const t of rule.tests)
        expect([rule.id, t.name, ruleMatches(rule, t.record)]).toEqual([rule.id, t.name, t.expect]);
  });
});
