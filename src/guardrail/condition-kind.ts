/**
 * A rule condition's kind, apart from its schema: the matcher imports this without zod, so that
 * the scan workers, which only match, boot without loading it.
 */
import type { Condition, WhereEntry } from "./definition";

type ConditionKind =
  | { kind: "equals"; values: string[]; ignoreCase: boolean }
  | { kind: "startsWith"; prefix: string; ignoreCase: boolean }
  | { kind: "is"; value: boolean }
  | { kind: "exists"; value: boolean };

/** The condition's kind as a tagged value, so that a switch over it is checked for every kind. */
export function conditionKind(c: Condition): ConditionKind {
  if ("equals" in c) return { kind: "equals", values: c.equals, ignoreCase: c.ignoreCase === true };
  if ("startsWith" in c) return { kind: "startsWith", prefix: c.startsWith, ignoreCase: c.ignoreCase === true };
  if ("is" in c) return { kind: "is", value: c.is };
  return { kind: "exists", value: c.exists };
}

/**
 * A `where` entry as alternatives, each a list of conditions that must all hold: one list for a plain condition,
 * one per list of an `anyOf`. The entry holds when one of them does; every backend reads entries through this.
 */
export function whereAlternatives(entry: WhereEntry): readonly (readonly Condition[])[] {
  return "anyOf" in entry ? entry.anyOf : [[entry]];
}
