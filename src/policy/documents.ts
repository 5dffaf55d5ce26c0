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
 * Greedy packing in statement order: a statement goes into the current document while it fits,
 * else starts the next one. A statement too large on its own still gets its own (oversized)
 * document; lintScp reports it with the measured size, and synth refuses to run.
 */
export function packStatements(statements: ScpStatement[], maxSize: number, baseName: string): ScpDocument[] {
  const groups: ScpStatement[][] = [];
  for (const statement of statements) {
    const current = groups[groups.length - 1];
    if (current && minify(policyOf([...current, statement])).length <= maxSize) current.push(statement);
    else groups.push([statement]);
  }
  return groups.map((g, i) => toDocument(baseName, i, g));
}

/** The guardrail's SCP document(s), each within scp.maxPolicySize unless a single statement is too large. */
export function buildScpDocuments(guardrail: Guardrail): ScpDocument[] {
  const scp = guardrail.config.scp;
  return packStatements(buildScpStatements(guardrail), scp.maxPolicySize, scp.name);
}
