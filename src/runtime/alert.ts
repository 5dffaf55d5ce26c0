/**
 * What an alert says. Pure. The SNS body is the ECS-shaped finding as JSON (Elastic and other
 * SIEMs ingest it as is); the subject is a one-line summary for e-mail readers, at most 100
 * characters (the SNS limit), ASCII without control characters (SNS rejects them).
 */
import { Finding } from "../detection/finding";

export const SUBJECT_MAX = 100;
export const BODY_MAX_BYTES = 256 * 1024;

export function cleanSubject(text: string): string {
  // SNS subjects: printable ASCII, no line breaks, must not begin with a space.
  const ascii = text.replace(/[^\x20-\x7e]/g, "?").replace(/\s+/g, " ").trim();
  return ascii.length <= SUBJECT_MAX ? ascii : `${ascii.slice(0, SUBJECT_MAX - 3)}...`;
}

/** e.g. "[medium] Bedrock model access: CreateFoundationModelAgreement by test-role in 494659789341". */
export function findingSubject(f: Finding): string {
  const who = f.user.name ?? f.guardrail.principal_kind;
  const denied = f.event.outcome === "failure" ? " (denied)" : "";
  return cleanSubject(`[${f.guardrail.severity}] Bedrock model access${denied}: ${f.event.action} by ${who} in ${f.cloud.account.id ?? "unknown account"}`);
}

/** The JSON body; a request_parameters blob too large for SNS is replaced by a note (never the whole alert dropped). */
export function findingBody(f: Finding): string {
  const body = JSON.stringify(f);
  if (Buffer.byteLength(body, "utf8") <= BODY_MAX_BYTES) return body;
  const trimmed: Finding = { ...f, aws: { cloudtrail: { ...f.aws.cloudtrail, request_parameters: { truncated: "request parameters too large for SNS; see CloudTrail event " + f.event.id } } } };
  return JSON.stringify(trimmed);
}

/** Message attributes subscribers can filter on (SNS filter policies). */
export function findingAttributes(f: Finding): Record<string, string> {
  return { kind: "finding", severity: f.guardrail.severity, rule: f.rule.id, eventId: f.event.id, account: f.cloud.account.id ?? "unknown" };
}
