/**
 * Performs one planned action in its member account and says what became of it. What each kind
 * calls is in its module under ./actions/; this is where every failure becomes that action's outcome.
 */
import { perform } from "./actions";
import { classifyError, describeError } from "./errors";
import { AccountRefused, type MemberClients } from "./member-clients";
import type { ExecutionResult, PlannedAction } from "./types";

export type { ExecutionResult };

/** Never throws: every failure is this action's outcome, so the other actions still run. */
export async function executeAction(
  action: PlannedAction,
  clients: () => Promise<MemberClients>,
): Promise<ExecutionResult> {
  try {
    return await perform(action, await clients());
  } catch (e) {
    if (e instanceof AccountRefused) return { status: "skipped", reason: e.message };
    if (classifyError(e) === "not-found" && action.kind !== "delete-agreement")
      return { status: "skipped", reason: `${action.target} no longer exists: ${describeError(e)}` };
    return { status: "error", reason: describeError(e) };
  }
}
