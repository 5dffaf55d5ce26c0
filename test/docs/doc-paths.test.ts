/**
 * A reader follows what the docs point at: every relative link (and its #anchor) and every repository path
 * they name in backticks (`scripts/...`, `src/...`) must exist, or a renamed file leaves the docs sending
 * people to nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const DOCS = [
  "README.md",
  "CONTRIBUTING.md",
  ...fs.readdirSync(path.join(ROOT, "docs")).map((f) => `docs/${f}`),
  ...fs
    .readdirSync(path.join(ROOT, "examples"))
    .flatMap((dir) => ["README.md", "PROVENANCE.md"].map((f) => `examples/${dir}/${f}`))
    .filter((f) => fs.existsSync(path.join(ROOT, f))),
].filter((f) => f.endsWith(".md"));

/** The top-level folders of the repository a backticked path can start with. */
const REPO_PATH = /`((?:\.ci|bench|bin|docs|examples|policies|scripts|src|test)\/[^`\s]*)`/g;

/** What `.gitignore` lists (bench/out/, cdktf.out/, ...): written by a run, not in a checkout. */
const IGNORED = fs
  .readFileSync(path.join(ROOT, ".gitignore"), "utf8")
  .split("\n")
  .filter((line) => line.includes("/") && !line.includes("*"));

/** GitHub's anchors of a markdown file's headings (lower case, punctuation dropped, spaces to hyphens). */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("```")) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

test.each(DOCS)("%s: every relative link and anchor resolves", (doc) => {
  const text = fs.readFileSync(path.join(ROOT, doc), "utf8");
  const broken: string[] = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target)) continue;
    const [file, anchor] = target.split("#");
    const resolved = file ? path.join(path.dirname(doc), file) : doc;
    if (!fs.existsSync(path.join(ROOT, resolved))) broken.push(`${target}: no such file`);
    else if (anchor && !anchorsOf(fs.readFileSync(path.join(ROOT, resolved), "utf8")).has(anchor))
      broken.push(`${target}: no such heading`);
  }
  expect(broken).toEqual([]);
});

test.each(DOCS)("%s: every repository path it names exists", (doc) => {
  const text = fs.readFileSync(path.join(ROOT, doc), "utf8");
  const named = [...text.matchAll(REPO_PATH)].map((m) => m[1]);
  // Placeholders and globs (`policies/rules/<id>.json`, `src/infra/*-stack.ts`) name no one file.
  const concrete = named.filter((p) => !/[<>{}*]|\.\.\./.test(p) && !IGNORED.some((i) => p.startsWith(i)));
  expect(concrete.filter((p) => !fs.existsSync(path.join(ROOT, p)))).toEqual([]);
});
