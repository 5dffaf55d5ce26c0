/**
 * Findings read back from `detect` or the monitor (ndjson, or a JSON array): untrusted input.
 * Only the fields the planner relies on are checked; a bad line is named and skipped, never
 * allowed to hide the good ones.
 */
import type { Finding } from "../detection/finding";

const KINDS = new Set([
  "iam-user",
  "role",
  "identity-center-role",
  "service-linked-role",
  "root",
  "federated-user",
  "aws-service",
  "unknown",
]);

/** The finding, or what is wrong with it. */
export function checkFinding(value: unknown): Finding | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a JSON object";
  const f = value as Partial<Finding>;
  if (typeof f.event?.id !== "string" || !f.event.id) return "event.id is missing";
  if (typeof f.event.action !== "string") return "event.action is missing";
  if (f.event.outcome !== "success" && f.event.outcome !== "failure") return "event.outcome must be success or failure";
  if (typeof f["@timestamp"] !== "string" || Number.isNaN(Date.parse(f["@timestamp"])))
    return "@timestamp is missing or not a date";
  if (!f.guardrail || typeof f.guardrail !== "object") return "guardrail is missing (not a bedrock-guardrail finding)";
  if (!KINDS.has(f.guardrail.principal_kind))
    return `guardrail.principal_kind "${String(f.guardrail.principal_kind)}" is not a known kind`;
  if (!f.cloud || typeof f.cloud !== "object" || !f.aws?.cloudtrail?.user_identity)
    return "cloud or aws.cloudtrail.user_identity is missing";
  return f as Finding;
}

export interface ParsedFindings {
  findings: Finding[];
  problems: string[];
}

/** ndjson (one finding per line) or a JSON array, as `detect --format ndjson|json` writes them. */
export function parseFindings(text: string, source: string): ParsedFindings {
  const findings: Finding[] = [];
  const problems: string[] = [];
  const take = (value: unknown, where: string) => {
    const r = checkFinding(value);
    if (typeof r === "string") problems.push(`${where}: ${r}`);
    else findings.push(r);
  };
  if (text.trimStart().startsWith("[")) {
    try {
      for (const [i, v] of (JSON.parse(text) as unknown[]).entries()) take(v, `${source}[${i}]`);
    } catch (e) {
      problems.push(`${source}: not valid JSON (${(e as Error).message})`);
    }
    return { findings, problems };
  }
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      take(JSON.parse(line), `${source}:${i + 1}`);
    } catch (e) {
      problems.push(`${source}:${i + 1}: not valid JSON (${(e as Error).message})`);
    }
  });
  return { findings, problems };
}
