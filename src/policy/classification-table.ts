/**
 * What `check --coverage` prints: the classification as rows (action, access level as recorded,
 * decision, statement, basis, deciding rule, reason) and counts per service and decision. Pure;
 * whether the caller's SCP has a statement naming an action is passed in, so a denial whose statement
 * this config does not emit (an allow-list statement without scp.modelAllowList), or emits without the
 * action (Claude Platform on AWS with scp.allowClaudePlatform), says so.
 */
import { countDecisions, DECISION_KINDS, type DecisionKind, type ResolvedAction } from "./classification";

export interface CoverageRow {
  action: string;
  accessLevel: string;
  decision: DecisionKind;
  /** Denied: "Sid (condition)" per statement, with " [not in this SCP]" when the config leaves it out. */
  statements: string[];
  /** Allowed: read-only / gated by ... / no-model; waived: the documentation link. */
  basis: string;
  decidedBy: string;
  reason: string;
}

export interface CoverageCounts {
  service: string;
  counts: Record<DecisionKind, number>;
  /** Of the denied: those no statement of this SCP denies (each denying statement is `[not in this SCP]`). */
  deniedNotInScp: number;
  total: number;
}

/** Whether the caller's SCP has the statement `sid`, naming `action`. */
export type InScp = (sid: string, action: string) => boolean;

export function coverageRows(actions: readonly ResolvedAction[], inScp: InScp): CoverageRow[] {
  return actions.map((a) => {
    const d = a.decision;
    const statements =
      d.decision === "denied"
        ? d.statements.map((s) => `${s.sid} (${s.condition})${inScp(s.sid, a.action) ? "" : " [not in this SCP]"}`)
        : [];
    const basis =
      d.decision === "allowed"
        ? d.because === "gated"
          ? `gated by ${(d.gatedBy ?? []).join(", ")}`
          : d.because
        : d.decision === "waived"
          ? d.link
          : "";
    return {
      action: a.action,
      accessLevel: a.accessLevel,
      decision: d.decision,
      statements,
      basis,
      decidedBy: a.decidedBy,
      reason: d.reason,
    };
  });
}

/**
 * One row per service, then "total". The decisions are the classification's, whatever the config; how many of the
 * denied this config's SCP does not deny (its statements left out, or emitted without the action) is counted apart,
 * so the table is true for this SCP too.
 */
export function coverageCounts(actions: readonly ResolvedAction[], inScp: InScp): CoverageCounts[] {
  const notInScp = new Map<string, number>();
  for (const a of actions) {
    const d = a.decision;
    if (d.decision === "denied" && !d.statements.some((st) => inScp(st.sid, a.action)))
      notInScp.set(a.service, (notInScp.get(a.service) ?? 0) + 1);
  }
  const rows = [...countDecisions(actions)].map(([service, counts]) => ({
    service,
    counts,
    deniedNotInScp: notInScp.get(service) ?? 0,
    total: DECISION_KINDS.reduce((n, k) => n + counts[k], 0),
  }));
  const total = { denied: 0, allowed: 0, waived: 0 };
  for (const r of rows) for (const k of DECISION_KINDS) total[k] += r.counts[k];
  const deniedNotInScp = rows.reduce((n, r) => n + r.deniedNotInScp, 0);
  return [...rows, { service: "total", counts: total, deniedNotInScp, total: actions.length }];
}
