/**
 * A correlation's finding: the same ECS shape as an event rule's (principal, credential, account and
 * region from the event that completed it), with the correlation's stable id as `event.id` and
 * `guardrail.correlation` citing every event that made it. Approved principals are decided as for
 * event rules (the completing event's principal), so their findings are suppressed by default.
 */
import type { CorrelationRule } from "../../guardrail/correlation-definition";
import type { Guardrail } from "../../guardrail/guardrail";
import { resolvePrincipal } from "../../arn/principal";
import { credentialKindOfRecord } from "../credential";
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

export function correlationFinding(guardrail: Guardrail, correlation: Correlation): Finding {
  const last = citedEvent(correlation);
  const first = correlation.events[0];
  const principal = resolvePrincipal(last.record.userIdentity, asString(last.record.awsRegion));
  const credentialKind = credentialKindOfRecord(last.record, principal.credentialKind);
  const rule = effectiveRule(correlation.rule, credentialKind);
  const finding = buildFinding(guardrail, rule, last.record, correlation.id, isoTimeOf(last.timeMs));
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
