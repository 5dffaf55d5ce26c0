/**
 * The finding: ECS-shaped JSON (Elastic users ingest it as is) plus a `guardrail` object with the
 * decision. Key names are stable; README.md documents each.
 */
import { isIP } from "node:net";
import { arnLikeAny } from "../arn/arn-like";
import { type PrincipalKind, resolvePrincipal } from "../arn/principal";
import type { DetectionRule, Severity } from "../guardrail/definition";
import type { EcsCategorization } from "../guardrail/ecs-categorization";
import type { Guardrail } from "../guardrail/guardrail";
import { actorOf, type CredentialKind, credentialKindOfRecord } from "./credential";
import { isSuccess, matchingRule } from "./match";
import { asString, type CloudTrailRecord, modelIdOf, normalizeEventTime } from "./record";

const SEVERITY_NUMBER: Record<Severity, number> = { low: 21, medium: 47, high: 73, critical: 99 };

export interface Finding {
  "@timestamp": string;
  message: string;
  event: {
    id: string;
    kind: "alert";
    action: string;
    provider: string;
    outcome: "success" | "failure";
    /** The rule's ECS categorization (its `ecs`). */
    category: EcsCategorization["category"];
    type: EcsCategorization["type"];
    severity: number;
    risk_score: number;
    error_code?: string;
  };
  rule: { id: string; name: string; ruleset: string; threat: { tactic: string; technique: string } };
  cloud: { provider: "aws"; account: { id?: string }; region?: string };
  /** ECS: `address` as CloudTrail wrote it; `ip` only when it is an IP address, `domain` when a host name. */
  source: { address?: string; ip?: string; domain?: string };
  user_agent: { original?: string };
  /** `id`: the IAM Identity Center user id (`userIdentity.onBehalfOf.userId`) when the call was made for one. */
  user: { name?: string; id?: string };
  aws: {
    cloudtrail: {
      user_identity: {
        type?: string;
        arn?: string;
        access_key_id?: string;
        account_id?: string;
        /** The AWS service that made the call (`userIdentity.invokedBy`). */
        invoked_by?: string;
        /** `userIdentity.onBehalfOf`: the Identity Center user and its identity store. */
        on_behalf_of?: { user_id?: string; identity_store_arn?: string };
      };
      request_parameters?: Record<string, unknown>;
      recipient_account_id?: string;
    };
  };
  guardrail: {
    id: string;
    approved: boolean;
    /** Which exemption list the principal matched, if any. Only approved and break-glass make a finding approved. */
    exemption?: "approved" | "break-glass" | "tool";
    principal_arn?: string;
    principal_kind: PrincipalKind;
    principal_account_id?: string;
    model_id?: string;
    /** How the call was authenticated: the signing credential, or the Bedrock API key kind (credential.ts). */
    credential_kind: CredentialKind;
    /** Who acted when the principal ARN does not say (Identity Center user, AWS service); see credential.ts. */
    actor?: string;
    severity: Severity;
    note?: string;
    /** A correlation rule's finding: what made it (src/detection/correlation/). */
    correlation?: CorrelationFields;
  };
}

/** The events behind a correlation finding, and what was counted. */
export interface CorrelationFields {
  kind: "threshold" | "value-count" | "sequence" | "new-term";
  /** The credential (or principal) the rule counted for: `access-key AKIA...`, `principal arn:...`. */
  group: string;
  /** Start of the rule's window (threshold, value-count). */
  window_start?: string;
  first_time: string;
  last_time: string;
  event_count: number;
  /** Every event that made the finding, in time order (the SNS alert may cite only the first: event_ids_omitted). */
  event_ids: string[];
  /** The distinct values counted (value-count), or the new value (new-term). */
  values?: string[];
  /** Set only where a message's size limit left events out (the SNS alert): how many after event_ids. */
  event_ids_omitted?: number;
  /** Likewise for values. */
  values_omitted?: number;
}

/** What a finding needs of its rule: event and correlation rules both have it. */
export type FindingRule = Pick<
  DetectionRule,
  "id" | "name" | "severity" | "riskScore" | "threat" | "summary" | "ecs"
> & {
  eventSource?: string;
  toolMakesThisCall?: boolean;
};

/** Why a record did not become a finding; the scanner counts these. */
type Skip = "not-matching" | "invalid-record";

const joinNotes = (...notes: (string | undefined)[]): string => notes.filter(Boolean).join("; ");

function fill(template: string, values: Record<string, string | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? "unknown");
}

type Principal = ReturnType<typeof resolvePrincipal>;
type Exemption = Finding["guardrail"]["exemption"];

/** Which exemption the principal falls under, break-glass first. */
function exemptionOf(guardrail: Guardrail, principalArn: string | undefined): Exemption {
  const ex = guardrail.exemptions;
  if (arnLikeAny(ex.breakGlass, principalArn)) return "break-glass";
  if (arnLikeAny(ex.approved, principalArn)) return "approved";
  if (arnLikeAny(ex.tool, principalArn)) return "tool";
  return undefined;
}

