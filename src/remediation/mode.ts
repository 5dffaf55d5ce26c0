/**
 * Which mode applies to an account: an override for the account itself, else the override of the
 * nearest OU above it, else the global mode. Pure; the OU chain comes from Organizations at run
 * time through `OrganizationLookup` (src/remediation/organization.ts).
 */
import type { RemediationMode } from "./types";

export interface ModeOverride {
  target: string;
  mode: RemediationMode;
}

const RANK: Record<RemediationMode, number> = { off: 0, "dry-run": 1, enforce: 2 };

/** The least acting of the given modes: used when the OU chain cannot be looked up (fail safe). */
export function leastActing(modes: RemediationMode[]): RemediationMode {
  return modes.reduce((a, b) => (RANK[b] < RANK[a] ? b : a));
}

/** The most acting of the given modes. */
export function mostActing(modes: RemediationMode[]): RemediationMode {
  return modes.reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
}

export const needsOuChain = (overrides: readonly ModeOverride[]): boolean =>
  overrides.some((o) => o.target.startsWith("ou-"));

/**
 * @param parentChain the account's parents, nearest first (OU, parent OU, ..., root); undefined
 *   when it could not be looked up, in which case the least acting candidate wins.
 */
export function resolveMode(
  accountId: string,
  defaultMode: RemediationMode,
  overrides: readonly ModeOverride[],
  parentChain: readonly string[] | undefined,
): { mode: RemediationMode; source: string } {
  const own = overrides.find((o) => o.target === accountId);
  if (own) return { mode: own.mode, source: `override for account ${accountId}` };
  if (!needsOuChain(overrides)) return { mode: defaultMode, source: "remediation.mode" };
  if (!parentChain) {
    const mode = leastActing([defaultMode, ...overrides.filter((o) => o.target.startsWith("ou-")).map((o) => o.mode)]);
    return { mode, source: "OU of the account unknown: least acting of remediation.mode and the OU overrides" };
  }
  for (const parent of parentChain) {
    const o = overrides.find((x) => x.target === parent);
    if (o) return { mode: o.mode, source: `override for ${parent}` };
  }
  return { mode: defaultMode, source: "remediation.mode" };
}

/**
 * Whether any account can get a mode other than off: the global mode or any override. With
 * `mode: "off"` and an OU override to enforce, the responder must still be wired.
 */
export function actsAnywhere(defaultMode: RemediationMode, overrides: readonly ModeOverride[]): boolean {
  return defaultMode !== "off" || overrides.some((o) => o.mode !== "off");
}
