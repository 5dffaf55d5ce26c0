/**
 * The scheduled query job, one run: window -> query -> findings -> claims -> alerts -> responder
 * -> new-term baselines -> watermark. Pure orchestration over interfaces; the handler and `run-once` supply the AWS
 * adapters. Invariants:
 * - the watermark moves only after the whole window was queried, every finding claimed, the
 *   drain finished without error (a carry-over beyond maxAlertsPerRun is not an error: those
 *   findings are already durable in the pending list) and the new-term pairs were recorded;
 * - a finding is claimed once (dedupe on event.id), published before it is recorded as published,
 *   and completed only after the responder returned, so a crash anywhere repeats the unfinished
 *   step on the next run and nothing else;
 * - a new-term rule's first use is claimed with its pair (src/runtime/correlation-step.ts) in one transaction, so a
 *   claimed first use always has its pair known and an earlier use that arrives late is no first use of its own,
 *   whatever fails after the claim; the run's other pairs are recorded after the alerts (whatever the drain did) and
 *   before the watermark, so a recording that fails holds back no alert: it fails the run, the watermark stays, and
 *   the next run reads the same window again (its first uses' pairs known, its claims duplicates) and records them;
 * - a run with a time limit (the invocation's remaining time) shares it between its queries and stops before the
 *   alerts, failed with the watermark kept, when less than DRAIN_RESERVE_MS is left (runDeadline);
 * - with Security Hub on, the claim also queues the finding for export; the export step runs after
 *   the alerts, reads only that queue, and its failures are reported (summary.securityHub), never
 *   a reason to hold the watermark or an alert.
 */
import { errorText } from "../errors/error-text";
import { type Guardrail, ruleRemediates } from "../guardrail/guardrail";
import type { FindingResponder, Notifier } from "../aws/contracts";
import type { FindingImporter } from "../aws/securityhub";
import {
  checkDrift,
  driftBody,
  type DriftProblem,
  type DriftReport,
  driftFingerprint,
  driftSubject,
  type OrganizationReader,
} from "./drift";
import { type SubscriptionReader, subscriptionProblems } from "./alert-subscriptions";
import { type SourceLivenessCheck, sourceLivenessProblems } from "./source-liveness";
import type { Finding } from "../detection/finding";
import { type CorrelationOutcome, correlationStep } from "./correlation-step";
import { claimAll, type DrainDeps, drainPending, findingsOf, type RunFailure } from "./pipeline";
import { QueryError, type QueryLimits, type QuerySource } from "./query/source";
import { type ExportCounts, exportToSecurityHub, MAX_EXPORTS_PER_RUN } from "./securityhub-export";
import type { StateStore } from "./state/store";
import { drainLines, emptySummary, type RunSummary } from "./summary";
import { computeWindow, type QueryWindow, windowToJson } from "./window";

export interface JobDeps {
  guardrail: Guardrail;
  store: StateStore;
  source: QuerySource;
  /**
   * The rows the correlation rules need for a window (their look-backs; new-term baselines come from
   * the store); absent where the backend cannot return them, or without correlation rules.
   */
  correlations?: QuerySource;
  /**
   * The same rows plus each new-term rule's baseline days before the window: read by a rule's first
   * run, which learns from it (absent: the first run learns from its window alone).
   */
  correlationBaseline?: QuerySource;
  notifier: Notifier;
  responder?: FindingResponder;
  /** Security Hub (monitor.securityHub.enabled); absent = findings are not exported this run. */
  securityHub?: FindingImporter;
  /** Reads the organization for the drift check; absent = no drift check this run. */
  readOrganization?: OrganizationReader;
  /** Reads the alert topic's subscriptions for the drift check (monitor.alertEmails); absent = not checked. */
  readAlertSubscriptions?: SubscriptionReader;
  /**
   * Checks that the event data store or organization trail the job reads still receives the rules' events (drift
   * kind source-not-live); absent = not checked.
   */
  checkSourceLiveness?: SourceLivenessCheck;
  now?: () => Date;
  runId: string;
}

