import { ConfigError, parseConfig } from "../../src/config/load";

/** The approved role most tests need (approvedPrincipalArns is required). */
export { APPROVED_ROLE_PATTERN as APPROVED_ROLE } from "../support/fixtures";

/** The problems ConfigError names for `value` as guardrail.config.json; [] when it is valid. */
export function configProblems(value: unknown): string[] {
  try {
    parseConfig(value);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}
