/**
 * The rules as one EventBridge event pattern for CloudTrail's "AWS API Call via CloudTrail" events,
 * compiled from the Guardrail, and the mapper from a delivered event back to the CloudTrail record
 * (its `detail`) so the realtime handler builds findings with `evaluateRecord`, like `detect`.
 *
 * The pattern is a top-level `$or` of branches, each one rule's source, event names, conditions and
 * one of its outcome alternatives (no nested `$or`); branches that differ only in their errorCode
 * literals are merged. Outcome, per EventBridge's content filtering: `{"exists": false}` matches a
 * missing errorCode; `""` and `null` are separate literal matches (EventBridge does not treat null
 * and "" as the same, and `exists` looks at presence, not value). Failure rules add their codes as
 * literals. A pattern cannot say "only whitespace", so an errorCode of blanks (written by some log
 * pipelines, never by CloudTrail itself, which is where EventBridge events come from) is the one
 * case the reference matcher selects and this pattern does not; the differential test pins it down.
 * Conditions become `prefix` or literal matches on the nested field.
 */
import type { DetectionRule } from "../../guardrail/definition";
import type { Guardrail } from "../../guardrail/guardrail";
import { type CloudTrailRecord, isRecordObject } from "../record";
import { BackendInputError } from "./input-error";

const CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail";

type PatternGuardrail = Pick<Guardrail, "rules">;

/** `bedrock.amazonaws.com` -> `aws.bedrock`: the `source` EventBridge gives an AWS service's CloudTrail events. */
export function eventBridgeSource(eventSource: string): string {
  const m = /^([a-z0-9-]+)\.amazonaws\.com$/.exec(eventSource);
  if (!m)
    throw new BackendInputError(
      "eventSource",
      `${JSON.stringify(eventSource)} is not an AWS service endpoint such as bedrock.amazonaws.com`,
    );
  return `aws.${m[1]}`;
}

type ErrorCodeMatcher = Array<string | null | { exists: false }>;
type FieldMatcher = Array<string | { prefix: string }>;

/** One branch of the pattern: a rule's events, conditions and one outcome alternative. */
interface PatternBranch {
  source: string[];
  detail: {
    eventSource: string[];
    eventName: string[];
    errorCode?: ErrorCodeMatcher;
    [conditionParent: string]: string[] | ErrorCodeMatcher | Record<string, FieldMatcher> | undefined;
  };
}

export interface EventPattern {
  "detail-type": string[];
  /** Two or more branches; a single branch is written out at the top level instead. */
  $or?: PatternBranch[];
  source?: string[];
  detail?: PatternBranch["detail"];
}

/** The rule's branches: one per outcome alternative (success has two: absent, and "" or null). */
function ruleBranches(rule: DetectionRule): PatternBranch[] {
  const detail: PatternBranch["detail"] = { eventSource: [rule.eventSource], eventName: [...rule.eventNames] };
  for (const [i, c] of rule.where.entries()) {
    const [parent, field] = c.field.split(".");
    const node = (detail[parent] ?? {}) as Record<string, FieldMatcher>;
    if (node[field])
      throw new BackendInputError(`rule ${rule.id} where[${i}]`, `tests ${c.field} twice, which a pattern cannot AND`);
    node[field] = "equals" in c ? [...c.equals] : [{ prefix: c.startsWith }];
    detail[parent] = node;
  }
  const branch = (errorCode?: ErrorCodeMatcher): PatternBranch => ({
    source: [eventBridgeSource(rule.eventSource)],
    detail: errorCode ? { ...detail, errorCode } : { ...detail },
  });
  if (rule.outcome === "any") return [branch()];
  if (rule.outcome === "success") return [branch([{ exists: false }]), branch(["", null])];
  const codes = rule.errorCodes ?? [];
  if (codes.length === 0) throw new BackendInputError(`rule ${rule.id}`, "is a failure rule without errorCodes");
  return [branch([...codes])];
}

const isLiteralList = (m: ErrorCodeMatcher | undefined): m is Array<string | null> =>
  Array.isArray(m) && m.every((v) => v === null || typeof v === "string");

export function buildEventPattern(guardrail: PatternGuardrail): EventPattern {
  if (guardrail.rules.length === 0) throw new BackendInputError("guardrail", "has no rules to match");
  // Merge branches that differ only in literal errorCode lists (the seed's success and denied rules).
  const merged = new Map<string, PatternBranch>();
  for (const b of guardrail.rules.flatMap(ruleBranches)) {
    const { errorCode, ...rest } = b.detail;
    const key = JSON.stringify([b.source, rest, isLiteralList(errorCode) ? "literals" : (errorCode ?? "any")]);
    const seen = merged.get(key);
    if (seen && isLiteralList(seen.detail.errorCode) && isLiteralList(errorCode)) {
      seen.detail.errorCode = [...new Set([...seen.detail.errorCode, ...errorCode])];
    } else if (!seen) merged.set(key, b);
  }
  const branches = [...merged.values()];
  const detailType = [CLOUDTRAIL_DETAIL_TYPE];
  if (branches.length === 1)
    return { source: branches[0].source, "detail-type": detailType, detail: branches[0].detail };
  return { "detail-type": detailType, $or: branches };
}

export type EventToRecord = { record: CloudTrailRecord } | { reason: string };

/** The CloudTrail record inside an EventBridge event, or why there is none. Never throws. */
export function eventBridgeEventToRecord(event: unknown): EventToRecord {
  if (!isRecordObject(event)) return { reason: "event is not a JSON object" };
  if (event["detail-type"] !== CLOUDTRAIL_DETAIL_TYPE)
    return { reason: `detail-type is ${JSON.stringify(event["detail-type"])}, not "${CLOUDTRAIL_DETAIL_TYPE}"` };
  const detail = event.detail;
  if (!isRecordObject(detail)) return { reason: "event has no detail object" };
  return { record: detail };
}
