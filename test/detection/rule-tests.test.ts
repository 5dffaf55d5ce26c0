import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseConfig } from "../../src/config/load";
import { formatRuleTests, runRuleTests } from "../../src/detection/rule-tests";
import { BUNDLED_RULES } from "../../src/guardrail/bundled-rules";
import {
  BUNDLED_DEFINITION,
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
    const guardrail = compileGuardrail(parseDefinition(BUNDLED_DEFINITION), config);
    const results = runRuleTests(guardrail);
    expect(results.filter((r) => !r.passed)).toEqual([]);
    for (const rule of guardrail.rules) {
      const mine = results.filter((r) => r.rule === rule.id);
      expect([rule.id, mine.some((r) => r.expected), mine.some((r) => !r.expected)]).toEqual([rule.id, true, true]);
    }
    const text = formatRuleTests(guardrail, results);
    expect(text.split("\n")[0]).toBe(`rules: 9; rule tests: ${results.length} passed, 0 failed`);
    expect(text).toMatch(/\n {2}bedrock-recon-by-long-term-key +low +4\/4 examples pass \(2 match, 2 do not\)/);
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
    const recon = def.detection.rules.splice(ruleIndex(def, "bedrock-recon-by-long-term-key"), 1)[0];
    recon.eventNames.push("CreateFoundationModelAgreement");
    recon.outcome = "any";
    def.detection.rules.unshift(recon);
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
  it("the definition names each bundled rule file once, in precedence order", () => {
    const def = JSON.parse(fs.readFileSync(path.join(__dirname, "../../policies/bedrock-model-access.json"), "utf8"));
    expect([...def.detection.rules].sort()).toEqual([...BUNDLED_RULES.keys()].sort());
    const files = fs.readdirSync(path.join(__dirname, "../../policies/rules")).map((f) => f.replace(/\.json$/, ""));
    expect(files.sort()).toEqual([...BUNDLED_RULES.keys()].sort());
  });

  it("a definition file elsewhere reads rules/<id>.json beside it, else the bundled rule", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "definition-"));
    try {
      const def = JSON.parse(fs.readFileSync(path.join(__dirname, "../../policies/bedrock-model-access.json"), "utf8"));
      fs.mkdirSync(path.join(dir, "rules"));
      const custom = { ...(BUNDLED_RULES.get("bedrock-guardrail-tampering") as object), severity: "critical" };
      fs.writeFileSync(path.join(dir, "rules", "bedrock-guardrail-tampering.json"), JSON.stringify(custom));
      fs.writeFileSync(path.join(dir, "definition.json"), JSON.stringify(def));
      const parsed = parseDefinition(readDefinitionFile(path.join(dir, "definition.json")));
      expect(parsed.detection.rules.find((r) => r.id === "bedrock-guardrail-tampering")?.severity).toBe("critical");
      expect(parsed.detection.rules.find((r) => r.id === "bedrock-api-key-created")?.severity).toBe("medium");
      fs.writeFileSync(
        path.join(dir, "definition.json"),
        JSON.stringify({ ...def, detection: { ...def.detection, rules: [...def.detection.rules, "no-such-rule"] } }),
      );
      expect(() => readDefinitionFile(path.join(dir, "definition.json"), "definition.json")).toThrow(
        /definition\.json is invalid:\n {2}- detection\.rules\[9\]: names no rule file \("no-such-rule"\)/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
