/**
 * What every reader of history (detect, hunt) does with a finding before printing it: each event
 * or correlation once (CloudTrail can deliver a record twice), approved principals' findings only
 * when asked for, and the counts the summary line prints.
 */
import type { Finding } from "./finding";

export interface GateCounts {
  /** Findings passed on. */
  findings: number;
  /** Passed-on findings whose principal is not approved (what --fail-on-findings looks at). */
  unapprovedFindings: number;
  /** Findings by approved principals held back (no includeApproved). */
  suppressedApproved: number;
  /** Findings whose event.id was already seen. */
  duplicates: number;
}

/** Returns the gate: call it with each finding; it counts into `counts` and passes on what it lets through. */
export function findingGate(
  includeApproved: boolean,
  counts: GateCounts,
  passOn: (finding: Finding) => void,
): (finding: Finding) => void {
  const seen = new Set<string>();
  return (finding) => {
    if (seen.has(finding.event.id)) {
      counts.duplicates++;
      return;
    }
    seen.add(finding.event.id);
    if (finding.guardrail.approved && !includeApproved) {
      counts.suppressedApproved++;
      return;
    }
    counts.findings++;
    if (!finding.guardrail.approved) counts.unapprovedFindings++;
    passOn(finding);
  };
}
