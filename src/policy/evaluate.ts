/**
 * A small evaluator for the statements this tool emits, using the same ArnLike matcher as
 * detection and remediation. It answers "does the guardrail SCP deny this request?"; everything
 * it does not deny is left to the principal's own IAM policies. Tests compare it, cell by cell,
 * with an independent IAM simulator.
 */
import { arnLike, globMatch, splitArn } from "../arn/arn-like";
import type { ConditionOperator, ScpStatement } from "./types";

export interface ScpRequest {
  action: string;
  /** The resource ARN the action is authorized on, or "*" for actions without resource types. */
  resource: string;
  principalArn: string;
  /** Request context keys besides aws:PrincipalArn (e.g. aws:CalledViaLast). */
  context?: Record<string, string[]>;
  /** Keys the request had whose values are not known (preview: the record does not carry them). */
  unknownKeys?: string[];
  /** Set when the resource is not known (`resource` is then a placeholder): what is missing. */
  unknownResource?: string;
  /**
   * The model in one of the Regions a cross-Region profile may route the call to: evaluated alone here; preview
   * decides a call's routed requests together (Previewer.decideCall).
   */
  routed?: true;
}

export interface ScpVerdict {
  decision: "allow" | "deny";
  /** Sid of the first statement that denies. */
  deniedBy?: string;
}

/** IAM action names are case-insensitive; `*` and `?` are wildcards. */
export function actionMatches(pattern: string, action: string): boolean {
  return globMatch(pattern.toLowerCase(), action.toLowerCase());
}

/**
 * A resource list split once: its wildcard-free entries, its `head*` entries (one `*`, at the end), its other
 * six-part ARN entries keyed by their resource component, and the rest. ArnLike matches a wildcard-free entry to the
 * ARN equal to it, and a `head*` entry to the ARNs that start with its head: a `*` at the end lies in the resource
 * part, where it matches any tail (colons included), or the entry is no six-part ARN and is matched as a glob of the
 * whole text (arn-like.ts), which is the same test. An ARN entry with wildcards before its resource component
 * (`arn:aws:bedrock:*::foundation-model/m`, the usual allow-list form) matches only ARNs whose resource component
 * its own resource component matches: keyed by that component (wildcard-free, or a head with one `*` at its end),
 * only the entries of the ARN's own resource component are tested, component by component as arnLike does.
 */
interface ResourceIndex {
  exact: Set<string>;
  heads: Set<string>;
  headLengths: number[];
  /** ARN entries by their wildcard-free resource component: the first five components of each. */
  byResource: Map<string, string[][]>;
  /** ARN entries whose resource component is `head*` (no other wildcard), by that head. */
  byResourceHead: Map<string, string[][]>;
  resourceHeadLengths: number[];
  /** Every other entry, with its six components when it is an ARN (split once, not per request). */
  patterns: { pattern: string; parts?: string[] }[];
}

const resourceIndexes = new WeakMap<string[], ResourceIndex>();

const hasWildcard = (text: string) => text.includes("*") || text.includes("?");

function push(map: Map<string, string[][]>, key: string, value: string[]): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * The index of a statement's resource list, built on first use. An allow-list of many thousand models is tested
 * by every cell of `check`'s table and every record of `preview`: one pass over it per request was quadratic.
 */
function resourceIndex(list: string[]): ResourceIndex {
  let index = resourceIndexes.get(list);
  if (index) return index;
  index = {
    exact: new Set(),
    heads: new Set(),
    headLengths: [],
    byResource: new Map(),
    byResourceHead: new Map(),
    resourceHeadLengths: [],
    patterns: [],
  };
  for (const p of list) {
    const star = p.indexOf("*");
    if (!p.includes("?") && star < 0) index.exact.add(p);
    else if (!p.includes("?") && star === p.length - 1) index.heads.add(p.slice(0, -1));
    else {
      const parts = splitArn(p);
      const resource = parts?.[5] ?? "";
      const head = resource.slice(0, -1);
      if (parts && !hasWildcard(resource)) push(index.byResource, resource, parts);
      else if (parts && resource.endsWith("*") && !hasWildcard(head)) push(index.byResourceHead, head, parts);
      else index.patterns.push({ pattern: p, parts });
    }
  }
  index.headLengths = [...new Set([...index.heads].map((h) => h.length))];
  index.resourceHeadLengths = [...new Set([...index.byResourceHead.keys()].map((h) => h.length))];
  resourceIndexes.set(list, index);
  return index;
}

/** The first five components of an ARN entry match the resource's (the sixth is matched by the index key). */
const prefixMatches = (entry: string[], arn: string[]) => {
  for (let i = 0; i < 5; i++) if (!globMatch(entry[i], arn[i])) return false;
  return true;
};

