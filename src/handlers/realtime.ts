/**
 * Lambda entry for CloudTrail events delivered by the central EventBridge bus: seconds instead of
 * minutes. The same core as the scheduled job: the record becomes a finding with evaluateRecord,
 * is claimed into the scheduled job's pending list (dedupe on event.id, so the query job finding
 * the same event later alerts nothing), then the pending list is drained. If this invocation fails
 * after the claim, the scheduled job publishes the finding on its next run.
 */
import { randomUUID } from "node:crypto";
import { realtimeEventOf } from "../detection/backends/eventbridge-envelope";
import type { Finding } from "../detection/finding";
import { type Guardrail, loadGuardrail, ruleRemediates } from "../guardrail/guardrail";
import type { FindingResponder, Notifier } from "../aws/contracts";
import { type HandlerEnv, readHandlerEnv } from "../runtime/env";
import { DEFAULT_DEDUPE_RETENTION_MS, DEFAULT_LEASE_MS } from "../runtime/job";
import type { OrganizationMembership } from "../remediation/organization";
import { claimAll, drainPending, findingsOf, type RunFailure } from "../runtime/pipeline";
import type { StateStore } from "../runtime/state/store";
import { drainLines, emptySummary, type RunSummary } from "../runtime/summary";
import { makeNotifier, makeStateStore } from "../wiring/adapters";
import { finishInvocation, initOrLog, responderPerRun, type RunResponder } from "./invocation";

export interface RealtimeDeps {
  guardrail: Guardrail;
  store: StateStore;
  notifier: Notifier;
  responder?: FindingResponder;
  jobName: string;
  now?: () => Date;
  /**
   * Whether an account belongs to the organization, asked before anything is claimed when a responder can act, and
   * about the principal's account when it is another one. No answer from Organizations fails the run: never read as
   * "not a member". Absent: not checked, and a principal of another account gets an alert only. The responder's
   * member-client provider asks again before any call, of the same run's lookup (responderPerRun), which answers from
   * what it was told here: this answer decides, before the claim, whether the event is refused or alerted only, which
   * the provider's skip cannot.
   */
  membership?: OrganizationMembership;
  /** The invocation's time left (Lambda's getRemainingTimeInMillis): the drain takes no item it cannot finish. */
  timeLeftMs?: () => number;
}

/**
 * Why the account is not one the realtime path may act for (outside the organization), or the run's failure when
 * Organizations gave no answer (AccessDenied in a monitor account that is not a delegated administrator, throttling,
 * the network). Such an error is no answer, and reading it as "not a member" would refuse every event in silence: the
 * run fails instead, before anything is claimed, so the invocation errors and Lambda retries the event (twice), then
 * keeps it in the dead-letter queue, whose alarm pages; the scheduled job's query finds the unclaimed event in
 * CloudTrail on its next run either way.
 */
async function outsideOrFailure(
  membership: OrganizationMembership,
  account: string,
): Promise<{ outside?: string; failure?: RunFailure }> {
  const m = await membership.of(account);
  if (m.status === "unknown") return { failure: { step: "organization", error: m.reason } };
  return m.status === "outside" ? { outside: m.reason } : {};
}

/**
 * Why the responder must not act on this event's findings (refusal), or the run's failure, or neither. The
 * organization check above is made on the envelope's account, but the responder acts in the record's accounts: the
 * recipient (which must be the envelope's own) and the principal's (the same account, or one Organizations places
 * in the organization). Anything else is alerted, not acted on. No answer from Organizations fails the run like
 * the envelope's check: an alert-only claim would keep the finding from the responder for good, even when a retry
 * would have found the account in the organization.
 */
async function responseRefusal(
  deps: RealtimeDeps,
  envelopeAccount: string,
  recipient: unknown,
  findings: Finding[],
): Promise<{ refusal?: string; failure?: RunFailure }> {
  if (recipient !== envelopeAccount)
    return {
      refusal:
        `the record's recipientAccountId ${JSON.stringify(recipient)} ` +
        `is not the event's account ${envelopeAccount}`,
    };
  for (const principalAccount of new Set(findings.map((f) => f.guardrail.principal_account_id))) {
    if (principalAccount === undefined || principalAccount === envelopeAccount) continue;
    const notMember = `the principal's account ${principalAccount} is not an account of the organization`;
    if (!deps.membership) return { refusal: notMember };
    const { outside, failure } = await outsideOrFailure(deps.membership, principalAccount);
    if (failure) return { failure };
    if (outside) return { refusal: notMember };
  }
  return {};
}

/**
 * Why an event is too old for the realtime path, or undefined. The claim that makes a second delivery a duplicate is
 * kept for DEFAULT_DEDUPE_RETENTION_MS after the alert, while an EventBridge archive can replay a real event (source
 * `aws.*`, the original record) at any later time: older than that, it would alert and be acted on again. The
 * scheduled job read it from CloudTrail when it was new. An unreadable time is left to evaluateRecord.
 */
function staleness(eventTime: unknown, now: Date): string | undefined {
  const ms = typeof eventTime === "string" ? Date.parse(eventTime) : Number.NaN;
  if (!(ms < now.getTime() - DEFAULT_DEDUPE_RETENTION_MS)) return undefined;
  return (
    `the record's eventTime ${eventTime} is older than ${DEFAULT_DEDUPE_RETENTION_MS / 86_400_000} days, ` +
    "how long its claim is kept: a replayed event, not a new one"
  );
}

