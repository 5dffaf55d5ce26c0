/**
 * What every reader of a validated correlation rule asks of it, apart from its schema: the scan
 * workers import this without the schema (and zod), which they never need, so that they boot
 * faster.
 */
import type { AnyOf, CorrelationRule } from "./correlation-definition";

/** How far back a rule must look from an event to decide it: its window, or its baseline. */
export function lookbackMs(rule: CorrelationRule): number {
  return rule.kind === "new-term" ? rule.baselineDays * 86_400_000 : rule.windowMinutes * 60_000;
}

/** Every event selector of a rule (its steps', or its own). */
export function selectorsOf(rule: CorrelationRule): AnyOf {
  return rule.kind === "sequence" ? rule.steps.flat() : rule.select;
}