export interface JobOptions {
  jobName: string;
  /** Override the computed window (run-once --start/--end); the watermark then does not move. */
  window?: QueryWindow;
  leaseMs?: number;
  dedupeRetentionMs?: number;
  /**
   * How long the run may take from its start: the invocation's remaining time. The queries share it and the run stops
   * before the alerts when less than DRAIN_RESERVE_MS is left. Absent (run-once): each query's own timeout only.
   */
  timeLimitMs?: number;
}

export const DEFAULT_LEASE_MS = 15 * 60_000; // a Lambda invocation never runs longer
export const DEFAULT_DEDUPE_RETENTION_MS = 30 * 24 * 60 * 60_000; // far longer than any window
/**
 * The part of a time-limited run kept for what follows the queries and claims: up to maxAlertsPerRun alerts and
 * responses, the Security Hub export, the baselines and the watermark. A run that has less left when its claims are
 * done stops there (failed, watermark kept) instead of being cut off by Lambda in the middle of them.
 */
export const DRAIN_RESERVE_MS = 3 * 60_000;

/** The correlations' findings join the event rules' (claimed together); the counts and summary say so. */
function addCorrelations(
  correlated: CorrelationOutcome,
  findings: Finding[],
  counts: { matched: number; suppressedApproved: number },
  summary: RunSummary,
): void {
  findings.push(...correlated.findings);
  counts.matched += correlated.matched;
  counts.suppressedApproved += correlated.suppressedApproved;
  summary.bytesScanned += correlated.bytesScanned;
  if (correlated.pairsSeen > 0 || correlated.learning.length > 0)
    summary.newTermBaseline = { learning: correlated.learning, pairsSeen: correlated.pairsSeen, recorded: 0 };
}

/**
 * The state partition (`job#realtime`) the realtime function claimed into before it used the scheduled job's. It
 * drained that list only when a later event brought a new finding, and no run exported its Security Hub queue: the
 * scheduled job finishes both, alerting alert only, since that release accepted events without the envelope and
 * account checks the realtime function makes now (docs/monitor.md).
 */
const LEGACY_REALTIME_JOB = "realtime";
const LEGACY_REALTIME_ALERT_ONLY =
  "claimed by the realtime function of an earlier release, which did not check the event's envelope and accounts; " +
  "plan a response with bedrock-guardrail remediate";

/**
 * The run's drain: the job's pending list, then, when that finished, what an earlier release's realtime function left
 * in its own partition, alert only, within what is left of the run's alert budget.
 */
async function drainRun(
  deps: JobDeps,
  options: JobOptions,
  extra: Pick<DrainDeps, "now" | "onAlertOnly" | "onUnreadable" | "onLeaseIgnored" | "timeLeftMs">,
): Promise<Awaited<ReturnType<typeof drainPending>>> {
  const g = deps.guardrail;
  const drainDeps: DrainDeps = {
    store: deps.store,
    notifier: deps.notifier,
    responder: deps.responder,
    runId: deps.runId,
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    dedupeRetentionMs: options.dedupeRetentionMs ?? DEFAULT_DEDUPE_RETENTION_MS,
    remediates: (finding: Finding) => ruleRemediates(g, finding.rule.id),
    ...extra,
  };
  const budget = g.definition.detection.schedule.maxAlertsPerRun;
  const drained = await drainPending(drainDeps, options.jobName, budget);
  if (drained.failure || options.jobName === LEGACY_REALTIME_JOB) return drained;
  const legacy = await drainPending(
    { ...drainDeps, alertOnly: LEGACY_REALTIME_ALERT_ONLY },
    LEGACY_REALTIME_JOB,
    budget - drained.published,
  );
  return {
    published: drained.published + legacy.published,
    responded: drained.responded + legacy.responded,
    carriedOver: drained.carriedOver + legacy.carriedOver,
    heldElsewhere: drained.heldElsewhere + legacy.heldElsewhere,
    ...(legacy.failure ? { failure: legacy.failure } : {}),
  };
}

