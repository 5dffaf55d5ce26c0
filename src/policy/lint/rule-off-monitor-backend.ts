/**
 * A detection rule the configured monitor backend does not run: the rule's file, the docs and `check`'s rule tests
 * all say it detects, while the deployed monitor never looks for it. src/detection knows which rules those are (a
 * level above this one), so the commands that print the lint pass them in (options.rulesOffMonitor).
 */
import { lintCheck } from "./check";

export const ruleOffMonitorBackend = lintCheck({
  codes: ["rule-off-monitor-backend"],
  run: ({ options }) =>
    (options.rulesOffMonitor ?? []).map((message) => ({
      level: "warning" as const,
      code: "rule-off-monitor-backend" as const,
      message,
    })),
});
