/**
 * The reference semantics of correlation rules: a pure state machine over records in time order
 * (eventTime, then eventID; a sequence takes the first steps of one time before its second steps).
 * Every backend feeds it: `detect` with the archive's records, the SQL backends with the rows their
 * query selects (proven by differential tests to give the same findings), the monitor with each
 * run's rows. Its state is bounded by the open windows: a threshold or value-count group lives until
 * its window closes, a sequence group until its first step is older than the window, a new-term
 * pair for its baseline.
 *
 * Findings have a stable id from the rule, the group and the window (threshold, value-count), the
 * first step's event (sequence) or the event that used the new value (new-term): a run that sees the
 * same events again, or more of them, makes the same id, and the state store's claim makes it one
 * alert. One exception: a late first step between a sequence's anchor and its second step moves the
 * anchor, and so the id; the monitor also claims a sequence under its second step (claimAliases), so
 * that finding is a duplicate too.
 */
import * as crypto from "node:crypto";
import type { CorrelationRule, NewTermRule, SequenceRule } from "../../guardrail/correlation-definition";
import { lookbackMs } from "../../guardrail/correlation-rule";
import { type CloudTrailRecord, isoTimeOf } from "../record";
import {
  type CorrelatedEvent,
  eventOf,
  FIRST_STEP,
  fieldValue,
  groupOf,
  matchesOf,
  noMatches,
  SECOND_STEP,
} from "./event";
import { sortEvents } from "./time-order";

/** What fired: the rule, the group, the events that made it (in time order) and a stable id. */
export interface Correlation {
  id: string;
  rule: CorrelationRule;
  group: string;
  /** The start of the tumbling window (threshold, value-count), ISO-8601. */
  windowStart?: string;
  events: CorrelatedEvent[];
  /** The distinct values counted (value-count) or the new value (new-term). */
  values?: string[];
}

export interface EngineOptions {
  /** Correlations that fire on an event before this time are not reported (an earlier run did). */
  reportFromMs?: number;
  /** New-term rules only learn from events before this time (the baseline being built). */
  learnUntilMs?: number;
  /** New-term baseline to start from: `pairKey(rule, group, value)` -> last time seen (epoch ms). */
  baseline?: ReadonlyMap<string, number>;
}

const idOf = (...parts: string[]): string =>
  `corr-${crypto.createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 32)}`;

/** The key of a new-term rule's (group, value) pair in the baseline. */
export const pairKey = (rule: string, group: string, value: string): string => `${rule}\0${group}\0${value}`;

interface WindowState {
  windowStartMs: number;
  events: CorrelatedEvent[];
  values: Map<string, CorrelatedEvent>;
  fired: boolean;
}

const MIN_SWEEP_EVERY_MS = 60_000;
/** pushEvent's answer when nothing completes. */
const NOTHING: readonly Correlation[] = Object.freeze([]);

/** One rule's state and step function; `digit` is the rule's place in CorrelatedEvent.matches. */
abstract class RuleState<R extends CorrelationRule = CorrelationRule> {
  /**
   * Time between two sweeps of the expired state: a quarter of the rule's look-back (at least a
   * minute), so the state stays within 1.25 look-backs and a 30-day baseline is not swept every
   * minute. What a sweep forgets could not take part in a finding any more, so when it runs never
   * changes a finding.
   */
  private readonly sweepEveryMs: number;
  private lastSweepMs = Number.NEGATIVE_INFINITY;

