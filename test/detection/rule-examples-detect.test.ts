/**
 * `detect` over every rule's own examples (written out as one NDJSON file, as a user would feed
 * records): each rule's positives become findings of that rule, none of its negatives does.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runDetect } from "../../src/cli/commands/detect";
import { asString } from "../../src/detection/record";
import { testGuardrail } from "./backends/support/records";

const guardrail = testGuardrail();

describe("detect over the rules' examples", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rule-examples-"));
    const records = guardrail.rules.flatMap((rule) => rule.tests.map((t) => JSON.stringify(t.record)));
    fs.writeFileSync(path.join(dir, "examples.ndjson"), `${records.join("\n")}\n`);
    fs.writeFileSync(path.join(dir, "guardrail.config.json"), JSON.stringify({ approvedPrincipalArns: [] }));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("finds every rule's positives as that rule and none of its negatives", async () => {
    let out = "";
    const code = await runDetect(
      [path.join(dir, "examples.ndjson")],
      { format: "ndjson", includeApproved: true, jobs: 1 },
      { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true }, cwd: dir, env: {} },
    );
    expect(code).toBe(0);
    const ruleOfEvent = new Map<string, string>(
      out
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line))
        // The correlation rules see these unrelated examples too (they run over everything detect reads).
        .filter((f) => !f.guardrail.correlation)
        .map((f) => [f.event.id, f.rule.id]),
    );
    for (const rule of guardrail.rules) {
      for (const t of rule.tests) {
        const id = asString(t.record.eventID)!;
        const label = `${rule.id}: ${t.name}`;
        if (t.expect) expect([label, ruleOfEvent.get(id)]).toEqual([label, rule.id]);
        else expect([label, ruleOfEvent.get(id) === rule.id]).toEqual([label, false]);
      }
    }
    // Every rule produced at least one finding.
    expect(new Set(ruleOfEvent.values())).toEqual(new Set(guardrail.rules.map((r) => r.id)));
  });
});
