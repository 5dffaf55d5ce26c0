/**
 * Which rules get a response: only those whose definition says `remediate: true` (the seed rule);
 * every other rule's findings plan nothing but the alert, whoever made the call.
 */
import { evaluateRecord, type Finding } from "../../src/detection/finding";
import type { CloudTrailRecord } from "../../src/detection/record";
import { planRemediation } from "../../src/remediation/planner";
import { testGuardrail } from "./backends/support/records";

const guardrail = testGuardrail();
const NOW = new Date("2026-01-15T10:05:00Z");

function findingOf(record: CloudTrailRecord): Finding {
  const out = evaluateRecord(guardrail, record);
  if (!("finding" in out)) throw new Error(`expected a finding for ${String(record.eventID)}`);
  return out.finding;
}

describe("remediation per rule", () => {
  it("only the seed rule asks for remediation", () => {
    expect(guardrail.rules.filter((r) => r.remediate).map((r) => r.id)).toEqual(["bedrock-model-access-enabled"]);
  });

  it("a positive example of every other rule plans only a 'none' action naming the rule", () => {
    for (const rule of guardrail.rules.filter((r) => !r.remediate)) {
      const positive = rule.tests.find((t) => t.expect)!.record as CloudTrailRecord;
      const plan = planRemediation(findingOf(positive), guardrail, { now: NOW, managementAccountId: "999999999999" });
      expect([rule.id, plan.map((a) => a.kind)]).toEqual([rule.id, ["none"]]);
      expect(plan[0].reason).toBe(
        `rule ${rule.id} alerts only: its definition asks for no remediation (remediate: false)`,
      );
    }
  });

  it("the seed rule's long-term-key example still plans key deactivation", () => {
    const seed = guardrail.rules.find((r) => r.remediate)!;
    const akia = seed.tests.find((t) => t.name === "use-case form submitted with a long-term key")!.record;
    const plan = planRemediation(findingOf(akia as CloudTrailRecord), guardrail, {
      now: NOW,
      managementAccountId: "999999999999",
    });
    expect(plan.map((a) => a.kind)).toContain("deactivate-key");
  });
});
