/**
 * What a lint check is: a pure function of the guardrail, its SCP documents and the lint options that returns
 * findings of the codes it declares. checks.ts lists every check, in the order their findings are printed.
 */
import type { Guardrail } from "../../guardrail/guardrail";
import type { ScpDocument, ScpStatement } from "../types";

type LintLevel = "error" | "warning";

/** One finding of a check whose codes are C. */
export interface Finding<C extends string> {
  level: LintLevel;
  /** Stable identifier for tests and scripts. */
  code: C;
  message: string;
}

export interface LintOptions {
  /** Reference check for action names (IAM service authorization data); syntax is always checked. */
  actionExists?: (action: string) => boolean;
  /**
   * The rules the configured monitor backend does not run, each said in one line: src/detection knows them (a
   * level above this one), so the commands that print the lint, check and synth, pass them in.
   */
  rulesOffMonitor?: readonly string[];
  /** buildScpDocuments(guardrail), when the caller has built them already; built here otherwise. */
  documents?: ScpDocument[];
}

/** What every check reads. */
export interface LintInput {
  guardrail: Guardrail;
  documents: ScpDocument[];
  /** Every document's statements, in document order. */
  statements: ScpStatement[];
  options: LintOptions;
}

export interface LintCheck<C extends string> {
  /** The codes of its findings: a finding of another code does not compile (C is inferred from these alone). */
  codes: readonly C[];
  /**
   * It compares allow-list entries with one another: skipped while the allow-list's statement does not fit its
   * document, which matters more and which a generated list of many thousand entries would delay for minutes.
   */
  comparesAllowListEntries?: boolean;
  run: (input: LintInput) => Finding<NoInfer<C>>[];
}

/** A check with its codes kept literal, so that checks.ts derives the union of every code from the list. */
export const lintCheck = <const C extends string>(check: LintCheck<C>): LintCheck<C> => check;
