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

const TABLE_HEADERS = ["TIME", "SEVERITY", "RULE", "ACTION", "PRINCIPAL", "MODEL"];
/**
 * All but TIME and SEVERITY give way (cut in the middle) when the table is wider than the terminal;
 * the principal and the action keep the most.
 */
const SHRINKABLE = [
  { column: 2, keep: 1 },
  { column: 3, keep: 1.5 },
  { column: 4, keep: 2 },
  { column: 5, keep: 1 },
];

function findingRow(f: Finding): string[] {
  const g = f.guardrail;
  const principal = g.principal_arn ?? f.aws.cloudtrail.user_identity.arn ?? g.actor ?? `(${g.principal_kind})`;
  return [
    f["@timestamp"],
    g.severity,
    f.rule.id,
    f.event.outcome === "failure" ? `${f.event.action} (failed)` : f.event.action,
    g.approved ? `${principal} (approved: ${g.exemption})` : principal,
    g.model_id ?? "-",
  ];
}

/** Findings in event-time order (a scan reads files in path order, which is not time order across accounts). */
function renderFindingsTable(findings: Finding[], width: number | undefined): string {
  const sorted = [...findings].sort((a, b) => Date.parse(a["@timestamp"]) - Date.parse(b["@timestamp"]));
  return renderTable(TABLE_HEADERS, sorted.map(findingRow), width ? { width, shrinkable: SHRINKABLE } : undefined);
}

export interface FindingWriterOptions {
  /** The terminal's width: the table fits it. */
  width?: number;
}

export function findingWriter(
  format: Format,
  out: (text: string) => void,
  options: FindingWriterOptions = {},
): FindingWriter {
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
        end: () => out(rows.length === 0 ? "No findings.\n" : renderFindingsTable(rows, options.width)),
      };
    }
  }
}
