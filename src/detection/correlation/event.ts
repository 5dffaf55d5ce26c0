/**
 * What the correlation engine reads of a record, computed once per record: its id and time, which
 * selectors of each rule it matches, its group under each `groupBy` and the values rules count.
 * `detect`'s scan workers compute it where they parsed the record, so the main thread only sorts
 * the events and steps the engine; every other caller gets it from the record (eventOf), through
 * the same functions.
 */
import type { CorrelationRule, ValueField } from "../../guardrail/correlation-definition";
import type { EventSelector } from "../../guardrail/definition";
import { resolvePrincipal } from "../../arn/principal";
import { type BearerTokenKind, bearerTokenKindOf } from "../credential";
import { selectorMatches } from "../match";
import { asString, type CloudTrailRecord, eventTimeMs, modelIdOf } from "../record";

/** A rule's selection of a record, one digit per rule: its `select` or a sequence's first step... */
export const FIRST_STEP = 1;
/** ...and a sequence's second step (the digit is the sum). */
export const SECOND_STEP = 2;

export interface CorrelatedEvent {
  id: string;
  timeMs: number;
  /** One digit per rule of the engine, in order: FIRST_STEP + SECOND_STEP of what the record matches. */
  matches: string;
  /** The group under groupBy "credential" and "principal" (see groupOf); undefined: in no group. */
  credentialGroup?: string;
  principalGroup?: string;
  /** The Bedrock API key kind when the record marks a bearer-token call (the finding's credential kind). */
  bearerTokenKind?: BearerTokenKind;
  awsRegion?: string;
  eventName?: string;
  modelId?: string;
  /** The record (compacted in detect), which the finding is built from. */
  readonly record: CloudTrailRecord;
}

/** The digits of `matches` when the record matches no rule. */
export const noMatches = (rules: readonly CorrelationRule[]): string => "0".repeat(rules.length);

/** A selector of a rule, found by its event source and one of its names. */
interface Candidate {
  rule: number;
  step: number;
  selector: EventSelector;
}

/** The rules' selectors by `source \0 name`, built once per rule list. */
const indexes = new WeakMap<readonly CorrelationRule[], Map<string, Candidate[]>>();

function indexOf(rules: readonly CorrelationRule[]): Map<string, Candidate[]> {
  let index = indexes.get(rules);
  if (index) return index;
  index = new Map();
  for (const [rule, r] of rules.entries()) {
    const steps = r.kind === "sequence" ? r.steps : [r.select];
    for (const [i, anyOf] of steps.entries())
      for (const selector of anyOf)
        for (const name of selector.eventNames) {
          const key = `${selector.eventSource}\0${name}`;
          index.set(key, [...(index.get(key) ?? []), { rule, step: i === 0 ? FIRST_STEP : SECOND_STEP, selector }]);
        }
  }
  indexes.set(rules, index);
  return index;
}

/**
 * What each rule selects of the record (see CorrelatedEvent.matches); undefined when no rule does.
 * Only the selectors of the record's source and name are tested (selectorMatches, which checks
 * them again): a selector of any other source or name cannot match.
 */
export function matchesOf(rules: readonly CorrelationRule[], record: CloudTrailRecord): string | undefined {
  const { eventSource, eventName } = record;
  if (typeof eventSource !== "string" || typeof eventName !== "string") return undefined;
  const candidates = indexOf(rules).get(`${eventSource}\0${eventName}`);
  if (!candidates) return undefined;
  let digits: number[] | undefined;
  for (const { rule, step, selector } of candidates) {
    if (digits && digits[rule] & step) continue;
    if (!selectorMatches(selector, record)) continue;
    digits ??= rules.map(() => 0);
    digits[rule] |= step;
  }
  return digits?.join("");
}

/**
 * Who a correlation rule counts the record for. Under "credential": the access key id when the
 * record has one, else the principal ARN IAM evaluates (which names the account). A call made with
 * a Bedrock API key (a bearer token) has no access key: it groups by its principal too, whatever
 * the bearer-token markers say. CloudTrail never logs the key, and AWS documents the markers
 * (`callWithBearerToken`, `bearerTokenType`) for runtime calls, not that every record of the key
 * carries them: a group that depended on them would split one key's listing from its invocations.
 * A long-term key's user (`BedrockAPIKey-*`) can call only with its key, so the markers add nothing
 * to who acted; the finding still reports the key (bearerTokenKind). Under "principal": the
 * principal ARN. A record without any of them belongs to no group and is left out (it cannot be
 * told apart from anyone else's).
 */
function groupsOf(record: CloudTrailRecord): { credentialGroup?: string; principalGroup?: string } {
  const principal = resolvePrincipal(record.userIdentity, asString(record.awsRegion));
  const principalGroup = principal.principalArn && `principal ${principal.principalArn}`;
  const credentialGroup = principal.accessKeyId ? `access-key ${principal.accessKeyId}` : principalGroup;
  return { credentialGroup, principalGroup };
}

export function groupOf(event: CorrelatedEvent, groupBy: CorrelationRule["groupBy"]): string | undefined {
  return groupBy === "principal" ? event.principalGroup : event.credentialGroup;
}

export function fieldValue(event: CorrelatedEvent, field: ValueField): string | undefined {
  return field === "requestParameters.modelId" ? event.modelId : event[field];
}

/** The record's time in epoch ms, undefined when it has no parsable eventTime. */
export function timeMsOf(record: CloudTrailRecord): number | undefined {
  return eventTimeMs(record.eventTime);
}

/**
 * The event of a record with an id and a time, given what the rules select of it (matchesOf) and,
 * when already known, its timeMsOf; undefined for a record that cannot be placed in time (the event
 * rules report it).
 */
export function eventOf(
  record: CloudTrailRecord,
  matches: string,
  timeMs = timeMsOf(record),
): CorrelatedEvent | undefined {
  const id = asString(record.eventID);
  if (!id || timeMs === undefined) return undefined;
  return {
    id,
    timeMs,
    matches,
    ...groupsOf(record),
    bearerTokenKind: bearerTokenKindOf(record),
    awsRegion: asString(record.awsRegion),
    eventName: asString(record.eventName),
    modelId: modelIdOf(record),
    record,
  };
}