/**
 * The Security Hub export: the job's queue, then what an earlier release's realtime function queued in its own
 * partition, which no run exported, within the same limit per run. The counts are the two queues' together.
 */
async function exportRun(store: StateStore, importer: FindingImporter, job: string): Promise<ExportCounts> {
  const counts = await exportToSecurityHub(store, importer, job);
  const left = MAX_EXPORTS_PER_RUN - counts.imported - counts.failed;
  if (job === LEGACY_REALTIME_JOB || left <= 0) return counts;
  const legacy = await exportToSecurityHub(store, importer, LEGACY_REALTIME_JOB, left);
  const errors = [...(counts.errors ?? []), ...(legacy.errors ?? [])].slice(0, 5);
  return {
    imported: counts.imported + legacy.imported,
    failed: counts.failed + legacy.failed,
    queued: counts.queued + legacy.queued,
    ...(errors.length > 0 ? { errors } : {}),
  };
}

export async function runJob(deps: JobDeps, options: JobOptions): Promise<RunSummary> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const job = options.jobName;
  const g = deps.guardrail;
  const summary = emptySummary(job, deps.source.backend, deps.runId);
  const finish = (): RunSummary => {
    summary.durationMs = now().getTime() - started.getTime();
    return summary;
  };
  const fail = (failure: RunSummary["failure"]): RunSummary => {
    summary.status = "failed";
    summary.failure = failure;
    return finish();
  };

  // Drift is independent of the query: checked (and alerted) even when the query fails.
  if (deps.readOrganization || deps.checkSourceLiveness) summary.drift = await driftStep(deps, job, now);

  let window: QueryWindow;
  try {
    window = await openWindow(deps, options, started, summary);
  } catch (e) {
    return fail({ step: "record", error: `reading the watermark: ${errorText(e)}` });
  }
  summary.window = windowToJson(window);

  const { queryLimits, tooLateToDrain, timeLeftMs } = runDeadline(options.timeLimitMs, started, now);
  let result;
  try {
    result = await deps.source.run(window, queryLimits());
  } catch (e) {
    return fail({ step: "query", error: e instanceof QueryError ? e.message : errorText(e) });
  }
  summary.rows = result.rows;
  summary.bytesScanned = result.bytesScanned;
  summary.unreadableRows = result.unreadable.length;

  const { findings, counts, invalid } = findingsOf(g, result.records);
  const sources = deps.correlations && { source: deps.correlations, baselineSource: deps.correlationBaseline };
  const correlated = sources ? await correlationStep(g, deps.store, sources, job, window, queryLimits) : undefined;
  if (correlated && "error" in correlated) return fail({ step: correlated.step, error: correlated.error });
  if (correlated) addCorrelations(correlated, findings, counts, summary);
  summary.findings = counts.matched;
  summary.suppressedApproved = counts.suppressedApproved;
  summary.invalidRecords = counts.invalidRecords;
  const samples = [...result.unreadable.map((u) => `row ${u.row}: ${u.reason}`), ...invalid].slice(0, 10);
  if (samples.length > 0) summary.samples = samples;

  const claimed = await claimAll(
    deps.store,
    job,
    findings,
    { export: g.config.monitor.securityHub.enabled },
    correlated?.pairOf,
  );
  summary.newFindings = claimed.newFindings;
  summary.duplicates = claimed.duplicates;
  if (claimed.failure) return fail(claimed.failure);

  // Alerts first: a run with too little time left stops before them (the findings wait in the pending list).
  const stop = tooLateToDrain();
  const drainFailure = stop ?? (await drainAndExport(deps, options, summary, { now, timeLeftMs }));
  // Then the run's other new-term pairs, and a learning rule marked learned, whatever the drain did or when the run
  // stopped before it (each first use's pair is in its claim already): a recording that fails holds back no alert. It
  // fails the run, the watermark stays, and the next run reads the window again (its claims are duplicates) and
  // records the pairs then.
  const recordFailure = correlated && (await recordBaselines(correlated, summary));
  const failure = drainFailure ?? recordFailure;
  if (failure) return fail(failure);

  // A hand-picked window (a hunt) says nothing about what the schedule has covered.
  if (!options.window) {
    try {
      await deps.store.advanceWatermark(job, window.end.toISOString());
      summary.watermark.after = window.end.toISOString();
    } catch (e) {
      return fail({ step: "watermark", error: errorText(e) });
    }
  }
  return finish();
}

