/**
 * The README's and docs/cli.md's command tables are where a reader learns what the CLI can do, and the
 * docs show commands with their options. Both come from the commander program: every command has a row in
 * each table (and no row names a command that does not exist), and every option a doc shows with its
 * command is one that command takes, so a renamed or misspelled option fails here, not in a reader's shell.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildProgram } from "../../src/cli/index";

const ROOT = path.join(__dirname, "..", "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const DOCS = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).map((f) => `docs/${f}`)];

const program = buildProgram();
/** Each command's options (long and short), with the program's own (`--debug`, `--version`) and help. */
const flags = (options: readonly { long?: string; short?: string }[]) =>
  options.flatMap((o) => [o.long, o.short]).filter((f): f is string => f !== undefined);
const optionsOf = new Map(
  program.commands.map((c) => [c.name(), new Set([...flags(program.options), ...flags(c.options), "--help", "-h"])]),
);
const commands = [...optionsOf.keys()];
const COMMAND = new RegExp(`^(?:npx )?(?:bedrock-guardrail )?(${commands.join("|")})(?: |$)`);

/** The command names in the first column of the table that follows `heading` in `file`. */
function tableCommands(file: string, heading: string): string[] {
  const text = read(file);
  const start = text.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const table = /\n(\|.*\|\n)+/.exec(text.slice(start))?.[0] ?? "";
  return [...table.matchAll(/^\| `([a-z-]+)/gm)].map((m) => m[1]);
}

test("the program has commands (or this test would check nothing)", () => {
  expect(commands).toEqual(expect.arrayContaining(["check", "detect", "remediate", "synth"]));
});

test.each([
  ["README.md", "## Commands"],
  ["docs/cli.md", "# Commands"],
])("%s's command table has a row for every command, and only for commands", (file, heading) => {
  const rows = tableCommands(file, heading);
  expect([...new Set(rows)].sort()).toEqual([...commands].sort());
});

/** Every command a doc shows (in a code span, or on a line of a code block) with the options it gives it. */
function shownCommands(text: string): { command: string; options: string[]; shown: string }[] {
  const spans = [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1].replaceAll("\\|", " "));
  const blockLines = [...text.matchAll(/^```[a-z]*\n([\s\S]*?)^```/gm)].flatMap((m) => m[1].split("\n"));
  // A line of a code block may chain several commands: each piece after a pipe, `&&` or `;` is one.
  const pieces = [...spans, ...blockLines.flatMap((line) => line.split(/\||&&|;|#/))];
  return pieces.flatMap((piece) => {
    const invoked = piece.trim().replace(/^.*?(?=(?:npx )?bedrock-guardrail )/, "");
    const command = COMMAND.exec(invoked)?.[1];
    if (!command) return [];
    const options = [...invoked.matchAll(/(?:^|[\s[])(--?[a-zA-Z][\w-]*)/g)].map((m) => m[1]);
    return [{ command, options, shown: invoked }];
  });
}

test.each(DOCS)("%s: every option shown with a command is one that command takes", (doc) => {
  const unknown = shownCommands(read(doc)).flatMap(({ command, options, shown }) =>
    options.filter((o) => !optionsOf.get(command)?.has(o)).map((o) => `${command} ${o} (in: ${shown})`),
  );
  expect(unknown).toEqual([]);
});

test("a misspelled option is caught, in a span and in a code block", () => {
  const text = "Run `preview --fail-on-denial`.\n```sh\nzcat x | npx bedrock-guardrail detect - --formt table\n```\n";
  const shown = shownCommands(text);
  expect(shown.map((s) => s.command)).toEqual(["preview", "detect"]);
  expect(shown.flatMap(({ command, options }) => options.filter((o) => !optionsOf.get(command)?.has(o)))).toEqual([
    "--fail-on-denial",
    "--formt",
  ]);
});
