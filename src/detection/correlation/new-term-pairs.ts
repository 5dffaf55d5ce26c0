/**
 * The (group, value) pairs new-term rules see in a set of records, each with the latest time it was
 * seen: what the scheduled monitor looks up in its state store before correlating a window (the
 * store's last-seen times are the baseline) and records after the run. Every record a rule selects
 * counts, approved principals' included: an approved principal's use is still a use.
 */
import type { NewTermRule } from "../../guardrail/correlation-definition";
import type { CloudTrailRecord } from "../record";
import { pairKey } from "./engine";
import { eventOf, fieldValue, groupOf, matchesOf } from "./event";

export interface TermPairSeen {
  rule: string;
  group: string;
  value: string;
  lastSeenMs: number;
}

export function newTermPairs(rules: readonly NewTermRule[], records: readonly CloudTrailRecord[]): TermPairSeen[] {
  const pairs = new Map<string, TermPairSeen>();
  for (const record of records) {
    const matches = matchesOf(rules, record);
    // The engine leaves out a record it cannot place in time; so does its baseline.
    const event = matches && eventOf(record, matches);
    if (!event) continue;
    for (const [i, rule] of rules.entries()) {
      if (event.matches[i] === "0") continue;
      const group = groupOf(event, rule.groupBy);
      const value = fieldValue(event, rule.field);
      if (group === undefined || value === undefined) continue;
      const key = pairKey(rule.id, group, value);
      const known = pairs.get(key);
      if (!known || known.lastSeenMs < event.timeMs)
        pairs.set(key, { rule: rule.id, group, value, lastSeenMs: event.timeMs });
    }
  }
  return [...pairs.values()];
}
