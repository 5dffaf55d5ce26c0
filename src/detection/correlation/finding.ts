/**
 * A correlation's finding: the same ECS shape as an event rule's (principal, credential, account and
 * region from the event that completed it; the credential kind a Bedrock API key's when any of its
 * events used one), with the correlation's stable id as `event.id` and `guardrail.correlation`
 * citing every event that made it. Approved principals are decided as for event rules (the
 * completing event's principal), so their findings are suppressed by default.
 */
import * as crypto from "node:crypto";
import type { CorrelationRule } from "../../guardrail/correlation-definition";
import type { Guardrail } from "../../guardrail/guardrail";
import { type CredentialKind as SigningCredentialKind, resolvePrincipal } from "../../arn/principal";
import type { BearerTokenKind, CredentialKind } from "../credential";
import { buildFinding, type Finding } from "../finding";
import { asString, type CloudTrailRecord, isoTimeOf } from "../record";
import { type Correlation, correlateEvents } from "./engine";
import { type CorrelatedEvent, eventOf, matchesOf, noMatches, timeMsOf } from "./event";

/** The rule as it applies to this group: higher severity for the credential kinds the rule names. */
function effectiveRule(rule: CorrelationRule, credentialKind: string): CorrelationRule {
  const bump = rule.severityByCredential;
  if (!bump || !(bump.credentialKinds as string[]).includes(credentialKind)) return rule;
  return { ...rule, severity: bump.severity, riskScore: bump.riskScore };
}

/**
 * The credential kind a correlation's finding reports: a Bedrock API key's when any of its events was
 * a bearer-token call (a typed kind, long- or short-term, before the bare `bedrock-api-key`; the
 * latest such event's), else the signing credential of the cited event. A group without an access key
 * is the principal's whatever the markers say (event.ts), so its events may be marked or not: the
 * key used in one of them is what the finding's severity and remediation are about.
 */
function correlationCredentialKind(correlation: Correlation, signing: SigningCredentialKind): CredentialKind {
  let bearer: BearerTokenKind | undefined;
  for (const { bearerTokenKind } of correlation.events)
    if (bearerTokenKind && (bearerTokenKind !== "bedrock-api-key" || bearer === undefined)) bearer = bearerTokenKind;
  return bearer ?? signing;
}

export function correlationFinding(guardrail: Guardrail, correlation: Correlation): Finding {
  const last = citedEvent(correlation);
  const first = correlation.events[0];
  const principal = resolvePrincipal(last.record.userIdentity, asString(last.record.awsRegion));
  const credentialKind = correlationCredentialKind(correlation, principal.credentialKind);
  const rule = effectiveRule(correlation.rule, credentialKind);
  const finding = buildFinding(guardrail, rule, last.record, correlation.id, isoTimeOf(last.timeMs));
  finding.guardrail.credential_kind = credentialKind;
  finding.guardrail.correlation = {
    kind: rule.kind,
    group: correlation.group,
    ...(correlation.windowStart ? { window_start: correlation.windowStart } : {}),
    first_time: isoTimeOf(first.timeMs),
    last_time: isoTimeOf(last.timeMs),
    event_count: correlation.events.length,
    event_ids: correlation.events.map((e) => e.id),
    ...(correlation.values ? { values: correlation.values } : {}),
  };
  return finding;
}

/**
 * The correlation rules over an archive's records (`hunt`): new-term rules learn from its first days
 * (each rule's baseline, or `baselineDays`; 0 learns nothing) and report after. `fromMs`: where the
 * archive's window starts, when records before it are there only as the rules' look-back (`hunt`'s
 * rows): a correlation completing before it is not reported, and the baseline is learned from it.
 */
export function archiveCorrelationFindings(
  guardrail: Guardrail,
  records: readonly CloudTrailRecord[],
  baselineDays?: number,
  fromMs?: number,
): Finding[] {
  const rules = guardrail.correlationRules;
  let earliestMs = Number.POSITIVE_INFINITY;
  const events: CorrelatedEvent[] = [];
  for (const record of records) {
    earliestMs = Math.min(earliestMs, timeMsOf(record) ?? earliestMs);
    const event = eventOf(record, matchesOf(rules, record) ?? noMatches(rules));
    if (event) events.push(event);
  }
  return archiveCorrelations(guardrail, events, earliestMs, baselineDays, fromMs).map((c) =>
    correlationFinding(guardrail, c),
  );
}

/**
 * What archiveCorrelationFindings finds, over the archive's events (`detect`, which packs them as
 * it scans, makes the findings once the records they cite are read again); `earliestMs`: the
 * earliest time of a record the rules look at; `fromMs` as for archiveCorrelationFindings. The
 * array is sorted in place.
 */
export function archiveCorrelations(
  guardrail: Guardrail,
  events: CorrelatedEvent[],
  earliestMs: number,
  baselineDays?: number,
  fromMs = Number.NEGATIVE_INFINITY,
): Correlation[] {
  const rules = guardrail.correlationRules;
  if (rules.length === 0 || events.length === 0) return [];
  const days = baselineDays ?? Math.max(0, ...rules.map((r) => (r.kind === "new-term" ? r.baselineDays : 0)));
  return correlateEvents(rules, events, {
    learnUntilMs: Math.max(earliestMs, fromMs) + days * 86_400_000,
    reportFromMs: fromMs,
  });
}

/** The event whose record a correlation's finding is built from (correlationFinding). */
export const citedEvent = (correlation: Correlation): CorrelatedEvent =>
  correlation.events[correlation.events.length - 1];

/**
 * The keys a finding is claimed under besides its id (ClaimOptions.aliases). A sequence's id names its first step, so
 * a run that reads a late record can pair the same invocation with a later first step (a listing that arrived late)
 * under another id: its alias, the completing event per rule and group, taken by the first alert, makes that finding
 * a duplicate. The first step needs none: the id is already one per rule, group and first step (a late earlier
 * invocation completing it makes the same id). So no event alerts in two sequence findings of one rule and group.
 * Other kinds have none: a threshold or value-count id names the clock-aligned window whatever events a run reads,
 * and a late record of a new-term pair the store holds is not new (its stored last-seen time).
 */
export function claimAliases(finding: Finding): string[] {
  const c = finding.guardrail.correlation;
  if (c?.kind !== "sequence") return [];
  // Hashed: a group (an ARN) and an event id could outgrow a key.
  const completing = c.event_ids[c.event_ids.length - 1];
  const hash = crypto.createHash("sha256").update([finding.rule.id, c.group, completing].join("\0"));
  return [`second-step-${hash.digest("hex").slice(0, 32)}`];
}
