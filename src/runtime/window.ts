/**
 * Which slice of time a run queries. Pure. The start reaches back past the watermark by the
 * lateness allowance because CloudTrail delivers "within about 5 minutes, not guaranteed": an
 * event written at 10:00 may only be queryable at 10:18. Overlap is safe because alerts are
 * de-duplicated on event.id.
 */
import type { BackendName } from "../config/backends";
import type { Guardrail } from "../guardrail/guardrail";
export interface QueryWindow {
  start: Date;
  end: Date;
}

export interface WindowInput {
  /** End of the last fully processed window (ISO), if any. */
  watermark?: string;
  now: Date;
  latenessAllowanceMinutes: number;
  /** The rule's look-back, used on the first run. */
  lookbackMinutes: number;
}

const MINUTE = 60_000;

/**
 * Minutes between a backend's scheduled runs: Athena's are spaced by monitor.athena.scheduleMinutes
 * (each run scans whole day partitions), the others by the definition's interval.
 */
export function runIntervalMinutes(g: Guardrail, backend: BackendName): number {
  return backend === "athena"
    ? g.config.monitor.athena.scheduleMinutes
    : g.definition.detection.schedule.intervalMinutes;
}

/**
 * The window `query` prints: the longer of a run's two windows (computeWindow), the first run's (the rule's look-back)
 * and a steady-state run's (back to the previous run's end, its interval), plus the lateness allowance, so a query
 * pasted by hand covers whatever a run of the job reads.
 */
export function scheduledWindowMinutes(g: Guardrail, backend: BackendName): number {
  const { lookbackMinutes } = g.definition.detection.schedule;
  return Math.max(lookbackMinutes, runIntervalMinutes(g, backend)) + g.config.monitor.latenessAllowanceMinutes;
}

export function computeWindow(input: WindowInput): QueryWindow {
  const end = input.now;
  const watermark = input.watermark ? new Date(input.watermark) : undefined;
  if (watermark && Number.isNaN(watermark.getTime()))
    throw new Error(`stored watermark "${input.watermark}" is not a date`);
  if (watermark) futureWatermarkCheck(watermark, end, input.latenessAllowanceMinutes);
  // First run: the rule's look-back, widened by the lateness allowance so a late event just before
  // deployment is not missed either.
  const from = watermark ?? new Date(end.getTime() - input.lookbackMinutes * MINUTE);
  const start = new Date(from.getTime() - input.latenessAllowanceMinutes * MINUTE);
  return { start, end };
}

/**
 * Throws for a watermark further ahead of now than the lateness allowance (a hand-edited item, or the clock stepped
 * back by more). The watermark only moves forward, so no run could replace it until that time, and a run that fails
 * meanwhile would leave its window to none: the runs fail instead, so the no-successful-run alarm pages. Within the
 * allowance (a clock a little behind the one that wrote it), the window still reaches back to where the covered ones
 * ended, and a failed run's window is read again by the next.
 */
function futureWatermarkCheck(watermark: Date, now: Date, latenessAllowanceMinutes: number): void {
  const aheadMs = watermark.getTime() - now.getTime();
  if (aheadMs <= latenessAllowanceMinutes * MINUTE) return;
  throw new Error(
    // Within errorText's 300 characters, after the job's "reading the watermark: ".
    `watermark ${watermark.toISOString()} is ahead of now (${now.toISOString()}) by more than the lateness ` +
      `allowance (${latenessAllowanceMinutes} min), which no run can undo: set it to a time runs covered up to ` +
      "(earlier is safe: alerts are de-duplicated) or delete it to restart from the look-back",
  );
}

export function windowToJson(w: QueryWindow): { start: string; end: string } {
  return { start: w.start.toISOString(), end: w.end.toISOString() };
}