/** The finding's `guardrail` part: who the principal is to the guardrail, and whether that approves the call. */
function guardrailPart(
  guardrail: Guardrail,
  rule: FindingRule,
  record: CloudTrailRecord,
  principal: Principal,
  actor: ReturnType<typeof actorOf>,
  modelId: string | undefined,
): Finding["guardrail"] {
  const exemption = exemptionOf(guardrail, principal.principalArn);
  return {
    id: guardrail.definition.id,
    // The tool's own roles never make the calls the rules report: if one does, it is being misused,
    // so it alerts (remediation still never acts on it; its safety rules protect the tool's roles).
    // The exception is a call the tool itself makes (deleting an agreement when it remediates).
    approved:
      exemption === "approved" ||
      exemption === "break-glass" ||
      (exemption === "tool" && rule.toolMakesThisCall === true),
    exemption,
    principal_arn: principal.principalArn,
    principal_kind: principal.kind,
    principal_account_id: principal.accountId,
    model_id: modelId,
    credential_kind: credentialKindOfRecord(record, principal.credentialKind),
    actor: actor.description,
    severity: rule.severity,
    note:
      exemption === "tool" && !rule.toolMakesThisCall
        ? joinNotes(
            principal.note,
            // The call by name: the rules report IAM, logging and guardrail calls as well as model access.
            `this tool's own role never calls ${asString(record.eventName)} on ${asString(record.eventSource)}: ` +
              "this call means the role is misused",
          )
        : principal.note,
  };
}

/** Builds the finding for a record the rule matched. Pure: same record and guardrail, same finding. */
/**
 * ECS's source from CloudTrail's sourceIPAddress, which is not always an address: an AWS service
 * calling on a principal's behalf writes its name (`bedrock.amazonaws.com`), some calls `AWS
 * Internal`, and some records a zero-padded IPv4. ECS keeps the raw value in `address` and copies it
 * to `ip` or `domain` by what it is: a SIEM that types `source.ip` as an IP (Elastic's template does)
 * would refuse the whole finding for a value that is not one.
 */
export function sourceOf(raw: string | undefined): Finding["source"] {
  if (raw === undefined) return {};
  if (isIP(raw) !== 0) return { address: raw, ip: raw };
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(raw) && /[a-z]/i.test(raw)) return { address: raw, domain: raw };
  return { address: raw };
}

export function buildFinding(
  guardrail: Guardrail,
  rule: FindingRule,
  record: CloudTrailRecord,
  eventId: string,
  timestamp: string,
): Finding {
  const principal = resolvePrincipal(record.userIdentity, asString(record.awsRegion));
  const ui = record.userIdentity ?? {};
  const account = asString(record.recipientAccountId) ?? principal.accountId;
  const region = asString(record.awsRegion);
  const action = asString(record.eventName)!;
  const modelId = modelIdOf(record);
  const userName = principal.name ?? asString(ui.userName);
  const params =
    record.requestParameters && typeof record.requestParameters === "object" ? record.requestParameters : undefined;
  const errorCode = asString(record.errorCode);
  const actor = actorOf(record);
  return {
    "@timestamp": timestamp,
    message: fill(rule.summary, {
      principal: principal.principalArn ?? asString(ui.arn) ?? actor.description ?? principal.kind,
      action,
      account,
      region,
      model: modelId,
    }),
    event: {
      id: eventId,
      kind: "alert",
      action,
      provider: asString(record.eventSource) ?? rule.eventSource ?? "unknown",
      outcome: isSuccess(record) ? "success" : "failure",
      category: rule.ecs.category,
      type: rule.ecs.type,
      severity: SEVERITY_NUMBER[rule.severity],
      risk_score: rule.riskScore,
      ...(errorCode ? { error_code: errorCode } : {}),
    },
    rule: {
      id: rule.id,
      name: rule.name,
      ruleset: guardrail.definition.id,
      threat: {
        tactic: `${rule.threat.tactic.id} ${rule.threat.tactic.name}`,
        technique: `${rule.threat.technique.id} ${rule.threat.technique.name}`,
      },
    },
    cloud: { provider: "aws", account: { id: account }, region },
    source: sourceOf(asString(record.sourceIPAddress)),
    user_agent: { original: asString(record.userAgent) },
    user: { name: userName, id: actor.identityCenterUserId },
    aws: {
      cloudtrail: {
        user_identity: {
          type: asString(ui.type),
          arn: asString(ui.arn),
          access_key_id: principal.accessKeyId,
          account_id: principal.accountId,
          invoked_by: actor.invokedBy,
          on_behalf_of: actor.identityCenterUserId
            ? { user_id: actor.identityCenterUserId, identity_store_arn: actor.identityStoreArn }
            : undefined,
        },
        request_parameters: params as Record<string, unknown> | undefined,
        recipient_account_id: asString(record.recipientAccountId),
      },
    },
    guardrail: guardrailPart(guardrail, rule, record, principal, actor, modelId),
  };
}

export type Evaluation = { finding: Finding } | { skip: Skip; reason?: string };

/**
 * Evaluates one record: a finding, or why not. A record the rule would match but that lacks an
 * eventID or a parsable eventTime is "invalid-record" (counted and reported, never silently dropped).
 */
export function evaluateRecord(guardrail: Guardrail, record: CloudTrailRecord): Evaluation {
  const rule = matchingRule(guardrail, record);
  if (!rule) return { skip: "not-matching" };
  const eventId = asString(record.eventID);
  if (!eventId) return { skip: "invalid-record", reason: "matching record without eventID" };
  const timestamp = normalizeEventTime(record.eventTime);
  if (!timestamp) return { skip: "invalid-record", reason: `matching record ${eventId} has no parsable eventTime` };
  return { finding: buildFinding(guardrail, rule, record, eventId, timestamp) };
}
