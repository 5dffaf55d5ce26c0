/**
 * The rules as one EventBridge event pattern for CloudTrail's "AWS API Call via CloudTrail" events,
 * compiled from the Guardrail, and the mapper from a delivered event back to the CloudTrail record
 * (its `detail`) so the realtime handler builds findings with `evaluateRecord`, like `detect`.
 *
 * The pattern is a top-level `$or` of branches, each one rule's source, event names, conditions and
 * one of its outcome alternatives (no nested `$or`); branches that differ only in their errorCode
 * literals are merged. Outcome, per EventBridge's content filtering: `{"exists": false}` matches a
 * missing errorCode; `""` and `null` are separate literal matches (EventBridge does not treat null
 * and "" as the same, and `exists` looks at presence, not value). Failure rules add their codes as
 * literals. A pattern cannot say "only whitespace", so an errorCode of blanks (written by some log
 * pipelines, never by CloudTrail itself, which is where EventBridge events come from) is the one
 * case the reference matcher selects and this pattern does not; the differential test pins it down.
 * Conditions become `prefix`, literal or `exists` matches on the nested field (`conditionMatchers`); an
 * `ignoreCase` condition uses `equals-ignore-case`, alone or inside `prefix`.
 * AWS limits a pattern to 2,048 characters by default (a quota raisable to 4,096); the shipped rules
 * need more, so the monitor deploys one EventBridge rule per part (buildEventPatterns).
 */
import { globalServiceRegion } from "../../arn/partition";
import { type Condition, conditionKind, type DetectionRule } from "../../guardrail/definition";
import type { Guardrail } from "../../guardrail/guardrail";
import { type CloudTrailRecord, isRecordObject } from "../record";
import { BackendInputError } from "./input-error";

const CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail";

type PatternGuardrail = Pick<Guardrail, "rules">;

/** `bedrock.amazonaws.com` -> `aws.bedrock`: the `source` EventBridge gives an AWS service's CloudTrail events. */
export function eventBridgeSource(eventSource: string): string {
  const m = /^([a-z0-9-]+)\.amazonaws\.com$/.exec(eventSource);
  if (!m)
    throw new BackendInputError(
      "eventSource",
      `${JSON.stringify(eventSource)} is not an AWS service endpoint such as bedrock.amazonaws.com`,
    );
  return `aws.${m[1]}`;
}

type ErrorCodeMatcher = Array<string | null | { exists: false }>;
type IgnoreCase = { "equals-ignore-case": string };
type FieldMatcher = Array<string | boolean | null | IgnoreCase | { prefix: string | IgnoreCase } | { exists: boolean }>;
/**
 * The nested pattern object of a condition's path (`requestParameters: {loggingConfig: {...}}`); at the detail's
 * level it may hold `$or`, a list of such objects (an anyOf's lists).
 */
interface NestedMatcher {
  [key: string]: NestedMatcher | FieldMatcher | NestedMatcher[];
}

/** One branch of the pattern: a rule's events, conditions and one outcome alternative. */
interface PatternBranch {
  source: string[];
  detail: {
    eventSource: string[];
    eventName: string[];
    errorCode?: ErrorCodeMatcher;
    [conditionParent: string]: string[] | ErrorCodeMatcher | NestedMatcher | NestedMatcher[] | undefined;
  };
}

export interface EventPattern {
  "detail-type": string[];
  /** Two or more branches; a single branch is written out at the top level instead. */
  $or?: PatternBranch[];
  source?: string[];
  detail?: PatternBranch["detail"];
}

/**
 * The matchers a condition becomes; more than one means alternatives (separate branches, as for the
 * outcome). `is` lists the boolean and its text (the matcher accepts both); `exists: false` is a
 * missing field or a null one, and EventBridge's `exists` looks at presence only, so null is a
 * separate literal. `exists: true` matches a present leaf, null included, and never an object: a
 * difference from the matcher on values CloudTrail does not write in the fields rules test this
 * way (test/detection/backends/eventbridge-pattern.test.ts pins it down).
 */
function conditionMatchers(c: Condition): FieldMatcher[] {
  const k = conditionKind(c);
  switch (k.kind) {
    case "equals":
      return [k.ignoreCase ? k.values.map((v) => ({ "equals-ignore-case": v })) : [...k.values]];
    case "startsWith":
      return [[{ prefix: k.ignoreCase ? { "equals-ignore-case": k.prefix } : k.prefix }]];
    case "is":
      return [[k.value, String(k.value)]];
    case "exists":
      return k.value ? [[{ exists: true }]] : [[{ exists: false }], [null]];
  }
}

/** The detail with the matcher set at the condition's path; refuses a path set twice or under a leaf. */
function withMatcher<D extends PatternBranch["detail"] | NestedMatcher>(
  detail: D,
  path: string[],
  matcher: FieldMatcher,
  input: string,
): D {
  const copy = structuredClone(detail) as unknown as NestedMatcher;
  let node = copy;
  for (const key of path.slice(0, -1)) {
    const next = node[key] ?? {};
    if (Array.isArray(next)) throw new BackendInputError(input, `tests ${path.join(".")} under a tested field`);
    node[key] = next;
    node = next;
  }
  const leaf = path[path.length - 1];
  if (node[leaf]) throw new BackendInputError(input, `tests ${path.join(".")} twice, which a pattern cannot AND`);
  node[leaf] = matcher;
  return copy as unknown as D;
}

