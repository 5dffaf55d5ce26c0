import fc from "fast-check";
import { isGuardedEvent, isSuccess, matchingRule, ruleMatches } from "../../src/detection/match";
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
  it("needs the exact event source and one of the guardrail's event names", () => {
    expect(isGuardedEvent(guardrail, record())).toBe(true);
    for (const eventName of guardrail.eventNames) expect(isGuardedEvent(guardrail, record({ eventName }))).toBe(true);
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
          expect(ruleMatches(success, guardrail, r) && ruleMatches(denied, guardrail, r)).toBe(false);
          if (matchingRule(guardrail, r)) expect(isGuardedEvent(guardrail, r)).toBe(true);
        },
      ),
    );
  });
});
