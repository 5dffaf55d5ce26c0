/**
 * One structured JSON line per run, and the same numbers as CloudWatch metrics in Embedded Metric
 * Format (a log line CloudWatch turns into metrics; no PutMetricData call, no extra permission).
 * For dashboards only: whoever can write a log line in the account can write these metrics too, so
 * no alarm reads them (the "no successful run" alarm reads AWS/Lambda, src/infra/monitor/alarms.ts).
 */
import { METRIC_NAMESPACE } from "../guardrail/tool-names";
import type { DriftReport } from "./drift";
import type { DrainDeps, RunFailure } from "./pipeline";
import type { ExportCounts } from "./securityhub-export";

export interface RunSummary {
  type: "bedrock-guardrail.run";
  job: string;
  backend: string;
  runId: string;
  status: "ok" | "failed";
  window?: { start: string; end: string };
  watermark: { before?: string; after?: string };
  bytesScanned: number;
  rows: number;
  unreadableRows: number;
  invalidRecords: number;
  findings: number;
  suppressedApproved: number;
  newFindings: number;
  duplicates: number;
  published: number;
  responded: number;
  carriedOver: number;
  heldElsewhere: number;
  durationMs: number;
  failure?: RunFailure;
  drift?: Pick<DriftReport, "ok" | "problems"> & { alerted: boolean };
  /**
   * New-term rules: the rules this run learned (their first run: no first-use alerts), the pairs the
   * window's rows use, and how many the run recorded as seen (new, or seen later than stored).
   */
  newTermBaseline?: { learning: string[]; pairsSeen: number; recorded: number };
  /** The Security Hub export step, when monitor.securityHub is on. */
  securityHub?: ExportCounts;
  /**
   * Pending items no claim wrote so (forged, or half-written by hand; DrainDeps.onUnreadable): skipped and left in the
   * table, alerted but kept from a responder that cannot read them (done), or the entry of an event done already
   * (removed); absent when none.
   */
  unreadablePending?: number;
  /**
   * Up to 10 lines: the unreadable pending items and why (first), leases too far ahead that the drain took over,
   * findings alerted on but kept from the responder, and why, then reasons for unreadable rows and invalid records, to
   * make them findable.
   */
  samples?: string[];
}

/** Puts lines before the summary's other samples, keeping at most 10. */
function addLeadingSamples(summary: RunSummary, lines: readonly string[]): void {
  if (lines.length > 0) summary.samples = [...lines, ...(summary.samples ?? [])].slice(0, 10);
}

/**
 * The lines a drain gives (DrainDeps.onAlertOnly, onUnreadable, onLeaseIgnored), gathered for its run's summary: the
 * scheduled job and the realtime function report them alike. `addTo` counts the unreadable items (unreadablePending)
 * and puts their lines first among the samples (someone wrote the table who should not have), then the ignored leases
 * (the same, or a clock step), then the alert-only ones.
 */
export function drainLines(): {
  callbacks: Required<Pick<DrainDeps, "onAlertOnly" | "onUnreadable" | "onLeaseIgnored">>;
  addTo: (summary: RunSummary) => void;
} {
  const alertOnly: string[] = [];
  const unreadable: string[] = [];
  const leaseIgnored: string[] = [];
  return {
    callbacks: {
      onAlertOnly: (line) => alertOnly.push(line),
      onUnreadable: (line) => unreadable.push(line),
      onLeaseIgnored: (line) => leaseIgnored.push(line),
    },
    addTo(summary) {
      if (unreadable.length > 0) summary.unreadablePending = unreadable.length;
      addLeadingSamples(summary, alertOnly);
      addLeadingSamples(summary, leaseIgnored);
      addLeadingSamples(summary, unreadable);
    },
  };
}

/** Metric names of the EMF document. Dimension: Job. */
export const METRICS = {
  runSucceeded: "RunSucceeded",
  runFailed: "RunFailed",
  findings: "Findings",
  alertsPublished: "AlertsPublished",
  suppressedApproved: "SuppressedApproved",
  duplicates: "Duplicates",
  carriedOver: "CarriedOver",
  rows: "Rows",
  unreadable: "UnreadableRows",
  bytesScanned: "BytesScanned",
  duration: "DurationMs",
  drift: "DriftDetected",
  securityHubImported: "SecurityHubImported",
  securityHubFailed: "SecurityHubFailed",
  securityHubQueued: "SecurityHubQueued",
} as const;

const METRIC_DIMENSION = "Job";

export function emptySummary(job: string, backend: string, runId: string): RunSummary {
  return {
    type: "bedrock-guardrail.run",
    job,
    backend,
    runId,
    status: "ok",
    watermark: {},
    bytesScanned: 0,
    rows: 0,
    unreadableRows: 0,
    invalidRecords: 0,
    findings: 0,
    suppressedApproved: 0,
    newFindings: 0,
    duplicates: 0,
    published: 0,
    responded: 0,
    carriedOver: 0,
    heldElsewhere: 0,
    durationMs: 0,
  };
}

/** The EMF document for a summary: one directive, one dimension set ([Job]), a dozen metrics. */
export function toEmf(summary: RunSummary, timestampMs: number): Record<string, unknown> {
  const values: [string, number, string][] = [
    [METRICS.runSucceeded, summary.status === "ok" ? 1 : 0, "Count"],
    [METRICS.runFailed, summary.status === "failed" ? 1 : 0, "Count"],
    [METRICS.findings, summary.findings, "Count"],
    [METRICS.alertsPublished, summary.published, "Count"],
    [METRICS.suppressedApproved, summary.suppressedApproved, "Count"],
    [METRICS.duplicates, summary.duplicates, "Count"],
    [METRICS.carriedOver, summary.carriedOver, "Count"],
    [METRICS.rows, summary.rows, "Count"],
    [METRICS.unreadable, summary.unreadableRows + summary.invalidRecords, "Count"],
    [METRICS.bytesScanned, summary.bytesScanned, "Bytes"],
    [METRICS.duration, summary.durationMs, "Milliseconds"],
  ];
  if (summary.drift) values.push([METRICS.drift, summary.drift.ok ? 0 : 1, "Count"]);
  if (summary.securityHub) {
    values.push(
      [METRICS.securityHubImported, summary.securityHub.imported, "Count"],
      [METRICS.securityHubFailed, summary.securityHub.failed, "Count"],
      [METRICS.securityHubQueued, summary.securityHub.queued, "Count"],
    );
  }
  return {
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [[METRIC_DIMENSION]],
          Metrics: values.map(([Name, , Unit]) => ({ Name, Unit })),
        },
      ],
    },
    [METRIC_DIMENSION]: summary.job,
    ...Object.fromEntries(values.map(([name, value]) => [name, value])),
  };
}

/**
 * The single line a run logs: the summary's fields plus the EMF metrics, so one log event is both
 * the human-readable record and the metric source.
 */
export function summaryLine(summary: RunSummary, timestampMs: number): string {
  return JSON.stringify({ ...summary, ...toEmf(summary, timestampMs) });
}
