/**
 * docs/deployment.md's "Installing the package" lists what the package ships: every entry of package.json's `files`
 * allow-list, so a team knows what a `bedrock-guardrail-<version>.tgz` holds (the schema its editor reads included).
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const deployment = fs.readFileSync(path.join(ROOT, "docs", "deployment.md"), "utf8");
const installing = (/^## Installing the package\n([\s\S]*?)^## /m.exec(deployment)?.[1] ?? "").replace(/\s+/g, " ");
const { files } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { files: string[] };

test("the section names every entry of the files allow-list", () => {
  expect(files.length).toBeGreaterThan(0);
  expect(files.filter((entry) => !installing.includes(`\`${entry}\``))).toEqual([]);
});
