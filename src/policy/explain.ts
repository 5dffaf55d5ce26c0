/**
 * `check --explain`: why a request is allowed or denied. The request is the request model's (the
 * one preview rebuilds from CloudTrail: an event name such as bedrock:Converse means the IAM action
 * it authorizes as), evaluated by the same Previewer, so the two never disagree; the answer lists
 * every statement that denies it (document and Sid) and the config change that would allow it.
 */
import type { ScpRequest } from "./evaluate";
import { statementOutcome } from "./evaluate";
import type { Guardrail } from "../guardrail/guardrail";
import { buildScpDocuments } from "./documents";
import { Previewer, suggestionFor } from "./preview";
import { EVENT_ACTIONS, eventSourceOf } from "./request-model";

/** A Previewer of the guardrail's own documents (worker threads get the documents as data instead). */
export function previewerFor(guardrail: Guardrail): Previewer {
  return new Previewer(guardrail, buildScpDocuments(guardrail));
}

export interface Explanation {
  request: ScpRequest;
  /** Set when the action given was a CloudTrail event name with another IAM action. */
  mappedFrom?: string;
  decision: "allow" | "deny";
  /** Every statement that denies the request, in statement order. */
  matches: { document: string; sid: string }[];
  /** For a denial: the change that lets it through (for the first denying statement). */
  suggestion?: string;
}

/** The IAM action an action or CloudTrail event name given as `prefix:Name` authorizes as. */
function explainedAction(given: string): { action: string; mappedFrom?: string } {
  const at = given.indexOf(":");
  const mapped = EVENT_ACTIONS[`${eventSourceOf(given.slice(0, at))}:${given.slice(at + 1)}`];
  return mapped ? { action: mapped, mappedFrom: given } : { action: given };
}

export function explainRequest(previewer: Previewer, given: ScpRequest): Explanation {
  const { action, mappedFrom } = explainedAction(given.action);
  const request = { ...given, action };
  const matches = previewer.statements
    .filter((s) => statementOutcome(s, request) === "deny")
    .map((s) => ({ document: previewer.documentOf(s.Sid), sid: s.Sid }));
  const decided = previewer.decide(request);
  // decide() and the list come from the same evaluator: the first match is decide()'s statement.
  const decision = decided.decision === "deny" ? "deny" : "allow";
  return {
    request,
    ...(mappedFrom ? { mappedFrom } : {}),
    decision,
    matches,
    ...(decided.decision === "deny" ? { suggestion: suggestionFor(previewer.guardrail, request, decided.sid) } : {}),
  };
}

const ALLOWED = "allow (not denied by the guardrail SCP; the principal's own IAM policies still apply)";

export function formatExplanation(e: Explanation): string {
  const r = e.request;
  const context = Object.entries(r.context ?? {}).map(([k, v]) => `${k}=${v.join(",")}`);
  const lines = [
    `request: ${r.action}${e.mappedFrom ? ` (CloudTrail ${e.mappedFrom} authorizes as ${r.action})` : ""} on ` +
      `${r.resource} by ${r.principalArn}${context.length ? ` with ${context.join(" ")}` : ""}`,
    `decision: ${e.decision === "deny" ? "DENY" : ALLOWED}`,
    ...e.matches.map((m) => `  denied by ${m.sid} in ${m.document}`),
    ...(e.suggestion ? [`to allow it: ${e.suggestion}`] : []),
  ];
  return `${lines.join("\n")}\n`;
}
