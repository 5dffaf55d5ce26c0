/**
 * The rule, as a pure predicate over one record. This is the reference semantics: the CloudTrail
 * Lake SQL, the Logs Insights query and the EventBridge pattern are compiled from the same
 * Guardrail and are tested to select exactly the records this function selects.
 */
import type { DetectionRule } from "../guardrail/definition";
import type { Guardrail } from "../guardrail/guardrail";
import { asString, type CloudTrailRecord } from "./record";

/** CloudTrail writes no errorCode on success; some pipelines write an empty or blank one. */
export function isSuccess(record: CloudTrailRecord): boolean {
  const code = record.errorCode;
  return code === undefined || code === null || (typeof code === "string" && code.trim() === "");
}

export function isGuardedEvent(
  guardrail: Pick<Guardrail, "eventSource" | "eventNames">,
  record: CloudTrailRecord,
): boolean {
  const name = asString(record.eventName);
  return record.eventSource === guardrail.eventSource && name !== undefined && guardrail.eventNames.includes(name);
}

export function ruleMatches(
  rule: DetectionRule,
  guardrail: Pick<Guardrail, "eventSource" | "eventNames">,
  record: CloudTrailRecord,
): boolean {
  if (!isGuardedEvent(guardrail, record)) return false;
  if (rule.outcome === "success") return isSuccess(record);
  return typeof record.errorCode === "string" && (rule.errorCodes ?? []).includes(record.errorCode);
}

/** The first rule (in definition order) that the record matches, if any. */
export function matchingRule(
  guardrail: Pick<Guardrail, "eventSource" | "eventNames" | "rules">,
  record: CloudTrailRecord,
): DetectionRule | undefined {
  return guardrail.rules.find((rule) => ruleMatches(rule, guardrail, record));
}
