/**
 * ProtectExemptedPrincipals on with nobody exempt from it: in member accounts only service-managed StackSets can
 * then create or change the approved roles, and nobody can update the guardrail's own roles and functions in the
 * security account, so the first change after deploying fails with an SCP denial nobody expected.
 */
import { lintCheck } from "./check";

export const noExemptedPrincipalAdmin = lintCheck({
  codes: ["no-exempted-principal-admin"],
  run: ({ guardrail }) => {
    const scp = guardrail.config.scp;
    if (!scp.protectExemptedPrincipals) return [];
    if (guardrail.exemptions.breakGlass.length > 0 || scp.exemptedPrincipalAdminArns.length > 0) return [];
    return [
      {
        level: "warning",
        code: "no-exempted-principal-admin",
        message:
          "scp.protectExemptedPrincipals is on and neither breakGlassPrincipalArns nor " +
          "scp.exemptedPrincipalAdminArns is set: in member accounts only service-managed StackSets can create or " +
          "change the approved roles, and nobody can update the guardrail's own roles and Lambda functions in the " +
          "security account; list the principal that manages them (and the pipeline that deploys the monitor " +
          "stack) in scp.exemptedPrincipalAdminArns",
      },
    ];
  },
});