  constructor(
    readonly rule: R,
    private readonly digit: number,
  ) {
    this.sweepEveryMs = Math.max(MIN_SWEEP_EVERY_MS, lookbackMs(rule) / 4);
  }
  abstract push(event: CorrelatedEvent, group: string): Correlation | undefined;
  /** Forgets what can no longer take part in a finding at or after `nowMs`. */
  abstract evict(nowMs: number): void;
  /** Evicts when a sweep is due. */
  sweep(nowMs: number): void {
    if (nowMs - this.lastSweepMs < this.sweepEveryMs) return;
    this.evict(nowMs);
    this.lastSweepMs = nowMs;
  }
  abstract size(): number;
  /** The order this rule takes the events of one instant in (the engine's: eventID). */
  instantOrder(events: readonly CorrelatedEvent[]): readonly CorrelatedEvent[] {
    return events;
  }
  /** FIRST_STEP + SECOND_STEP of what the event matches of this rule. */
  selection(event: CorrelatedEvent): number {
    return event.matches.charCodeAt(this.digit) - 0x30;
  }
}

/** threshold and value-count: tumbling windows aligned to the epoch, one state per group. */
class WindowedState extends RuleState<Extract<CorrelationRule, { kind: "threshold" | "value-count" }>> {
  private readonly groups = new Map<string, WindowState>();
  private readonly windowMs = this.rule.windowMinutes * 60_000;

  push(event: CorrelatedEvent, group: string): Correlation | undefined {
    const windowStartMs = Math.floor(event.timeMs / this.windowMs) * this.windowMs;
    let state = this.groups.get(group);
    if (!state || state.windowStartMs !== windowStartMs) {
      state = { windowStartMs, events: [], values: new Map(), fired: false };
      this.groups.set(group, state);
    }
    if (state.fired) return undefined;
    const rule = this.rule;
    if (rule.kind === "threshold") {
      state.events.push(event);
      if (state.events.length < rule.threshold) return undefined;
    } else {
      const value = fieldValue(event, rule.field);
      if (value === undefined || state.values.has(value)) return undefined;
      state.values.set(value, event);
      if (state.values.size < rule.threshold) return undefined;
    }
    state.fired = true;
    const windowStart = new Date(windowStartMs).toISOString();
    return {
      id: idOf(rule.id, group, windowStart),
      rule,
      group,
      windowStart,
      events: rule.kind === "threshold" ? state.events : [...state.values.values()],
      ...(rule.kind === "value-count" ? { values: [...state.values.keys()] } : {}),
    };
  }

  size(): number {
    return this.groups.size;
  }

  evict(nowMs: number): void {
    for (const [group, state] of this.groups)
      if (state.windowStartMs + this.windowMs <= nowMs) this.groups.delete(group);
  }
}

/** sequence: the latest first-step event of each group, and whether it already made a finding. */
class SequenceState extends RuleState<SequenceRule> {
  private readonly latest = new Map<string, { first: CorrelatedEvent; fired: boolean }>();
  private readonly windowMs = this.rule.windowMinutes * 60_000;

  push(event: CorrelatedEvent, group: string): Correlation | undefined {
    const selection = this.selection(event);
    let fired: Correlation | undefined;
    const open = this.latest.get(group);
    // The latest first step before this event anchors it: the same whichever run sees the event,
    // as long as the run looks back one window.
    if (
      open &&
      !open.fired &&
      open.first.id !== event.id &&
      event.timeMs - open.first.timeMs <= this.windowMs &&
      selection & SECOND_STEP
    ) {
      open.fired = true;
      fired = { id: idOf(this.rule.id, group, open.first.id), rule: this.rule, group, events: [open.first, event] };
    }
    if (selection & FIRST_STEP) this.latest.set(group, { first: event, fired: false });
    return fired;
  }

  /**
   * A first step counts as before a second step of the same instant, whatever their ids: CloudTrail's
   * times are whole seconds, and a script's enumeration and invocation often share one.
   */
  override instantOrder(events: readonly CorrelatedEvent[]): readonly CorrelatedEvent[] {
    let firsts = 0;
    for (const e of events) if (this.selection(e) === FIRST_STEP) firsts++;
    if (firsts === 0 || firsts === events.length) return events;
    const ordered = new Array<CorrelatedEvent>(events.length);
    let first = 0;
    let rest = firsts;
    for (const e of events) ordered[this.selection(e) === FIRST_STEP ? first++ : rest++] = e;
    return ordered;
  }

