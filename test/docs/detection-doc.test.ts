/**
 * docs/detection.md shows what `detect examples/cloudtrail --format table` prints from the repository's
 * root; this keeps the block equal to a real run, so a new rule's finding on the samples shows up there.
 * It also states the default window of `query`, kept equal to what the code computes, and shows each backend's query
 * shortened: the parts it writes out must be the real query's, so that a rule changed since is not shown as it was.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runDetect } from "../../src/cli/commands/detect";
import { buildEventPattern } from "../../src/detection/backends/eventbridge-pattern";
import { buildLakeQuery } from "../../src/detection/backends/lake-sql";
import { buildLogsInsightsQuery } from "../../src/detection/backends/logs-insights";
import { EXIT } from "../../src/cli/exit-codes";
import { scheduledWindowMinutes } from "../../src/runtime/window";
import { guardrailFrom, MINIMAL_CONFIG } from "../support/fixtures";

const ROOT = path.join(__dirname, "..", "..");
const DOC = fs.readFileSync(path.join(ROOT, "docs", "detection.md"), "utf8");
const COMMAND = "$ npx bedrock-guardrail detect examples/cloudtrail --format table";

/** The fenced block right after `<!-- detect-example -->`. */
function block(): string {
  const marker = DOC.indexOf("<!-- detect-example -->");
  expect(marker).toBeGreaterThanOrEqual(0);
  const open = DOC.indexOf("\n", DOC.indexOf("```", marker)) + 1;
  return DOC.slice(open, DOC.indexOf("```", open));
}

test("the detect example in docs/detection.md is what detect prints on examples/cloudtrail", async () => {
  let out = "";
  let err = "";
  const code = await runDetect(
    ["examples/cloudtrail"],
    { format: "table" },
    { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, cwd: ROOT, env: {} },
  );
  expect(code).toBe(EXIT.OK);
  const shown = block();
  // Only the elapsed time in the summary line may differ from run to run.
  const elapsed = /in \d+\.\d\d s\n$/;
  const documentedElapsed = elapsed.exec(shown)?.[0] ?? "";
  expect(shown).toBe(`${COMMAND}\n${out}${err.replace(elapsed, documentedElapsed)}`);
});

test("docs/detection.md states query's default window as the code computes it", () => {
  const g = guardrailFrom(MINIMAL_CONFIG);
  const [lake, logs, athena] = (["cloudtrail-lake", "cloudwatch-logs", "athena"] as const).map((backend) =>
    scheduledWindowMinutes(g, backend),
  );
  expect(lake).toBe(logs);
  expect(DOC.replace(/\s+/g, " ")).toContain(
    `(${logs} minutes with the defaults; ${athena} for \`athena\`, whose runs are`,
  );
});

/** The fenced block right after the heading `### <title>`. */
function blockAfter(title: string): string {
  const heading = DOC.indexOf(`### ${title}`);
  expect(heading).toBeGreaterThanOrEqual(0);
  const open = DOC.indexOf("\n", DOC.indexOf("```", heading)) + 1;
  return DOC.slice(open, DOC.indexOf("```", open));
}

const squeeze = (text: string): string => text.replace(/\s+/g, " ");

/**
 * The pieces of a shortened query that name a rule's event source or condition: the text between its `...` and
 * between its clauses, each of which must be in the real query word for word (a renamed event or a condition
 * compiled differently since makes it stale).
 */
function ruleFragments(sketch: string, clause: RegExp): string[] {
  return squeeze(sketch)
    .split(/\.\.\./)
    .flatMap((part) => part.split(clause))
    .map((piece) => piece.replace(/^[\s,()|]+|[\s,()|]+$/g, ""))
    .filter((piece) =>
      /eventsource|eventSource|requestparameters|requestParameters|accesskeyid|accessKeyId/.test(piece),
    );
}

test("docs/detection.md's shortened Lake SQL and Logs Insights query are pieces of the real ones", () => {
  const g = guardrailFrom(MINIMAL_CONFIG);
  const window = { start: "2024-10-17T20:00:00Z", end: "2024-10-17T21:00:00Z" };
  const lake = squeeze(buildLakeQuery(g, { eventDataStore: "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE", ...window }));
  const lakeSketch = blockAfter("CloudTrail Lake SQL");
  // The columns end as the real query's do, and the WHERE clause's rule pieces are the real ones.
  const columnsEnd = lake.slice(lake.lastIndexOf(" CASE WHEN", lake.indexOf(" FROM ")), lake.indexOf(" FROM "));
  expect(squeeze(lakeSketch)).toContain(columnsEnd);
  const lakePieces = ruleFragments(lakeSketch.slice(lakeSketch.indexOf("WHERE")), / OR \(/);
  expect(lakePieces.length).toBeGreaterThanOrEqual(4);
  for (const piece of lakePieces) expect(lake).toContain(piece);

  const insights = squeeze(buildLogsInsightsQuery(g));
  const insightsPieces = ruleFragments(blockAfter("CloudWatch Logs Insights"), / or \(/);
  expect(insightsPieces.length).toBeGreaterThanOrEqual(4);
  for (const piece of insightsPieces) expect(insights).toContain(piece);
});

test("docs/detection.md's EventBridge pattern shows branches of the real pattern", () => {
  const shown = JSON.parse(blockAfter("EventBridge pattern")) as { $or: unknown[] };
  const real = buildEventPattern(guardrailFrom(MINIMAL_CONFIG)) as { $or: unknown[] };
  // A branch the doc writes out in full (no "...") is one of the real pattern's.
  const full = shown.$or.filter((branch) => typeof branch === "object" && !JSON.stringify(branch).includes("..."));
  expect(full.length).toBeGreaterThanOrEqual(3);
  for (const branch of full) expect(real.$or).toContainEqual(branch);
});
