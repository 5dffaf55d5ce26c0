/**
 * Reverses what this tool did, from its own audit record, with the action's module (./actions/):
 * re-activates a key or the Bedrock API keys (service-specific credentials) it deactivated, and only
 * those, or removes its own AWSRevokeOlderSessions statement (never a statement or policy someone
 * else wrote; the policy is deleted only when our statement was all that was left). Rotations and
 * agreement deletions are not reversed: the record says what a person may do instead.
 */
import { undoOf } from "./actions";
import { describeError } from "./errors";
import type { MemberClientProvider } from "./member-clients";
import type { RemediationStore, UndoRecord } from "./store";

export class UndoError extends Error {}

export interface UndoOptions {
  store: RemediationStore;
  clients: MemberClientProvider;
  actor?: string;
  clock?: () => Date;
}

/** Undoes one recorded action and records the undo on it. Throws UndoError when there is no such action. */
export async function undoAction(actionId: string, o: UndoOptions): Promise<UndoRecord> {
  const rec = await o.store.getAction(actionId);
  if (!rec) throw new UndoError(`no action ${actionId} is recorded in this store`);
  const at = (o.clock ?? (() => new Date()))().toISOString();
  let result: Omit<UndoRecord, "at">;
  const reversal = undoOf(rec);
  if (typeof reversal === "string") result = { status: "not-reversible", reason: reversal };
  else if (rec.status !== "ok")
    result = {
      status: "not-reversible",
      reason: `the action's status is ${rec.status}: this tool changed nothing, so there is nothing to undo`,
    };
  else {
    try {
      const { iam } = await o.clients.forAccount(rec.accountId);
      result = await reversal(iam);
    } catch (e) {
      result = { status: "error", reason: describeError(e) };
    }
  }
  const undo: UndoRecord = { at, actor: o.actor, ...result };
  await o.store.putAction({ ...rec, undo });
  return undo;
}
