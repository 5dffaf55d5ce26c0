/**
 * The rules, as pure predicates over one record. This is the reference semantics: the CloudTrail
 * Lake SQL, the Logs Insights query and the EventBridge pattern are compiled from the same
 * Guardrail and are tested to select exactly the records these functions select.
 */
import { conditionKind, whereAlternatives } from "../guardrail/condition-kind";
import type { Condition, ConditionField, DetectionRule, EventSelector, WhereEntry } from "../guardrail/definition";
import type { Guardrail } from "../guardrail/guardrail";
import { asString, type CloudTrailRecord } from "./record";

/** CloudTrail writes no errorCode on success; some pipelines write an empty or blank one. */
export function isSuccess(record: CloudTrailRecord): boolean {
  const code = record.errorCode;
  return code === undefined || code === null || (typeof code === "string" && code.trim() === "");
}

/** The JSON value at a condition field's path: undefined when a step is missing or not an object. */
function fieldValue(record: CloudTrailRecord, field: ConditionField): unknown {
  let node: unknown = record;
  for (const key of field.split(".")) {
    if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The value of a condition field: a non-empty string, else undefined (missing, null, other types). */
export function conditionFieldValue(record: CloudTrailRecord, field: ConditionField): string | undefined {
  return asString(fieldValue(record, field));
}

export function conditionHolds(condition: Condition, record: CloudTrailRecord): boolean {
  const c = conditionKind(condition);
  switch (c.kind) {
    case "equals": {
      const value = conditionFieldValue(record, condition.field);
      if (value === undefined) return false;
      return c.ignoreCase ? c.values.some((v) => v.toLowerCase() === value.toLowerCase()) : c.values.includes(value);
    }
    case "startsWith": {
      const value = conditionFieldValue(record, condition.field);
      if (value === undefined) return false;
      return c.ignoreCase ? value.toLowerCase().startsWith(c.prefix.toLowerCase()) : value.startsWith(c.prefix);
    }
    case "is": {
      const value = fieldValue(record, condition.field);
      return value === c.value || value === String(c.value);
    }
    case "exists": {
      const value = fieldValue(record, condition.field);
      return (value !== undefined && value !== null) === c.value;
    }
  }
}

/** A where entry holds: its condition, or every condition of one of its anyOf's lists. */
function whereEntryHolds(entry: WhereEntry, record: CloudTrailRecord): boolean {
  return whereAlternatives(entry).some((list) => list.every((c) => conditionHolds(c, record)));
}

/** The record is one of the rule's events: its event source and one of its event names. */
function isRuleEvent(rule: Pick<DetectionRule, "eventSource" | "eventNames">, record: CloudTrailRecord): boolean {
  const name = asString(record.eventName);
  return record.eventSource === rule.eventSource && name !== undefined && rule.eventNames.includes(name);
}

export function outcomeMatches(rule: Pick<DetectionRule, "outcome" | "errorCodes">, record: CloudTrailRecord): boolean {
  if (rule.outcome === "any") return true;
  if (rule.outcome === "success") return isSuccess(record);
  return typeof record.errorCode === "string" && (rule.errorCodes ?? []).includes(record.errorCode);
}

export function ruleMatches(rule: DetectionRule, record: CloudTrailRecord): boolean {
  return selectorMatches(rule, record);
}

/** An event rule's match, or one selector of a correlation rule's. */
export function selectorMatches(rule: EventSelector, record: CloudTrailRecord): boolean {
  return (
    isRuleEvent(rule, record) &&
    outcomeMatches(rule, record) &&
    rule.where.every((entry) => whereEntryHolds(entry, record))
  );
}

/** True when some rule of the guardrail watches the record's event source and name (outcome aside). */
export function isGuardedEvent(guardrail: Pick<Guardrail, "rules">, record: CloudTrailRecord): boolean {
  return guardrail.rules.some((rule) => isRuleEvent(rule, record));
}

/**
 * The first rule (in precedence order) that the record matches, if any. A disabled rule (detection.disabledRules)
 * still takes the records it matches before a running rule: they make no finding, rather than become that later
 * rule's (the low half of a severity pair, disabled, would otherwise turn benign records into the high half's).
 */
export function matchingRule(
  guardrail: Pick<Guardrail, "rules"> & { disabled?: Pick<Guardrail, "rules"> },
  record: CloudTrailRecord,
): DetectionRule | undefined {
  const rule = guardrail.rules.find((r) => ruleMatches(r, record));
  const disabled = guardrail.disabled?.rules.find((r) => ruleMatches(r, record));
  return disabled && (!rule || disabled.precedence < rule.precedence) ? undefined : rule;
}
