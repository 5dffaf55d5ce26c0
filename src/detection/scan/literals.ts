/**
 * Required literals, as regex engines use them: from a rule's event selector, the texts a record it
 * matches must hold, so that the pre-filter can rule a record out with Buffer.indexOf before any
 * parsing. The answer is a list of groups: the record holds at least one literal of every group.
 *
 * Why a record the selector matches holds them (when it has no `\u` escape: such a record is always
 * parsed). The record's JSON text spells each of its string values, letter by letter, except the
 * characters JSON escapes (`"`, `\`, control characters), `/` (which a writer may escape as `\/`)
 * and, outside ASCII, bytes that may be invalid UTF-8 decoded as U+FFFD. So a value holds, as is,
 * every run of its characters without those: the literal of a value is its longest such run.
 * - The event name: the record's eventName is one of the selector's names (letters and digits).
 * - A failure outcome: errorCode is one of the selector's errorCodes.
 * - A condition `{ field, equals }`: the field's value is one of the values; `{ field, startsWith }`:
 *   the value starts with the prefix. Any other kind of condition (or these with any other key)
 *   gives no literal: leaving a condition out only lets more records through, which is always exact.
 * - An `{ anyOf: [list, ...] }`: the record meets every condition of one list, so it holds a literal of
 *   that list's first group; the anyOf requires the union of those groups, and nothing when a list has none.
 * A group that would hold an empty literal constrains nothing and is left out.
 */

export interface ScopeSelector {
  eventSource: string;
  /** Texts of which the record holds one (for the rules: its event names). */
  eventNames: readonly string[];
  outcome?: string;
  errorCodes?: readonly string[];
  where?: readonly unknown[];
}

/**
 * Whether a JSON writer may write the character otherwise than as itself, in a record without `\u`:
 * `"`, `\`, `/`, control characters, and anything outside printable ASCII.
 */
const mayBeEscaped = (code: number): boolean =>
  code < 0x20 || code > 0x7e || code === 0x22 || code === 0x5c || code === 0x2f;

/** The longest run of the value's characters that any JSON text of it spells as is ("" when none). */
export function literalOf(value: string): string {
  let best = "";
  let start = 0;
  for (let i = 0; i <= value.length; i++) {
    if (i < value.length && !mayBeEscaped(value.charCodeAt(i))) continue;
    if (i - start > best.length) best = value.slice(start, i);
    start = i + 1;
  }
  return best;
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

/** The values a condition's field must hold one of, for the two kinds whose meaning is known; else undefined. */
function conditionValues(condition: unknown): string[] | undefined {
  if (typeof condition !== "object" || condition === null) return undefined;
  const c = condition as Record<string, unknown>;
  const keys = Object.keys(c).sort().join(",");
  if (keys === "equals,field" && isStringArray(c.equals) && c.equals.length > 0) return c.equals;
  if (keys === "field,startsWith" && typeof c.startsWith === "string") return [c.startsWith];
  return undefined;
}

/** A group every record the where entry holds on spells one literal of (both kinds above), else undefined. */
function entryValues(entry: unknown): string[] | undefined {
  const anyOf = (entry as { anyOf?: unknown } | null)?.anyOf;
  if (typeof entry !== "object" || entry === null || Object.keys(entry).join() !== "anyOf" || !Array.isArray(anyOf))
    return conditionValues(entry);
  const groups = anyOf.map((list) =>
    Array.isArray(list)
      ? list.map(conditionValues).find((values) => values?.every((v) => literalOf(v).length > 0))
      : undefined,
  );
  return groups.every((group) => group !== undefined) ? groups.flat() : undefined;
}

/** The selector's required literals: groups, each of which a matching record holds one literal of. */
export function requiredLiterals(selector: ScopeSelector): string[][] {
  const groups: string[][] = [[...selector.eventNames]];
  if (selector.outcome === "failure" && selector.errorCodes && selector.errorCodes.length > 0)
    groups.push([...selector.errorCodes]);
  for (const condition of selector.where ?? []) {
    const values = entryValues(condition);
    if (values) groups.push(values);
  }
  return groups
    .map((group) => [...new Set(group.map(literalOf))])
    .filter((group) => group.length > 0 && group.every((literal) => literal.length > 0));
}
