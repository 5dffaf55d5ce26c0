/**
 * Packs the statements into as few SCP documents as the size quota allows. Organizations counts
 * the characters of the stored document, whitespace included, so content is minified JSON.
 */
import type { Guardrail } from "../guardrail/guardrail";
import { buildScpStatements } from "./statements";
import type { ScpDocument, ScpPolicy, ScpStatement } from "./types";

export function policyOf(statements: ScpStatement[]): ScpPolicy {
  return { Version: "2012-10-17", Statement: statements };
}

/** Minified JSON; key order is the insertion order the builder fixes, so output is byte-stable. */
export function minify(policy: ScpPolicy): string {
  return JSON.stringify(policy);
}

/** Name of the n-th (0-based) document: the configured name, then name-2, name-3, ... */
function documentName(base: string, index: number): string {
  return index === 0 ? base : `${base}-${index + 1}`;
}

function toDocument(base: string, index: number, statements: ScpStatement[]): ScpDocument {
  const policy = policyOf(statements);
  const content = minify(policy);
  return { name: documentName(base, index), policy, content, size: content.length };
}

/**
 * First-fit decreasing: statements from the largest to the smallest (ties in statement order), each
 * into the first document it fits in, a new one when none has room: the small statements fill the
 * gaps the large ones leave, where in-order packing opens a new document at the first misfit.
 * Each document then lists its statements in statement order, so the output reads like the
 * builder's and is byte-stable for one input. A document's size is measured exactly: the empty
 * policy, each statement's minified JSON and the commas between them. A statement too large on its
 * own still gets its own (oversized) document; lintScp reports it with the measured size, and
 * synth refuses to run.
 */
export function packStatements(statements: ScpStatement[], maxSize: number, baseName: string): ScpDocument[] {
  const empty = minify(policyOf([])).length;
  const sizes = statements.map((s) => JSON.stringify(s).length);
  const order = statements.map((_, i) => i).sort((a, b) => sizes[b] - sizes[a] || a - b);
  const bins: { members: number[]; size: number }[] = [];
  for (const i of order) {
    const fits = (bin: { members: number[]; size: number }) => bin.size + 1 + sizes[i] <= maxSize;
    const bin = bins.find(fits);
    if (bin) {
      bin.members.push(i);
      bin.size += 1 + sizes[i];
    } else bins.push({ members: [i], size: empty + sizes[i] });
  }
  return bins.map((bin, n) =>
    toDocument(
      baseName,
      n,
      bin.members.sort((a, b) => a - b).map((i) => statements[i]),
    ),
  );
}

/** The guardrail's SCP document(s), each within scp.maxPolicySize unless a single statement is too large. */
export function buildScpDocuments(guardrail: Guardrail): ScpDocument[] {
  const scp = guardrail.config.scp;
  return packStatements(buildScpStatements(guardrail), scp.maxPolicySize, scp.name);
}
