/**
 * The preview's report: would-be-denied calls grouped by principal, action, resource and statement
 * (with counts, first and last seen and the config change that allows them), already-denied calls
 * and undetermined ones apart, and the counts of everything else. Built by adding record outcomes;
 * two reports merge into the report of both batches, in any order (worker threads report per file).
 * Rolled up by principal (principalSummaries) for an organization's report, where one principal has many groups.
 */
import { parseArn } from "../arn/arn-like";
import type { RecordPreview } from "./preview";

interface Seen {
  count: number;
  firstSeen: string;
  lastSeen: string;
}

/** A denied call's fields but its time and requests, and how often it was seen. */
type DeniedGroup = Seen &
  Omit<Extract<RecordPreview, { kind: "denied" }>, "kind" | "time" | "requests"> & {
    /** The account's parent (OU or root), when looked up (preview --ou). */
    ou?: string;
  };

interface AlreadyDeniedGroup extends Seen {
  principalArn: string;
  action: string;
}

interface UndeterminedGroup extends Seen {
  action: string;
  missing: string;
  /** One principal it happened to (the first in text order, so merging in any order gives the same). */
  examplePrincipalArn: string;
}

/** Plain data (it crosses worker threads): the groups by key, and the counts. */
export interface PreviewReportData {
  denied: Record<string, DeniedGroup>;
  alreadyDenied: Record<string, AlreadyDeniedGroup>;
  undetermined: Record<string, UndeterminedGroup>;
  /**
   * Undetermined calls by principal, for the summary (the undetermined groups are by action and what is missing).
   * Keyed `principal|`, as the groups by their `|`-joined fields: no key is `__proto__` (a record's ARN is any text).
   */
  undeterminedByPrincipal: Record<string, { principalArn: string; count: number }>;
  counts: {
    evaluated: number;
    allowed: number;
    denied: number;
    alreadyDenied: number;
    undetermined: number;
    outsideScp: number;
  };
}

export function emptyPreviewReport(): PreviewReportData {
  return {
    denied: {},
    alreadyDenied: {},
    undetermined: {},
    undeterminedByPrincipal: {},
    counts: { evaluated: 0, allowed: 0, denied: 0, alreadyDenied: 0, undetermined: 0, outsideScp: 0 },
  };
}

/** Times compare as text: CloudTrail's ISO-8601 UTC sorts chronologically; an empty time is never first or last. */
function seen<T extends Seen>(map: Record<string, T>, key: string, fresh: Omit<T, keyof Seen>, other: Seen): void {
  const g = map[key];
  if (!g) {
    map[key] = { ...(fresh as T), count: other.count, firstSeen: other.firstSeen, lastSeen: other.lastSeen };
    return;
  }
  g.count += other.count;
  if (other.firstSeen && (!g.firstSeen || other.firstSeen < g.firstSeen)) g.firstSeen = other.firstSeen;
  if (other.lastSeen > g.lastSeen) g.lastSeen = other.lastSeen;
}

const once = (time: string): Seen => ({ count: 1, firstSeen: time, lastSeen: time });

/** Adds one record's outcome to a report (in place). */
export function addToReport(report: PreviewReportData, p: RecordPreview): void {
  const c = report.counts;
  switch (p.kind) {
    case "not-guarded":
      return;
    case "outside-scp":
      c.outsideScp++;
      return;
    case "allowed":
      c.evaluated++;
      c.allowed++;
      return;
    case "already-denied":
      c.alreadyDenied++;
      seen(
        report.alreadyDenied,
        `${p.principalArn}|${p.action}`,
        { principalArn: p.principalArn, action: p.action },
        once(p.time),
      );
      return;
    case "undetermined":
      c.undetermined++;
      mergeReports(report, {
        ...emptyPreviewReport(),
        undeterminedByPrincipal: { [`${p.principalArn}|`]: { principalArn: p.principalArn, count: 1 } },
        undetermined: {
          [`${p.action}|${p.missing}`]: {
            action: p.action,
            missing: p.missing,
            examplePrincipalArn: p.principalArn,
            ...once(p.time),
          },
        },
      });
      return;
    case "denied": {
      c.evaluated++;
      c.denied++;
      const { principalArn, accountId, action, resource, context, sid, document, deniedBy, suggestion } = p;
      const group = { principalArn, accountId, action, resource, context, sid, document, deniedBy, suggestion };
      const keys = JSON.stringify(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : 1)));
      // The suggestion is the whole call's: the same first denial with or without an API key needs other changes.
      const sids = deniedBy.map((d) => d.sid).join(",");
      const key = `${principalArn}|${action}|${resource}|${keys}|${sids}|${suggestion}`;
      seen(report.denied, key, group, once(p.time));
    }
  }
}

