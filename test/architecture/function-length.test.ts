/**
 * No function in src/ is longer than 100 lines (a function, method, constructor, accessor or arrow
 * function, counted from its first to its last line): a longer one is split by what varies in it.
 * Found with the TypeScript parser, so a new file cannot escape the check.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const SRC = path.join(__dirname, "..", "..", "src");
const MAX_LINES = 100;

function* tsFiles(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* tsFiles(full);
    else if (entry.name.endsWith(".ts")) yield full;
  }
}

/** Every function-like node of a source text with its name and its length in lines. */
function functionLengths(fileName: string, text: string): { name: string; lines: number; line: number }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: { name: string; lines: number; line: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const named = node.name?.getText(source) ?? (ts.isConstructorDeclaration(node) ? "constructor" : undefined);
      const holder = ts.isVariableDeclaration(node.parent) ? node.parent.name.getText(source) : undefined;
      found.push({ name: named ?? holder ?? "(anonymous)", lines: end - start + 1, line: start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test("the check measures functions, methods, constructors and arrow functions", () => {
  const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join("\n");
  const text = `function f() {\n${body(3)}\n}\nclass C {\n  constructor() {\n${body(98)}\n  }\n}\nconst g = () => 1;\n`;
  expect(functionLengths("x.ts", text)).toEqual([
    { name: "f", lines: 5, line: 1 },
    { name: "constructor", lines: 100, line: 7 },
    { name: "g", lines: 1, line: 108 },
  ]);
});

test(`no function in src/ is longer than ${MAX_LINES} lines`, () => {
  const long = [...tsFiles(SRC)].flatMap((file) =>
    functionLengths(file, fs.readFileSync(file, "utf8"))
      .filter((f) => f.lines > MAX_LINES)
      .map((f) => `${path.relative(SRC, file)}:${f.line} ${f.name} (${f.lines} lines)`),
  );
  expect(long).toEqual([]);
});
