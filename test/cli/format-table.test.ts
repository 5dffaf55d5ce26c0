/**
 * `--format table`: a value the caller of an API chose (a model id, a principal name) is one cell of
 * one row, whatever characters it holds: a newline cannot add a row, an escape sequence cannot reach
 * the terminal.
 */
import { findingWriter } from "../../src/cli/format/findings";
import { renderTable } from "../../src/cli/format/table";
import { evaluateRecord, type Finding } from "../../src/detection/finding";
import type { CloudTrailRecord } from "../../src/detection/record";
import { record, testGuardrail } from "../detection/backends/support/records";

const guardrail = testGuardrail();

function findingOf(r: CloudTrailRecord): Finding {
  const out = evaluateRecord(guardrail, r);
  if (!("finding" in out)) throw new Error(`expected a finding, got ${JSON.stringify(out)}`);
  return out.finding;
}

/** Code points of `text` a terminal would not print as themselves (the newlines ending the lines aside). */
const notPrintable = (text: string): number[] =>
  [...text]
    .map((c) => c.codePointAt(0)!)
    .filter((c) => (c < 0x20 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f) || c === 0x202e);

function table(findings: Finding[], width?: number): string {
  let out = "";
  const w = findingWriter("table", (t) => (out += t), { width });
  for (const f of findings) w.write(f);
  w.end();
  return out;
}

// A fake row after a newline, a colour, the window title (OSC ... BEL), and a right-to-left override.
const HOSTILE_MODEL =
  "x\n2024-10-17T20:09:51Z  low  fake-rule  Fake  arn:aws:iam::1:role/ok  y\u001b[31mred\u001b]0;title\u0007\u202eok";

describe("the findings table", () => {
  it.each([undefined, 100])("keeps a model id with control characters on its row, escaped (width %s)", (width) => {
    const f = findingOf(record({ requestParameters: { modelId: HOSTILE_MODEL } }));
    const out = table([f, findingOf(record())], width);
    const lines = out.trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(notPrintable(out)).toEqual([]);
    if (width === undefined) expect(lines[2]).toContain("x\\n2024-10-17T20:09:51Z  low  fake-rule");
    if (width === undefined) expect(lines[2]).toContain("y\\u001b[31mred\\u001b]0;title\\u0007\\u202eok");
  });

  it("sizes the columns by the escaped text", () => {
    const out = renderTable(["A", "B"], [["a\tb", "end"]]);
    expect(out.split("\n")).toEqual(["A     B", "----  ---", "a\\tb  end", ""]);
  });
});
