/**
 * none: nothing to do (approved principal, denied attempt, a rule that only alerts); planned anyway
 * so that every finding shows up in the output with its reason. It calls nothing.
 */
import { z } from "zod";
import type { DraftOf } from "../types";
import { type ActionDefinition, callsNothing } from "./action";

export function noneDraft(
  accountId: string,
  region: string | undefined,
  target: string,
  reason: string,
): DraftOf<"none"> {
  return { kind: "none", accountId, region, target, reason, params: {} };
}

export const none = {
  kind: "none",
  api: "none",
  mutating: false,
  addresses: null, // nothing is called
  params: z.strictObject({}),
  permissions: [],
  execute: callsNothing,
  notReversible: () => "none actions change nothing, so there is nothing to undo",
} satisfies ActionDefinition<"none">;
