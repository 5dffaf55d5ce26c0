/**
 * Runs the definition's own rule tests (policies/: detection.tests) through the same matcher and
 * finding builder as every backend. Pure. A failing test names the example and what happened.
 */
import type { Guardrail } from "../guardrail/guardrail";
import { evaluateRecord } from "./finding";
import { matchingRule } from "./match";

export interface RuleTestResult {
  name: string;
  expected: string | null;
  actual: string | null;
  passed: boolean;
  /** Set when a matching example could not become a finding (no eventID, bad eventTime). */
  problem?: string;
}

export function runRuleTests(guardrail: Guardrail): RuleTestResult[] {
  return guardrail.definition.detection.tests.map((test) => {
    const actual = matchingRule(guardrail, test.record)?.id ?? null;
    let problem: string | undefined;
    if (actual !== null) {
      const evaluation = evaluateRecord(guardrail, test.record);
      if ("skip" in evaluation) problem = evaluation.reason ?? evaluation.skip;
    }
    return { name: test.name, expected: test.expect, actual, passed: actual === test.expect && !problem, problem };
  });
}

export function formatRuleTests(results: RuleTestResult[]): string {
  const failed = results.filter((r) => !r.passed);
  const lines = failed.map(
    (r) =>
      `  FAIL ${r.name}: expected ${r.expected ?? "no rule"}, got ` +
      `${r.actual ?? "no rule"}${r.problem ? ` (${r.problem})` : ""}`,
  );
  return [`rule tests: ${results.length - failed.length} passed, ${failed.length} failed`, ...lines].join("\n");
}
