/**
 * docs/detection.md shows what `detect examples/cloudtrail --format table` prints from the repository's
 * root; this keeps the block equal to a real run, so a new rule's finding on the samples shows up there.
 * It also states the default window of `query`, kept equal to what the code computes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runDetect } from "../../src/cli/commands/detect";
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
