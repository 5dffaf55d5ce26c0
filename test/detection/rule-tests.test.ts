import { parseConfig } from "../../src/config/load";
import { formatRuleTests, runRuleTests } from "../../src/detection/rule-tests";
import { BUNDLED_DEFINITION, compileGuardrail, parseDefinition } from "../../src/guardrail/guardrail";

const config = parseConfig({ approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"] });
const definitionJson = () => JSON.parse(JSON.stringify(BUNDLED_DEFINITION));

describe("the definition's own rule tests (Panther style)", () => {
  it("all pass for the bundled definition, with positives for every rule and negatives", () => {
    const results = runRuleTests(compileGuardrail(parseDefinition(BUNDLED_DEFINITION), config));
    expect(results.filter((r) => !r.passed)).toEqual([]);
    expect(new Set(results.map((r) => r.expected))).toEqual(
      new Set(["bedrock-model-access-enabled", "bedrock-model-access-denied", null]),
    );
    expect(formatRuleTests(results)).toBe(`rule tests: ${results.length} passed, 0 failed`);
  });

  it("fail, naming the example, when the rule changes under them", () => {
    const def = definitionJson();
    def.actions = def.actions.filter((a: { eventName: string }) => a.eventName !== "PutUseCaseForModelAccess");
    const results = runRuleTests(compileGuardrail(parseDefinition(def), config));
    const failed = results.filter((r) => !r.passed);
    expect(failed.map((r) => r.name)).toEqual(["use-case form submitted with a long-term key"]);
    expect(formatRuleTests(results)).toContain(
      "FAIL use-case form submitted with a long-term key: expected bedrock-model-access-enabled, got no rule",
    );
  });

  it("report a matching example that cannot become a finding", () => {
    const def = definitionJson();
    delete def.detection.tests[0].record.eventID;
    const [first] = runRuleTests(compileGuardrail(parseDefinition(def), config));
    expect(first).toMatchObject({
      passed: false,
      actual: "bedrock-model-access-enabled",
      problem: "matching record without eventID",
    });
  });

  it("the definition refuses tests that name no rule, or leave a rule or the negative side untested", () => {
    const unknown = definitionJson();
    unknown.detection.tests[0].expect = "no-such-rule";
    expect(() => parseDefinition(unknown)).toThrow(/detection\.tests\[0\]\.expect: names no rule/);
    const noDenied = definitionJson();
    noDenied.detection.tests = noDenied.detection.tests.filter(
      (t: { expect: string | null }) => t.expect !== "bedrock-model-access-denied",
    );
    expect(() => parseDefinition(noDenied)).toThrow(
      /needs at least one example that matches rule "bedrock-model-access-denied"/,
    );
    const noNegative = definitionJson();
    noNegative.detection.tests = noNegative.detection.tests.filter((t: { expect: string | null }) => t.expect !== null);
    expect(() => parseDefinition(noNegative)).toThrow(/needs at least one example that matches no rule/);
  });
});
