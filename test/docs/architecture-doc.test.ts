/**
 * The README's "How it fits together" diagram and CONTRIBUTING.md's layout table are where a reader learns which
 * folder of src/ holds what. Every folder must be named in both (a new folder, or a renamed one, fails here), no
 * folder that does not exist, and every module the diagram names by its file must exist.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const SRC = path.join(ROOT, "src");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const folders = fs
  .readdirSync(SRC, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

/** The README's diagram: the code block after "## How it fits together". */
const diagram = (() => {
  const text = read("README.md");
  const start = text.indexOf("## How it fits together");
  expect(start).toBeGreaterThanOrEqual(0);
  const open = text.indexOf("```", start);
  return text.slice(open, text.indexOf("```", open + 3));
})();

/** CONTRIBUTING.md's layout table: the table after "Layout". */
const layoutTable = (() => {
  const text = read("CONTRIBUTING.md");
  const start = text.indexOf("\nLayout");
  expect(start).toBeGreaterThanOrEqual(0);
  return /\n(\|.*\|\n)+/.exec(text.slice(start))?.[0] ?? "";
})();

const named = (text: string) => [...new Set([...text.matchAll(/src\/([a-z]+)/g)].map((m) => m[1]))].sort();

test("src has folders (or this test would check nothing)", () => {
  expect(folders).toEqual(expect.arrayContaining(["arn", "cli", "remediation"]));
});

test("the README's diagram names every folder of src/, and no other", () => {
  expect(named(diagram)).toEqual(folders);
});

test("CONTRIBUTING.md's layout table names every folder of src/, and no other", () => {
  expect(named(layoutTable)).toEqual(folders);
});

test("every module the diagram names by its file exists (main.ts at the root, the others in a folder of src/)", () => {
  const modules = [...new Set([...diagram.matchAll(/\b([a-z][a-z-]*\.ts)\b/g)].map((m) => m[1]))];
  expect(modules).toEqual(expect.arrayContaining(["bearer-token.ts", "real-principal.ts"]));
  const exists = (file: string) =>
    fs.existsSync(path.join(ROOT, file)) || folders.some((f) => fs.existsSync(path.join(SRC, f, file)));
  expect(modules.filter((file) => !exists(file))).toEqual([]);
});
