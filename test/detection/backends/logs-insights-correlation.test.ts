/**
 * Correlation rules on CloudWatch Logs Insights. Logs Insights has no local engine, so the queries are
 * run by a small interpreter of exactly the subset they use (support/insights-interpreter.ts) and
 * compared with the reference engine on generated histories:
 * - the threshold query `query` prints: a row per credential and window that the engine reports, with
 *   the same window start and first time, and no other row;
 * - the monitor's rows query over its widened range: the engine over those rows reports, for the run
 *   window, exactly what it reports over the whole history (windows that straddle runs included).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import {
  buildLogsInsightsCorrelationRowsQuery,
  buildLogsInsightsThresholdQuery,
  INSIGHTS_CREDENTIAL,
  logsInsightsCorrelationRange,
  logsInsightsCorrelationRules,
  logsInsightsRefusal,
  logsInsightsThresholdWindow,
} from "../../../src/detection/backends/logs-insights-correlation";
import { INSIGHTS_FIELDS } from "../../../src/detection/backends/logs-insights";
import { type Correlation, correlate } from "../../../src/detection/correlation/engine";
import type { CloudTrailRecord } from "../../../src/detection/record";
import type { CorrelationRule } from "../../../src/guardrail/correlation-definition";
import { guardrailFrom } from "../../support/fixtures";
import { HISTORY_SPAN_MS, HISTORY_START_MS, historyArb } from "../correlation/histories";
import { asResultRow, runInsightsQuery } from "./support/insights-interpreter";

const rules = guardrailFrom().correlationRules;
const probing = rules.find((r) => r.id === "bedrock-invocation-probing") as Extract<
  CorrelationRule,
  { kind: "threshold" }
>;
const thresholds = logsInsightsCorrelationRules(rules);
const ruleOfKind = (kind: CorrelationRule["kind"]) => rules.find((r) => r.kind === kind)!;

describe("buildLogsInsightsThresholdQuery", () => {
  it("filters the rule's selectors, groups by credential and eventTime window, keeps windows at the threshold", () => {
    const lines = buildLogsInsightsThresholdQuery(probing).split("\n");
    expect(lines[0]).toMatch(/^filter \(eventSource = "bedrock\.amazonaws\.com" and eventName in \["InvokeModel", /);
    expect(lines[0]).toContain('errorCode in ["ValidationException", "AccessDenied", "AccessDeniedException", ');
    expect(lines[1]).toMatch(
      /^ {4}or \(eventSource = "bedrock-mantle\.amazonaws\.com" and eventName in \["CreateInference"\]/,
    );
    expect(lines.slice(2)).toEqual([
      `| fields ${INSIGHTS_CREDENTIAL} as credential, substr(eventTime, 0, 15) as time_window`,
      "| stats count(*) as event_count, min(eventTime) as first_time, max(eventTime) as last_time" +
        " by credential, time_window",
      "| filter event_count >= 20",
      "| sort time_window asc",
      "| limit 10000",
    ]);
    expect(buildLogsInsightsThresholdQuery({ ...probing, windowMinutes: 60 }, { limit: 5 })).toMatch(
      /substr\(eventTime, 0, 13\) as time_window\n[\s\S]*\| limit 5$/,
    );
    expect(() => buildLogsInsightsThresholdQuery(probing, { limit: 10_001 })).toThrow(/limit: must be an integer/);
  });

  it("is what docs/detection.md shows (the selectors shortened there)", () => {
    const doc = fs.readFileSync(path.join(__dirname, "..", "..", "..", "docs", "detection.md"), "utf8");
    const shown = doc.slice(doc.indexOf("# bedrock-invocation-probing\n"));
    const printed = buildLogsInsightsThresholdQuery(probing).split("\n").slice(2);
    expect(shown.split("\n").slice(3, 3 + printed.length)).toEqual(printed);
  });

  it("refuses the kinds one Logs Insights query cannot express, naming the rule, the reason and where it runs", () => {
    expect(logsInsightsRefusal(probing)).toBeUndefined();
    const where = "it runs with detect and hunt, and in the cloudtrail-lake and athena queries and monitor";
    expect(logsInsightsRefusal(ruleOfKind("value-count"))).toBe(
      "bedrock-multi-region-invocation (value-count): Logs Insights' count_distinct is documented as an " +
        `approximation for fields with many values; ${where}`,
    );
    expect(logsInsightsRefusal(ruleOfKind("sequence"))).toMatch(/^bedrock-enumeration-then-invocation \(sequence\): /);
    expect(logsInsightsRefusal(ruleOfKind("new-term"))).toMatch(/30-day baseline/);
    expect(logsInsightsRefusal({ ...probing, windowMinutes: 15 })).toBe(
      "bedrock-invocation-probing (threshold): its 15-minute window cannot be read exactly from eventTime " +
        `(1, 10, 60, 1440 minutes can); ${where}`,
    );
    for (const rule of [ruleOfKind("value-count"), ruleOfKind("sequence"), { ...probing, windowMinutes: 5 }])
      expect(() => buildLogsInsightsThresholdQuery(rule)).toThrow(new RegExp(`^--rule: ${rule.id} \\(`));
  });

  it("reads a result row back as the window it names", () => {
    const row = [
      { field: "credential", value: "AKIAEXAMPLEEXAMPLE01" },
      { field: "time_window", value: "2026-01-15T10:0" },
      { field: "event_count", value: "23" },
      { field: "first_time", value: "2026-01-15T10:00:00Z" },
      { field: "last_time", value: "2026-01-15T10:09:59Z" },
    ];
    expect(logsInsightsThresholdWindow(row)).toEqual({
      credential: "AKIAEXAMPLEEXAMPLE01",
      windowStart: "2026-01-15T10:00:00.000Z",
      eventCount: 23,
      firstTime: "2026-01-15T10:00:00Z",
      lastTime: "2026-01-15T10:09:59Z",
    });
    expect(logsInsightsThresholdWindow([{ field: "time_window", value: "2026-01-15" }, ...row.slice(2)])).toBe(
      undefined,
    );
    expect(logsInsightsThresholdWindow(row.map((c) => (c.field === "event_count" ? { ...c, value: "x" } : c)))).toBe(
      undefined,
    );
  });
});

/** The engine's threshold findings as (credential, window start, first time): what a row can say. */
function engineWindows(history: CloudTrailRecord[], rule: CorrelationRule): string[] {
  return correlate([rule], history)
    .map((c) => `${c.group.replace(/^(access-key|principal) /, "")} ${c.windowStart} ${c.events[0].timeMs}`)
    .sort();
}

