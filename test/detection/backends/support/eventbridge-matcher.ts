/**
 * A small EventBridge event-pattern matcher for tests, written from EventBridge's content-filtering
 * documentation and the Event Ruler README (no npm library implements EventBridge matching and is
 * well kept). It implements the subset the generated pattern uses and throws on anything else, so a
 * pattern it does not understand can never pass silently:
 * - fields of a pattern object are ANDed; the values in a leaf array are ORed;
 * - a literal (string, number, boolean, null) matches an equal leaf of the same JSON type
 *   ("" and null are different; "5" and 5 are different);
 * - if the event value is an array, the leaf matches when any element matches;
 * - `{"exists": true}` matches a present leaf (its value, null included, does not matter);
 *   `{"exists": false}` matches an absent field, and also a field holding an object, because exists
 *   only looks at leaf nodes (the Event Ruler README documents that quirk), and a nested field under
 *   a missing or leaf parent (Event Ruler matches flattened leaf paths, where no such path exists);
 * - `{"prefix": "x"}` matches a string leaf that starts with "x" (case-sensitive; other types never);
 * - `{"equals-ignore-case": "x"}` matches a string leaf equal to "x" in any case, and
 *   `{"prefix": {"equals-ignore-case": "x"}}` one that starts with it in any case (other types never);
 *   "any case" is taken as lower-casing both sides, which for the ASCII values rules carry is the same;
 * - `"$or": [p1, p2, ...]` (two or more objects) matches when any sub-pattern matches at that level.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function leafValues(v: unknown): unknown[] {
  if (Array.isArray(v)) return v.filter((e) => !isObject(e) && !Array.isArray(e));
  if (isObject(v)) return [];
  return [v];
}

function matchLeaf(matcher: Json, present: boolean, value: unknown): boolean {
  if (isObject(matcher)) {
    const keys = Object.keys(matcher);
    if (keys.length === 1 && keys[0] === "exists" && typeof matcher.exists === "boolean") {
      const hasLeaf = present && leafValues(value).length > 0;
      return matcher.exists ? hasLeaf : !hasLeaf;
    }
    if (keys.length === 1 && keys[0] === "prefix" && typeof matcher.prefix === "string") {
      const prefix = matcher.prefix;
      return present && leafValues(value).some((v) => typeof v === "string" && v.startsWith(prefix));
    }
    const caseless = (m: Json): string | undefined => {
      if (!isObject(m)) return undefined;
      const ks = Object.keys(m);
      const v = m["equals-ignore-case"];
      return ks.length === 1 && typeof v === "string" ? v.toLowerCase() : undefined;
    };
    const strings = () => (present ? leafValues(value).filter((v) => typeof v === "string") : []);
    const equal = caseless(matcher);
    if (equal !== undefined) return strings().some((v) => v.toLowerCase() === equal);
    const prefix = keys.length === 1 && keys[0] === "prefix" ? caseless(matcher.prefix) : undefined;
    if (prefix !== undefined) return strings().some((v) => v.toLowerCase().startsWith(prefix));
    throw new Error(`test matcher: unsupported operator ${JSON.stringify(matcher)}`);
  }
  if (Array.isArray(matcher)) throw new Error("test matcher: nested array in a pattern");
  if (!present) return false;
  return leafValues(value).some((v) => v === matcher);
}

export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  if (!isObject(event)) return false;
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === "$or") {
      if (!Array.isArray(sub) || sub.length < 2 || !sub.every(isObject))
        throw new Error("test matcher: $or needs two or more objects");
      if (!sub.some((p) => matchesPattern(p as Record<string, unknown>, event))) return false;
      continue;
    }
    const present = Object.hasOwn(event, key) && event[key] !== undefined;
    if (Array.isArray(sub)) {
      if (!sub.some((m) => matchLeaf(m as Json, present, event[key]))) return false;
    } else if (isObject(sub)) {
      // EventBridge matches on the event's flattened leaf paths: under a missing or leaf value no
      // deeper path exists, so the sub-pattern sees an empty object (exists:false holds there).
      const value = event[key];
      const candidates = Array.isArray(value) ? value : [value];
      if (!candidates.some((c) => matchesPattern(sub, isObject(c) ? c : {}))) return false;
    } else {
      throw new Error(`test matcher: pattern value for ${key} must be an array or an object`);
    }
  }
  return true;
}
