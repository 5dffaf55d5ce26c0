/**
 * Performs one planned action in its member account and says what became of it. What each kind
 * calls is in its module under ./actions/; this is where every failure becomes that action's outcome.
 */
import { addressedPrincipal, perform } from "./actions";
import { classifyError, describeError } from "./errors";
import { AccountRefused, type MemberClients } from "./member-clients";
import { realPrincipalOf } from "./real-principal";
import type { ExecutionResult, PlannedAction } from "./types";

export type { ExecutionResult };

/**
 * Why the role or user an action names must not be acted on, from its real ARN (one line naming it), or
 * undefined: safety.ts realPrincipalRefusal with the run's safety context.
 */
export type RealArnGate = (realArn: string) => string | undefined;

/**
 * Never throws: every failure is this action's outcome, so the other actions still run. An action that names a
 * role or user is performed only once IAM has given that principal's real ARN in the member account and
 * `refusalOf` has passed it: the name may be a protected principal's at another path than the finding gives.
 */
export async function executeAction(
  action: PlannedAction,
  clients: () => Promise<MemberClients>,
  refusalOf: RealArnGate,
): Promise<ExecutionResult> {
  try {
    const member = await clients();
    const addressed = addressedPrincipal(action);
    if (addressed) {
      const real = await realPrincipalOf(member.iam, addressed);
      if (!real)
        return {
          status: "skipped",
          reason: `${addressed.type} ${addressed.name} does not exist in account ${action.accountId}: nothing changed`,
        };
      const refusal = refusalOf(real.arn);
      if (refusal) return { status: "skipped", reason: refusal };
      // Recorded with the outcome: undo acts only while the name still gives this principal.
      return { ...(await perform(action, member)), actedOn: real };
    }
    return await perform(action, member);
  } catch (e) {
    if (e instanceof AccountRefused) return { status: "skipped", reason: e.message };
    if (classifyError(e) === "not-found" && action.kind !== "delete-agreement")
      return { status: "skipped", reason: `${action.target} no longer exists: ${describeError(e)}` };
    return { status: "error", reason: describeError(e) };
  }
}
