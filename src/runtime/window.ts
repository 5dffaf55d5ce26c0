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
 * What one steady-state run of the backend queries: back to the previous run's end (its interval, at
 * least the rule's look-back) less the lateness allowance (computeWindow).
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
  // First run: the rule's look-back, widened by the lateness allowance so a late event just before
  // deployment is not missed either.
  const from = watermark ?? new Date(end.getTime() - input.lookbackMinutes * MINUTE);
  let start = new Date(from.getTime() - input.latenessAllowanceMinutes * MINUTE);
  // A watermark in the future (clock skew, a hand-edited item) must not produce an empty window.
  if (start.getTime() > end.getTime())
    start = new Date(end.getTime() - (input.lookbackMinutes + input.latenessAllowanceMinutes) * MINUTE);
  return { start, end };
}

export function windowToJson(w: QueryWindow): { start: string; end: string } {
  return { start: w.start.toISOString(), end: w.end.toISOString() };
}