/** Core of the realtime path, testable without Lambda. */
export async function processEvent(deps: RealtimeDeps, event: unknown, runId: string): Promise<RunSummary> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const summary = emptySummary(deps.jobName, "eventbridge", runId);
  const done = () => ({ ...summary, durationMs: now().getTime() - started.getTime() });
  const converted = realtimeEventOf(event, deps.guardrail);
  summary.rows = 1;
  // Refused input is reported in the run summary (unreadable row, the reason as a sample) and plans nothing.
  const refuse = (reason: string) => {
    summary.unreadableRows = 1;
    summary.samples = [`refused: ${reason}`];
    return done();
  };
  if ("reason" in converted) return refuse(converted.reason);
  const stale = staleness(converted.record.eventTime, started);
  if (stale) return refuse(stale);
  const failed = (failure: RunFailure) => ({ ...done(), status: "failed" as const, failure });
  if (deps.membership) {
    const { outside, failure } = await outsideOrFailure(deps.membership, converted.account);
    if (failure) return failed(failure);
    if (outside) return refuse(outside);
  }
  const { findings, counts, invalid } = findingsOf(deps.guardrail, [converted.record]);
  summary.findings = counts.matched;
  summary.suppressedApproved = counts.suppressedApproved;
  summary.invalidRecords = counts.invalidRecords;
  if (invalid.length > 0) summary.samples = invalid;
  // Stored with the claim: a run that drains the finding after this one failed (the scheduled job's) alerts only too.
  const { refusal, failure } = deps.responder
    ? await responseRefusal(deps, converted.account, converted.record.recipientAccountId, findings)
    : {};
  if (failure) return failed(failure);
  // Queued for Security Hub like the scheduled job's claims; the scheduled job exports the queue.
  const claimed = await claimAll(deps.store, deps.jobName, findings, {
    export: deps.guardrail.config.monitor.securityHub.enabled,
    ...(refusal ? { alertOnly: refusal } : {}),
  });
  summary.newFindings = claimed.newFindings;
  summary.duplicates = claimed.duplicates;
  if (claimed.failure) return failed(claimed.failure);
  if (claimed.newFindings === 0) return done(); // nothing new: leave the list to the scheduled job
  const lines = drainLines();
  const drained = await drainPending(
    {
      store: deps.store,
      notifier: deps.notifier,
      responder: deps.responder,
      runId,
      now,
      leaseMs: DEFAULT_LEASE_MS,
      dedupeRetentionMs: DEFAULT_DEDUPE_RETENTION_MS,
      ...lines.callbacks,
      remediates: (finding) => ruleRemediates(deps.guardrail, finding.rule.id),
      ...(deps.timeLeftMs ? { timeLeftMs: deps.timeLeftMs } : {}),
    },
    deps.jobName,
    deps.guardrail.definition.detection.schedule.maxAlertsPerRun,
  );
  Object.assign(summary, {
    published: drained.published,
    responded: drained.responded,
    carriedOver: drained.carriedOver,
    heldElsewhere: drained.heldElsewhere,
  });
  lines.addTo(summary);
  if (drained.failure) return failed(drained.failure);
  return done();
}

interface Context {
  env: HandlerEnv;
  deps: Omit<RealtimeDeps, "responder" | "membership">;
  /**
   * A fresh responder per invocation with the membership checks of its Organizations lookup (see responderPerRun),
   * where a responder can act: an account outside the organization is then refused before anything is claimed.
   */
  newResponder?: () => RunResponder;
}
let context: Context | undefined;

function init(): Context {
  const env = readHandlerEnv("realtime");
  const guardrail = loadGuardrail({
    configPath: env.guardrailConfigPath,
    assembledDefinitionPath: env.guardrailDefinitionPath,
  });
  const notifier = makeNotifier(env.alertTopicArn);
  return {
    env,
    deps: { guardrail, store: makeStateStore(env.stateTableName), notifier, jobName: env.jobName },
    newResponder: responderPerRun(guardrail, env, notifier),
  };
}

export async function handler(
  event: unknown,
  lambdaContext?: { awsRequestId?: string; getRemainingTimeInMillis?: () => number },
): Promise<RunSummary> {
  const ctx = (context ??= initOrLog(init));
  const timeLeft = lambdaContext?.getRemainingTimeInMillis?.bind(lambdaContext);
  const run = ctx.newResponder?.();
  const summary = await processEvent(
    {
      ...ctx.deps,
      ...(run ? { responder: run.responder, membership: run.membership } : {}),
      ...(timeLeft ? { timeLeftMs: timeLeft } : {}),
    },
    event,
    lambdaContext?.awsRequestId ?? randomUUID(),
  );
  // Throwing makes EventBridge/Lambda retry the event; the claim makes the retry idempotent.
  return finishInvocation({ ...summary, job: "realtime" }, "realtime");
}

/**
 * Test seam, on purpose: the wiring is cached for the container's life (cold start), and each test
 * starts from a cold container.
 */
export function resetForTests(): void {
  context = undefined;
}
