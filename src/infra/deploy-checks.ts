/**
 * What stops a guardrail from being deployed, checked the same way wherever it is synthesized (the
 * app's synth, src/infra/synth.ts, and the library's constructs, construct-props.ts): the SCP lint
 * (with each rule the monitor does not run, or not in real time, among its warnings), the rules'
 * own examples, and the real-time path's patterns against AWS's pattern size quota.
 */
import { eventPatternProblems } from "../detection/backends/eventbridge-pattern";
import { monitorGaps } from "../detection/backends/monitor-gaps";
import { failedRuleTestLines } from "../detection/rule-tests";
import type { Guardrail } from "../guardrail/guardrail";
import { type LintResult, lintScp } from "../policy/lint";

export interface DeployChecks {
  lint: LintResult;
  /** Besides the lint's errors: failing rule examples, patterns that cannot fit. Any of them stops the deploy. */
  problems: string[];
}

export function deployChecks(guardrail: Guardrail): DeployChecks {
  const lint = lintScp(guardrail, { rulesOffMonitor: monitorGaps(guardrail) });
  return { lint, problems: [...failedRuleTestLines(guardrail), ...eventPatternProblems(guardrail)] };
}
