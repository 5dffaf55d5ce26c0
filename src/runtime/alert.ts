/**
 * What an alert says. Pure. The SNS body is the ECS-shaped finding as JSON (Elastic and other
 * SIEMs ingest it as is); e-mail subscribers get a text an on-call responder can act on instead
 * (SNS per-protocol messages); the subject is a one-line summary, at most 100 characters (the SNS
 * limit), ASCII without control characters (SNS rejects them).
 */
import type { Finding } from "../detection/finding";
import { printable } from "../detection/printable";

const SUBJECT_MAX = 100;
const BODY_MAX_BYTES = 256 * 1024;

export function cleanSubject(text: string): string {
  // SNS subjects: printable ASCII, no line breaks, must not begin with a space.
  const ascii = text
    .replace(/[^\x20-\x7e]/g, "?")
    .replace(/\s+/g, " ")
    .trim();
  return ascii.length <= SUBJECT_MAX ? ascii : `${ascii.slice(0, SUBJECT_MAX - 3)}...`;
}

/** e.g. "[medium] Bedrock model access: CreateFoundationModelAgreement by test-role in 494659789341". */
export function findingSubject(f: Finding): string {
  const who = f.user.name ?? f.guardrail.actor ?? f.guardrail.principal_kind;
  const denied = f.event.outcome === "failure" ? " (denied)" : "";
  return cleanSubject(
    `[${f.guardrail.severity}] Bedrock model access${denied}: ${f.event.action} by ${who} in ` +
      `${f.cloud.account.id ?? "unknown account"}`,
  );
}

/** The JSON body; a request_parameters blob too large for SNS is replaced by a note (never the whole alert dropped). */
export function findingBody(f: Finding): string {
  const body = JSON.stringify(f);
  if (Buffer.byteLength(body, "utf8") <= BODY_MAX_BYTES) return body;
  const trimmed: Finding = {
    ...f,
    aws: {
      cloudtrail: {
        ...f.aws.cloudtrail,
        request_parameters: { truncated: `request parameters too large for SNS; see CloudTrail event ${f.event.id}` },
      },
    },
  };
  return JSON.stringify(trimmed);
}

/** Message attributes subscribers can filter on (SNS filter policies). */
export function findingAttributes(f: Finding): Record<string, string> {
  return {
    kind: "finding",
    severity: f.guardrail.severity,
    rule: f.rule.id,
    eventId: f.event.id,
    account: f.cloud.account.id ?? "unknown",
  };
}

/** `aws ...` CLI arguments are quoted only when they need it, so the commands paste into a shell. */
const shellArg = (v: string) => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, "'\\''")}'`);

/** Where the response comes from: none for a denied call or an alert-only finding (`alertOnly`), else a follow-up. */
function responseLine(denied: boolean, alertOnly: string | undefined): string {
  if (denied) return "Response: the guardrail SCP denied this attempt; no remediation runs for denied attempts.";
  if (alertOnly !== undefined)
    return `Response: no remediation runs for this finding (${alertOnly}): what to do is yours, from the checks above.`;
  return (
    'Response: if remediation is on for this account, a follow-up message ("bedrock-guardrail remediation: ...") ' +
    "lists each planned or performed action, the manual steps and undo commands."
  );
}

/**
 * The e-mail text: what happened, who and where, what to check first (ready-to-run commands), and
 * where the response comes from (`response.alertOnly`: why none will, so nobody waits for a
 * follow-up). The JSON finding follows for reference. Each line is printable: a value the caller of
 * the API chose (a model id, a user agent) cannot start a line of its own (a fake "Response:") or
 * send a terminal that shows the mail an escape sequence.
 */
export function findingEmailText(f: Finding, response: { alertOnly?: string } = {}): string {
  const g = f.guardrail;
  const ui = f.aws.cloudtrail.user_identity;
  const region = f.cloud.region ?? "us-east-1";
  const denied = f.event.outcome === "failure";
  const c = g.correlation;
  // A correlation rule's finding: what the credential did is looked up from its first cited event on.
  const since = c?.first_time ?? f["@timestamp"];
  const lines = [
    f.message,
    "",
    `What:      ${f.event.action}${g.model_id ? ` for model ${g.model_id}` : ""} ` +
      `(${denied ? `denied: ${f.event.error_code ?? "error"}` : "succeeded"})`,
    `When:      ${since}`,
    `Where:     account ${f.cloud.account.id ?? "unknown"}, region ${region}`,
    `Who:       ${g.principal_arn ?? ui.arn ?? g.actor ?? "unknown principal"} ` +
      `(${g.principal_kind}${g.exemption === "tool" ? ", this tool's own role" : ""})`,
    `Session:   ${ui.arn ?? "-"}`,
    `Key:       ${ui.access_key_id ?? "-"} (${g.credential_kind})`,
    `From:      ${f.source.address ?? "-"}  ${f.user_agent.original ?? ""}`.trimEnd(),
    `Event:     ${f.event.id}  rule ${f.rule.id} (${g.severity}, risk ${f.event.risk_score}; ${f.rule.threat.tactic} ` +
      `/ ${f.rule.threat.technique})`,
  ];
  if (c) {
    lines.push(
      `Events:    ${c.event_count} from ${c.first_time} to ${c.last_time} (${c.kind}, ${c.group})`,
      `Event IDs: ${c.event_ids.join(" ")}`,
    );
    if (c.values) lines.push(`Values:    ${c.values.join(", ")}`);
  }
  if (g.note) lines.push(`Note:      ${g.note}`);
  lines.push("", "Check first:");
  if (ui.access_key_id) {
    lines.push(
      "- Everything this key did since (CloudTrail event history, 90 days, per region):",
      `  aws cloudtrail lookup-events --region ${shellArg(region)} --lookup-attributes ` +
        `AttributeKey=AccessKeyId,AttributeValue=${shellArg(ui.access_key_id)} --start-time ${shellArg(since)}`,
    );
  }
  lines.push(
    "- Model invocations (InvokeModel*, Converse*) by the same principal after this event, in every region: the cost " +
      "of LLMjacking is there.",
    "- New IAM users, access keys or roles created by the same principal (persistence), and whether model invocation " +
      "logging was turned off (DeleteModelInvocationLoggingConfiguration).",
    "- Whether the change was planned: ask the owner of the principal.",
    "",
    responseLine(denied, response.alertOnly),
    "",
    "Finding (ECS JSON):",
    findingBody(f),
  );
  return lines.map(printable).join("\n");
}