/** One matcher at a condition's path, kept apart until the `$or` element it belongs to is built. */
interface FieldTest {
  path: string[];
  matcher: FieldMatcher;
  input: string;
}

/** The ways a list of conditions can hold: one per combination of its conditions' matcher alternatives. */
function listTests(list: readonly Condition[], input: string): FieldTest[][] {
  let ways: FieldTest[][] = [[]];
  for (const [j, c] of list.entries()) {
    const at = { path: c.field.split("."), input: `${input}[${j}]` };
    ways = ways.flatMap((tests) => conditionMatchers(c).map((matcher) => [...tests, { ...at, matcher }]));
  }
  return ways;
}

/**
 * The detail with the rule's anyOf entries as one `$or` at the detail's level (EventBridge's "Or" matching, which
 * the Event Ruler README shows inside an object, nested in another `$or` too): one element per way its lists can
 * hold, the product of them with several anyOf entries. Each element is checked against the detail's own tests
 * (a path tested inside and outside cannot be ANDed); a single element is merged into the detail instead.
 */
function withAnyOf(detail: PatternBranch["detail"], ways: FieldTest[][]): PatternBranch["detail"] {
  const apply = <D extends PatternBranch["detail"] | NestedMatcher>(start: D, tests: FieldTest[]): D =>
    tests.reduce((d, t) => withMatcher(d, t.path, t.matcher, t.input), start);
  const merged = ways.map((tests) => apply(detail, tests));
  const elements = [
    ...new Map(ways.map((tests) => apply({} as NestedMatcher, tests)).map((e) => [JSON.stringify(e), e])).values(),
  ];
  return elements.length === 1 ? merged[0] : { ...detail, $or: elements };
}

/**
 * The rule's branches: one per outcome alternative (success has two: absent, and "" or null) and condition one;
 * anyOf entries stay inside each branch's detail as `$or` (withAnyOf).
 */
function ruleBranches(rule: DetectionRule): PatternBranch[] {
  let details: PatternBranch["detail"][] = [{ eventSource: [rule.eventSource], eventName: [...rule.eventNames] }];
  let ways: FieldTest[][] = [[]];
  for (const [i, entry] of rule.where.entries()) {
    const input = `rule ${rule.id} where[${i}]`;
    if ("anyOf" in entry) {
      const alternatives = entry.anyOf.flatMap((list, l) => listTests(list, `${input}.anyOf[${l}]`));
      ways = ways.flatMap((tests) => alternatives.map((more) => [...tests, ...more]));
      continue;
    }
    details = details.flatMap((d) =>
      conditionMatchers(entry).map((m) => withMatcher(d, entry.field.split("."), m, input)),
    );
  }
  if (ways.length > 1 || ways[0].length > 0) details = details.map((d) => withAnyOf(d, ways));
  const branches = (errorCode?: ErrorCodeMatcher): PatternBranch[] =>
    details.map((detail) => ({
      source: [eventBridgeSource(rule.eventSource)],
      detail: errorCode ? { ...detail, errorCode } : { ...detail },
    }));
  if (rule.outcome === "any") return branches();
  if (rule.outcome === "success") return [...branches([{ exists: false }]), ...branches(["", null])];
  const codes = rule.errorCodes ?? [];
  if (codes.length === 0) throw new BackendInputError(`rule ${rule.id}`, "is a failure rule without errorCodes");
  return branches([...codes]);
}

const isLiteralList = (m: ErrorCodeMatcher | undefined): m is Array<string | null> =>
  Array.isArray(m) && m.every((v) => v === null || typeof v === "string");

/** A branch of the pattern and the rules it stands for (branches of several rules may merge). */
interface RuleBranch {
  branch: PatternBranch;
  rules: string[];
}

/**
 * Every rule's branches, those that differ only in literal errorCode lists merged (the seed's
 * success and denied rules).
 */
function patternBranches(guardrail: PatternGuardrail): RuleBranch[] {
  if (guardrail.rules.length === 0) throw new BackendInputError("guardrail", "has no rules to match");
  const merged = new Map<string, RuleBranch>();
  for (const rule of guardrail.rules)
    for (const b of ruleBranches(rule)) {
      const { errorCode, ...rest } = b.detail;
      const key = JSON.stringify([b.source, rest, isLiteralList(errorCode) ? "literals" : (errorCode ?? "any")]);
      const seen = merged.get(key);
      if (seen && isLiteralList(seen.branch.detail.errorCode) && isLiteralList(errorCode)) {
        seen.branch.detail.errorCode = [...new Set([...seen.branch.detail.errorCode, ...errorCode])];
        if (!seen.rules.includes(rule.id)) seen.rules.push(rule.id);
      } else if (!seen) merged.set(key, { branch: b, rules: [rule.id] });
    }
  return [...merged.values()];
}

