import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseConfig } from "../../src/config/load";
import { formatRuleTests, runRuleTests } from "../../src/detection/rule-tests";
import {
  BUNDLED_DEFINITION,
  bundledDefinition,
  compileGuardrail,
  parseDefinition,
  readDefinitionFile,
} from "../../src/guardrail/guardrail";

const config = parseConfig({ approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"] });
const definitionJson = () => JSON.parse(JSON.stringify(BUNDLED_DEFINITION));
const ruleIndex = (def: { detection: { rules: Array<{ id: string }> } }, id: string) =>
  def.detection.rules.findIndex((r) => r.id === id);

describe("every rule's own examples (Panther style)", () => {
  it("all pass for the bundled rules, each rule with positives and negatives", () => {
    const guardrail = compileGuardrail(bundledDefinition(), config);
    const results = runRuleTests(guardrail);
    expect(results.filter((r) => !r.passed)).toEqual([]);
    const rules = [...guardrail.rules, ...guardrail.correlationRules];
    for (const rule of rules) {
      const mine = results.filter((r) => r.rule === rule.id);
      expect([rule.id, mine.some((r) => r.expected), mine.some((r) => !r.expected)]).toEqual([rule.id, true, true]);
    }
    const text = formatRuleTests(guardrail, results);
    expect(text.split("\n")[0]).toBe(`rules: ${rules.length}; rule tests: ${results.length} passed, 0 failed`);
    expect(text).toMatch(/\n {2}bedrock-recon-by-long-term-key +low +5\/5 examples pass \(1 match, 4 do not\)/);
  });

  it("a correlation rule's history fails, naming it, when the rule changes under it", () => {
    const def = definitionJson();
    const probing = def.detection.correlations.find((r: { id: string }) => r.id === "bedrock-invocation-probing");
    probing.threshold = 21;
    const failed = runRuleTests(compileGuardrail(parseDefinition(def), config)).filter((r) => !r.passed);
    expect(failed.map((r) => `${r.rule}: ${r.name}`)).toEqual([
      "bedrock-invocation-probing: 20 denied invocations by one key within 9 minutes",
      "bedrock-invocation-probing: 20 batch inference jobs refused by one key within 10 minutes " +
        "(CreateModelInvocationJob)",
    ]);
  });

  it("fail, naming the rule and the example, when the rule changes under them", () => {
    const def = definitionJson();
    const i = ruleIndex(def, "bedrock-model-access-enabled");
    def.detection.rules[i].eventNames = def.detection.rules[i].eventNames.filter(
      (n: string) => n !== "PutUseCaseForModelAccess",
    );
    const guardrail = compileGuardrail(parseDefinition(def), config);
    const failed = runRuleTests(guardrail).filter((r) => !r.passed);
    expect(failed.map((r) => `${r.rule}: ${r.name}`)).toEqual([
      "bedrock-model-access-enabled: use-case form submitted with a long-term key",
    ]);
    expect(formatRuleTests(guardrail, runRuleTests(guardrail))).toContain(
      "FAIL bedrock-model-access-enabled: use-case form submitted with a long-term key: expected a match, got no match",
    );
  });

  it("fail when an earlier rule takes a positive example (the finding would carry the other rule's id)", () => {
    const def = definitionJson();
    const recon = def.detection.rules[ruleIndex(def, "bedrock-recon-by-long-term-key")];
    recon.eventNames.push("CreateFoundationModelAgreement");
    recon.outcome = "any";
    recon.precedence = 0;
    const failed = runRuleTests(compileGuardrail(parseDefinition(def), config)).filter((r) => !r.passed);
    expect(failed).toEqual([]);
    recon.where = [];
    const failedAgain = runRuleTests(compileGuardrail(parseDefinition(def), config)).filter((r) => !r.passed);
    expect(failedAgain.map((r) => r.problem)).toContain(
      "the rule set reports it as bedrock-recon-by-long-term-key (an earlier rule)",
    );
  });

  it("report a matching example that cannot become a finding", () => {
    const def = definitionJson();
    delete def.detection.rules[0].tests[0].record.eventID;
    const [first] = runRuleTests(compileGuardrail(parseDefinition(def), config));
    expect(first).toMatchObject({ passed: false, matched: true, problem: "matching record without eventID" });
  });

  it("a rule without a positive or a negative example is refused, naming the rule", () => {
    const noNegative = definitionJson();
    noNegative.detection.rules[2].tests = noNegative.detection.rules[2].tests.filter(
      (t: { expect: boolean }) => t.expect,
    );
    expect(() => parseDefinition(noNegative)).toThrow(
      /detection\.rules\[2\]\.tests: needs at least one example the rule does not match/,
    );
    const noPositive = definitionJson();
    noPositive.detection.rules[1].tests = noPositive.detection.rules[1].tests.filter(
      (t: { expect: boolean }) => !t.expect,
    );
    expect(() => parseDefinition(noPositive)).toThrow(/detection\.rules\[1\]\.tests: needs at least one example/);
  });
});

describe("rule files", () => {
  const shipped = (id: string) =>
    JSON.parse(fs.readFileSync(path.join(__dirname, "../../policies/rules", `${id}.json`), "utf8"));

  it("the definition file lists no rules: a rule listed there is refused, naming the folder", () => {
    const def = JSON.parse(fs.readFileSync(path.join(__dirname, "../../policies/bedrock-model-access.json"), "utf8"));
    expect(def.detection.rules).toBeUndefined();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "definition-"));
    try {
      const listed = { ...def, detection: { ...def.detection, rules: ["bedrock-guardrail-tampering"] } };
      fs.writeFileSync(path.join(dir, "definition.json"), JSON.stringify(listed));
      expect(() => readDefinitionFile(path.join(dir, "definition.json"), "definition.json")).toThrow(
        "definition.json is invalid:\n  - detection.rules: a definition does not list its rules; each is a file",
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a definition file elsewhere gets the shipped rules, replaced and added to by rules/*.json beside it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "definition-"));
    try {
      const def = JSON.parse(fs.readFileSync(path.join(__dirname, "../../policies/bedrock-model-access.json"), "utf8"));
      fs.mkdirSync(path.join(dir, "rules"));
      const custom = { ...shipped("bedrock-guardrail-tampering"), severity: "critical" };
      fs.writeFileSync(path.join(dir, "rules", "bedrock-guardrail-tampering.json"), JSON.stringify(custom));
      const added = { ...shipped("bedrock-api-key-created"), id: "my-own-rule", precedence: 1 };
      fs.writeFileSync(path.join(dir, "rules", "my-own-rule.json"), JSON.stringify(added));
      fs.writeFileSync(path.join(dir, "definition.json"), JSON.stringify(def));
      const parsed = parseDefinition(readDefinitionFile(path.join(dir, "definition.json")));
      expect(parsed.detection.rules.find((r) => r.id === "bedrock-guardrail-tampering")?.severity).toBe("critical");
      expect(parsed.detection.rules.find((r) => r.id === "bedrock-api-key-created")?.severity).toBe("medium");
      expect(parsed.detection.rules[0].id).toBe("my-own-rule");
      fs.writeFileSync(path.join(dir, "rules", "misnamed.json"), JSON.stringify({ ...added, precedence: 2 }));
      expect(() => readDefinitionFile(path.join(dir, "definition.json"), "definition.json")).toThrow(
        'rules/misnamed.json: id "my-own-rule" must be the file\'s name (my-own-rule.json)',
      );
      fs.writeFileSync(path.join(dir, "rules", "misnamed.json"), JSON.stringify({ ...added, severity: "dire" }));
      expect(() => readDefinitionFile(path.join(dir, "definition.json"), "definition.json")).toThrow(
        /the rule set is invalid:\n {2}- rules\/misnamed\.json: severity: /,
      );
      fs.rmSync(path.join(dir, "rules", "misnamed.json"));
      // Two files with one precedence: the problem names both files, not a place in the assembled list.
      const taken = shipped("bedrock-api-key-created").precedence;
      fs.writeFileSync(path.join(dir, "rules", "my-own-rule.json"), JSON.stringify({ ...added, precedence: taken }));
      expect(() => readDefinitionFile(path.join(dir, "definition.json"), "definition.json")).toThrow(
        `the rule set is invalid:\n  - rules/my-own-rule.json: precedence: ${taken} is also ` +
          "policies/rules/bedrock-api-key-created.json's; each rule needs its own",
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
