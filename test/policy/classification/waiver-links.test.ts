/** Every waiver links to a heading that exists in docs/limits.md, so a reader finds the reason. */
import * as fs from "node:fs";
import * as path from "node:path";
import { bundledClassification } from "../../../src/policy/classification-data";

const LIMITS = fs.readFileSync(path.join(__dirname, "..", "..", "..", "docs", "limits.md"), "utf8");

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorsOf(markdown: string): Set<string> {
  const headings = markdown.split("\n").filter((l) => /^#{1,6} /.test(l));
  return new Set(
    headings.map((h) =>
      h
        .replace(/^#+ /, "")
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, "")
        .replace(/ /g, "-"),
    ),
  );
}

test("every waiver's link names an existing heading of docs/limits.md", () => {
  const anchors = anchorsOf(LIMITS);
  const links = new Set(
    bundledClassification().actions.flatMap((a) => (a.decision.decision === "waived" ? [a.decision.link] : [])),
  );
  const broken = [...links].filter((link) => link.includes("#") && !anchors.has(link.split("#")[1]));
  expect(broken).toEqual([]);
  expect(links.size).toBeGreaterThan(0);
});
