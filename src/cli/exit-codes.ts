/** Conventional exit codes, the same for every command. */
export const EXIT = {
  OK: 0,
  /** Findings, violations, unreadable inputs, or a run that failed. */
  FINDINGS: 1,
  /** Usage or config error. */
  USAGE: 2,
  /** `--fail-on-findings` and a non-approved finding exists. */
  FAIL_ON_FINDINGS: 3,
} as const;
