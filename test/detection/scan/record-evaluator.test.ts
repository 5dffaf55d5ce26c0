/**
 * detect's evaluator tests a record only against the event rules that name its event source and name (ruleEvaluator),
 * not every rule in turn: the same first matching rule, so the same finding, as evaluateRecord over all of them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluateRecord } from "../../../src/detection/finding";
import type { CloudTrailRecord } from "../../../src/detection/record";
import { ruleEvaluator } from "../../../src/detection/scan/record-evaluator";
import { emptyResult } from "../../../src/detection/scan/source-result";
import { DELIVERY_RECORDS, testGuardrail } from "./helpers";

const RULES = path.join(__dirname, "..", "..", "..", "policies", "rules");

interface RuleTest {
  record?: CloudTrailRecord;
  history?: CloudTrailRecord[];
}

/** Every rule file's example records (matching and not; a correlation rule's histories too), then the fixture's. */
const records: CloudTrailRecord[] = [
  ...fs
    .readdirSync(RULES)
    .filter((f) => f.endsWith(".json"))
    .flatMap((f) => (JSON.parse(fs.readFileSync(path.join(RULES, f), "utf8")).tests ?? []) as RuleTest[])
    .flatMap((t) => [...(t.record ? [t.record] : []), ...(t.history ?? [])]),
  ...DELIVERY_RECORDS,
];

describe("ruleEvaluator", () => {
  it("gives each record the finding evaluateRecord gives it over every rule", () => {
    const guardrail = testGuardrail();
    const evaluator = ruleEvaluator(guardrail);
    for (const record of records) {
      if (typeof record.eventSource !== "string" || typeof record.eventName !== "string") continue;
      const result = emptyResult("in");
      const invalid = evaluator.evaluate(record, result);
      const expected = evaluateRecord(guardrail, record);
      expect(result.findings).toEqual("finding" in expected ? [expected.finding] : []);
      expect(invalid).toBe("skip" in expected && expected.skip === "invalid-record" ? expected.reason : undefined);
    }
    expect(records.filter((r) => "finding" in evaluateRecord(guardrail, r)).length).toBeGreaterThan(10);
  });

  it("does not try every rule on every record", () => {
    const guardrail = testGuardrail();
    const evaluator = ruleEvaluator(guardrail);
    const everyRule = jest.spyOn(guardrail.rules, "find");
    for (const record of records) evaluator.evaluate(record, emptyResult("in"));
    expect(everyRule).not.toHaveBeenCalled();
  });
});
