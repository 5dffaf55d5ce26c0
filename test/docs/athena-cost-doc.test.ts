/**
 * docs/athena.md's cost table is arithmetic over stated assumptions and facts of the code: how many Regions the
 * table projects when `monitor.athena.regions` is empty (every Region of the partition, as the monitor stack reads
 * them with `all_regions`), and which day folders each of a scheduled run's two queries names: the event rules'
 * query over the run's window (computeWindow: the lateness allowance makes runs reach into the day before), and the
 * correlation rules' query over the window and the rules' look-backs. Both are the SQL the job runs, built here for a
 * day of runs, so a new Region, a changed default or a changed rule window shows up in the numbers. The hunt
 * example's scan estimate is recomputed too: it must run as shown, not be refused by --max-scan-gb.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { regionsOfPartition } from "../../src/arn/partition";
import { DEFAULT_GB_PER_DAY, DEFAULT_MAX_SCAN_GB } from "../../src/cli/commands/hunt";
import {
  athenaCorrelationDays,
  athenaWindowDays,
  buildAthenaCorrelationQuery,
  buildAthenaQuery,
} from "../../src/detection/backends/athena-sql";
import { ATHENA_PARTITIONS } from "../../src/detection/backends/athena-table";
import { correlationViewStart } from "../../src/detection/backends/correlation-sql";
import { computeWindow, type QueryWindow } from "../../src/runtime/window";
import { guardrailFrom, MINIMAL_CONFIG } from "../support/fixtures";

const DOC = fs
  .readFileSync(path.join(__dirname, "..", "..", "docs", "athena.md"), "utf8")
  .replace(/[ \t]*\n[ \t]*/g, " ");
const g = guardrailFrom(MINIMAL_CONFIG);
const ACCOUNTS = 100;
const REGIONS = regionsOfPartition("aws").length;
const LATENESS = g.config.monitor.latenessAllowanceMinutes;
/** The doc's assumptions: GB a day in the archive, files a day, partition folders per day folder. */
const D = 100 / 30 / 10;
const F = ACCOUNTS * 4 * 288;
const P = ACCOUNTS * REGIONS;

const MINUTE = 60_000;
const MIDNIGHT = Date.UTC(2026, 0, 2);
const TABLE = "bedrock_guardrail.cloudtrail";
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10).replace(/-/g, "/");

