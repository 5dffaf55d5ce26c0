/**
 * docs/athena.md's cost table is arithmetic over stated assumptions and two facts of the code: how many
 * Regions the table projects when `monitor.athena.regions` is empty (every Region of the partition, as the
 * monitor stack reads them with `all_regions`) and the lateness allowance that makes runs reach into the day
 * before. This recomputes every row from them, so a new Region or a changed default shows up in the numbers. The
 * hunt example's scan estimate is recomputed too: it must run as shown, not be refused by --max-scan-gb.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { regionsOfPartition } from "../../src/arn/partition";
import { DEFAULT_GB_PER_DAY, DEFAULT_MAX_SCAN_GB } from "../../src/cli/commands/hunt";
import { athenaCorrelationDays } from "../../src/detection/backends/athena-sql";
import { guardrailFrom, MINIMAL_CONFIG } from "../support/fixtures";

const DOC = fs
  .readFileSync(path.join(__dirname, "..", "..", "docs", "athena.md"), "utf8")
  .replace(/[ \t]*\n[ \t]*/g, " ");
const ACCOUNTS = 100;
const REGIONS = regionsOfPartition("aws").length;
const LATENESS = guardrailFrom(MINIMAL_CONFIG).config.monitor.latenessAllowanceMinutes;
/** The doc's assumptions: GB a day in the archive, files a day. */
const D = 100 / 30 / 10;
const F = ACCOUNTS * 4 * 288;

const dollars = (n: number) => `$${n.toFixed(2)}`;

test("the assumptions are the doc's, with the partition's Region count and the lateness allowance", () => {
  expect(DOC).toContain("D = 100 GB / 30 / 10 = **0.33 GB** a day");
  expect(DOC).toContain(`F = 100 x 4 x 288 = **${F.toLocaleString("en-US")} files** a day`);
  expect(DOC).toContain(`every Region of the partition (${REGIONS} when written`);
  expect(DOC).toContain(`k = ceil((interval + ${LATENESS}) / interval)`);
  expect(DOC).toContain(`P = ${ACCOUNTS} x ${REGIONS} = **${(ACCOUNTS * REGIONS).toLocaleString("en-US")}**`);
});

test.each([
  ["5 minutes", 5],
  ["15 minutes", 15],
  ["hourly", 60],
])("the %s row is the formula's result", (label, interval) => {
  const row = new RegExp(`\\| ${label} +\\|([^\\n]*?)\\| \\*\\*~\\$(\\d+)/month\\*\\* +\\|`).exec(DOC);
  expect(row).not.toBeNull();
  const cells = (row?.[1] ?? "").split("|").map((c) => c.trim());
  const runs = 1440 / interval;
  const reaching = Math.ceil((interval + LATENESS) / interval);
  const days = runs / 2 + reaching;
  const scan = (days * D * 30 * 5) / 1000;
  const gets = (days * F * 30 * 0.0004) / 1000;
  const lists = (runs * ACCOUNTS * REGIONS * 30 * 0.005) / 1000;
  expect(cells.slice(0, 3)).toEqual([String(runs), String(reaching), String(days)]);
  expect(cells[3]).toMatch(new RegExp(`: \\${dollars(scan)}$`));
  expect(cells[4]).toMatch(new RegExp(`: \\${dollars(gets)}$`));
  expect(cells[5]).toMatch(new RegExp(`: \\${dollars(lists)}$`));
  expect(Number(row?.[2])).toBe(Math.round(scan + gets + lists));
});

test("the hunt example's window reads the day folders the doc says, and its --max-scan-gb lets it run", () => {
  const example = /bedrock-guardrail hunt [^\n]*?--start (\S+) --end (\S+) --max-scan-gb (\d+)/.exec(DOC);
  expect(example).not.toBeNull();
  const [, start, end, maxScanGb] = example ?? [];
  const g = guardrailFrom(MINIMAL_CONFIG);
  // The folders hunt estimates its scan from: its window's, with the correlation rules' look-back.
  const days = athenaCorrelationDays(g.correlationRules, { start, end, readBaseline: false }).length;
  expect(DOC).toContain(`The month above reads ${days} day folders`);
  expect(DOC).toContain(`${days * DEFAULT_GB_PER_DAY} GB at the default \`--gb-per-day\``);
  // Refused at the default limit (why the example gives one), within the one it gives.
  expect(days * DEFAULT_GB_PER_DAY).toBeGreaterThan(DEFAULT_MAX_SCAN_GB);
  expect(days * DEFAULT_GB_PER_DAY).toBeLessThanOrEqual(Number(maxScanGb));
});
