/**
 * The seam between the scanner and the command that scans: the interface a command's evaluator implements
 * (preview's is src/cli/preview/evaluator.ts) and detect's, which runs the guardrail's rules. Apart from the
 * scanner (scan-source.ts, record-intake.ts), which reads, frames and counts records the same for every command.
 */
import type { Guardrail } from "../../guardrail/guardrail";
import { selectorsOf } from "../../guardrail/correlation-rule";
import { packRecord, type RecordLocation } from "../correlation/compact";
import type { DetectionRule } from "../../guardrail/definition";
import { type Evaluation, evaluateRecord } from "../finding";
import type { CloudTrailRecord } from "../record";
import type { PrefilterScope } from "./prefilter";
import type { SourceResult } from "./source-result";

/**
 * What a scan does with each CloudTrail record: detect runs the rules; other readers of history
 * (preview) bring their own. `scope` is what the pre-filter lets through: a record is parsed only
 * when it names one of the sources and holds one of that source's names (any literal text works).
 */
export interface RecordEvaluator {
  readonly scope: PrefilterScope;
  /**
   * One record with string eventSource and eventName; returns why it is invalid, or undefined.
   * `location`: where its text is in an input that can be read again (a file), when known.
   */
  evaluate(record: CloudTrailRecord, result: SourceResult, location?: RecordLocation): string | undefined;
}

/** What detect's pre-filter lets through: what any rule reads, event rules' records and correlation rules' steps. */
export function detectScope(guardrail: Guardrail): PrefilterScope {
  return { rules: [...guardrail.rules, ...guardrail.correlationRules.flatMap(selectorsOf)] };
}

/**
 * detect's evaluator: the guardrail's rules, findings into result.findings, and the events of the
 * records a correlation rule reads into result.correlation for scan() to correlate.
 */
export function ruleEvaluator(guardrail: Guardrail): RecordEvaluator {
  const correlations = guardrail.correlationRules;
  const narrowed = byEvent(guardrail);
  return {
    scope: detectScope(guardrail),
    evaluate(record, result, location) {
      // Only the rules that name the record's source and name can match it (evaluateRecord checks them again).
      const candidates = narrowed.get(`${record.eventSource}\0${record.eventName}`);
      const evaluation: Evaluation = candidates ? evaluateRecord(candidates, record) : { skip: "not-matching" };
      if (correlations.length > 0) packRecord(result.correlation, correlations, record, location);
      if ("finding" in evaluation) result.findings.push(evaluation.finding);
      else if (evaluation.skip === "invalid-record") return evaluation.reason ?? "invalid record";
      return undefined;
    },
  };
}

/**
 * The guardrail with only the event rules that name one event source and event name, by `source \0 name`, each in
 * precedence order: a record's first matching rule is the same among them as among all (no other can match it), and
 * evaluateRecord need not test every rule on every record it is given (a Bedrock-heavy archive parses a fifth).
 */
function byEvent(guardrail: Guardrail): Map<string, Guardrail> {
  const rules = new Map<string, DetectionRule[]>();
  for (const rule of guardrail.rules)
    for (const name of rule.eventNames) {
      const key = `${rule.eventSource}\0${name}`;
      rules.set(key, [...(rules.get(key) ?? []), rule]);
    }
  return new Map([...rules].map(([key, list]) => [key, { ...guardrail, rules: list }]));
}