/** The drain, then the Security Hub export (after the alerts, whatever they did); the drain's failure, if any. */
async function drainAndExport(
  deps: JobDeps,
  options: JobOptions,
  summary: RunSummary,
  extra: { now: () => Date; timeLeftMs?: () => number },
): Promise<RunFailure | undefined> {
  const lines = drainLines();
  const drained = await drainRun(deps, options, {
    now: extra.now,
    ...lines.callbacks,
    ...(extra.timeLeftMs ? { timeLeftMs: extra.timeLeftMs } : {}),
  });
  const { published, responded, carriedOver, heldElsewhere } = drained;
  Object.assign(summary, { published, responded, carriedOver, heldElsewhere });
  lines.addTo(summary);
  // The queue is the claims', not the drain's.
  if (deps.securityHub) summary.securityHub = await exportRun(deps.store, deps.securityHub, options.jobName);
  return drained.failure;
}

/** Records the run's new-term pairs and learned markers (CorrelationOutcome.commit); the failure, if any. */
async function recordBaselines(correlated: CorrelationOutcome, summary: RunSummary): Promise<RunFailure | undefined> {
  try {
    await correlated.commit();
  } catch (e) {
    return { step: "record", error: `recording the new-term baselines: ${errorText(e)}` };
  }
  if (summary.newTermBaseline) summary.newTermBaseline.recorded = correlated.pairsToRecord;
  return undefined;
}

/**
 * The run's one deadline, `timeLimitMs` after its start: what each query may still wait (what is left, less the drain's
 * reserve), the failure of a run that has less than the reserve left for its alerts, and the time left (the drain
 * takes no item it cannot finish). No limit: none of them.
 */
function runDeadline(
  timeLimitMs: number | undefined,
  started: Date,
  now: () => Date,
): { queryLimits: () => QueryLimits; tooLateToDrain: () => RunFailure | undefined; timeLeftMs?: () => number } {
  if (timeLimitMs === undefined) return { queryLimits: () => ({}), tooLateToDrain: () => undefined };
  const leftMs = () => started.getTime() + timeLimitMs - now().getTime();
  return {
    timeLeftMs: leftMs,
    queryLimits: () => ({ timeoutMs: leftMs() - DRAIN_RESERVE_MS }),
    tooLateToDrain: () => {
      const left = leftMs();
      if (left >= DRAIN_RESERVE_MS) return undefined;
      return {
        step: "deadline",
        error:
          `${Math.max(0, Math.round(left / 1000))} s of the invocation left after the queries, less than the ` +
          `${DRAIN_RESERVE_MS / 1000} s kept for the alerts and the responder: stopped before them. The findings ` +
          "are claimed and wait in the pending list; the window is queried again next run.",
      };
    },
  };
}

/** The run's window, from the stored watermark (reported in the summary) unless the caller picked one. */
async function openWindow(
  deps: JobDeps,
  options: JobOptions,
  started: Date,
  summary: RunSummary,
): Promise<QueryWindow> {
  const g = deps.guardrail;
  const job = options.jobName;
  summary.watermark.before = await deps.store.getWatermark(job);
  const lookbackMinutes = g.definition.detection.schedule.lookbackMinutes;
  const window =
    options.window ??
    computeWindow({
      watermark: summary.watermark.before,
      now: started,
      latenessAllowanceMinutes: g.config.monitor.latenessAllowanceMinutes,
      lookbackMinutes,
    });
  if (!options.window && summary.watermark.before === undefined) {
    // First run: store where coverage starts before querying. Otherwise a first run that fails
    // would leave no watermark, and the next "first run" would start its look-back 5 minutes
    // later, silently skipping the failed run's window.
    await deps.store.advanceWatermark(job, new Date(started.getTime() - lookbackMinutes * 60_000).toISOString());
  }
  return window;
}