  size(): number {
    return this.latest.size;
  }

  evict(nowMs: number): void {
    for (const [group, open] of this.latest) if (nowMs - open.first.timeMs > this.windowMs) this.latest.delete(group);
  }
}

/** new-term: the last time each (group, value) pair was seen, kept for the baseline. */
class NewTermState extends RuleState<NewTermRule> {
  readonly seen: Map<string, number>;
  private readonly baselineMs = this.rule.baselineDays * 86_400_000;

  constructor(
    rule: NewTermRule,
    digit: number,
    baseline: ReadonlyMap<string, number> | undefined,
    private readonly learnUntilMs: number,
  ) {
    super(rule, digit);
    this.seen = new Map([...(baseline ?? [])].filter(([key]) => key.startsWith(`${rule.id}\0`)));
  }

  push(event: CorrelatedEvent, group: string): Correlation | undefined {
    const value = fieldValue(event, this.rule.field);
    if (value === undefined) return undefined;
    const key = pairKey(this.rule.id, group, value);
    const last = this.seen.get(key);
    this.seen.set(key, Math.max(last ?? event.timeMs, event.timeMs));
    const isNew = last === undefined || event.timeMs - last > this.baselineMs;
    if (!isNew || event.timeMs < this.learnUntilMs) return undefined;
    return { id: idOf(this.rule.id, group, value, event.id), rule: this.rule, group, events: [event], values: [value] };
  }

  size(): number {
    return this.seen.size;
  }

  evict(nowMs: number): void {
    for (const [key, last] of this.seen) if (nowMs - last > this.baselineMs) this.seen.delete(key);
  }
}

type AnyState = WindowedState | SequenceState | NewTermState;

export class CorrelationEngine {
  private readonly states: AnyState[];
  private lastTimeMs = Number.NEGATIVE_INFINITY;
  private lastId = "";

  constructor(
    private readonly rules: readonly CorrelationRule[],
    private readonly options: EngineOptions = {},
  ) {
    const learnUntil = options.learnUntilMs ?? Number.NEGATIVE_INFINITY;
    this.states = rules.map((rule, digit) =>
      rule.kind === "sequence"
        ? new SequenceState(rule, digit)
        : rule.kind === "new-term"
          ? new NewTermState(rule, digit, options.baseline, learnUntil)
          : new WindowedState(rule, digit),
    );
  }

  /**
   * Feeds one record, in (eventTime, eventID) order; a record repeated (same eventID, as CloudTrail
   * sometimes delivers twice) is taken once. Returns the correlations it completes. A record without
   * an id or a parsable time cannot be placed in time and is ignored (the event rules report it).
   * Records of one time fed one by one are taken in eventID order: pushInstant takes them together.
   */
  push(record: CloudTrailRecord): readonly Correlation[] {
    const event = eventOf(record, matchesOf(this.rules, record) ?? noMatches(this.rules));
    return event ? this.pushEvent(event) : [];
  }

  /**
   * push() for a record's event, already computed (eventOf) with this engine's rules in the same order:
   * pushInstant of an instant of one event, the common case, without its arrays (every rule takes a
   * lone event in the same order). Most events complete nothing: they share one empty answer.
   */
  pushEvent(event: CorrelatedEvent): readonly Correlation[] {
    if (!this.isNext(event)) return NOTHING;
    for (const s of this.states) s.sweep(event.timeMs);
    let out = NOTHING;
    for (const state of this.states) {
      const fired = this.step(state, event);
      if (fired) out = [...out, fired];
    }
    return out;
  }

