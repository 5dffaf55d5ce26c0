/**
 * What `detect` keeps of a record a correlation rule looks at, until the whole archive is read and
 * put in time order: the fields the engine and the finding read, not the whole record, so that an
 * archive with millions of invocations stays within memory (a few hundred bytes a record).
 */
import type { CorrelationRule } from "../../guardrail/correlation-definition";
import { selectorsOf } from "../../guardrail/correlation-definition";
import { selectorMatches } from "../match";
import type { CloudTrailRecord } from "../record";

const KEPT_FIELDS = [
  "eventID",
  "eventTime",
  "eventSource",
  "eventName",
  "errorCode",
  "awsRegion",
  "recipientAccountId",
  "sourceIPAddress",
  "userAgent",
  "userIdentity",
] as const;
/** requestParameters and additionalEventData keys the group and the finding read. */
const KEPT_KEYS = ["modelId", "callWithBearerToken", "bearerTokenType"];

function keptKeys(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of KEPT_KEYS) if (key in value) out[key] = (value as Record<string, unknown>)[key];
  return Object.keys(out).length > 0 ? out : undefined;
}

export function compactRecord(record: CloudTrailRecord): CloudTrailRecord {
  const out: CloudTrailRecord = {};
  for (const field of KEPT_FIELDS) if (record[field] !== undefined) out[field] = record[field];
  const params = keptKeys(record.requestParameters);
  if (params) out.requestParameters = params;
  const extra = keptKeys(record.additionalEventData);
  if (extra) out.additionalEventData = extra;
  return out;
}

/** Whether some correlation rule looks at the record (one of its selectors matches it). */
export function correlationWants(rules: readonly CorrelationRule[], record: CloudTrailRecord): boolean {
  return rules.some((rule) => selectorsOf(rule).some((selector) => selectorMatches(selector, record)));
}