function queryWindows(history: CloudTrailRecord[], rule: CorrelationRule): string[] {
  return runInsightsQuery(buildLogsInsightsThresholdQuery(rule), history)
    .map((row) => logsInsightsThresholdWindow(asResultRow(row))!)
    .map((w) => `${w.credential} ${w.windowStart} ${Date.parse(w.firstTime)}`)
    .sort();
}

describe("the threshold query (interpreted) = the reference engine", () => {
  it("on the rule's own example histories", () => {
    for (const test of probing.tests) {
      const history = test.history as CloudTrailRecord[];
      expect(queryWindows(history, probing)).toEqual(engineWindows(history, probing));
      expect(queryWindows(history, probing).length > 0).toBe(test.expect);
    }
  });

  it("on generated histories, for the shipped window and a 60-minute one", () => {
    let fired = 0;
    fc.assert(
      fc.property(historyArb, (history) => {
        for (const rule of [probing, { ...probing, windowMinutes: 60, threshold: 30 }]) {
          const want = engineWindows(history, rule);
          fired += want.length;
          expect(queryWindows(history, rule)).toEqual(want);
        }
      }),
      { numRuns: 150 },
    );
    expect(fired).toBeGreaterThan(0);
  });
});

const summary = (cs: Correlation[]) =>
  cs.map((c) => `${c.rule.id} ${c.id} ${c.events.map((e) => e.id).join(",")}`).sort();

describe("the monitor's rows query over its range = the reference engine", () => {
  it("lists every field the finding needs and the threshold rules' selectors", () => {
    const q = buildLogsInsightsCorrelationRowsQuery(thresholds);
    expect(q.split("\n")[0]).toBe(`fields ${INSIGHTS_FIELDS.join(", ")}`);
    expect(q).toMatch(/\| sort @timestamp asc\n\| limit 10000$/);
    expect(thresholds.map((r) => r.kind)).toEqual(["threshold"]);
    expect(() => buildLogsInsightsCorrelationRowsQuery([])).toThrow(/has no threshold rules/);
  });

  it("reads back to the start of the rule window containing the run's start", () => {
    const range = logsInsightsCorrelationRange(thresholds, {
      start: new Date("2026-01-15T10:04:30Z"),
      end: new Date("2026-01-15T10:20:00Z"),
    });
    expect(range).toEqual({ start: new Date("2026-01-15T10:00:00Z"), end: new Date("2026-01-15T10:20:00Z") });
  });

  const query = buildLogsInsightsCorrelationRowsQuery(thresholds);

  /** The engine over what one run reads (its range, through the rows query), and over the whole history. */
  function compare(history: CloudTrailRecord[], window: { start: Date; end: Date }): number {
    const inRun = (c: Correlation) => c.events[c.events.length - 1].timeMs < window.end.getTime();
    const want = summary(correlate(thresholds, history, { reportFromMs: window.start.getTime() }).filter(inRun));
    const range = logsInsightsCorrelationRange(thresholds, window);
    const read = history.filter((r) => {
      const t = Date.parse(String(r.eventTime));
      return t >= range.start.getTime() && t < range.end.getTime();
    });
    const rows = runInsightsQuery(query, read).map((row) => row.record!);
    const got = correlate(thresholds, rows, { reportFromMs: window.start.getTime() }).filter(inRun);
    expect(summary(got)).toEqual(want);
    return want.length;
  }

  it("fires once for a probe that straddles two runs", () => {
    const history = probing.tests.find((t) => t.expect)!.history as CloudTrailRecord[];
    const split = new Date("2026-01-15T10:04:30Z");
    const first = compare(history, { start: new Date("2026-01-15T09:50:00Z"), end: split });
    const second = compare(history, { start: split, end: new Date("2026-01-15T10:30:00Z") });
    expect([first, second]).toEqual([0, 1]);
  });

  it("reports the threshold correlations completing in the run window, as over the whole history", () => {
    let fired = 0;
    // Runs start anywhere, and often at one of the history's events (inside a probe).
    const runArb = historyArb.chain((history) =>
      fc.record({
        history: fc.constant(history),
        at: fc.oneof(
          fc.integer({ min: 0, max: HISTORY_SPAN_MS }).map((o) => HISTORY_START_MS + o),
          fc.constantFrom(...history.map((r) => Date.parse(String(r.eventTime)))),
        ),
        length: fc.integer({ min: 1, max: HISTORY_SPAN_MS }),
      }),
    );
    fc.assert(
      fc.property(runArb, ({ history, at, length }) => {
        fired += compare(history, { start: new Date(at), end: new Date(at + length) });
      }),
      { numRuns: 200 },
    );
    expect(fired).toBeGreaterThan(0);
  });
});