/** The day folders a query names: the values of its `timestamp` IN lists (the correlation query has one per rule). */
function daysNamed(sql: string): string[] {
  expect(sql).not.toContain("BETWEEN");
  const lists = [...sql.matchAll(new RegExp(`"${ATHENA_PARTITIONS.day}" IN \\(([^)]*)\\)`, "g"))];
  expect(lists.length).toBeGreaterThan(0);
  return [...new Set(lists.flatMap((m) => [...m[1].matchAll(/'([^']+)'/g)].map((d) => d[1])))];
}

/** A steady-state run at `now` (the previous one ended an interval before): the window computeWindow gives it. */
function steadyWindow(now: number, interval: number): QueryWindow {
  const watermark = new Date(now - interval * MINUTE).toISOString();
  const { lookbackMinutes } = g.definition.detection.schedule;
  return computeWindow({ watermark, now: new Date(now), latenessAllowanceMinutes: LATENESS, lookbackMinutes });
}

/**
 * The day folders each query of such a run lists, as the job builds them (src/runtime/query/backends.ts): the days
 * its SQL names up to today (the table's day projection ends at NOW, so tomorrow's folder is not listed).
 */
function foldersOfRun(now: number, interval: number) {
  const window = steadyWindow(now, interval);
  const upToNow = (days: string[]) => days.filter((d) => d <= dayOf(now));
  const event = buildAthenaQuery(g, { table: TABLE, ...window });
  const correlation = buildAthenaCorrelationQuery(g.correlationRules, { table: TABLE, ...window, readBaseline: false });
  return { event: upToNow(daysNamed(event)), correlation: upToNow(daysNamed(correlation)) };
}

/** A day of runs every `interval` minutes (each half a minute after its time): what their two queries list. */
function dayOfRuns(interval: number) {
  const runs = 1440 / interval;
  const folders = Array.from({ length: runs }, (_, i) =>
    foldersOfRun(MIDNIGHT + (i * interval + 0.5) * MINUTE, interval),
  );
  const reachingYesterday = (query: "event" | "correlation") =>
    folders.filter((f) => f[query].includes(dayOf(MIDNIGHT - 1))).length;
  const listed = folders.reduce((sum, f) => sum + f.event.length + f.correlation.length, 0);
  return { runs, k: reachingYesterday("event"), kc: reachingYesterday("correlation"), listed };
}

/** How far before a window that starts at midnight the correlation query reads: the longest rule look-back. */
const L = Math.max(...g.correlationRules.map((r) => (MIDNIGHT - correlationViewStart(r, MIDNIGHT)) / MINUTE));

/** The queries' delivery allowance: how many minutes before midnight a window's end stops naming the next day. */
function deliveryAllowanceMinutes(): number {
  const dayBefore = new Date(MIDNIGHT - 1440 * MINUTE);
  const namesNextDay = (minutes: number) =>
    athenaWindowDays({ start: dayBefore, end: new Date(MIDNIGHT - minutes * MINUTE) }).length > 1;
  let minutes = 0;
  while (minutes < 1440 && namesNextDay(minutes)) minutes++;
  return minutes;
}

const dollars = (n: number) => `$${n.toFixed(2)}`;
/** A count in millions as the table writes it: whole from 100 M up, else to a tenth. */
const millions = (n: number) =>
  n >= 1e8 ? `${Math.round(n / 1e6).toLocaleString("en-US")} M` : `${(n / 1e6).toFixed(1)} M`;
/** The month's LISTs in dollars: `dayFolders` day folders listed a day, of `folders` partition folders each. */
const listsUsd = (dayFolders: number, folders: number) => (dayFolders * folders * 30 * 0.005) / 1000;

test("the assumptions are the doc's, with the partition's Region count and the lateness allowance", () => {
  expect(DOC).toContain("D = 100 GB / 30 / 10 = **0.33 GB** a day");
  expect(DOC).toContain(`F = 100 x 4 x 288 = **${F.toLocaleString("en-US")} files** a day`);
  expect(DOC).toContain(`every Region of the partition (${REGIONS} when written`);
  expect(DOC).toContain(`k = ceil((interval + ${LATENESS}) / interval)`);
  expect(DOC).toContain(`P = ${ACCOUNTS} x ${REGIONS} = **${P.toLocaleString("en-US")}**`);
});

test("the correlation query's look-back and the delivery allowance are the code's", () => {
  expect(g.correlationRules.length).toBeGreaterThan(0);
  expect(L).toBeGreaterThan(0);
  expect(DOC).toContain(`k_c = ceil((interval + ${LATENESS} + L) / interval)`);
  expect(DOC).toContain(`L = **${L} minutes** is the longest look-back past a window that starts at midnight`);
  expect(DOC).toContain(`the query's ${deliveryAllowanceMinutes()}-minute delivery allowance may name tomorrow`);
});

test.each([
  ["5 minutes", 5],
  ["15 minutes", 15],
  ["hourly", 60],
])("the %s row counts both queries of every run", (label, interval) => {
  const row = new RegExp(`\\| ${label} +\\|([^\\n]*?)\\| \\*\\*~\\$(\\d+)/month\\*\\* +\\|`).exec(DOC);
  expect(row).not.toBeNull();
  const cells = (row?.[1] ?? "").split("|").map((c) => c.trim());
  const { runs, k, kc, listed } = dayOfRuns(interval);
  // The doc's formulas give what the day of runs lists.
  expect(k).toBe(Math.ceil((interval + LATENESS) / interval));
  expect(kc).toBe(Math.ceil((interval + LATENESS + L) / interval));
  expect(listed).toBe(2 * runs + k + kc);
  const read = runs + k + kc;
  const scan = (read * D * 30 * 5) / 1000;
  const gets = (read * F * 30 * 0.0004) / 1000;
  const lists = listsUsd(listed, P);
  expect(cells.slice(0, 4)).toEqual([String(runs), String(k), String(kc), String(read)]);
  expect(cells[4]).toBe(`${Math.round(read * D * 30).toLocaleString("en-US")} GB: ${dollars(scan)}`);
  expect(cells[5]).toBe(`${millions(read * F * 30)}: ${dollars(gets)}`);
  expect(cells[6]).toBe(`${millions(listed * P * 30)}: ${dollars(lists)}`);
  expect(Number(row?.[2])).toBe(Math.round(scan + gets + lists));
});

test("the comparison and the recommendation repeat the table", () => {
  const total = (interval: number) => {
    const { runs, k, kc, listed } = dayOfRuns(interval);
    const read = runs + k + kc;
    return Math.round((read * D * 30 * 5) / 1000 + (read * F * 30 * 0.0004) / 1000 + listsUsd(listed, P));
  };
  const athenaRow = /\| Athena, 5 \/ 15 \/ 60 minutes \(above\) +\| (.*?) +\|/.exec(DOC);
  expect(athenaRow?.[1]).toBe(`**~$${total(5)} / ~$${total(15)} / ~$${total(60)}**`);
  // Hourly with the 4 active Regions projected.
  expect(DOC).toContain(`P = 400, ${dollars(listsUsd(dayOfRuns(60).listed, ACCOUNTS * 4))} of LISTs a month hourly`);
});

test("a first-use rule's first run reads its baseline days once, as the doc counts them", () => {
  const window = steadyWindow(MIDNIGHT + 12 * 60 * MINUTE, 60);
  const days = athenaCorrelationDays(g.correlationRules, { ...window, readBaseline: true }).length;
  expect(days).toBeGreaterThan(athenaCorrelationDays(g.correlationRules, { ...window, readBaseline: false }).length);
  expect(DOC).toContain(
    `${days} day folders here: ${Math.round(days * D)} GB (${dollars((days * D * 5) / 1000)}), ` +
      `${((days * F) / 1e6).toFixed(1)} M GETs (${dollars((days * F * 0.0004) / 1000)}) and ` +
      `${((days * P) / 1e6).toFixed(1)} M LISTs (${dollars((days * P * 0.005) / 1000)})`,
  );
});

test("the hunt example's window reads the day folders the doc says, and its --max-scan-gb lets it run", () => {
  const example = /bedrock-guardrail hunt [^\n]*?--start (\S+) --end (\S+) --max-scan-gb (\d+)/.exec(DOC);
  expect(example).not.toBeNull();
  const [, start, end, maxScanGb] = example ?? [];
  // The folders hunt estimates its scan from: its window's, with the correlation rules' look-back.
  const days = athenaCorrelationDays(g.correlationRules, { start, end, readBaseline: false }).length;
  expect(DOC).toContain(`The month above reads ${days} day folders`);
  expect(DOC).toContain(`${days * DEFAULT_GB_PER_DAY} GB at the default \`--gb-per-day\``);
  // Refused at the default limit (why the example gives one), within the one it gives.
  expect(days * DEFAULT_GB_PER_DAY).toBeGreaterThan(DEFAULT_MAX_SCAN_GB);
  expect(days * DEFAULT_GB_PER_DAY).toBeLessThanOrEqual(Number(maxScanGb));
});
