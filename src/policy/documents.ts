/**
 * Packs the statements into as few SCP documents as the size quota allows. Organizations counts
 * the characters of the stored document, whitespace included, so content is minified JSON.
 */
import type { Guardrail } from "../guardrail/guardrail";
import { freeSlots } from "./slots";
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

/** The empty policy's minified JSON; a document's content has its statements' minified JSON at STATEMENTS_AT. */
const EMPTY_POLICY = minify(policyOf([]));
/** Between the Statement array's brackets: `{"Version":"2012-10-17","Statement":[` | `]}`. */
const STATEMENTS_AT = EMPTY_POLICY.length - 2;

/**
 * The document of the statements `members` (indexes, in statement order). Its content is minify(policy), put
 * together from each statement's minified JSON, which measuring them has made already: stringifying a generated
 * allow-list of many thousand models again costs seconds.
 */
function toDocument(
  base: string,
  index: number,
  statements: ScpStatement[],
  sizes: Sizes,
  members: number[],
): ScpDocument {
  const policy = policyOf(members.map((i) => statements[i]));
  const statementsJson = members.map((i) => sizes.json[i]).join(",");
  const content = `${EMPTY_POLICY.slice(0, STATEMENTS_AT)}${statementsJson}${EMPTY_POLICY.slice(STATEMENTS_AT)}`;
  return { name: documentName(base, index), policy, content, size: content.length };
}

/** What the packers work on: each statement's minified JSON and size, and the empty policy's. */
interface Sizes {
  /** Each statement's minified JSON, by statement index. */
  json: string[];
  /** Characters of each statement's minified JSON, by statement index. */
  of: number[];
  /** Characters of the policy with no statement; each statement after the first adds a comma. */
  empty: number;
  /** Statement indexes from the largest to the smallest, ties in statement order. */
  decreasing: number[];
}

function measure(statements: ScpStatement[]): Sizes {
  const json = statements.map((s) => JSON.stringify(s));
  const of = json.map((j) => j.length);
  const decreasing = statements.map((_, i) => i).sort((a, b) => of[b] - of[a] || a - b);
  return { json, of, empty: EMPTY_POLICY.length, decreasing };
}

/**
 * First-fit decreasing: statements from the largest to the smallest, each into the first document
 * it fits in, a new one when none has room: the small statements fill the gaps the large ones leave,
 * where in-order packing opens a new document at the first misfit. Groups of statement indexes.
 */
function firstFitDecreasing(sizes: Sizes, maxSize: number): number[][] {
  const bins: { members: number[]; size: number }[] = [];
  for (const i of sizes.decreasing) {
    const bin = bins.find((b) => b.size + 1 + sizes.of[i] <= maxSize);
    if (bin) {
      bin.members.push(i);
      bin.size += 1 + sizes.of[i];
    } else bins.push({ members: [i], size: sizes.empty + sizes.of[i] });
  }
  return bins.map((b) => b.members);
}

/**
 * Nodes the exact search may visit for one document count before it gives up. The guardrail has at most
 * about twenty statements; the searches that need it (a handful of documents) finish in a few thousand.
 */
const EXACT_SEARCH_BUDGET = 200_000;

/**
 * A packing into `count` documents, found by depth-first search (statements largest first; each into
 * every document with room, skipping documents as full as one already tried, which would only repeat a
 * branch; pruned when the statements left exceed the room left), or undefined when there is none or the
 * search ran out of EXACT_SEARCH_BUDGET. The order of the search is fixed, so its answer is too.
 */
function exactPacking(sizes: Sizes, maxSize: number, count: number): number[][] | undefined {
  const bins = Array.from({ length: count }, () => ({ members: [] as number[], size: sizes.empty }));
  const left = sizes.decreasing.map((_, k) => sizes.decreasing.slice(k).reduce((sum, i) => sum + sizes.of[i], 0));
  let visits = 0;
  const place = (k: number): boolean | "gave up" => {
    if (k === sizes.decreasing.length) return true;
    if (++visits > EXACT_SEARCH_BUDGET) return "gave up";
    const room = bins.reduce((sum, b) => sum + maxSize - b.size, 0);
    if (left[k] > room) return false;
    const i = sizes.decreasing[k];
    const tried = new Set<number>();
    for (const bin of bins) {
      const grows = (bin.members.length > 0 ? 1 : 0) + sizes.of[i];
      if (bin.size + grows > maxSize || tried.has(bin.size)) continue;
      tried.add(bin.size);
      bin.members.push(i);
      bin.size += grows;
      const found = place(k + 1);
      if (found) return found;
      bin.size -= grows;
      bin.members.pop();
    }
    return false;
  };
  return place(0) === true ? bins.map((b) => b.members) : undefined;
}

/**
 * Packs the statements into documents of at most maxSize characters: first fit decreasing and, when that
 * needs more documents than `slots` (the free SCP slots of the fullest target), the fewest documents an
 * exact, bounded search finds (FFD is not always optimal: at the old 5,120-character, 5-SCP quotas it
 * needed 5 documents for the realistic config, where 4 suffice); never more than first fit decreasing.
 * Each document lists its statements in statement order, so the output reads like the builder's and is
 * byte-stable for one input. A document's size is measured exactly: the empty policy, each statement's
 * minified JSON and the commas between them. A statement too large on its own still gets its own
 * (oversized) document; lintScp reports it with the measured size, and synth refuses to run.
 */
export function packStatements(
  statements: ScpStatement[],
  maxSize: number,
  baseName: string,
  slots = Number.POSITIVE_INFINITY,
): ScpDocument[] {
  const sizes = measure(statements);
  let groups = firstFitDecreasing(sizes, maxSize);
  if (groups.length > slots) {
    const total = sizes.of.reduce((sum, n) => sum + n, 0);
    const fewest = Math.max(1, Math.ceil(total / (maxSize - sizes.empty)));
    for (let count = fewest; count < groups.length && count <= slots; count++) {
      const exact = exactPacking(sizes, maxSize, count);
      if (exact) {
        groups = exact;
        break;
      }
    }
  }
  return groups.map((members, n) =>
    toDocument(
      baseName,
      n,
      statements,
      sizes,
      [...members].sort((a, b) => a - b),
    ),
  );
}

/**
 * The guardrail's SCP document(s), each within scp.maxPolicySize unless a single statement is too large.
 * `statements`: buildScpStatements(guardrail), when the caller has built them already (check also decides
 * its table on them; a generated allow-list of many thousand models takes seconds to build).
 */
export function buildScpDocuments(
  guardrail: Guardrail,
  statements: ScpStatement[] = buildScpStatements(guardrail),
): ScpDocument[] {
  const scp = guardrail.config.scp;
  return packStatements(statements, scp.maxPolicySize, scp.name, freeSlots(guardrail.config));
}
