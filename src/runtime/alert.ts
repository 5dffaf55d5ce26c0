/**
 * What an alert says. Pure. The SNS body is the ECS-shaped finding as JSON (Elastic and other
 * SIEMs ingest it as is); e-mail subscribers get a text an on-call responder can act on instead
 * (SNS per-protocol messages); the subject is a one-line summary, at most 100 characters (the SNS
 * limit), ASCII without control characters (SNS rejects them).
 */
import type { CorrelationFields, Finding } from "../detection/finding";
import { printable } from "../errors/printable";

const SUBJECT_MAX = 100;
const BODY_MAX_BYTES = 256 * 1024;
/** Event ids the e-mail lists (the JSON after it cites the rest): a threshold rule may count thousands. */
const EMAIL_EVENT_IDS = 25;

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

/**
 * The JSON body, within what SNS takes (never the whole alert dropped): a request_parameters blob too
 * large is replaced by a note; then a correlation's cited events and counted values, which a rule with
 * a high threshold makes long, are cut to the first that fit, the number left out said beside them
 * (event_count still gives the total; `hunt` lists them all).
 */
export function findingBody(f: Finding): string {
  const body = JSON.stringify(f);
  if (fits(body)) return body;
  const trimmed: Finding = {
    ...f,
    aws: {
      cloudtrail: {
        ...f.aws.cloudtrail,
        request_parameters: { truncated: `request parameters too large for SNS; see CloudTrail event ${f.event.id}` },
      },
    },
  };
  const c = trimmed.guardrail.correlation;
  if (fits(JSON.stringify(trimmed)) || !c) return JSON.stringify(trimmed);
  // The longest prefixes of the ids (then of the values) that fit, found by halving: a few stringifies.
  const withFirst = (ids: number, values: number): string =>
    JSON.stringify({
      ...trimmed,
      guardrail: { ...trimmed.guardrail, correlation: citing(c, ids, values) },
    });
  const values = c.values?.length ?? 0;
  const ids = longestFitting(c.event_ids.length, (n) => fits(withFirst(n, values)));
  return withFirst(ids, ids === 0 ? longestFitting(values, (n) => fits(withFirst(0, n))) : values);
}

const fits = (body: string): boolean => Buffer.byteLength(body, "utf8") <= BODY_MAX_BYTES;

/** The correlation citing only its first `ids` events and `values` values, saying how many are left out. */
function citing(c: CorrelationFields, ids: number, values: number): CorrelationFields {
  const out: CorrelationFields = { ...c, event_ids: c.event_ids.slice(0, ids) };
  if (ids < c.event_ids.length) out.event_ids_omitted = c.event_ids.length - ids;
  if (c.values && values < c.values.length) {
    out.values = c.values.slice(0, values);
    out.values_omitted = c.values.length - values;
  }
  return out;
}

/** The largest n in [0, max] for which `ok(n)` holds, `ok` holding for every smaller n too. */
function longestFitting(max: number, ok: (n: number) => boolean): number {
  let low = 0;
  let high = max;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (ok(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
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
      `Event IDs: ${c.event_ids.slice(0, EMAIL_EVENT_IDS).join(" ")}` +
        (c.event_ids.length > EMAIL_EVENT_IDS ? ` ... and ${c.event_ids.length - EMAIL_EVENT_IDS} more` : ""),
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
