/**
 * The preview report for people (a table per section) and for programs (one JSON document, or one
 * NDJSON line per group with its `kind`).
 */
import { type PreviewReportData, sortedGroups } from "../../policy/preview-report";
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
    `${g.sid} (${g.document})`,
    g.suggestion,
  ]);
  return renderTable(headers, rows);
}

function tables(report: PreviewReportData): string {
  const { wouldBeDenied, alreadyDenied, undetermined } = sections(report);
  const out: string[] = [];
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
  if (format === "json") return `${JSON.stringify({ counts: report.counts, ...s }, null, 2)}\n`;
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
