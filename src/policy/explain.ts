/**
 * `check --explain`: why a request is allowed or denied. The request is the request model's (the
 * one preview rebuilds from CloudTrail: an event name such as bedrock:Converse means the IAM action
 * it authorizes as), evaluated by the same Previewer, so the two never disagree; the answer lists
 * every statement that denies it (document and Sid) and the config change that would allow it.
 */
import { parseArn } from "../arn/arn-like";
import { partitionOfRegion } from "../arn/partition";
import type { ScpRequest } from "./evaluate";
import { statementOutcome } from "./evaluate";
import type { Guardrail } from "../guardrail/guardrail";
import { bundledClassification } from "./classification-data";
import { buildScpDocuments } from "./documents";
import { callSuggestion, Previewer, suggestionFor } from "./preview";
import {
  authorizesOnGiven,
  authorizesOnModel,
  BEARER_TOKEN_PREFIXES,
  EVENT_ACTIONS,
  eventSourceOf,
  type ModelAuthorizations,
  modelResources,
} from "./request-model";
import { BEARER_TOKEN_TYPE_KEYS } from "./statement-ids";

/** A Previewer of the guardrail's own documents (worker threads get the documents as data instead). */
export function previewerFor(guardrail: Guardrail): Previewer {
  return new Previewer(guardrail, buildScpDocuments(guardrail));
}

export interface Explanation {
  request: ScpRequest;
  /** Set when the action given was a CloudTrail event name with another IAM action. */
  mappedFrom?: string;
  /**
   * Every resource the request is authorized on, when that is not just `request.resource`: a model id's
   * foundation-model ARN, or a cross-Region profile, its foundation model in the call's Region and in each Region
   * the profile may route to (as preview).
   */
  authorizedOn?: string[];
  /**
   * Those of `authorizedOn` that are the model in a Region the profile may route to: they decide together (all
   * denied: deny; only some: undetermined), as preview decides them.
   */
  routed?: readonly string[];
  /** Why the decision is undetermined: the Regions a profile may route to do not all agree. */
  undetermined?: string;
  /** Set when the resource routes to models it does not name (an application inference profile, a prompt router). */
  note?: string;
  /**
   * Set when the context names a bearer-token type of the action's service: a call made with an API key is
   * also authorized as `<prefix>:CallWithBearerToken` (preview adds the same request), evaluated too.
   */
  alsoAuthorizedAs?: string;
  decision: "allow" | "deny" | "undetermined";
  /** Every statement that denies the request (or, for a profile, the model in one Region), in statement order. */
  matches: { document: string; sid: string }[];
  /**
   * For a denial: the change that lets every denied request through; for an undetermined call: the change for the
   * statement it hinges on.
   */
  suggestion?: string;
}

/**
 * Every action and event name the request model keys on, by its lower-case form: IAM reads an action name in any
 * case, and the request model looks names up as AWS spells them (bedrock:invokemodel must rebuild its model as
 * bedrock:InvokeModel does, and bedrock:converse authorize as bedrock:InvokeModel).
 */
let spellings: Map<string, string> | undefined;

function asAwsSpellsIt(given: string): string {
  if (!spellings) {
    const events = Object.keys(EVENT_ACTIONS).map((key) => key.replace(/\.amazonaws\.com:/, ":"));
    const actions = bundledClassification().actions.map((a) => a.action);
    spellings = new Map([...actions, ...events].map((name) => [name.toLowerCase(), name]));
  }
  return spellings.get(given.toLowerCase()) ?? given;
}

/** The IAM action an action or CloudTrail event name given as `prefix:Name` (in any case) authorizes as. */
export function explainedAction(given: string): { action: string; mappedFrom?: string } {
  const name = asAwsSpellsIt(given);
  const at = name.indexOf(":");
  const mapped = EVENT_ACTIONS[`${eventSourceOf(name.slice(0, at))}:${name.slice(at + 1)}`];
  return mapped ? { action: mapped, mappedFrom: given } : { action: name };
}

/**
 * The resources a model action is authorized on, rebuilt from the model id or ARN given as preview rebuilds
 * them from a record (a model id is in aws.region, a profile id in the principal's account); undefined
 * when the resource routes to models it does not name.
 */
function modelAuthorizations(guardrail: Guardrail, request: ScpRequest): ModelAuthorizations | undefined {
  const arn = parseArn(request.resource);
  const region = arn?.region ?? guardrail.config.aws.region;
  return modelResources(
    request.resource,
    {
      partition: arn?.partition ?? partitionOfRegion(region),
      region,
      account: arn?.account || (parseArn(request.principalArn)?.account ?? ""),
    },
    request.action,
  );
}

