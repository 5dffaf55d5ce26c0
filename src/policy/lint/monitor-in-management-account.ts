/**
 * SCPs never apply to the management account: a monitor deployed there has none of the protection statements over
 * its roles, functions and alert path, and any admin of that account can switch it off unseen.
 */
import { stackAccountOf } from "../../config/sections/aws";
import { lintCheck } from "./check";

export const monitorInManagementAccount = lintCheck({
  codes: ["monitor-in-management-account"],
  run: ({ guardrail }) => {
    const { monitor, organization, aws } = guardrail.config;
    const securityAccount = stackAccountOf(aws.security);
    if (!monitor.enabled || !organization.managementAccountId || securityAccount !== organization.managementAccountId)
      return [];
    return [
      {
        level: "warning",
        code: "monitor-in-management-account",
        message:
          `aws.security deploys the monitor to ${securityAccount}, organization.managementAccountId, where SCPs do ` +
          "not apply: no statement of the guardrail protects its roles, functions or alert path there; deploy it " +
          "to a member account (the security account, a delegated administrator)",
      },
    ];
  },
});
