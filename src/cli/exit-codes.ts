/**
 * The exit codes of every command, one table (docs/cli.md):
 *
 *   0  the run completed (with or without findings, unless a gate option asks otherwise)
 *   1  the run is incomplete: an input or AWS problem (an unreadable file, a skipped record, a failed call)
 *   2  usage or config error: nothing was done
 *   3  a gate tripped: --fail-on-findings and a finding by a non-approved principal (detect, hunt, run-once),
 *      --fail-on-denials / --fail-on-undetermined and such a call (preview), drift (verify, always)
 *
 * 3 wins over 1: a CI gate must not mistake "found an unapproved enablement" for "a file was bad"; the
 * damaged inputs are still named on stderr.
 */
export const EXIT = {
  OK: 0,
  /** An input or AWS problem: the run is incomplete. */
  INCOMPLETE: 1,
  /** Usage or config error. */
  USAGE: 2,
  /** A gate tripped: --fail-on-findings (and the other --fail-on-* options) or verify's drift. */
  FAIL_ON_FINDINGS: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What a run that got past its arguments and config ends with. */
export interface RunOutcome {
  /** Something could not be read, parsed or called: the result may miss findings. */
  incomplete: boolean;
  /** Findings by non-approved principals (drift for verify). */
  unapprovedFindings: number;
  failOnFindings: boolean;
}

/** The table above for a run that started (usage and config errors return EXIT.USAGE before a run). */
export function exitCodeFor(outcome: RunOutcome): ExitCode {
  if (outcome.failOnFindings && outcome.unapprovedFindings > 0) return EXIT.FAIL_ON_FINDINGS;
  if (outcome.incomplete) return EXIT.INCOMPLETE;
  return EXIT.OK;
}
