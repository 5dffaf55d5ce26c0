/** The exemption lists several checks read, by the config key that holds them (a finding names key and index). */
import type { Guardrail } from "../../guardrail/guardrail";

/** The exemption lists a reviewer reads. */
export function exemptionLists(guardrail: Guardrail): [key: string, patterns: string[]][] {
  return [
    ["approvedPrincipalArns", guardrail.config.approvedPrincipalArns],
    ["breakGlassPrincipalArns", guardrail.config.breakGlassPrincipalArns],
  ];
}

/** Those and the admins', whose names the guardrail protects as well (an admin may create the exempted roles). */
export function exemptionAndAdminLists(guardrail: Guardrail): [key: string, patterns: string[]][] {
  return [
    ...exemptionLists(guardrail),
    ["scp.exemptedPrincipalAdminArns", guardrail.config.scp.exemptedPrincipalAdminArns],
  ];
}
