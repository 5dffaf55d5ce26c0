/**
 * What the realtime handler accepts: only what the tool's own EventBridge rule can deliver. A
 * direct invocation (denied by the SCP to everyone but the monitor's roles, but the handler does not
 * rely on that) can hand it anything, and a forged CloudTrail record would alert and, in enforce
 * mode, plan remediation against whatever principal it names. So the event must be an EventBridge
 * envelope (version "0", an id, a Region, a 12-digit account), of the CloudTrail API-call
 * detail-type, from `aws.<service>` for a service one of the rules reads, with the record's own
 * eventSource agreeing with that source. EventBridge refuses `aws.*` sources from PutEvents, so an
 * event with such a source came from CloudTrail through a rule. Whether the account belongs to the
 * organization is checked by the handler, which can ask Organizations.
 */
import type { Guardrail } from "../../guardrail/guardrail";
import type { CloudTrailRecord } from "../record";
import { eventBridgeEventToRecord, eventBridgeSource } from "./eventbridge-pattern";

export type RealtimeEvent = { record: CloudTrailRecord; account: string } | { reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const ACCOUNT = /^\d{12}$/;

/** The record and sending account of an event the tool's rule could have delivered, or why not. Never throws. */
export function realtimeEventOf(event: unknown, guardrail: Pick<Guardrail, "eventSources">): RealtimeEvent {
  const converted = eventBridgeEventToRecord(event);
  if ("reason" in converted) return converted;
  const envelope = event as Record<string, unknown>;
  if (envelope.version !== "0") return { reason: 'not an EventBridge event (no version "0" envelope)' };
  if (typeof envelope.id !== "string" || envelope.id === "") return { reason: "not an EventBridge event (no id)" };
  if (typeof envelope.region !== "string") return { reason: "not an EventBridge event (no region)" };
  const account = envelope.account;
  if (typeof account !== "string" || !ACCOUNT.test(account))
    return { reason: `account ${JSON.stringify(account)} is not a 12-digit account id` };
  const sources = guardrail.eventSources.map(eventBridgeSource);
  if (typeof envelope.source !== "string" || !sources.includes(envelope.source))
    return { reason: `source ${JSON.stringify(envelope.source)} is none the rules read (${sources.join(", ")})` };
  const recordSource = converted.record.eventSource;
  const service = typeof recordSource === "string" ? /^([a-z0-9-]+)\.amazonaws\.com$/.exec(recordSource) : null;
  if (!service || `aws.${service[1]}` !== envelope.source)
    return {
      reason: `the record's eventSource ${JSON.stringify(recordSource)} does not match source ${envelope.source}`,
    };
  if (!isObject(converted.record.userIdentity)) return { reason: "the record has no userIdentity" };
  return { record: converted.record, account };
}
