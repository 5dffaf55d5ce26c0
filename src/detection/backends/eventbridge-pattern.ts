/**
 * The rule as an EventBridge event pattern for CloudTrail's "AWS API Call via CloudTrail" events,
 * compiled from the Guardrail, and the mapper from a delivered event back to the CloudTrail record
 * (its `detail`) so the realtime handler builds findings with `evaluateRecord`, like `detect`.
 *
 * Outcome, per EventBridge's content filtering: `{"exists": false}` matches a missing errorCode;
 * `""` and `null` are separate literal matches (EventBridge does not treat null and "" as the same,
 * and `exists` looks at presence, not value). Failure rules add their codes as literals. A pattern
 * cannot say "only whitespace", so an errorCode of blanks (written by some log pipelines, never by
 * CloudTrail itself, which is where EventBridge events come from) is the one case the reference
 * matcher selects and this pattern does not; the differential test pins that down.
 */
import type { Guardrail } from "../../guardrail/guardrail";
import { type CloudTrailRecord, isRecordObject } from "../record";
import { BackendInputError } from "./input-error";

export const CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail";

type PatternGuardrail = Pick<Guardrail, "eventSource" | "eventNames" | "rules">;

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

export interface EventPattern {
  source: string[];
  "detail-type": string[];
  detail: {
    eventSource: string[];
    eventName: string[];
    $or: Array<{ errorCode: Array<string | null | { exists: false }> }>;
  };
}

export function buildEventPattern(guardrail: PatternGuardrail): EventPattern {
  if (guardrail.eventNames.length === 0) throw new BackendInputError("guardrail", "has no event names to match");
  const success = guardrail.rules.some((r) => r.outcome === "success");
  const failureCodes = [
    ...new Set(guardrail.rules.flatMap((r) => (r.outcome === "failure" ? (r.errorCodes ?? []) : []))),
  ];
  // `$or` needs two or more branches; the success rule always contributes two (absent; "" or null).
  const branches: EventPattern["detail"]["$or"] = [];
  if (success) branches.push({ errorCode: [{ exists: false }] });
  const literals: Array<string | null> = [...(success ? ["", null] : []), ...failureCodes];
  if (literals.length > 0) branches.push({ errorCode: literals });
  if (branches.length < 2) {
    throw new BackendInputError("guardrail", "rules must include the success rule to build an EventBridge pattern");
  }
  return {
    source: [eventBridgeSource(guardrail.eventSource)],
    "detail-type": [CLOUDTRAIL_DETAIL_TYPE],
    detail: {
      eventSource: [guardrail.eventSource],
      eventName: [...guardrail.eventNames],
      $or: branches,
    },
  };
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
