/**
 * The preview report for people (who would be denied, by principal, then a table per section) and for programs
 * (one JSON document, or one NDJSON line per group with its `kind`).
 */
import {
  type PreviewReportData,
  type PrincipalSummary,
  principalSummaries,
  sortedGroups,
} from "../../policy/preview-report";
import { renderTable } from "../format/table";

export const PREVIEW_FORMATS = ["table", "json", "ndjson"] as const;
export type PreviewFormat = (typeof PREVIEW_FORMATS)[number];

function sections(report: PreviewReportData) {
  return {
    wouldBeDenied: sortedGroups(report.denied),
    alreadyDenied: sortedGroups(report.alreadyDenied),
    undetermined: sortedGroups(report.undetermined),
  };
}

/** The would-be-denied table; the OU column only when the OUs were looked up (--ou). */
function deniedTable(groups: ReturnType<typeof sections>["wouldBeDenied"]): string {
  const withOu = groups.some((g) => g.ou !== undefined);
  const headers = [
    "PRINCIPAL (aws:PrincipalArn)",
    "ACCOUNT",
    ...(withOu ? ["OU"] : []),
    "ACTION",
    "RESOURCE",
    "CONTEXT",
    "CALLS",
    "FIRST SEEN",
    "LAST SEEN",
    "DENIED BY",
    "TO ALLOW IT",
  ];
  const rows = groups.map((g) => [
    g.principalArn,
    g.accountId ?? "-",
    ...(withOu ? [g.ou ?? "-"] : []),
    g.action,
    g.resource,
    Object.entries(g.context)
      .map(([k, v]) => `${k}=${v.join(",")}`)
      .join(" ") || "-",
    String(g.count),
    g.firstSeen || "-",
    g.lastSeen || "-",
    g.deniedBy.map(({ sid, document }) => `${sid} (${document})`).join(", "),
    g.suggestion,
  ]);
  return renderTable(headers, rows);
}

/** How many principals the text report's summary lists; the JSON document lists every one. */
export const PRINCIPALS_SHOWN = 20;

/**
 * Who would be denied, top first: one row per principal above the groups (an organization's report has hundreds of
 * groups, a principal's spread across them), and what the principals left out add up to.
 */
function principalTable(principals: PrincipalSummary[], counts: PreviewReportData["counts"]): string {
  const shown = principals.slice(0, PRINCIPALS_SHOWN);
  const rest = principals.slice(PRINCIPALS_SHOWN);
  const sum = (list: PrincipalSummary[], key: "deniedCalls" | "undeterminedCalls") =>
    list.reduce((n, p) => n + p[key], 0);
  const table = renderTable(
    [
      "PRINCIPAL (aws:PrincipalArn)",
      "ACCOUNT",
      "DENIED CALLS",
      "UNDETERMINED",
      "GROUPS",
      "CHANGES",
      "TOP CHANGE (CALLS IT ALLOWS)",
    ],
    shown.map((p) => [
      p.principalArn,
      p.accountIds.join(",") || "-",
      String(p.deniedCalls),
      String(p.undeterminedCalls),
      String(p.deniedGroups),
      String(p.distinctSuggestions),
      p.topSuggestion === null ? "-" : `${p.topSuggestion} (${p.topSuggestionCalls})`,
    ]),
  );
  const more =
    rest.length === 0
      ? ""
      : `and ${rest.length} more principal(s): ${sum(rest, "deniedCalls")} denied call(s), ` +
        `${sum(rest, "undeterminedCalls")} undetermined (--format json lists every one)\n`;
  return (
    `Who would be denied (${principals.length} principal(s); ${counts.denied} denied call(s), ` +
    `${counts.undetermined} undetermined; most denied calls first):\n${table}${more}\n`
  );
}

function tables(report: PreviewReportData): string {
  const { wouldBeDenied, alreadyDenied, undetermined } = sections(report);
  const principals = principalSummaries(report);
  const out: string[] = [];
  if (principals.length > 0) out.push(principalTable(principals, report.counts));
  out.push(
    wouldBeDenied.length === 0
      ? "Would be denied: none\n"
      : `Would be denied (${report.counts.denied} call(s)):\n${deniedTable(wouldBeDenied)}`,
  );
  if (alreadyDenied.length > 0)
    out.push(
      `\nAlready denied today (AccessDenied in the record, ${report.counts.alreadyDenied} call(s)):\n${renderTable(
        ["PRINCIPAL (aws:PrincipalArn)", "ACTION", "CALLS", "FIRST SEEN", "LAST SEEN"],
        alreadyDenied.map((g) => [g.principalArn, g.action, String(g.count), g.firstSeen || "-", g.lastSeen || "-"]),
      )}`,
    );
  if (undetermined.length > 0)
    out.push(
      `\nUndetermined (${report.counts.undetermined} call(s), the record lacks what the decision needs):\n${renderTable(
        ["ACTION", "MISSING", "CALLS", "FOR EXAMPLE", "FIRST SEEN", "LAST SEEN"],
        undetermined.map((g) => [
          g.action,
          g.missing,
          String(g.count),
          g.examplePrincipalArn,
          g.firstSeen || "-",
          g.lastSeen || "-",
        ]),
      )}`,
    );
  return out.join("");
}

export function formatPreview(report: PreviewReportData, format: PreviewFormat): string {
  if (format === "table") return tables(report);
  const s = sections(report);
  if (format === "json")
    return `${JSON.stringify({ counts: report.counts, principals: principalSummaries(report), ...s }, null, 2)}\n`;
  return [
    ...s.wouldBeDenied.map((g) => ({ kind: "would-be-denied", ...g })),
    ...s.alreadyDenied.map((g) => ({ kind: "already-denied", ...g })),
    ...s.undetermined.map((g) => ({ kind: "undetermined", ...g })),
  ]
    .map((line) => `${JSON.stringify(line)}\n`)
    .join("");
}

export function previewSummaryLine(report: PreviewReportData): string {
  const c = report.counts;
  return (
    `${c.evaluated} call(s) the SCP names evaluated: ${c.denied} would be denied ` +
    `(${Object.keys(report.denied).length} group(s)), ${c.allowed} allowed; ${c.alreadyDenied} already denied, ` +
    `${c.undetermined} undetermined, ${c.outsideScp} outside SCPs`
  );
}
