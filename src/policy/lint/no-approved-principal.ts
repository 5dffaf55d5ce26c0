/**
 * An empty approvedPrincipalArns: nobody but the break-glass roles can then enable a model, so either the list was
 * forgotten or the emergency roles become the everyday way to grant model access.
 */
import { lintCheck } from "./check";

export const noApprovedPrincipal = lintCheck({
  codes: ["no-approved-principal"],
  run: ({ guardrail }) =>
    guardrail.config.approvedPrincipalArns.length === 0
      ? [
          {
            level: "warning",
            code: "no-approved-principal",
            message: "approvedPrincipalArns is empty: only break-glass roles can enable models",
          },
        ]
      : [],
});
