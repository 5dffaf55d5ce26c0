/**
 * A rule of detection.disabledRules whose event the SCP does not stop (its `prevention` says none, as the SCP column
 * of docs/rules.md shows): with the rule off, the organization neither prevents nor sees that event. A warning, not
 * an error: a SOC may have decided the event is noise, but should decide it knowing this.
 */
import { lintCheck } from "./check";

/** How a rule file's `prevention` says that no SCP statement stops the event ("none", "none yet", "(none: ...)"). */
const NOT_PREVENTED = /^\(?none\b/;

export const disabledRuleNotPrevented = lintCheck({
  codes: ["disabled-rule-not-prevented"],
  run: ({ guardrail }) => {
    const { rules, correlationRules } = guardrail.disabled;
    return [...rules, ...correlationRules]
      .filter((rule) => NOT_PREVENTED.test(rule.prevention))
      .map((rule) => ({
        level: "warning" as const,
        code: "disabled-rule-not-prevented" as const,
        message:
          `detection.disabledRules: ${rule.id} is disabled and the SCP does not stop its event ` +
          `(${rule.prevention}): the organization no longer sees it`,
      }));
  },
});
