/**
 * docs/cost.md is arithmetic over stated prices and volumes and over what the code runs: the schedule, the window a
 * steady-state run queries (computeWindow from the previous run's end), and the correlation query each run adds, with
 * the time range it reads on CloudTrail Lake and on Logs Insights. This recomputes the numbers from the code, so a
 * changed schedule, allowance or rule look-back shows up in the doc, and athena.md's comparison repeats them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { correlationViewStart } from "../../src/detection/backends/correlation-sql";
import {
  logsInsightsCorrelationRange,
  logsInsightsCorrelationRules,
} from "../../src/detection/backends/logs-insights-correlation";
import { computeWindow } from "../../src/runtime/window";
import { guardrailFrom, MINIMAL_CONFIG } from "../support/fixtures";

const read = (file: string) =>
  fs.readFileSync(path.join(__dirname, "..", "..", "docs", file), "utf8").replace(/\s+/g, " ");
const COST = read("cost.md");
const ATHENA = read("athena.md");

const MINUTE = 60_000;
const MONTH_MINUTES = 30 * 24 * 60;
const g = guardrailFrom(MINIMAL_CONFIG);
const { intervalMinutes, lookbackMinutes } = g.definition.detection.schedule;
const lateness = g.config.monitor.latenessAllowanceMinutes;
const runs = MONTH_MINUTES / intervalMinutes;

/** A steady-state run at `now`: the previous run ended one interval before. */
function steadyWindow(now: Date) {
  const watermark = new Date(now.getTime() - intervalMinutes * MINUTE).toISOString();
  return computeWindow({ watermark, now, latenessAllowanceMinutes: lateness, lookbackMinutes });
}

/** The longest range (minutes) a query reads over runs at every minute of a day: window alignment varies by run. */
function longestRange(range: (w: { start: Date; end: Date }) => { start: Date; end: Date }): number {
  let longest = 0;
  for (let m = 0; m < 24 * 60; m++) {
    const r = range(steadyWindow(new Date(Date.UTC(2026, 0, 1) + m * MINUTE + 30_000)));
    longest = Math.max(longest, (r.end.getTime() - r.start.getTime()) / MINUTE);
  }
  return longest;
}

const windowMinutes = longestRange((w) => w);
const lakeMinutes = longestRange((w) => ({
  start: new Date(Math.min(...g.correlationRules.map((r) => correlationViewStart(r, w.start.getTime())))),
  end: w.end,
}));
const insightsRules = logsInsightsCorrelationRules(g.correlationRules);
const insightsBound = windowMinutes + Math.max(...insightsRules.map((r) => r.windowMinutes));
/** GB scanned a month for a query of `minutes` a run over a store of `gbMonth` a month. */
const gb = (minutes: number, gbMonth: number) => Math.round((runs * minutes * gbMonth) / MONTH_MINUTES);
const usd = (n: number) => `$${Number((n * 0.005).toFixed(2))}`;

test("the schedule and the steady-state window are the code's", () => {
  expect(windowMinutes).toBe(intervalMinutes + lateness);
  expect(COST).toContain(`every ${intervalMinutes} minutes (${runs.toLocaleString("en-US")} runs a month)`);
  expect(COST).toContain(`${windowMinutes}-minute window`);
  expect(COST).toContain(`${lateness}-minute lateness allowance; the ${lookbackMinutes}-minute look-back`);
  expect(COST).toContain(`scans about ${windowMinutes}/${MONTH_MINUTES.toLocaleString("en-US")} of a month`);
  expect((runs * windowMinutes) / MONTH_MINUTES).toBe(5);
  expect(COST).toContain("each event is scanned five times");
});

test("the correlation query's ranges are the code's, on CloudTrail Lake and Logs Insights", () => {
  expect(insightsRules.length).toBeGreaterThan(0);
  expect(COST).toContain(`${lakeMinutes} minutes a run, each event scanned ${gb(lakeMinutes, 1)} times more`);
  expect(COST).toContain(`at most ${insightsBound} minutes a run, up to ${gb(insightsBound, 1)} times more`);
  // The bound is reached: a run that starts just before a threshold window's end reads almost all of it.
  expect(longestRange((w) => logsInsightsCorrelationRange(insightsRules, w))).toBeGreaterThan(insightsBound - 1);
});

test("the scans row adds both queries of every run, for 1 GB and 100 GB a month", () => {
  const bedrock = [gb(windowMinutes, 1), gb(lakeMinutes, 1)];
  const all = [gb(windowMinutes, 100), gb(lakeMinutes, 100)];
  const insights = [gb(windowMinutes, 100), gb(insightsBound, 100)];
  const n = (x: number) => x.toLocaleString("en-US");
  const sum = (xs: number[]) => xs[0] + xs[1];
  expect(COST).toContain(`~(${bedrock.join(" + ")}) GB x $0.005 = **${usd(sum(bedrock))}/month**`);
  expect(COST).toContain(`~(${all.map(n).join(" + ")}) GB x $0.005 = **${usd(sum(all))}/month**`);
  expect(COST).toContain(`up to ~(${insights.map(n).join(" + ")}) GB x $0.005 = **${usd(sum(insights))}/month**`);
  // athena.md compares the backends with these numbers.
  expect(ATHENA).toContain(
    `$0.75 ingest + ${usd(sum(bedrock))} scans: **$${(0.75 + sum(bedrock) * 0.005).toFixed(2)}**`,
  );
  expect(ATHENA).toContain(`up to **${usd(sum(insights))}** scans`);
});

test("unpruned, both queries of every run read the whole store", () => {
  const retentionDays = g.config.monitor.cloudtrailLake.retentionDays;
  const storeGb = retentionDays / 30;
  const month = 2 * runs * storeGb;
  const scanLine = gb(windowMinutes, 1) + gb(lakeMinutes, 1);
  expect(COST).toContain(`with ${retentionDays} days of retention`);
  expect(COST).toContain(`2 x ${runs.toLocaleString("en-US")} x ${storeGb} GB = ${month.toLocaleString("en-US")} GB`);
  expect(COST).toContain(`(~$${Math.round((month * 0.005) / 10) * 10})`);
  expect(COST).toContain(`~${(Math.round(month / scanLine / 100) * 100).toLocaleString("en-US")} times the scan line`);
});
