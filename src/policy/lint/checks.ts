/**
 * Every lint check, in the order lintScp runs them: the order of the findings, which tests and the CLI's output
 * depend on. A check is one file of this folder named after its code; its code joins LintCode through this list
 * only, so a check cannot report a code that LintFinding does not have.
 */
import { allowListEntries } from "./allow-list-entries";
import { allowListModelDeniedOnMantle } from "./allow-list-model-denied-on-mantle";
import { allowListProfileWithoutModel } from "./allow-list-profile-without-model";
import { allowListRegionalModel } from "./allow-list-regional-model";
import { allowListUpperCaseId } from "./allow-list-upper-case-id";
import { apiKeyUseWithoutCreationControl } from "./api-key-use-without-creation-control";
import { approvedProductsWithoutControl } from "./approved-products-without-control";
import { broadExemption } from "./broad-exemption";
import { disabledRuleNotPrevented } from "./disabled-rule-not-prevented";
import { duplicateStatement } from "./duplicate-statement";
import { identityCenterPrefixExtension } from "./identity-center-prefix-extension";
import { monitorInManagementAccount } from "./monitor-in-management-account";
import { noApprovedPrincipal } from "./no-approved-principal";
import { noExemptedPrincipalAdmin } from "./no-exempted-principal-admin";
import { policyTooLarge } from "./policy-too-large";
import { ruleOffMonitorBackend } from "./rule-off-monitor-backend";
import { tooManyPolicies } from "./too-many-policies";
import { unknownAction } from "./unknown-action";
import { unknownRegion } from "./unknown-region";
import { unprotectableExemption } from "./unprotectable-exemption";

export const LINT_CHECKS = [
  policyTooLarge,
  tooManyPolicies,
  unknownAction,
  duplicateStatement,
  broadExemption,
  noApprovedPrincipal,
  // Entry by entry, so that one entry's findings stay together.
  allowListEntries(allowListProfileWithoutModel, allowListRegionalModel, allowListUpperCaseId),
  allowListModelDeniedOnMantle,
  unprotectableExemption,
  noExemptedPrincipalAdmin,
  identityCenterPrefixExtension,
  unknownRegion,
  approvedProductsWithoutControl,
  apiKeyUseWithoutCreationControl,
  monitorInManagementAccount,
  ruleOffMonitorBackend,
  disabledRuleNotPrevented,
] as const;

/** Stable identifier of a finding for tests and scripts: the codes of every check of LINT_CHECKS. */
export type LintCode = (typeof LINT_CHECKS)[number]["codes"][number];
