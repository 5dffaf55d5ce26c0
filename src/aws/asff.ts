/**
 * The finding in the AWS Security Finding Format (ASFF) for Security Hub's BatchImportFindings.
 * Pure. The Id comes from the CloudTrail event ID alone and CreatedAt from the event time, so
 * sending the same event again updates the one Security Hub finding (Security Hub matches on Id and
 * keeps the update only when UpdatedAt is later) instead of adding a second one.
 *
 * With the account's default product (product/<account>/default) Security Hub accepts only findings
 * whose AwsAccountId is the calling account: AwsAccountId is the monitor account, and the member
 * account the event happened in is the AwsAccount resource (and ProductFields).
 */
import type { AwsSecurityFinding, Resource } from "@aws-sdk/client-securityhub";
import type { Finding } from "../detection/finding";

const ASFF_SCHEMA_VERSION = "2018-10-08";
const PRODUCT_NAME = "bedrock-guardrail";

/** Limits from the AwsSecurityFinding API reference. */
export const ASFF_LIMITS = { title: 256, description: 1024, productFields: 50, key: 128, value: 2048 } as const;

export interface AsffContext {
  /** arn:<partition>:securityhub:<region>:<account>:product/<account>/default */
  productArn: string;
  /** When this import happens (ISO); must grow from one import of a finding to the next. */
  updatedAt: string;
}

const SEVERITY_LABEL = { low: "LOW", medium: "MEDIUM", high: "HIGH", critical: "CRITICAL" } as const;

/** The monitor account, the 12 digits after `:product/` in the product ARN. */
export function productAccount(productArn: string): string {
  const m = /:product\/(\d{12})\/default$/.exec(productArn);
  if (!m) throw new Error(`not a Security Hub default product ARN: ${productArn}`);
  return m[1];
}

export function asffId(eventId: string): string {
  return `${PRODUCT_NAME}/${eventId}`;
}

/**
 * `text` within `max` UTF-16 units, cut with "...". Never between the two halves of a surrogate pair (an emoji in a
 * user agent or a tag value): a lone half is no character, and JSON consumers show it as U+FFFD or reject it.
 */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = max - 3;
  const code = text.charCodeAt(end - 1);
  const cutsPair = code >= 0xd800 && code <= 0xdbff;
  return `${text.slice(0, cutsPair ? end - 1 : end)}...`;
}

/** "TA0003 Persistence" -> "Persistence" (the MITRE tactic name ASFF's TTPs category uses). */
const tacticName = (text: string) => text.replace(/^TA\d{4}\s+/, "").trim();

function principalResource(f: Finding): Resource | undefined {
  const g = f.guardrail;
  const arn = g.principal_arn ?? f.aws.cloudtrail.user_identity.arn;
  if (!arn) return undefined;
  const type =
    g.principal_kind === "iam-user"
      ? "AwsIamUser"
      : ["role", "identity-center-role", "service-linked-role"].includes(g.principal_kind)
        ? "AwsIamRole"
        : "Other";
  return { Type: type, Id: arn, ...(f.cloud.region ? { Region: f.cloud.region } : {}) };
}

/**
 * The IDs, comma-separated, within ProductFields' value limit: as many whole IDs as fit, then how many are left out
 * (a threshold rule may count thousands), never an ID cut in the middle.
 */
function eventIdsField(ids: readonly string[]): string {
  const all = ids.join(",");
  if (all.length <= ASFF_LIMITS.value) return all;
  // Room kept for the longest ending, the count of every ID left out.
  const room = ASFF_LIMITS.value - `,... and ${ids.length} more`.length;
  let length = -1;
  let shown = 0;
  while (shown < ids.length && length + 1 + ids[shown].length <= room) length += 1 + ids[shown++].length;
  return `${ids.slice(0, shown).join(",")},... and ${ids.length - shown} more`;
}

/**
 * A correlation rule's finding: what it counted and every event it cites (the rest of the finding
 * is the completing event's), so Security Hub shows the whole burst or sequence, not its last call.
 */
function correlationFields(f: Finding): Record<string, string | undefined> {
  const c = f.guardrail.correlation;
  if (!c) return {};
  return {
    [`${PRODUCT_NAME}/correlationKind`]: c.kind,
    [`${PRODUCT_NAME}/correlationGroup`]: c.group,
    [`${PRODUCT_NAME}/windowStart`]: c.window_start,
    [`${PRODUCT_NAME}/firstEventTime`]: c.first_time,
    [`${PRODUCT_NAME}/lastEventTime`]: c.last_time,
    [`${PRODUCT_NAME}/eventCount`]: String(c.event_count),
    [`${PRODUCT_NAME}/eventIds`]: eventIdsField(c.event_ids),
    [`${PRODUCT_NAME}/values`]: c.values ? JSON.stringify(c.values) : undefined,
  };
}

