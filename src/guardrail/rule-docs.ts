/**
 * The parts of the docs that describe the rule set, generated from the rule files so that a new rule
 * file is the only edit: the table and the limitations in docs/rules.md, and the rule counts in the
 * README and docs/detection.md. Each part sits between `<!-- generated:NAME -->` and
 * `<!-- /generated:NAME -->`; `npm run docs` rewrites them, test/docs/generated-docs.test.ts checks
 * that they are fresh.
 */
import type { AnyOf, CorrelationRule } from "./correlation-definition";
import {
  type Condition,
  conditionKind,
  type DetectionRule,
  type EventSelector,
  type WhereEntry,
  whereAlternatives,
} from "./definition";

type AnyRule = DetectionRule | CorrelationRule;
const isCorrelation = (rule: AnyRule): rule is CorrelationRule => rule.kind !== undefined && rule.kind !== "event";

const WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven"];
const WORDS_TEENS = ["twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];

/** A count as English prose writes it: words up to nineteen, digits beyond. */
export function countInWords(n: number): string {
  if (n < WORDS.length) return WORDS[n];
  return WORDS_TEENS[n - WORDS.length] ?? String(n);
}

const code = (s: string) => `\`${s}\``;
const list = (items: readonly string[]) => items.map(code).join(", ");

function conditionText(c: Condition): string {
  const k = conditionKind(c);
  switch (k.kind) {
    case "equals":
      return `${code(c.field)} ${list(k.values)}${k.ignoreCase ? " in any case" : ""}`;
    case "startsWith":
      return `${code(c.field)} starting ${code(k.prefix)}${k.ignoreCase ? " in any case" : ""}`;
    case "is":
      return `${code(c.field)} ${code(String(k.value))}`;
    case "exists":
      return `${code(c.field)} ${k.value ? "present" : "absent"}`;
  }
}

/** A where entry: its condition, or an anyOf as "(either A and B or C)", each list's conditions joined by "and". */
function whereEntryText(entry: WhereEntry): string {
  if (!("anyOf" in entry)) return conditionText(entry);
  const lists = whereAlternatives(entry).map((l) =>
    l.length > 1 ? `(${l.map(conditionText).join(" and ")})` : conditionText(l[0]),
  );
  return `(either ${lists.join(" or ")})`;
}

/** What a selector matches, from its match fields. */
function selectorText(rule: EventSelector & { toolMakesThisCall?: boolean }): string {
  const outcome = {
    success: "succeeding",
    failure: `refused with ${list(rule.errorCodes ?? [])}`,
    any: "succeeded or not",
  }[rule.outcome];
  const where = rule.where.length > 0 ? `, where ${rule.where.map(whereEntryText).join(" and ")}` : "";
  const tool = rule.toolMakesThisCall ? " (this tool's own calls are approved)" : "";
  return `${list(rule.eventNames)} on ${code(rule.eventSource)} ${outcome}${where}${tool}`;
}

/** A Markdown table with every column padded to its widest cell, as a Markdown formatter writes it. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const anyOfText = (anyOf: AnyOf) => anyOf.map(selectorText).join("; or ");

/** What the rule matches: its selector, or for a correlation rule what it counts. */
function matchText(rule: AnyRule): string {
  if (!isCorrelation(rule)) return selectorText(rule);
  switch (rule.kind) {
    case "threshold":
      return `at least ${rule.threshold} of: ${anyOfText(rule.select)}`;
    case "value-count":
      return `at least ${rule.threshold} distinct ${code(rule.field)} of: ${anyOfText(rule.select)}`;
    case "sequence":
      return `${anyOfText(rule.steps[0])}; then ${anyOfText(rule.steps[1])}`;
    case "new-term":
      return `a ${code(rule.field)} not seen for the group in the baseline, of: ${anyOfText(rule.select)}`;
  }
}

/** Who the rule counts for and over how long. */
function groupWindow(rule: AnyRule): string {
  if (!isCorrelation(rule)) return "each event";
  const group = rule.groupBy === "principal" ? "principal" : "credential";
  if (rule.kind === "new-term") return `${group}, ${rule.baselineDays}-day baseline`;
  return `${group}, ${rule.windowMinutes} min`;
}

function severityText(rule: AnyRule): string {
  const base = `${rule.severity} (${rule.riskScore})`;
  if (!isCorrelation(rule) || !rule.severityByCredential) return base;
  const bump = rule.severityByCredential;
  return `${base}; ${bump.severity} (${bump.riskScore}) for ${list(bump.credentialKinds)}`;
}

function ruleTable(rules: readonly AnyRule[]): string {
  return markdownTable(
    [
      "Rule id",
      "Kind",
      "What it matches",
      "Group, window",
      "Severity (risk)",
      "ECS category / type",
      "MITRE ATT&CK",
      "SCP statement",
      "Remediation",
    ],
    rules.map((r) => [
      code(r.id),
      r.kind ?? "event",
      matchText(r),
      groupWindow(r),
      severityText(r),
      `${list(r.ecs.category)} / ${list(r.ecs.type)}`,
      `${r.threat.tactic.id} / ${r.threat.technique.id}`,
      r.prevention,
      "remediate" in r && r.remediate ? "yes: key, sessions, agreement" : "alert only",
    ]),
  );
}

function peers(rules: readonly AnyRule[]): string {
  return markdownTable(
    ["Rule id", "The peer it follows"],
    rules.map((r) => [code(r.id), r.peer]),
  );
}

function limitations(rules: readonly AnyRule[]): string {
  return rules.map((r) => `- **${code(r.id)}**: ${r.limitations}`).join("\n");
}

/** One generated part of a doc: the file, the part's name and its text for a rule set. */
interface GeneratedPart {
  file: string;
  name: string;
  /** A block (a table, a list) stands on lines of its own; otherwise the part is a word in a sentence. */
  block: boolean;
  render: (rules: readonly AnyRule[]) => string;
}

const count = (rules: readonly AnyRule[]) => countInWords(rules.length);

export const GENERATED_PARTS: readonly GeneratedPart[] = [
  { file: "README.md", name: "rule-count", block: false, render: count },
  { file: "docs/detection.md", name: "rule-count", block: false, render: count },
  { file: "docs/rules.md", name: "rule-table", block: true, render: ruleTable },
  { file: "docs/rules.md", name: "rule-peers", block: true, render: peers },
  { file: "docs/rules.md", name: "rule-limitations", block: true, render: limitations },
];

/**
 * The text with each of the file's generated parts replaced by its fresh rendering. A part whose
 * markers are missing is an error naming it, so a removed marker does not silently stop the update.
 */
export function refreshGeneratedParts(file: string, text: string, rules: readonly AnyRule[]): string {
  let out = text;
  for (const part of GENERATED_PARTS.filter((p) => p.file === file)) {
    const open = `<!-- generated:${part.name} -->`;
    const close = `<!-- /generated:${part.name} -->`;
    const start = out.indexOf(open);
    const end = out.indexOf(close, start);
    if (start < 0 || end < 0) throw new Error(`${file}: missing the markers ${open} ... ${close}`);
    const rendered = part.render(rules);
    const body = part.block ? `\n${rendered}\n` : rendered;
    out = out.slice(0, start + open.length) + body + out.slice(end);
  }
  return out;
}