/** The CallWithBearerToken request of a call the context says was made with an API key, as preview rebuilds it. */
function bearerTokenRequest(request: ScpRequest): ScpRequest | undefined {
  const prefix = request.action.slice(0, request.action.indexOf(":"));
  const key = Object.values(BEARER_TOKEN_TYPE_KEYS).find((k) => k.startsWith(`${prefix}:`));
  const bearer = `${prefix}:CallWithBearerToken`;
  // Condition key names are case-insensitive in IAM (AWS's own pages write bedrock:bearerTokenType).
  const type = key && Object.entries(request.context ?? {}).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
  if (!BEARER_TOKEN_PREFIXES.includes(prefix) || !type || request.action === bearer) return undefined;
  return { action: bearer, resource: "*", principalArn: request.principalArn, context: { [key]: type } };
}

const ROUTED_MODELS_NOTE =
  "the call is also authorized on the models this resource routes to, which it does not name: " +
  "explain each of them with --resource";
const NAMED_MODEL_NOTE =
  "the call is authorized on the model this names, which it does not show (a prompt's model, a custom model's " +
  "ARN): explain that model with --resource";

export function explainRequest(previewer: Previewer, given: ScpRequest): Explanation {
  const { action, mappedFrom } = explainedAction(given.action);
  const request = { ...given, action };
  const onModel = authorizesOnModel(action) && request.resource !== "*";
  const rebuilt = onModel ? modelAuthorizations(previewer.guardrail, request) : undefined;
  const unnamed = onModel && !rebuilt;
  // A prompt or a custom model's name is not itself a resource the call is authorized on: nothing to evaluate.
  const resources = rebuilt?.resources ?? (unnamed && !authorizesOnGiven(request.resource) ? [] : [request.resource]);
  const routed = rebuilt?.routed ?? [];
  const authorizedOn = [...resources, ...routed];
  const bearer = bearerTokenRequest(request);
  const requests: ScpRequest[] = [
    ...resources.map((resource) => ({ ...request, resource })),
    ...routed.map((resource) => ({ ...request, resource, routed: true as const })),
    ...(bearer ? [bearer] : []),
  ];
  const matches = previewer.statements
    .filter((s) => requests.some((r) => statementOutcome(s, r) === "deny"))
    .map((s) => ({ document: previewer.documentOf(s.Sid), sid: s.Sid }));
  // As preview: the first request that a statement denies decides, and its statement names the change.
  const decided = previewer.decideCall(requests);
  return {
    request,
    ...(mappedFrom ? { mappedFrom } : {}),
    ...(rebuilt && (authorizedOn.length !== 1 || authorizedOn[0] !== request.resource) ? { authorizedOn } : {}),
    ...(routed.length > 0 ? { routed } : {}),
    ...(unnamed ? { note: resources.length > 0 ? ROUTED_MODELS_NOTE : NAMED_MODEL_NOTE } : {}),
    ...(bearer ? { alsoAuthorizedAs: bearer.action } : {}),
    decision: decided.decision,
    ...(decided.decision === "undetermined" ? { undetermined: decided.key } : {}),
    matches,
    ...(decided.decision === "deny"
      ? { suggestion: callSuggestion(previewer.guardrail, previewer.denials(requests)) }
      : {}),
    ...(decided.decision === "undetermined"
      ? { suggestion: suggestionFor(previewer.guardrail, decided.request, decided.sid) }
      : {}),
  };
}

/** The resources an explanation names: those of every call, then the model in whichever Regions a profile uses. */
function authorizedOnText(e: Explanation): string {
  if (!e.authorizedOn) return "";
  const always = e.authorizedOn.filter((r) => !e.routed?.includes(r));
  const regions = (e.routed ?? []).map((r) => parseArn(r)?.region).join(", ");
  const routed = regions ? `, and on the model in whichever of ${regions} the profile routes it to` : "";
  return ` (authorized on ${always.join(" and ")}${routed})`;
}

const ALLOWED = "allow (not denied by the guardrail SCP; the principal's own IAM policies still apply)";

export function formatExplanation(e: Explanation): string {
  const r = e.request;
  const context = Object.entries(r.context ?? {}).map(([k, v]) => `${k}=${v.join(",")}`);
  const lines = [
    `request: ${r.action}${e.mappedFrom ? ` (CloudTrail ${e.mappedFrom} authorizes as ${r.action})` : ""} on ` +
      `${r.resource}${authorizedOnText(e)} by ` +
      `${r.principalArn}${context.length ? ` with ${context.join(" ")}` : ""}` +
      `${e.alsoAuthorizedAs ? `, also authorized as ${e.alsoAuthorizedAs} (a call made with an API key)` : ""}`,
    ...(e.note ? [`note: ${e.note}`] : []),
    `decision: ${{ deny: "DENY", undetermined: `UNDETERMINED: ${e.undetermined}`, allow: ALLOWED }[e.decision]}`,
    ...e.matches.map((m) => `  denied by ${m.sid} in ${m.document}`),
    ...(e.suggestion ? [`to allow it: ${e.suggestion}`] : []),
  ];
  return `${lines.join("\n")}\n`;
}
