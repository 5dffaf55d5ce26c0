/**
 * The (group, value) pairs new-term rules see in a set of records' events, each with the latest time
 * it was seen: what the scheduled monitor looks up in its state store before correlating a window
 * (the store's last-seen times are the baseline) and records after the run. Every record a rule
 * selects counts, approved principals' included: an approved principal's use is still a use.
 */
import type { CorrelationRule } from "../../guardrail/correlation-definition";
import { pairKey } from "./engine";
import { type CorrelatedEvent, fieldValue, groupOf } from "./event";

export interface TermPairSeen {
  rule: string;
  group: string;
  value: string;
  lastSeenMs: number;
}

/** The pairs of the new-term rules among `rules`, from events computed with `rules` in this order (eventsOf). */
export function newTermPairs(rules: readonly CorrelationRule[], events: readonly CorrelatedEvent[]): TermPairSeen[] {
  const pairs = new Map<string, TermPairSeen>();
  for (const event of events)
    for (const [i, rule] of rules.entries()) {
      if (rule.kind !== "new-term" || event.matches[i] === "0") continue;
      const group = groupOf(event, rule.groupBy);
      const value = fieldValue(event, rule.field);
      if (group === undefined || value === undefined) continue;
      const key = pairKey(rule.id, group, value);
      const known = pairs.get(key);
      if (!known || known.lastSeenMs < event.timeMs)
        pairs.set(key, { rule: rule.id, group, value, lastSeenMs: event.timeMs });
    }
  return [...pairs.values()];
}
