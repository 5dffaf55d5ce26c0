/**
 * Runs every rule's own examples (policies/rules/<id>.json: tests) through the same matcher and
 * finding builder as every backend. Pure. A positive example passes when the rule matches it, the
 * whole rule set attributes it to this rule (first match wins) and it becomes a finding; a negative
 * one passes when the rule does not match it. A failing test names the example and what happened.
 */
import type { CorrelationRule, HistoryTest } from "../guardrail/correlation-definition";
import { type Guardrail, withEveryRule } from "../guardrail/guardrail";
import { correlate } from "./correlation/engine";
import { correlationFinding } from "./correlation/finding";
import { evaluateRecord } from "./finding";
import { matchingRule, ruleMatches } from "./match";

export interface RuleTestResult {
  rule: string;
  name: string;
  /** Whether the rule must match the example. */
  expected: boolean;
  /** Whether it does. */
  matched: boolean;
  /** The rule the whole rule set attributes the example to (null: none). */
  attributedTo: string | null;
  passed: boolean;
  /** Why a positive example failed although the rule matched (another rule first, no eventID, bad eventTime). */
  problem?: string;
}

/** An example's result: it passes when the rule matches exactly when the example expects it to, without a problem. */
function result(
  rule: { id: string },
  test: { name: string; expect: boolean },
  matched: boolean,
  attributedTo: string | null,
  problem: string | undefined,
): RuleTestResult {
  return {
    rule: rule.id,
    name: test.name,
    expected: test.expect,
    matched,
    attributedTo,
    passed: matched === test.expect && !problem,
    ...(problem ? { problem } : {}),
  };
}

/**
 * A correlation rule's example: its history through the engine (this rule alone), and a finding
 * built from what fired. It passes when the rule fires exactly when the example expects it to.
 */
function runHistoryTest(guardrail: Guardrail, rule: CorrelationRule, test: HistoryTest): RuleTestResult {
  const learnUntilMs = test.learnUntil === undefined ? undefined : Date.parse(test.learnUntil);
  const fired = correlate([rule], test.history, { learnUntilMs });
  const matched = fired.length > 0;
  let problem: string | undefined;
  if (matched) {
    const finding = correlationFinding(guardrail, fired[0]);
    if (finding.rule.id !== rule.id) problem = `the finding carries ${finding.rule.id}`;
  }
  return result(rule, test, matched, matched ? rule.id : null, problem);
}

/** Every rule's examples, a disabled rule's too (its examples are its spec), against the whole rule set. */
export function runRuleTests(configured: Guardrail): RuleTestResult[] {
  const guardrail = withEveryRule(configured);
  return [
    ...eventRuleTests(guardrail),
    ...guardrail.correlationRules.flatMap((rule) => rule.tests.map((test) => runHistoryTest(guardrail, rule, test))),
  ];
}

function eventRuleTests(guardrail: Guardrail): RuleTestResult[] {
  return guardrail.rules.flatMap((rule) =>
    rule.tests.map((test) => {
      const matched = ruleMatches(rule, test.record);
      const attributedTo = matchingRule(guardrail, test.record)?.id ?? null;
      let problem: string | undefined;
      if (test.expect && matched) {
        if (attributedTo !== rule.id) problem = `the rule set reports it as ${attributedTo} (an earlier rule)`;
        else {
          const evaluation = evaluateRecord(guardrail, test.record);
          if ("skip" in evaluation) problem = evaluation.reason ?? evaluation.skip;
        }
      }
      return result(rule, test, matched, attributedTo, problem);
    }),
  );
}

/** Every rule with its examples' results: one line per rule, then one per failing example. */
export function formatRuleTests(
  guardrail: Pick<Guardrail, "rules" | "correlationRules" | "disabled">,
  results: RuleTestResult[],
): string {
  const failed = results.filter((r) => !r.passed);
  const { disabled } = guardrail;
  const off = new Set([...disabled.rules, ...disabled.correlationRules].map((r) => r.id));
  const inOrder = <T extends { precedence: number }>(list: T[]) => list.sort((a, b) => a.precedence - b.precedence);
  const rules = [
    ...inOrder([...guardrail.rules, ...disabled.rules]),
    ...inOrder([...guardrail.correlationRules, ...disabled.correlationRules]),
  ];
  const width = Math.max(...rules.map((r) => r.id.length));
  const lines = rules.map((rule) => {
    const mine = results.filter((r) => r.rule === rule.id);
    const ok = mine.filter((r) => r.passed).length;
    const positives = mine.filter((r) => r.expected).length;
    const counts = `(${positives} match, ${mine.length - positives} do not)`;
    const state = off.has(rule.id) ? " (disabled by detection.disabledRules)" : "";
    const passing = `${ok}/${mine.length} examples pass`;
    return `  ${rule.id.padEnd(width)}  ${rule.severity.padEnd(8)} ${passing} ${counts}${state}`;
  });
  const failures = failed.map((r) => `  FAIL ${failureText(r)}`);
  return [
    `rules: ${rules.length}${off.size > 0 ? ` (${off.size} disabled)` : ""}; ` +
      `rule tests: ${results.length - failed.length} passed, ${failed.length} failed`,
    ...lines,
    ...failures,
  ].join("\n");
}

/** A failing example: `<rule>: <example>: expected a match, got no match` (and why, when the rule matched). */
function failureText(r: RuleTestResult): string {
  const says = (matched: boolean) => (matched ? "a match" : "no match");
  const why = r.problem ? ` (${r.problem})` : "";
  return `${r.rule}: ${r.name}: expected ${says(r.expected)}, got ${says(r.matched)}${why}`;
}

/**
 * One line per failing example of the guardrail's rules (`rule test failed: <rule>: <example>: ...`), for the
 * commands that refuse such a definition without printing the whole report as check does (policy, synth).
 */
export function failedRuleTestLines(guardrail: Guardrail): string[] {
  return ruleTestFailureLines(runRuleTests(guardrail));
}

/** The lines of failedRuleTestLines, from results already run. */
export function ruleTestFailureLines(results: readonly RuleTestResult[]): string[] {
  return results.filter((r) => !r.passed).map((r) => `rule test failed: ${failureText(r)}`);
}
