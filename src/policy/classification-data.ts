/**
 * The bundled classification (policies/action-classification.json), validated and resolved once.
 * The SCP's action lists are read from here, so a file that does not resolve to exactly one
 * decision per action stops synth and `check` with one line per problem.
 */
import classificationJson from "../../policies/action-classification.json";
import { ConfigError } from "../config/load";
import type { ActionClassification } from "./classification-schema";
import {
  actionsDeniedBy,
  CLASSIFICATION_FILE,
  parseClassification,
  type ResolvedAction,
  resolveClassification,
} from "./classification";

export interface BundledClassification {
  classification: ActionClassification;
  actions: ResolvedAction[];
}

let cached: BundledClassification | undefined;

export function bundledClassification(): BundledClassification {
  if (!cached) {
    const classification = parseClassification(classificationJson);
    const resolved = resolveClassification(classification);
    if (resolved.problems.length > 0) throw new ConfigError(CLASSIFICATION_FILE, resolved.problems);
    cached = { classification, actions: resolved.actions };
  }
  return cached;
}

/** The actions the bundled classification says the statement with this Sid denies, in file order. */
export function deniedActions(sid: string): string[] {
  const actions = actionsDeniedBy(bundledClassification().actions, sid);
  if (actions.length === 0) throw new ConfigError(CLASSIFICATION_FILE, [`no action is denied by statement ${sid}`]);
  return actions;
}