/**
 * The report with what one of the monitor's own checks finds; one that cannot look is a read-failed problem (alerted
 * like a drift), never a failed run.
 */
async function withProblems(
  report: DriftReport,
  check: () => Promise<DriftProblem[]>,
  unreadable: (detail: string) => DriftProblem,
): Promise<DriftReport> {
  let problems: DriftProblem[];
  try {
    problems = await check();
  } catch (e) {
    problems = [unreadable(errorText(e))];
  }
  return withAdded(report, problems);
}

/** The report with more problems (unchanged without any). */
function withAdded(report: DriftReport, problems: readonly DriftProblem[]): DriftReport {
  if (problems.length === 0) return report;
  return { ...report, ok: false, problems: [...report.problems, ...problems] };
}

/** The report with the alert e-mails that lost their subscription; one that cannot be listed is a problem too. */
async function withSubscriptionCheck(report: DriftReport, deps: JobDeps): Promise<DriftReport> {
  const read = deps.readAlertSubscriptions;
  if (!read) return report;
  return withProblems(
    report,
    async () => subscriptionProblems(deps.guardrail.config.monitor.alertEmails, await read()),
    (error) => ({
      kind: "read-failed",
      target: "alert-topic",
      detail: `drift check could not list the alert topic's subscriptions: ${error}`,
    }),
  );
}

/**
 * The report with what keeps the job's source from receiving events: a run that succeeds with no findings because the
 * store or trail stopped is otherwise indistinguishable from a quiet one.
 */
async function withSourceLiveness(report: DriftReport, deps: JobDeps, now: Date): Promise<DriftReport> {
  if (!deps.checkSourceLiveness) return report;
  // sourceLivenessProblems makes a failed read its problem itself: verify shares it.
  return withAdded(report, await sourceLivenessProblems(deps.checkSourceLiveness, now));
}

const NO_ORGANIZATION_CHECK: DriftReport = { ok: true, problems: [], expectedPolicies: [], expectedTargets: [] };

/** The organization part of the drift check (the SCP and the accounts under the targets). */
async function organizationReport(deps: JobDeps, job: string, now: () => Date): Promise<DriftReport> {
  try {
    // The accounts the targets covered at the last listing: one moved out since is a drift (checkDrift).
    const memory = await deps.store.getCoverage(job);
    const report = await checkDrift(deps.guardrail, deps.readOrganization!, { memory, now: now() });
    if (report.coverage) await deps.store.setCoverage(job, report.coverage);
    return report;
  } catch (e) {
    // Not being able to look is alerted like a drift (once, until it changes): no alarm reads DriftDetected, so
    // a check that can no longer read the organization would otherwise go unnoticed. It never blocks finding alerts.
    return {
      ok: false,
      problems: [{ kind: "read-failed", detail: `drift check could not read the organization: ${errorText(e)}` }],
      expectedPolicies: [],
      expectedTargets: [],
    };
  }
}

async function driftStep(deps: JobDeps, job: string, now: () => Date): Promise<RunSummary["drift"]> {
  let report = deps.readOrganization ? await organizationReport(deps, job, now) : NO_ORGANIZATION_CHECK;
  // Checked whether or not the organization could be read: the subscriptions and the source are the monitor's own.
  report = await withSubscriptionCheck(report, deps);
  report = await withSourceLiveness(report, deps, now());
  const fingerprint = driftFingerprint(report);
  let alerted = false;
  try {
    const last = (await deps.store.getDriftFingerprint(job)) ?? "";
    if (fingerprint !== last) {
      await deps.notifier.publish(driftSubject(report), driftBody(report, now().toISOString()), {
        kind: report.ok ? "drift-resolved" : "drift",
      });
      await deps.store.setDriftFingerprint(job, fingerprint);
      alerted = true;
    }
  } catch {
    // The metric (DriftDetected) still records it; the alert is retried next run because the fingerprint was not
    // stored.
  }
  return { ok: report.ok, problems: report.problems, alerted };
}
