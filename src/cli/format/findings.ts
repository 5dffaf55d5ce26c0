/**
 * Output formats for findings: `ndjson` (one finding per line, streamed), `json` (one array,
 * streamed element by element), `table` (for people; needs every row to size its columns),
 * `ocsf` (one OCSF Detection Finding per line, streamed).
 */
import type { Finding } from "../../detection/finding";
import { toOcsf } from "./ocsf";
import { renderTable } from "./table";

export const FORMATS = ["table", "json", "ndjson", "ocsf"] as const;
export type Format = (typeof FORMATS)[number];

export interface FindingWriter {
  write(finding: Finding): void;
  /** Writes whatever the format keeps until the end (the table, the closing bracket). */
  end(): void;
}

const TABLE_HEADERS = [
  "TIME",
  "OUTCOME",
  "ACTION",
  "ACCOUNT",
  "REGION",
  "PRINCIPAL (aws:PrincipalArn)",
  "CREDENTIAL",
  "APPROVED",
  "EVENT ID",
];

function findingRow(f: Finding): string[] {
  const g = f.guardrail;
  return [
    f["@timestamp"],
    f.event.outcome,
    f.event.action,
    f.cloud.account.id ?? "-",
    f.cloud.region ?? "-",
    g.principal_arn ?? f.aws.cloudtrail.user_identity.arn ?? g.actor ?? `(${g.principal_kind})`,
    g.credential_kind,
    g.approved ? `yes (${g.exemption})` : "no",
    f.event.id,
  ];
}

function renderFindingsTable(findings: Finding[]): string {
  return renderTable(TABLE_HEADERS, findings.map(findingRow));
}

export function findingWriter(format: Format, out: (text: string) => void): FindingWriter {
  switch (format) {
    case "ndjson":
      return { write: (f) => out(`${JSON.stringify(f)}\n`), end: () => undefined };
    case "ocsf":
      return { write: (f) => out(`${JSON.stringify(toOcsf(f))}\n`), end: () => undefined };
    case "json": {
      let count = 0;
      return {
        write: (f) => {
          const body = JSON.stringify(f, null, 2).replace(/\n/g, "\n  ");
          out(`${count++ === 0 ? "[\n  " : ",\n  "}${body}`);
        },
        end: () => out(count === 0 ? "[]\n" : "\n]\n"),
      };
    }
    case "table": {
      const rows: Finding[] = [];
      return {
        write: (f) => rows.push(f),
        end: () => out(rows.length === 0 ? "No findings.\n" : renderFindingsTable(rows)),
      };
    }
  }
}
