/**
 * The one implementation of IAM's `ArnLike` condition operator. The SCP's exemption, the
 * detection's "approved?" decision and remediation's "protected?" decision all call this, so the
 * three can never disagree about who is exempt.
 *
 * IAM semantics: case-sensitive; the ARN's six colon-delimited components
 * (arn:partition:service:region:account:resource) are matched separately; in each, `*` matches any
 * run of characters (including none, including `/`) and `?` exactly one. A wildcard never spans a
 * colon between components; the sixth component (the resource) may itself contain colons.
 */

export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/** Splits on the first five colons. Returns undefined when the text is not a six-component ARN. */
export function splitArn(arn: string): string[] | undefined {
  const parts: string[] = [];
  let rest = arn;
  for (let i = 0; i < 5; i++) {
    const at = rest.indexOf(":");
    if (at < 0) return undefined;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  parts.push(rest);
  return parts[0] === "arn" || parts[0].includes("*") || parts[0].includes("?") ? parts : undefined;
}

export function parseArn(arn: string): ArnParts | undefined {
  const p = splitArn(arn);
  if (p?.[0] !== "arn") return undefined;
  return { partition: p[1], service: p[2], region: p[3], account: p[4], resource: p[5] };
}

/** Glob match of one component: `*` any run, `?` one character, everything else literal. */
export function globMatch(pattern: string, text: string): boolean {
  // Iterative wildcard matching with single backtrack point: linear-ish, no regex compilation, no ReDoS.
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    // `*` is tested first: a literal `*` in the text must not make the pattern's `*` a plain character.
    if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      mark = t;
    } else if (p < pattern.length && (pattern[p] === "?" || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}

/**
 * `ArnLike(pattern, arn)`. A pattern that is not a six-component ARN (such as a bare `*`) is matched
 * against the whole string, which is what IAM does for such values; config validation refuses those.
 */
export function arnLike(pattern: string, arn: string): boolean {
  const pp = splitArn(pattern);
  if (!pp) return globMatch(pattern, arn);
  const ap = splitArn(arn);
  if (!ap) return false;
  for (let i = 0; i < 6; i++) if (!globMatch(pp[i], ap[i])) return false;
  return true;
}

/** True when any pattern matches: the decision an `ArnNotLike` exemption list makes. */
export function arnLikeAny(patterns: readonly string[], arn: string | undefined | null): boolean {
  if (!arn) return false;
  return patterns.some((p) => arnLike(p, arn));
}
