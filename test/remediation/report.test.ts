/** The follow-up message's undo commands name the store `undo` has to read, so they work as printed. */
import type { ActionOutcome } from "../../src/aws/contracts";
import { planRemediation } from "../../src/remediation/planner";
import { notificationFor, type UndoStore } from "../../src/remediation/report";
import { findingOf, fixture, guardrailWith, IAM_USER_RECORD, MGMT } from "./helpers";

const g = guardrailWith({ remediation: { mode: "enforce" } });
const finding = findingOf(g, fixture(IAM_USER_RECORD));
const actions = planRemediation(finding, g, { now: new Date("2026-11-20T09:20:00Z"), managementAccountId: MGMT }).map(
  (action) => ({
    action,
    outcome: { ...action, status: "ok", reason: action.reason } as ActionOutcome,
  }),
);

function sentBody(store: UndoStore): string {
  return notificationFor(finding, actions, store).body;
}

describe("the follow-up's undo commands", () => {
  it("name the store the actions are recorded in, and nothing else changes", () => {
    const plain = notificationFor(finding, actions).body;
    const sent = sentBody({ table: "guardrail-monitor-state" });
    const undo = sent.split("\n").filter((l) => l.includes("undo:"));
    expect(undo).toHaveLength(2); // the key deactivation and the session revocation; the agreement is not reversible
    for (const l of undo) expect(l).toMatch(/--action-id ra-[0-9a-f]{24} --table guardrail-monitor-state$/);
    expect(sent.replace(/ --table guardrail-monitor-state$/gm, "")).toBe(plain);
  });

  it("quote a state file path for the shell", () => {
    const sent = sentBody({ stateFile: "/home/al/my actions/it's.json" });
    expect(sent).toContain(` --state-file '/home/al/my actions/it'\\''s.json'\n`);
  });
});
