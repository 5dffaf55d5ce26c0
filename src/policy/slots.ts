/**
 * The SCP slot budget: how many of a target's policy slots the guardrail takes. AWS refuses an
 * attachment beyond scp.maxPoliciesPerTarget (FullAWSAccess and every other SCP included), so a
 * guardrail needing more documents than a target has free slots cannot be rolled out: `check` and
 * synth refuse it (lint error), instead of Terraform failing halfway through the attachments.
 * The counts of what is already attached come from the config (scp.existingPoliciesPerTarget);
 * `verify` reads the real ones.
 */
import type { GuardrailConfig } from "../config/schema";
import type { ScpDocument } from "./types";

/** The label of the organization root when no targets are configured (its ID is looked up at plan time). */
const ROOT_TARGET = "root";

export interface TargetSlots {
  /** Root, OU or account ID, or ROOT_TARGET. */
  target: string;
  /** SCPs already attached there besides the guardrail's (FullAWSAccess included). */
  existing: number;
  /** The guardrail's documents. */
  guardrail: number;
  /** existing + guardrail. */
  uses: number;
  max: number;
  fits: boolean;
}

/** Where the SCP is attached: the configured targets, or the root. */
function configuredTargets(config: GuardrailConfig): string[] {
  return config.targets.length > 0 ? config.targets : [ROOT_TARGET];
}

function existingAt(config: GuardrailConfig, target: string): number {
  const { byTarget, default: fallback } = config.scp.existingPoliciesPerTarget;
  if (target in byTarget) return byTarget[target];
  // With no targets, the root's own ID (the only key the schema accepts then) stands for ROOT_TARGET.
  const rootEntry = Object.entries(byTarget).find(([id]) => target === ROOT_TARGET && id.startsWith("r-"));
  return rootEntry ? rootEntry[1] : fallback;
}

/** The slot budget of one target, given what is attached there. */
export function targetSlots(target: string, existing: number, documents: number, max: number): TargetSlots {
  const uses = existing + documents;
  return { target, existing, guardrail: documents, uses, max, fits: uses <= max };
}

/** How many documents the guardrail may have: the fewest free slots of any target it is attached to. */
export function freeSlots(config: GuardrailConfig): number {
  const max = config.scp.maxPoliciesPerTarget;
  return Math.min(...configuredTargets(config).map((t) => max - existingAt(config, t)));
}

/** The slot budget of every target the SCP is attached to, from the config's counts. */
export function slotBudget(config: GuardrailConfig, documents: readonly ScpDocument[]): TargetSlots[] {
  const max = config.scp.maxPoliciesPerTarget;
  return configuredTargets(config).map((t) => targetSlots(t, existingAt(config, t), documents.length, max));
}

/** "ou-ab12-34567890: uses 4 of 10 policies (1 already attached + 3 guardrail)". */
export function formatSlots(slots: TargetSlots): string {
  return (
    `${slots.target}: uses ${slots.uses} of ${slots.max} policies ` +
    `(${slots.existing} already attached + ${slots.guardrail} guardrail)${slots.fits ? "" : ": DOES NOT FIT"}`
  );
}
