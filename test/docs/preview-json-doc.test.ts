/**
 * A pipeline reads `preview --format json` by its field names: docs/cli.md lists them, and every one the
 * document holds (with --ou) is listed, and no other.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { formatPreview } from "../../src/cli/preview/output";
import { previewerFor } from "../../src/policy/explain";
import { addToReport, emptyPreviewReport } from "../../src/policy/preview-report";
import { guardrailFor, REALISTIC_CONFIG } from "../policy/helpers";
import { PRINCIPALS } from "../policy/history";

const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "cli.md"), "utf8");

/** The fields docs/cli.md lists for each key of the JSON document (what parentheses say aside). */
function documentedFields(): Record<string, string[]> {
  const start = doc.indexOf("The `--format json` document");
  const section = doc.slice(start, doc.indexOf("An NDJSON line", start));
  const bullets = section.split("\n- ").slice(1);
  return Object.fromEntries(
    bullets.map((bullet) => {
      const [key, ...fields] = [...bullet.replace(/\([^)]*\)/g, "").matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]);
      return [key, fields.sort()];
    }),
  );
}

test("docs/cli.md lists every field of preview's JSON document", () => {
  const previewer = previewerFor(guardrailFor(REALISTIC_CONFIG));
  const call = (requestParameters: object, extra: object = {}) => ({
    eventTime: "2026-09-02T10:00:00Z",
    eventSource: "bedrock.amazonaws.com",
    eventName: "InvokeModel",
    awsRegion: "us-east-1",
    recipientAccountId: "111122223333",
    userIdentity: PRINCIPALS.appRole,
    requestParameters,
    ...extra,
  });
  const report = emptyPreviewReport();
  for (const record of [
    call({ modelId: "deepseek.r1-v1:0" }),
    call({ modelId: "deepseek.r1-v1:0" }, { errorCode: "AccessDenied" }),
    call({}),
  ])
    addToReport(report, previewer.previewRecord(record));
  for (const group of Object.values(report.denied)) group.ou = "ou-abcd-12345678";
  const json = JSON.parse(formatPreview(report, "json"));
  const fields = (groups: object[]) => {
    expect(groups.length).toBeGreaterThan(0);
    return Object.keys(groups[0]).sort();
  };
  expect(documentedFields()).toEqual({
    counts: Object.keys(json.counts).sort(),
    principals: fields(json.principals),
    wouldBeDenied: fields(json.wouldBeDenied),
    alreadyDenied: fields(json.alreadyDenied),
    undetermined: fields(json.undetermined),
  });
});
