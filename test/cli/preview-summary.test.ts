/**
 * Preview's report at organization scale: who would be denied comes first, one row per principal (top 20, and what
 * the rest add up to), above the unchanged detail table; `--format json` lists every principal.
 */
import { formatPreview, PRINCIPALS_SHOWN } from "../../src/cli/preview/output";
import type { RecordPreview } from "../../src/policy/preview";
import { addToReport, emptyPreviewReport, principalSummaries } from "../../src/policy/preview-report";

const arnOf = (i: number) => `arn:aws:iam::1111222233${String(i).padStart(2, "0")}:role/app/Role${i}`;

function denied(i: number, suggestion: string, resource = "m"): Extract<RecordPreview, { kind: "denied" }> {
  return {
    kind: "denied",
    principalArn: arnOf(i),
    accountId: `1111222233${String(i).padStart(2, "0")}`,
    action: "bedrock:InvokeModel",
    resource,
    context: {},
    sid: "DenyInferenceOutsideModelAllowList",
    document: "bedrock-guardrail-inference",
    deniedBy: [{ sid: "DenyInferenceOutsideModelAllowList", document: "bedrock-guardrail-inference" }],
    suggestion,
    time: "2026-09-02T10:00:00Z",
    requests: [],
  };
}

const undetermined = (i: number): RecordPreview => ({
  kind: "undetermined",
  principalArn: arnOf(i),
  action: "bedrock:InvokeModel",
  missing: "the models behind the profile",
  time: "2026-09-02T10:00:00Z",
});

/** 25 principals: principal i has i+1 calls to each of two models (two suggestions, the second more used). */
function organizationReport() {
  const report = emptyPreviewReport();
  for (let i = 0; i < 25; i++) {
    for (let n = 0; n <= i; n++) {
      addToReport(report, denied(i, `add "a${i}" to scp.modelAllowList`, "a"));
      addToReport(report, denied(i, `add "b${i}" to scp.modelAllowList`, "b"));
      addToReport(report, denied(i, `add "b${i}" to scp.modelAllowList`, "b2"));
    }
    if (i % 2 === 0) addToReport(report, undetermined(i));
  }
  return report;
}

describe("preview's summary by principal", () => {
  it("comes first in the table: the top 20 principals, then what the others add up to, then the groups", () => {
    const report = organizationReport();
    const text = formatPreview(report, "table");
    const [summary, detail] = text.split("\n\n");
    const lines = summary.split("\n");
    expect(lines[0]).toBe(
      `Who would be denied (25 principal(s); ${report.counts.denied} denied call(s), ` +
        `${report.counts.undetermined} undetermined; most denied calls first):`,
    );
    expect(lines[1].split(/ {2,}/)).toEqual([
      "PRINCIPAL (aws:PrincipalArn)",
      "ACCOUNT",
      "DENIED CALLS",
      "UNDETERMINED",
      "GROUPS",
      "CHANGES",
      "TOP CHANGE (CALLS IT ALLOWS)",
    ]);
    const rows = lines.slice(3, 3 + PRINCIPALS_SHOWN);
    expect(rows).toHaveLength(20);
    // Top first: principal 24 has the most calls; its top change is the one that allows two of its three groups.
    expect(rows[0].split(/ {2,}/)).toEqual([
      arnOf(24),
      "111122223324",
      "75",
      "1",
      "3",
      "2",
      'add "b24" to scp.modelAllowList (50)',
    ]);
    expect(rows[19].split(/ {2,}/)[0]).toBe(arnOf(5));
    // The five left out: principals 0 to 4, (1+2+3+4+5) * 3 denied calls, and 0, 2 and 4 one undetermined each.
    expect(lines[3 + PRINCIPALS_SHOWN]).toBe(
      "and 5 more principal(s): 45 denied call(s), 3 undetermined (--format json lists every one)",
    );
    expect(lines).toHaveLength(4 + PRINCIPALS_SHOWN);
    // The rows and the rest add up to the report's counts.
    const shown = rows.map((r) => r.split(/ {2,}/));
    expect(shown.reduce((n, r) => n + Number(r[2]), 45)).toBe(report.counts.denied);
    expect(shown.reduce((n, r) => n + Number(r[3]), 3)).toBe(report.counts.undetermined);
    // The detail table follows, as it was.
    expect(detail).toMatch(
      /^Would be denied \(\d+ call\(s\)\):\nPRINCIPAL \(aws:PrincipalArn\) +ACCOUNT +ACTION +RESOURCE +CONTEXT +CALLS/,
    );
    expect(detail.split("\n")).toHaveLength(3 + Object.keys(report.denied).length);
  });

  it("lists every principal in the JSON document, in the same order", () => {
    const report = organizationReport();
    const json = JSON.parse(formatPreview(report, "json"));
    expect(json.principals).toHaveLength(25);
    expect(json.principals).toEqual(principalSummaries(report));
    expect(Object.keys(json)).toEqual(["counts", "principals", "wouldBeDenied", "alreadyDenied", "undetermined"]);
  });

  it("has no summary when no call would be denied or is undetermined; NDJSON keeps its group lines", () => {
    const report = emptyPreviewReport();
    expect(formatPreview(report, "table")).toBe("Would be denied: none\n");
    expect(JSON.parse(formatPreview(report, "json")).principals).toEqual([]);
    addToReport(report, denied(1, "x"));
    expect(formatPreview(report, "ndjson").trim().split("\n")).toHaveLength(1);
  });

  it("names every statement that denies a call in the DENIED BY column, the deciding one first", () => {
    const report = emptyPreviewReport();
    const keyed: RecordPreview = {
      ...denied(1, "x"),
      deniedBy: [
        { sid: "DenyInferenceOutsideModelAllowList", document: "doc-1" },
        { sid: "DenyBedrockApiKeyUse", document: "doc-2" },
      ],
    };
    addToReport(report, keyed);
    addToReport(report, denied(1, "x"));
    const detail = formatPreview(report, "table").split("\n\n")[1].split("\n");
    const deniedBy = detail.slice(3, 5).map((row) => row.split(/ {2,}/).at(-2));
    expect(deniedBy.sort()).toEqual([
      "DenyInferenceOutsideModelAllowList (bedrock-guardrail-inference)",
      "DenyInferenceOutsideModelAllowList (doc-1), DenyBedrockApiKeyUse (doc-2)",
    ]);
  });
});