/** Adds `count` undetermined calls to a principal's tally (in place). */
function addUndetermined(report: PreviewReportData, principalArn: string, count: number): void {
  const tally = report.undeterminedByPrincipal[`${principalArn}|`];
  if (tally) tally.count += count;
  else report.undeterminedByPrincipal[`${principalArn}|`] = { principalArn, count };
}

/** Adds every group and count of `from` to `into` (in place). */
export function mergeReports(into: PreviewReportData, from: PreviewReportData): void {
  for (const [k, g] of Object.entries(from.denied)) seen(into.denied, k, g, g);
  for (const [k, g] of Object.entries(from.alreadyDenied)) seen(into.alreadyDenied, k, g, g);
  for (const [k, g] of Object.entries(from.undetermined)) {
    const was = into.undetermined[k]?.examplePrincipalArn;
    seen(into.undetermined, k, g, g);
    into.undetermined[k].examplePrincipalArn = was && was < g.examplePrincipalArn ? was : g.examplePrincipalArn;
  }
  for (const { principalArn, count } of Object.values(from.undeterminedByPrincipal))
    addUndetermined(into, principalArn, count);
  for (const key of Object.keys(into.counts) as (keyof PreviewReportData["counts"])[])
    into.counts[key] += from.counts[key];
}

/** Groups in a stable order: most calls first, then by key. */
export function sortedGroups<T extends Seen>(map: Record<string, T>): T[] {
  return Object.entries(map)
    .sort(([ka, a], [kb, b]) => b.count - a.count || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .map(([, g]) => g);
}

/** One principal's calls across the report's groups: who would be denied, how much, and by how many changes. */
export interface PrincipalSummary {
  principalArn: string;
  /** The accounts of its would-be-denied groups (else its ARN's account, if it has one). */
  accountIds: string[];
  deniedCalls: number;
  /** How many would-be-denied groups its calls make. */
  deniedGroups: number;
  undeterminedCalls: number;
  /** How many different config changes its would-be-denied calls need. */
  distinctSuggestions: number;
  /** The change that allows most of its would-be-denied calls (ties: the first in text order); null with none. */
  topSuggestion: string | null;
  /** How many of its would-be-denied calls the top suggestion allows. */
  topSuggestionCalls: number;
}

/**
 * The report by principal: every principal with a would-be-denied or undetermined call, most denied calls first,
 * then most undetermined, then by ARN. Its sums are the report's: every call of a group is its principal's.
 */
export function principalSummaries(report: PreviewReportData): PrincipalSummary[] {
  const byPrincipal = new Map<string, { accounts: Set<string>; suggestions: Map<string, number> } & PrincipalSummary>();
  const of = (principalArn: string) => {
    let s = byPrincipal.get(principalArn);
    if (!s) {
      s = {
        principalArn,
        accountIds: [],
        deniedCalls: 0,
        deniedGroups: 0,
        undeterminedCalls: 0,
        distinctSuggestions: 0,
        topSuggestion: null,
        topSuggestionCalls: 0,
        accounts: new Set(),
        suggestions: new Map(),
      };
      byPrincipal.set(principalArn, s);
    }
    return s;
  };
  for (const g of Object.values(report.denied)) {
    const s = of(g.principalArn);
    s.deniedCalls += g.count;
    s.deniedGroups++;
    if (g.accountId) s.accounts.add(g.accountId);
    s.suggestions.set(g.suggestion, (s.suggestions.get(g.suggestion) ?? 0) + g.count);
  }
  for (const { principalArn, count } of Object.values(report.undeterminedByPrincipal))
    of(principalArn).undeterminedCalls += count;
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...byPrincipal.values()]
    .map(({ accounts, suggestions, ...s }) => {
      const arnAccount = parseArn(s.principalArn)?.account;
      if (accounts.size === 0 && arnAccount) accounts.add(arnAccount);
      const [top] = [...suggestions].sort(([ta, ca], [tb, cb]) => cb - ca || byText(ta, tb));
      return {
        ...s,
        accountIds: [...accounts].sort(),
        distinctSuggestions: suggestions.size,
        topSuggestion: top?.[0] ?? null,
        topSuggestionCalls: top?.[1] ?? 0,
      };
    })
    .sort(
      (a, b) =>
        b.deniedCalls - a.deniedCalls ||
        b.undeterminedCalls - a.undeterminedCalls ||
        byText(a.principalArn, b.principalArn),
    );
}
