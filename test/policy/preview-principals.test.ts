/**
 * Preview's summary by principal: over generated histories its sums are the groups' sums, each principal's row is
 * the sum of its own groups and of its own undetermined records, the order is most denied calls first, and a report
 * merged from batches in any order gives the same summary.
 */
import fc from "fast-check";
import { previewerFor } from "../../src/policy/explain";
import type { RecordPreview } from "../../src/policy/preview";
import {
  addToReport,
  emptyPreviewReport,
  mergeReports,
  type PreviewReportData,
  principalSummaries,
} from "../../src/policy/preview-report";
import { guardrailFor, REALISTIC_CONFIG } from "./helpers";
import { recordArb } from "./history";

const DAY0 = Date.UTC(2026, 8, 1);
const previewer = previewerFor(guardrailFor(REALISTIC_CONFIG));

const total = (counts: number[]) => counts.reduce((a, b) => a + b, 0);

function reportOf(previews: RecordPreview[]): PreviewReportData {
  const report = emptyPreviewReport();
  for (const p of previews) addToReport(report, p);
  return report;
}

describe("preview's summary by principal", () => {
  it("sums to the groups: denied and undetermined calls, groups, per principal and in all", () => {
    fc.assert(
      fc.property(fc.array(recordArb(DAY0, 30), { maxLength: 120 }), (records) => {
        const previews = records.map((r) => previewer.previewRecord(r));
        const report = reportOf(previews);
        const principals = principalSummaries(report);
        const groups = Object.values(report.denied);
        // In all: the summary's totals are the detail's and the counts'.
        expect(total(principals.map((p) => p.deniedCalls))).toBe(report.counts.denied);
        expect(total(principals.map((p) => p.deniedCalls))).toBe(total(groups.map((g) => g.count)));
        expect(total(principals.map((p) => p.deniedGroups))).toBe(groups.length);
        expect(total(principals.map((p) => p.undeterminedCalls))).toBe(report.counts.undetermined);
        expect(total(principals.map((p) => p.undeterminedCalls))).toBe(
          total(Object.values(report.undetermined).map((g) => g.count)),
        );
        // Each principal once, and only one with a call to show.
        expect(new Set(principals.map((p) => p.principalArn)).size).toBe(principals.length);
        for (const p of principals) expect(p.deniedCalls + p.undeterminedCalls).toBeGreaterThan(0);
        for (const p of principals) {
          // Its row: its own groups, and its own undetermined records (counted from the records, not the report).
          const own = groups.filter((g) => g.principalArn === p.principalArn);
          expect(p.deniedCalls).toBe(total(own.map((g) => g.count)));
          expect(p.deniedGroups).toBe(own.length);
          expect(p.undeterminedCalls).toBe(
            previews.filter((r) => r.kind === "undetermined" && r.principalArn === p.principalArn).length,
          );
          const bySuggestion = new Map<string, number>();
          for (const g of own) bySuggestion.set(g.suggestion, (bySuggestion.get(g.suggestion) ?? 0) + g.count);
          expect(p.distinctSuggestions).toBe(bySuggestion.size);
          expect(p.topSuggestionCalls).toBe(Math.max(0, ...bySuggestion.values()));
          expect(p.topSuggestion === null ? 0 : bySuggestion.get(p.topSuggestion)).toBe(p.topSuggestionCalls);
          // Its groups' accounts, else (only undetermined calls) its ARN's account.
          const accounts = [...new Set(own.flatMap((g) => (g.accountId ? [g.accountId] : [])))].sort();
          const arnAccount = p.principalArn.startsWith("arn:") ? [p.principalArn.split(":")[4]] : [];
          expect(p.accountIds).toEqual(accounts.length > 0 ? accounts : arnAccount.filter(Boolean));
        }
        // Top first: most denied calls, then most undetermined.
        for (let i = 1; i < principals.length; i++) {
          const [a, b] = [principals[i - 1], principals[i]];
          expect(
            a.deniedCalls > b.deniedCalls ||
              (a.deniedCalls === b.deniedCalls && a.undeterminedCalls >= b.undeterminedCalls),
          ).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("is the same for a report merged from batches in any order (worker threads report per file)", () => {
    fc.assert(
      fc.property(
        fc.array(recordArb(DAY0, 30), { maxLength: 60 }),
        fc.integer({ min: 1, max: 4 }),
        (records, parts) => {
          const previews = records.map((r) => previewer.previewRecord(r));
          const batches = Array.from({ length: parts }, (_, i) => reportOf(previews.filter((_, j) => j % parts === i)));
          const merged = emptyPreviewReport();
          for (const b of batches.reverse()) mergeReports(merged, b);
          expect(principalSummaries(merged)).toEqual(principalSummaries(reportOf(previews)));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("a principal with only undetermined calls: its ARN's account, no suggestion", () => {
    const arn = "arn:aws:iam::111122223333:role/app/ChatbotBackend";
    const report = reportOf([
      { kind: "undetermined", principalArn: arn, action: "bedrock:InvokeModel", missing: "m", time: "" },
      {
        kind: "undetermined",
        principalArn: "(unknown principal)",
        action: "bedrock:InvokeModel",
        missing: "m",
        time: "",
      },
    ]);
    expect(principalSummaries(report)).toEqual([
      {
        principalArn: "(unknown principal)",
        accountIds: [],
        deniedCalls: 0,
        deniedGroups: 0,
        undeterminedCalls: 1,
        distinctSuggestions: 0,
        topSuggestion: null,
        topSuggestionCalls: 0,
      },
      {
        principalArn: arn,
        accountIds: ["111122223333"],
        deniedCalls: 0,
        deniedGroups: 0,
        undeterminedCalls: 1,
        distinctSuggestions: 0,
        topSuggestion: null,
        topSuggestionCalls: 0,
      },
    ]);
  });

  it("counts a principal whatever its name (a record's ARN is any text, __proto__ too)", () => {
    const odd = { kind: "undetermined", principalArn: "__proto__", action: "a", missing: "m", time: "" } as const;
    const report = reportOf([odd, odd]);
    expect(principalSummaries(report).map((p) => [p.principalArn, p.undeterminedCalls])).toEqual([["__proto__", 2]]);
  });
});