function productFields(f: Finding): Record<string, string> {
  const g = f.guardrail;
  const ui = f.aws.cloudtrail.user_identity;
  const fields: Record<string, string | undefined> = {
    [`${PRODUCT_NAME}/eventId`]: f.event.id,
    [`${PRODUCT_NAME}/ruleId`]: f.rule.id,
    [`${PRODUCT_NAME}/ruleset`]: f.rule.ruleset,
    [`${PRODUCT_NAME}/eventName`]: f.event.action,
    [`${PRODUCT_NAME}/eventSource`]: f.event.provider,
    [`${PRODUCT_NAME}/outcome`]: f.event.outcome,
    [`${PRODUCT_NAME}/errorCode`]: f.event.error_code,
    [`${PRODUCT_NAME}/memberAccountId`]: f.cloud.account.id,
    [`${PRODUCT_NAME}/region`]: f.cloud.region,
    [`${PRODUCT_NAME}/principalArn`]: g.principal_arn,
    [`${PRODUCT_NAME}/principalKind`]: g.principal_kind,
    [`${PRODUCT_NAME}/sessionArn`]: ui.arn,
    [`${PRODUCT_NAME}/accessKeyId`]: ui.access_key_id,
    [`${PRODUCT_NAME}/credentialKind`]: g.credential_kind,
    [`${PRODUCT_NAME}/exemption`]: g.exemption,
    [`${PRODUCT_NAME}/modelId`]: g.model_id,
    [`${PRODUCT_NAME}/sourceIp`]: f.source.address,
    [`${PRODUCT_NAME}/userAgent`]: f.user_agent.original,
    [`${PRODUCT_NAME}/riskScore`]: String(f.event.risk_score),
    [`${PRODUCT_NAME}/tactic`]: f.rule.threat.tactic,
    [`${PRODUCT_NAME}/technique`]: f.rule.threat.technique,
    [`${PRODUCT_NAME}/note`]: g.note || undefined,
    [`${PRODUCT_NAME}/requestParameters`]: f.aws.cloudtrail.request_parameters
      ? JSON.stringify(f.aws.cloudtrail.request_parameters)
      : undefined,
    ...correlationFields(f),
  };
  return Object.fromEntries(
    Object.entries(fields)
      .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== "")
      .map(([k, v]) => [k, clip(v, ASFF_LIMITS.value)]),
  );
}

const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

/**
 * ASFF's RemoteIpDetails takes a well-formed IPv4 address only; an AWS service name is a domain.
 * Anything else (IPv6, a sanitized sample's "035.249.253.232") stays in ProductFields only.
 */
function caller(ip: string | undefined) {
  if (!ip) return {};
  if (IPV4.test(ip)) return { CallerType: "remoteip", RemoteIpDetails: { IpAddressV4: ip } };
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(ip) && /[a-z]/i.test(ip))
    return { CallerType: "domain", DomainDetails: { Domain: ip } };
  return {};
}

export function toAsff(f: Finding, ctx: AsffContext): AwsSecurityFinding {
  const severity = { Label: SEVERITY_LABEL[f.guardrail.severity], Original: f.guardrail.severity };
  const types = [`TTPs/${tacticName(f.rule.threat.tactic)}`];
  const member = f.cloud.account.id;
  // A correlation's events span first_time to last_time; an event rule's finding is one instant.
  const firstSeen = f.guardrail.correlation?.first_time ?? f["@timestamp"];
  const lastSeen = f.guardrail.correlation?.last_time ?? f["@timestamp"];
  const principal = principalResource(f);
  const resources: Resource[] = [
    ...(principal ? [principal] : []),
    ...(member ? [{ Type: "AwsAccount", Id: `AWS::::Account:${member}` }] : []),
  ];
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: asffId(f.event.id),
    ProductArn: ctx.productArn,
    ProductName: PRODUCT_NAME,
    CompanyName: PRODUCT_NAME,
    GeneratorId: `${PRODUCT_NAME}/${f.rule.id}`,
    AwsAccountId: productAccount(ctx.productArn),
    Types: types,
    FirstObservedAt: firstSeen,
    LastObservedAt: lastSeen,
    CreatedAt: f["@timestamp"],
    UpdatedAt: ctx.updatedAt,
    Severity: severity,
    // Severity and Types as the provider's values: customers may change the top-level ones in the console.
    FindingProviderFields: { Severity: severity, Types: types },
    Title: clip(`${f.rule.name}: ${f.event.action}`, ASFF_LIMITS.title),
    Description: clip(f.message, ASFF_LIMITS.description),
    ProductFields: productFields(f),
    // Security Hub needs at least one resource; an event with no account and no principal names itself.
    Resources: resources.length > 0 ? resources : [{ Type: "Other", Id: `CloudTrailEvent:${f.event.id}` }],
    Action: {
      ActionType: "AWS_API_CALL",
      AwsApiCallAction: {
        Api: f.event.action,
        ServiceName: f.event.provider,
        FirstSeen: firstSeen,
        LastSeen: lastSeen,
        ...caller(f.source.address),
      },
    },
    RecordState: "ACTIVE",
  };
}
