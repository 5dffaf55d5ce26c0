/**
 * The folders of src/ form one stack; an import may only point down it (or stay in its folder):
 *   arn, errors, config -> guardrail -> policy, detection -> aws -> runtime, remediation -> wiring
 *   -> handlers, infra -> cli
 * Folders on one level do not import each other (runtime and remediation meet only through src/aws).
 * wiring is the composition root: the handlers and the commands both build their adapters there.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const SRC = path.join(__dirname, "..", "..", "src");
const LEVEL: Record<string, number> = {
  arn: 0,
  errors: 0,
  config: 1,
  guardrail: 2,
  policy: 3,
  detection: 3,
  aws: 4,
  runtime: 5,
  remediation: 5,
  wiring: 6,
  handlers: 7,
  infra: 7,
  cli: 8,
};

function* tsFiles(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* tsFiles(full);
    else if (entry.name.endsWith(".ts")) yield full;
  }
}

function folderOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0];
}

function importEdges(): { from: string; to: string; file: string; spec: string }[] {
  const edges = [];
  for (const file of tsFiles(SRC)) {
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:from\s+|import\s*\(?|require\()["'](\.{1,2}\/[^"']+)["']/g)) {
      const target = path.resolve(path.dirname(file), m[1]);
      const from = folderOf(file);
      const to = folderOf(target);
      if (from !== to) edges.push({ from, to, file: path.relative(SRC, file), spec: m[1] });
    }
  }
  return edges;
}

test("every src folder has a level", () => {
  const folders = fs.readdirSync(SRC, { withFileTypes: true }).filter((d) => d.isDirectory());
  expect(folders.map((d) => d.name).filter((name) => LEVEL[name] === undefined)).toEqual([]);
});

test("imports only point down the stack", () => {
  const upward = importEdges()
    .filter(({ from, to }) => LEVEL[to] >= LEVEL[from])
    .map(({ file, spec }) => `${file} imports ${spec}`);
  expect(upward).toEqual([]);
});