function listMatches(list: string[], resource: string): boolean {
  const index = resourceIndex(list);
  const { exact, heads, headLengths, byResource, byResourceHead, resourceHeadLengths, patterns } = index;
  if (exact.has(resource) || headLengths.some((n) => n <= resource.length && heads.has(resource.slice(0, n))))
    return true;
  const arn = splitArn(resource);
  if (arn) {
    const own = arn[5];
    if (byResource.get(own)?.some((entry) => prefixMatches(entry, arn))) return true;
    for (const n of resourceHeadLengths)
      if (n <= own.length && byResourceHead.get(own.slice(0, n))?.some((entry) => prefixMatches(entry, arn)))
        return true;
  }
  // arnLike, with the entry's components split once: an ARN entry never matches a resource that is no ARN.
  return patterns.some(({ pattern, parts }) =>
    parts ? arn !== undefined && parts.every((part, i) => globMatch(part, arn[i])) : globMatch(pattern, resource),
  );
}

function resourceMatches(statement: ScpStatement, resource: string): boolean {
  const matchesAny = (list: string[] | "*") => list === "*" || listMatches(list, resource);
  if (statement.NotResource) return !matchesAny(statement.NotResource);
  return matchesAny(statement.Resource ?? []);
}

function conditionHolds(op: ConditionOperator, policyValues: string[], requestValues: string[] | undefined): boolean {
  // Negated operators hold when the key is absent (without IfExists, as IAM evaluates them).
  switch (op) {
    case "ArnLike":
      return !!requestValues && requestValues.some((v) => policyValues.some((p) => arnLike(p, v)));
    case "ArnNotLike":
      return !requestValues?.some((v) => policyValues.some((p) => arnLike(p, v)));
    case "StringLike":
      return !!requestValues && requestValues.some((v) => policyValues.some((p) => globMatch(p, v)));
    case "StringNotLike":
      return !requestValues?.some((v) => policyValues.some((p) => globMatch(p, v)));
    case "StringNotEquals":
      return !requestValues?.some((v) => policyValues.includes(v));
    case "StringEqualsIfExists":
      return !requestValues || requestValues.some((v) => policyValues.includes(v));
    case "StringEqualsIgnoreCase": {
      const lower = policyValues.map((p) => p.toLowerCase());
      return !!requestValues && requestValues.some((v) => lower.includes(v.toLowerCase()));
    }
    // Any request value that matches none of the patterns; an absent key holds nothing (no value to test).
    case "ForAnyValue:StringNotLike":
      return !!requestValues && requestValues.some((v) => !policyValues.some((p) => globMatch(p, v)));
    // Every request value is none of the policy's; an absent key holds no value, so it holds (vacuously).
    case "ForAllValues:StringNotEquals":
      return !requestValues || requestValues.every((v) => !policyValues.includes(v));
    case "StringEquals":
    case "ForAnyValue:StringEquals":
      return !!requestValues && requestValues.some((v) => policyValues.includes(v));
    default:
      throw new Error(`condition operator ${String(op)} is not supported by the SCP evaluator`);
  }
}

/** What one statement does to a request: denies it, passes it, or hinges on a key the request cannot show. */
export type StatementOutcome = "deny" | "pass" | { unknownKey: string };

export function statementOutcome(statement: ScpStatement, request: ScpRequest): StatementOutcome {
  if (!statement.Action.some((a) => actionMatches(a, request.action))) return "pass";
  if (!request.unknownResource && !resourceMatches(statement, request.resource)) return "pass";
  // Condition key names are case-insensitive in IAM (values are not).
  const context = new Map<string, string[]>(
    Object.entries({ ...request.context, "aws:PrincipalArn": [request.principalArn] }).map(([k, v]) => [
      k.toLowerCase(),
      v,
    ]),
  );
  const unknown = new Set((request.unknownKeys ?? []).map((k) => k.toLowerCase()));
  let hinges: string | undefined;
  for (const [op, keys] of Object.entries(statement.Condition ?? {}) as [
    ConditionOperator,
    Record<string, string[]>,
  ][]) {
    for (const [key, values] of Object.entries(keys)) {
      // A key the request had but nobody can tell: the statement denies only if every other condition holds.
      if (unknown.has(key.toLowerCase())) hinges ??= key;
      else if (!conditionHolds(op, values, context.get(key.toLowerCase()))) return "pass";
    }
  }
  if (request.unknownResource) return { unknownKey: request.unknownResource };
  return hinges ? { unknownKey: hinges } : "deny";
}

export function evaluateScp(statements: readonly ScpStatement[], request: ScpRequest): ScpVerdict {
  const hit = statements.find((s) => statementOutcome(s, request) === "deny");
  return hit ? { decision: "deny", deniedBy: hit.Sid } : { decision: "allow" };
}
