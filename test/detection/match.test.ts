import fc from "fast-check";
import {
  conditionFieldValue,
  conditionHolds,
  isGuardedEvent,
  isSuccess,
  matchingRule,
  outcomeMatches,
  ruleMatches,
} from "../../src/detection/match";
import type { Condition } from "../../src/guardrail/definition";
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
    expect(isGuardedEvent(guardrail, record({ eventName: "InvokeModel" }))).toBe(false);
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
