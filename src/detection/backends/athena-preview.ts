/**
 * The Athena query `preview --backend athena` runs: the records of a window whose event a statement
 * of the SCP names, or that a Bedrock API key made (every such call is also authorized as
 * CallWithBearerToken), with the Lake columns (additionaleventdata among them: where bedrock-runtime
 * marks a bearer-token call). The scope is plain data from the preview (src/policy/preview.ts); every value
 * goes through the literal rules of sql-literal.ts.
 */
import { athenaSelect, type AthenaQueryOptions, athenaRowToRecord } from "./athena-sql";
import { BackendInputError } from "./input-error";
import type { LakeRow } from "./lake-sql";
import { sqlString } from "./sql-literal";

export interface PreviewQueryScope {
  /**
   * Event names per source; `prefix`: a name may carry a suffix (as Lambda API versions do); `all`:
   * every event of the source (a statement names the whole service).
   */
  events: { eventSource: string; eventNames: string[]; prefix?: boolean; all?: boolean }[];
  /** Sources whose calls made with an API key matter whatever their event name. */
  bearerTokenSources: string[];
}

const NAME = /^[A-Za-z0-9]+$/;
const SOURCE = /^[a-z0-9-]+\.amazonaws\.com$/;

function checked(values: string[], pattern: RegExp, input: string): string[] {
  values.forEach((v, i) => {
    if (!pattern.test(v)) throw new BackendInputError(`${input}[${i}]`, `${JSON.stringify(v)} is not a valid name`);
  });
  return values;
}

/** The WHERE condition selecting the scope's records. */
function previewCondition(scope: PreviewQueryScope): string {
  const parts = scope.events.map(({ eventSource, eventNames, prefix, all }) => {
    const source = sqlString(checked([eventSource], SOURCE, "event source")[0], "event source");
    if (all) return `(eventsource = ${source})`;
    const names = checked(eventNames, NAME, "event name").map((n) => sqlString(n, "event name"));
    const name = prefix
      ? `(${names.map((n) => `starts_with(eventname, ${n})`).join(" OR ")})`
      : `eventname IN (${names.join(", ")})`;
    return `(eventsource = ${source} AND ${name})`;
  });
  if (scope.bearerTokenSources.length > 0) {
    const sources = checked(scope.bearerTokenSources, SOURCE, "event source").map((s) => sqlString(s, "event source"));
    const marked = (column: string) => `json_extract_scalar(${column}, '$.callWithBearerToken') = 'true'`;
    const either = `${marked("additionaleventdata")} OR ${marked("requestparameters")}`;
    parts.push(`(eventsource IN (${sources.join(", ")}) AND (${either}))`);
  }
  if (parts.length === 0) throw new BackendInputError("preview", "the SCP names no event to query");
  return `(\n    ${parts.join("\n    OR ")}\n  )`;
}

export function buildPreviewAthenaQuery(scope: PreviewQueryScope, options: AthenaQueryOptions): string {
  return athenaSelect(previewCondition(scope), options);
}

/** A result row back to the record preview reads (the Lake columns carry additionalEventData). */
export const previewRowToRecord: (row: LakeRow) => ReturnType<typeof athenaRowToRecord> = athenaRowToRecord;
