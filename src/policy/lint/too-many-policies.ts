/**
 * A guardrail that needs more SCP documents than a target has free slots: AWS refuses an attachment beyond the
 * target's quota, so a guardrail that cannot be attached is an error before anything is deployed.
 */
import { slotBudget } from "../slots";
import { lintCheck } from "./check";

export const tooManyPolicies = lintCheck({
  codes: ["too-many-policies"],
  run: ({ guardrail, documents }) =>
    slotBudget(guardrail.config, documents)
      .filter((t) => !t.fits)
      .map((t) => ({
        level: "error" as const,
        code: "too-many-policies" as const,
        message:
          `the guardrail needs ${t.guardrail} SCP(s) but ${t.target} has ${Math.max(0, t.max - t.existing)} free ` +
          `slot(s) (${t.existing} already attached of ${t.max}): detach a policy there, or correct ` +
          `scp.existingPoliciesPerTarget if the count is wrong`,
      })),
});
