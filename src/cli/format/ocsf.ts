/**
 * `--format ocsf`: the finding as an OCSF Detection Finding (class 2004, category Findings), the
 * shape AWS Security Lake, Splunk and other OCSF consumers read. One pure mapping from the ECS
 * finding; fields OCSF has no attribute for (the guardrail's decision, the request parameters) go
 * into `unmapped`, so nothing the ECS finding says is dropped.
 */
import type { Finding } from "../../detection/finding";
import type { Severity } from "../../guardrail/definition";
import { PROFILE_GEO_PREFIX } from "../../policy/request-model";

/** The OCSF release the output follows (metadata.version); test/cli/ocsf.test.ts validates against it. */
export const OCSF_VERSION = "1.7.0";

const DETECTION_FINDING = {
  categoryUid: 2,
  categoryName: "Findings",
  classUid: 2004,
  className: "Detection Finding",
} as const;

/** activity_id 1 = Create: each finding is reported once, when the event is found. */
const ACTIVITY = { id: 1, name: "Create" } as const;

/** OCSF severity_id: 2 Low, 3 Medium, 4 High, 5 Critical. */
const SEVERITY_ID: Record<Severity, { id: number; name: string }> = {
  low: { id: 2, name: "Low" },
  medium: { id: 3, name: "Medium" },
  high: { id: 4, name: "High" },
  critical: { id: 5, name: "Critical" },
};

/** account.type_id 10 = AWS Account. */
const AWS_ACCOUNT = { type_id: 10, type: "AWS Account" } as const;

/** "TA0003 Persistence" -> { uid: "TA0003", name: "Persistence" }. */
function mitre(text: string): { uid: string; name?: string } {
  const m = /^(\S+)\s+(.+)$/.exec(text.trim());
  return m ? { uid: m[1], name: m[2] } : { uid: text.trim() };
}

const account = (uid: string | undefined) => (uid ? { uid, ...AWS_ACCOUNT } : undefined);

/** Drops undefined members, so absent ECS fields are absent (not null) in the output. */
function compact<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export type OcsfDetectionFinding = Record<string, unknown> & {
  class_uid: 2004;
  type_uid: number;
  time: number;
  finding_info: { uid: string; title: string };
};

const FOUNDATION_MODEL_ARN = /^arn:[a-z-]+:bedrock:[a-z0-9-]*:\d*:foundation-model\//;

/**
 * The resource type of the model a finding names, only where the id says what it is: a foundation model
 * on the bedrock endpoint (its id, or its ARN). bedrock-mantle names a model by its own id
 * (openai.gpt-oss-120b), which no AWS resource type describes; an inference profile (us.…, or a
 * profile's ARN) and a custom or provisioned model's ARN are other resources. Those get no type rather
 * than a wrong one (OCSF's resource type is optional; the id stays in uid).
 */
function modelResourceType(provider: string, modelId: string): string | undefined {
  if (provider !== "bedrock.amazonaws.com") return undefined;
  const foundationModel = modelId.startsWith("arn:")
    ? FOUNDATION_MODEL_ARN.test(modelId)
    : !PROFILE_GEO_PREFIX.test(modelId);
  return foundationModel ? "AWS::Bedrock::FoundationModel" : undefined;
}

/** The caller's endpoint: its IP, or the host name CloudTrail wrote instead (an AWS service), else the raw value. */
function endpointOf(source: Finding["source"]): { ip?: string; domain?: string; name?: string } | undefined {
  if (source.ip) return { ip: source.ip };
  if (source.domain) return { domain: source.domain };
  return source.address ? { name: source.address } : undefined;
}

export function toOcsf(f: Finding): OcsfDetectionFinding {
  const g = f.guardrail;
  const ui = f.aws.cloudtrail.user_identity;
  const time = Date.parse(f["@timestamp"]);
  // A correlation rule's finding spans its events (first to last) and cites each; an event rule's is one event.
  const c = g.correlation;
  const severity = SEVERITY_ID[g.severity];
  const user = {
    uid: g.principal_arn ?? ui.arn,
    name: f.user.name,
    credential_uid: ui.access_key_id,
    account: account(g.principal_account_id ?? ui.account_id),
  };
  const api = {
    operation: f.event.action,
    service: { name: f.event.provider },
    ...(f.event.error_code ? { response: { error: f.event.error_code } } : {}),
  };
  return compact({
    activity_id: ACTIVITY.id,
    activity_name: ACTIVITY.name,
    category_uid: DETECTION_FINDING.categoryUid,
    category_name: DETECTION_FINDING.categoryName,
    class_uid: DETECTION_FINDING.classUid,
    class_name: DETECTION_FINDING.className,
    type_uid: DETECTION_FINDING.classUid * 100 + ACTIVITY.id,
    type_name: `${DETECTION_FINDING.className}: ${ACTIVITY.name}`,
    time,
    severity_id: severity.id,
    severity: severity.name,
    // A denied attempt (the SCP held) is still a finding; status says how the call itself ended.
    status_id: 1,
    status: "New",
    status_code: f.event.error_code,
    is_alert: true,
    message: f.message,
    risk_score: f.event.risk_score,
    metadata: {
      version: OCSF_VERSION,
      product: { name: "bedrock-guardrail", vendor_name: "bedrock-guardrail" },
      profiles: ["cloud"],
      log_provider: "AWS CloudTrail",
      original_time: f["@timestamp"],
      event_code: f.event.action,
    },
    finding_info: {
      uid: f.event.id,
      title: f.rule.name,
      desc: f.message,
      types: [f.rule.id],
      analytic: { uid: f.rule.id, name: f.rule.name, type_id: 1, type: "Rule", category: f.rule.ruleset },
      attacks: [{ tactic: mitre(f.rule.threat.tactic), technique: mitre(f.rule.threat.technique) }],
      first_seen_time: c ? Date.parse(c.first_time) : time,
      last_seen_time: c ? Date.parse(c.last_time) : time,
      related_events: c?.event_ids.map((uid) => ({ uid })),
      related_events_count: c?.event_count,
    },
    cloud: { provider: "AWS", region: f.cloud.region, account: account(f.cloud.account.id) },
    api,
    evidences: [
      {
        // OCSF's user needs a uid, name or account; an identity CloudTrail left blank has none.
        actor: user.uid || user.name || user.account ? { user } : undefined,
        api,
        src_endpoint: endpointOf(f.source),
        http_request: f.user_agent.original ? { user_agent: f.user_agent.original } : undefined,
      },
    ],
    resources: g.model_id
      ? [{ uid: g.model_id, type: modelResourceType(f.event.provider, g.model_id), region: f.cloud.region }]
      : undefined,
    unmapped: {
      guardrail: g,
      user_identity_type: ui.type,
      request_parameters: f.aws.cloudtrail.request_parameters,
    },
  }) as OcsfDetectionFinding;
}
