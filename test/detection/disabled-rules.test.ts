/**
 * detection.disabledRules: compileGuardrail leaves a disabled rule out of what every backend runs, refuses an
 * unknown id and the primary rule, and a disabled rule still takes the records it matches first, so disabling the
 * low half of a severity pair silences those records instead of making them the high half's findings.
 */
import { buildAthenaQuery } from "../../src/detection/backends/athena-sql";
import { buildEventPattern } from "../../src/detection/backends/eventbridge-pattern";
import { buildLakeQuery } from "../../src/detection/backends/lake-sql";
import { buildLogsInsightsQuery } from "../../src/detection/backends/logs-insights";
import { evaluateRecord } from "../../src/detection/finding";
import { formatRuleTests, runRuleTests } from "../../src/detection/rule-tests";
import type { Guardrail } from "../../src/guardrail/guardrail";
import { selectRules } from "../../src/guardrail/guardrail";
import { lintScp } from "../../src/policy/lint";
import { guardrailFrom } from "../support/fixtures";

const disabling = (...ids: string[]) => guardrailFrom({ detection: { disabledRules: ids } });
const WINDOW = { start: "2025-01-01T00:00:00Z", end: "2025-01-01T01:00:00Z" };
/** Every backend's query (or pattern) of the guardrail's event rules, as text. */
const backends: Record<string, (g: Guardrail) => string> = {
  "CloudTrail Lake SQL": (g) => buildLakeQuery(g, { eventDataStore: "eds-1", ...WINDOW }),
  "Athena SQL": (g) => buildAthenaQuery(g, { table: "db.cloudtrail", ...WINDOW }),
  "Logs Insights query": (g) => buildLogsInsightsQuery(g),
  "EventBridge pattern": (g) => JSON.stringify(buildEventPattern(g)),
};
/** The positive examples of a rule of the definition: the records it is written to report. */
const positives = (g: Guardrail, id: string) =>
  [...g.rules, ...g.disabled.rules]
    .find((r) => r.id === id)!
    .tests.filter((t) => t.expect)
    .map((t) => t.record);
const findingRule = (g: Guardrail, record: Parameters<typeof evaluateRecord>[1]) => {
  const e = evaluateRecord(g, record);
  return "finding" in e ? e.finding.rule.id : e.skip;
};