  /**
   * Feeds the events of one eventTime, in eventID order, after those of every earlier time: a rule
   * may take them in its own order (a sequence's first steps before its second steps). Returns the
   * correlations they complete, in the order of the events that complete them. An instant of one
   * event is cheaper through pushEvent.
   */
  pushInstant(events: readonly CorrelatedEvent[]): readonly Correlation[] {
    const timeMs = events[0]?.timeMs;
    for (const e of events) if (e.timeMs !== timeMs) throw new Error("pushInstant: events of more than one time");
    const fresh = events.filter((event) => this.isNext(event));
    if (fresh.length === 0) return NOTHING;
    for (const s of this.states) s.sweep(timeMs);
    const out: Correlation[] = [];
    for (const state of this.states)
      for (const event of state.instantOrder(fresh)) {
        const fired = this.step(state, event);
        if (fired) out.push(fired);
      }
    if (out.length === 0) return NOTHING;
    if (out.length === 1) return out;
    // A correlation's last event completed it (and its finding is built from it).
    const place = new Map(fresh.map((e, i) => [e, i]));
    const placeOf = (c: Correlation) => place.get(c.events[c.events.length - 1])!;
    return out.sort((a, b) => placeOf(a) - placeOf(b));
  }

  /** One rule's step on an event it may select; what that completes, unless an earlier run reported it. */
  private step(state: AnyState, event: CorrelatedEvent): Correlation | undefined {
    if (state.selection(event) === 0) return undefined;
    const group = groupOf(event, state.rule.groupBy);
    if (group === undefined) return undefined;
    const fired = state.push(event, group);
    if (!fired || event.timeMs < (this.options.reportFromMs ?? Number.NEGATIVE_INFINITY)) return undefined;
    return fired;
  }

  /** Whether the event comes next in (eventTime, eventID) order; false for a repeat; throws when out of order. */
  private isNext(event: CorrelatedEvent): boolean {
    const { id, timeMs } = event;
    if (timeMs < this.lastTimeMs || (timeMs === this.lastTimeMs && id < this.lastId))
      throw new Error(`correlation input out of order: ${id} (${isoTimeOf(timeMs)}) after ${this.lastId}`);
    if (timeMs === this.lastTimeMs && id === this.lastId) return false;
    this.lastTimeMs = timeMs;
    this.lastId = id;
    return true;
  }

  /** How many groups (and new-term pairs) the engine holds: bounded by the open windows. */
  openStates(): number {
    return this.states.reduce((n, s) => n + s.size(), 0);
  }

  /** The new-term pairs seen (to keep as the next run's baseline): key -> last time seen. */
  baseline(): Map<string, number> {
    const out = new Map<string, number>();
    for (const s of this.states) if (s instanceof NewTermState) for (const [k, v] of s.seen) out.set(k, v);
    return out;
  }
}

/** The events of the records these rules can place in time (an event per record, digits per rule in this order). */
export function eventsOf(rules: readonly CorrelationRule[], records: readonly CloudTrailRecord[]): CorrelatedEvent[] {
  return records.flatMap((record) => eventOf(record, matchesOf(rules, record) ?? noMatches(rules)) ?? []);
}

/** Runs the rules over records in any order: sorts them, then feeds the engine. */
export function correlate(
  rules: readonly CorrelationRule[],
  records: readonly CloudTrailRecord[],
  options: EngineOptions = {},
): Correlation[] {
  return correlateEvents(rules, eventsOf(rules, records), options);
}

/** correlate() over events computed with these rules in this order (sorted here; the array is sorted in place). */
export function correlateEvents(
  rules: readonly CorrelationRule[],
  events: CorrelatedEvent[],
  options: EngineOptions = {},
): Correlation[] {
  sortEvents(events);
  const engine = new CorrelationEngine(rules, options);
  const out: Correlation[] = [];
  for (let start = 0; start < events.length; ) {
    let end = start + 1;
    while (end < events.length && events[end].timeMs === events[start].timeMs) end++;
    const fired = end - start === 1 ? engine.pushEvent(events[start]) : engine.pushInstant(events.slice(start, end));
    for (const c of fired) out.push(c);
    start = end;
  }
  return out;
}
