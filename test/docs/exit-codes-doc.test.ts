/**
 * Exit code 3 is how a pipeline gate fails. The README's exit-code line and docs/cli.md's table must name
 * every option that turns a result into 3 (`--fail-on-findings`, `preview --fail-on-denials`, ...), or a
 * reader never learns the gate of a command that has one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildProgram } from "../../src/cli/index";

const ROOT = path.join(__dirname, "..", "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** Every `--fail-on-*` option of every command. */
const gateOptions = [
  ...new Set(
    buildProgram().commands.flatMap((c) =>
      c.options.map((o) => o.long ?? "").filter((long) => long.startsWith("--fail-on-")),
    ),
  ),
];

test("the commands have gate options (or this test would check nothing)", () => {
  expect(gateOptions).toEqual(expect.arrayContaining(["--fail-on-findings", "--fail-on-denials"]));
});

test("the README's exit-code line names every gate option, and verify's drift", () => {
  const line = /Exit codes, the same for every command:[\s\S]*?`--debug`/.exec(read("README.md"))?.[0] ?? "";
  const said = line.slice(line.indexOf("`3`")).replace(/\s+/g, " ");
  expect(gateOptions.filter((o) => !said.includes(`\`${o}\``))).toEqual([]);
  expect(said).toContain("drift for `verify`");
});

test("docs/cli.md's exit-code table names every gate option for 3, and verify's drift", () => {
  const row = /^\| `3` +\|(.*)\|$/m.exec(read("docs/cli.md"))?.[1] ?? "";
  expect(gateOptions.filter((o) => !row.includes(`\`${o}\``))).toEqual([]);
  expect(row).toContain("drift for `verify`");
});