describe("detection.disabledRules", () => {
  it("an empty list or none compiles the same rule set", () => {
    const none = guardrailFrom();
    expect(disabling().rules).toEqual(none.rules);
    expect(disabling().correlationRules).toEqual(none.correlationRules);
    expect(none.disabled).toEqual({ rules: [], correlationRules: [] });
  });

  it("refuses an unknown id, naming it and the rules, and the primary rule, saying why, in one line each", () => {
    const invalid = String.raw`^the config is invalid:\n {2}- detection\.disabledRules`;
    expect(() => disabling("bedrock-guardrail-tamperin")).toThrow(
      new RegExp(
        `${invalid}\\[0\\]: no rule "bedrock-guardrail-tamperin" ` +
          String.raw`\(rules: bedrock-model-access-enabled, [^\n]*bedrock-model-first-use\)$`,
      ),
    );
    expect(() => disabling("bedrock-guardrail-tampering", "bedrock-model-access-enabled")).toThrow(
      new RegExp(
        `${invalid}\\[1\\]: "bedrock-model-access-enabled" is the guardrail's primary rule ` +
          "[^\\n]*: it cannot be disabled$",
      ),
    );
    expect(() => disabling("bedrock-guardrail-tampering", "bedrock-guardrail-tampering")).toThrow(
      new RegExp(
        `${invalid}\\[1\\]: "bedrock-guardrail-tampering" is listed already, at detection\\.disabledRules\\[0\\]$`,
      ),
    );
  });

  it.each(Object.entries(backends))("the %s leaves a disabled rule's events out", (_name, build) => {
    // DeleteFoundationModelAgreement is bedrock-model-agreement-deleted's event alone.
    expect(build(guardrailFrom())).toContain("DeleteFoundationModelAgreement");
    const g = disabling("bedrock-model-agreement-deleted");
    expect(g.rules.map((r) => r.id)).not.toContain("bedrock-model-agreement-deleted");
    expect(g.eventNames).not.toContain("DeleteFoundationModelAgreement");
    expect(build(g)).not.toContain("DeleteFoundationModelAgreement");
  });

  it("a disabled correlation rule is not correlated, the event rules unchanged", () => {
    const g = disabling("bedrock-invocation-probing");
    expect(g.correlationRules.map((r) => r.id)).not.toContain("bedrock-invocation-probing");
    expect(g.disabled.correlationRules.map((r) => r.id)).toEqual(["bedrock-invocation-probing"]);
    expect(g.rules).toEqual(guardrailFrom().rules);
  });

  it("the low half of a severity pair disabled: its records make no finding, not the high half's", () => {
    const all = guardrailFrom();
    const kept = positives(all, "bedrock-invocation-logging-kept-on-s3");
    const tampering = positives(all, "bedrock-invocation-logging-tampering");
    expect(kept.map((r) => findingRule(all, r))).toEqual(kept.map(() => "bedrock-invocation-logging-kept-on-s3"));
    const g = disabling("bedrock-invocation-logging-kept-on-s3");
    expect(kept.map((r) => findingRule(g, r))).toEqual(kept.map(() => "not-matching"));
    expect(tampering.map((r) => findingRule(g, r))).toEqual(
      tampering.map(() => "bedrock-invocation-logging-tampering"),
    );
  });

  it("the high half disabled: the low half keeps its records, the others make no finding", () => {
    const all = guardrailFrom();
    const g = disabling("bedrock-invocation-logging-tampering");
    const kept = positives(all, "bedrock-invocation-logging-kept-on-s3");
    expect(kept.map((r) => findingRule(g, r))).toEqual(kept.map(() => "bedrock-invocation-logging-kept-on-s3"));
    const tampering = positives(all, "bedrock-invocation-logging-tampering");
    expect(tampering.map((r) => findingRule(g, r))).toEqual(tampering.map(() => "not-matching"));
  });

  it("a disabled rule's examples still run and pass, and the report says it is disabled", () => {
    const g = disabling("bedrock-guardrail-tampering", "bedrock-invocation-probing");
    const results = runRuleTests(g);
    expect(results).toEqual(runRuleTests(guardrailFrom()));
    expect(results.filter((r) => r.rule === "bedrock-guardrail-tampering").length).toBeGreaterThan(0);
    expect(results.every((r) => r.passed)).toBe(true);
    const report = formatRuleTests(g, results);
    expect(report).toMatch(/^rules: 21 \(2 disabled\); rule tests: \d+ passed, 0 failed\n/);
    expect(report).toMatch(/\n {2}bedrock-guardrail-tampering +medium .*\(disabled by detection\.disabledRules\)\n/);
    expect(report).toMatch(/\n {2}bedrock-invocation-probing +medium .*\(disabled by detection\.disabledRules\)/);
    expect(formatRuleTests(guardrailFrom(), results)).not.toContain("disabled");
  });

  it("--rule naming a disabled rule is one line saying so", () => {
    expect(() => selectRules(disabling("bedrock-guardrail-tampering"), ["bedrock-guardrail-tampering"])).toThrow(
      /^--rule: bedrock-guardrail-tampering is disabled by the config's detection\.disabledRules$/,
    );
  });

  it("warns when a disabled rule's event is one the SCP does not stop, not when the SCP denies it", () => {
    const warnings = (g: Guardrail) =>
      lintScp(g)
        .findings.filter((f) => f.code === "disabled-rule-not-prevented")
        .map((f) => f.message);
    expect(warnings(guardrailFrom())).toEqual([]);
    expect(warnings(disabling("bedrock-api-key-created"))).toEqual([]);
    expect(warnings(disabling("bedrock-guardrail-tampering", "bedrock-invocation-logging-kept-on-s3"))).toEqual([
      "detection.disabledRules: bedrock-invocation-logging-kept-on-s3 is disabled and the SCP does not stop its " +
        "event (none yet): the organization no longer sees it",
      "detection.disabledRules: bedrock-guardrail-tampering is disabled and the SCP does not stop its event (none): " +
        "the organization no longer sees it",
    ]);
  });
});