const DETAIL_TYPE = [CLOUDTRAIL_DETAIL_TYPE];

/** The pattern matching any of the branches (a single branch is written out at the top level). */
function patternOf(branches: PatternBranch[]): EventPattern {
  if (branches.length === 1)
    return { source: branches[0].source, "detail-type": DETAIL_TYPE, detail: branches[0].detail };
  return { "detail-type": DETAIL_TYPE, $or: branches };
}

/**
 * The state of every EventBridge rule that carries these patterns. A rule that is merely ENABLED is never matched
 * against read-only management events (Get*, List*, Describe* delivered through CloudTrail), and rules read some:
 * GetFoundationModelAvailability, mantle's ListModels and GetProject. Only events the pattern matches are delivered.
 */
export const EVENT_RULE_STATE = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";

/** The pattern's size as EventBridge counts it: the characters of its JSON, as the rule is given it. */
const patternSize = (pattern: EventPattern): number => JSON.stringify(pattern).length;

/** The rules as one pattern: what an event must match to be delivered (`buildEventPatterns` splits it for AWS). */
export function buildEventPattern(guardrail: PatternGuardrail): EventPattern {
  return patternOf(patternBranches(guardrail).map((b) => b.branch));
}

/**
 * The rules as the patterns of as few EventBridge rules as fit AWS's "Event pattern size" quota
 * (`maxChars`, monitor.eventbridge.maxPatternChars): an event is delivered when it matches any of
 * them, exactly when it matches buildEventPattern's one pattern (the branches are the same, dealt
 * first-fit in rule order, so the split is the same on every synth). A branch that alone is larger
 * is refused, naming its rules: no split can deploy it.
 */
export function buildEventPatterns(guardrail: PatternGuardrail, maxChars: number): EventPattern[] {
  const groups: PatternBranch[][] = [];
  for (const { branch, rules } of patternBranches(guardrail)) {
    const alone = patternSize(patternOf([branch]));
    if (alone > maxChars)
      throw new BackendInputError(
        `rule ${rules.join(", ")}`,
        `needs an EventBridge pattern of ${alone} characters, over the ${maxChars} of ` +
          "monitor.eventbridge.maxPatternChars (AWS's event pattern size quota)",
      );
    const group = groups.find((g) => patternSize(patternOf([...g, branch])) <= maxChars);
    if (group) group.push(branch);
    else groups.push([branch]);
  }
  return groups.map(patternOf);
}

/**
 * Why the real-time path cannot be deployed under the config's pattern size quota (a rule's branch
 * alone over it); empty when it can or when the path is off. synth and the constructs refuse it.
 */
export function eventPatternProblems(guardrail: Pick<Guardrail, "rules" | "config">): string[] {
  const eventbridge = guardrail.config.monitor.eventbridge;
  if (!eventbridge.enabled) return [];
  try {
    buildEventPatterns(guardrail, eventbridge.maxPatternChars);
    return [];
  } catch (e) {
    if (e instanceof BackendInputError) return [`monitor.eventbridge: ${e.message}`];
    throw e;
  }
}

/**
 * The rules the real-time path never runs for lack of a Region, each said in one line: IAM is a global service whose
 * CloudTrail events reach EventBridge only in its partition's IAM Region (us-east-1 in aws), so without that Region in
 * monitor.eventbridge.regions the rules on IAM calls alert only at the scheduled job's next run. check and synth warn.
 */
export function realtimeRegionGaps(guardrail: Pick<Guardrail, "rules" | "config" | "partition">): string[] {
  const eventbridge = guardrail.config.monitor.eventbridge;
  if (!eventbridge.enabled || guardrail.rules.length === 0) return [];
  const iamRegion = globalServiceRegion(guardrail.partition, "iam");
  if (eventbridge.regions.includes(iamRegion)) return [];
  const iamSource = eventBridgeSource("iam.amazonaws.com");
  const onIam = new Set(
    patternBranches(guardrail).flatMap((b) => (b.branch.source.includes(iamSource) ? b.rules : [])),
  );
  const rules = guardrail.rules.filter((r) => onIam.has(r.id)).map((r) => r.id);
  if (rules.length === 0) return [];
  return [
    `monitor.eventbridge.regions does not list ${iamRegion}, the only Region where IAM's events reach EventBridge: ` +
      `${rules.join(", ")} alert only at the scheduled job's next run, not in real time (add ${iamRegion})`,
  ];
}

export type EventToRecord = { record: CloudTrailRecord } | { reason: string };

/** The CloudTrail record inside an EventBridge event, or why there is none. Never throws. */
export function eventBridgeEventToRecord(event: unknown): EventToRecord {
  if (!isRecordObject(event)) return { reason: "event is not a JSON object" };
  if (event["detail-type"] !== CLOUDTRAIL_DETAIL_TYPE)
    return { reason: `detail-type is ${JSON.stringify(event["detail-type"])}, not "${CLOUDTRAIL_DETAIL_TYPE}"` };
  const detail = event.detail;
  if (!isRecordObject(detail)) return { reason: "event has no detail object" };
  return { record: detail };
}
