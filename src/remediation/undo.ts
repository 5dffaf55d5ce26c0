/**
 * Reverses what this tool did, from its own audit record, with the action's module (./actions/):
 * re-activates a key or the Bedrock API keys (service-specific credentials) it deactivated, and only
 * those, or removes its own AWSRevokeOlderSessions statement (never a statement or policy someone
 * else wrote; the policy is deleted only when our statement was all that was left; an earlier cutoff of
 * ours is put back). Never while another action recorded on the same target still relies on it.
 * Rotations and agreement deletions are not reversed: the record says what a person may do instead.
 */
import type { IAMClient } from "@aws-sdk/client-iam";
import { parseArn } from "../arn/arn-like";
import { addressedPrincipal, targetNamedBy, targetsAlsoRelyingOn, undoOf } from "./actions";
import { describeError } from "./errors";
import type { MemberClientProvider } from "./member-clients";
import { realPrincipalOf } from "./real-principal";
import { type ActionRecord, furthestHonouredLease, leaseEnded, type RemediationStore, type UndoRecord } from "./store";
import { changedBeforeFailing } from "./types";

export class UndoError extends Error {}

export interface UndoOptions {
  store: RemediationStore;
  clients: MemberClientProvider;
  actor?: string;
  clock?: () => Date;
  /**
   * The organization's management account (config, or Organizations), where this tool never acts: a record naming
   * it is not one of its actions, and is refused before any call. Undefined: not checked (tests that inject the AWS
   * side); the undo command does not run when neither config nor Organizations names it.
   */
  managementAccountId?: string;
}

/** An undo that left the target as this tool found it, or found nothing left to undo: it no longer holds it. */
const released = (r: ActionRecord): boolean => r.undo?.status === "ok" || r.undo?.status === "already-done";

/**
 * Other actions recorded on the same target (in any of its forms: a Bedrock API key by its id, or by its
 * user) that undoing `rec` would leave without the containment they rely on: every already-done one (it
 * changed nothing because the target was already contained, by `rec` or another) and every ok one
 * recorded at the same time or later (it acted on the state `rec` left). An earlier ok one does not:
 * `rec` found its change already made, and restores exactly that. Those undone (or released) already
 * are left out.
 */
async function relyingOn(rec: ActionRecord, store: RemediationStore): Promise<ActionRecord[]> {
  const when = (r: ActionRecord) => r.finishedAt ?? r.plannedAt;
  const targets = [rec.target, ...targetsAlsoRelyingOn(rec).filter((t) => t !== rec.target)];
  const recorded = [];
  for (const target of targets) recorded.push(...(await store.actionsOnTarget({ ...rec, target })));
  return recorded.filter(
    (other) =>
      other.actionId !== rec.actionId &&
      !released(other) &&
      (other.status === "already-done" || when(other) >= when(rec)),
  );
}

/**
 * Why an action still claimed is not undone: its run stopped, or is still running, between its claim and
 * its final record, and may have made its call, so nothing says yet what to restore. Responding to the
 * finding again once the claim's lease has ended finds the action done or not and records which.
 */
function inProgress(rec: ActionRecord, o: UndoOptions): string {
  const now = (o.clock ?? (() => new Date()))();
  const lease = !rec.leaseUntil
    ? "its lease is not recorded"
    : rec.leaseUntil > furthestHonouredLease(now)
      ? `its lease, until ${rec.leaseUntil}, lies too far ahead to hold and counts as ended`
      : `its lease ${leaseEnded(rec.leaseUntil, now) ? "ended" : "ends"} ${rec.leaseUntil}`;
  return (
    `not undone: the action is in-progress, claimed by a run that has not recorded its end (${lease}), which ` +
    `may have made its call; once the lease has ended, respond to finding ${rec.findingId} again (the monitor ` +
    "does for its findings; otherwise remediate --execute with the same --state-file or --table), which " +
    "records what became of the action, then undo it"
  );
}

/**
 * Why the role or user the record's calls name is not the principal the action changed, or undefined. The calls
 * take a name in the record's account, which IAM resolves to whatever principal has it now: it must be the one the
 * execution read before its calls (`actedOn`: the same ARN and unique id, so not one deleted and created again under
 * that name), or for a record without it, the one the finding was about (`principalArn`), and in the record's
 * account (credentials of another account would change a same-named principal there).
 */
async function principalNowDiffers(rec: ActionRecord, iam: IAMClient): Promise<string | undefined> {
  const addressed = addressedPrincipal(rec);
  if (!addressed) return undefined;
  const { type, name } = addressed;
  const recorded = rec.actedOn?.arn ?? rec.principalArn;
  const refuse = (why: string) => `not undone: ${why}; nothing was changed`;
  if (!recorded) return refuse(`the record names no principal ARN to check ${type} ${name} against`);
  const now = await realPrincipalOf(iam, addressed);
  if (!now) return refuse(`${type} ${name} does not exist in account ${rec.accountId} now`);
  const account = parseArn(now.arn)?.account;
  if (account !== rec.accountId)
    return refuse(`IAM answered for ${type} ${name} in account ${account}, not the record's account ${rec.accountId}`);
  if (now.arn !== recorded) return refuse(`${type} ${name} is ${now.arn} now, not ${recorded} as the record says`);
  if (rec.actedOn?.id && now.id && now.id !== rec.actedOn.id)
    return refuse(
      `${now.arn} has the id ${now.id} now, not ${rec.actedOn.id} as when the action changed it: it was deleted and ` +
        "created again since",
    );
  return undefined;
}

/**
 * What becomes of an undo that the record and the audit store decide alone, before any call to the member account
 * (nothing changed, in progress, damaged, relied on, the management account's), or undefined when it goes on.
 */
async function decidedByRecord(rec: ActionRecord, o: UndoOptions): Promise<Omit<UndoRecord, "at"> | undefined> {
  if (rec.status === "already-done")
    return {
      status: "already-done",
      reason:
        `${rec.target} was already as this action wanted it, so this tool changed nothing and there is nothing ` +
        "to undo; recorded, so that this action no longer stands in the way of undoing the one that changed it",
    };
  if (rec.status === "in-progress") return { status: "not-reversible", reason: inProgress(rec, o) };
  // The actions relying on it are looked up by the record's target: one that is not what its params name would
  // hide them, and undo would act on what they rely on.
  const named = targetNamedBy(rec);
  if (named !== undefined && named !== rec.target)
    return {
      status: "not-reversible",
      reason:
        `not undone: the record's target ${JSON.stringify(rec.target)} is not ${JSON.stringify(named)}, which its ` +
        "params name (a damaged or edited record); nothing was changed",
    };
  // An error after which something had changed (it failed partway) is undone like ok: its record says what.
  if (rec.status !== "ok" && !changedBeforeFailing(rec))
    return {
      status: "not-reversible",
      reason: `the action's status is ${rec.status}: this tool changed nothing, so there is nothing to undo`,
    };
  const others = await relyingOn(rec, o.store);
  if (others.length > 0)
    return {
      status: "not-reversible",
      reason:
        `not undone: ${others.map((r) => `${r.actionId} (finding ${r.findingId}, ${r.status})`).join(", ")} ` +
        `also rel${others.length === 1 ? "ies" : "y"} on ${rec.target} staying as this action left it; undo ` +
        `${others.length === 1 ? "it" : "them"} first (undoing an already-done action changes nothing in AWS)`,
    };
  if (rec.accountId === o.managementAccountId)
    return {
      status: "not-reversible",
      reason:
        `not undone: account ${rec.accountId} is the management account, where this tool never acts, so the ` +
        "record is none of its actions (a damaged or edited record); nothing was changed",
    };
  return undefined;
}

async function reverse(rec: ActionRecord, o: UndoOptions): Promise<Omit<UndoRecord, "at">> {
  const reversal = undoOf(rec);
  if (typeof reversal === "string") return { status: "not-reversible", reason: reversal };
  const decided = await decidedByRecord(rec, o);
  if (decided) return decided;
  try {
    const { iam } = await o.clients.forAccount(rec.accountId);
    const differs = await principalNowDiffers(rec, iam);
    if (differs) return { status: "not-reversible", reason: differs };
    return await reversal(iam);
  } catch (e) {
    return { status: "error", reason: describeError(e) };
  }
}

/**
 * Undoes one recorded action and records the undo on it (not on a claim in progress: its run, or the one
 * that takes it over, writes that record). Throws UndoError when there is no such action.
 */
export async function undoAction(actionId: string, o: UndoOptions): Promise<UndoRecord> {
  const rec = await o.store.getAction(actionId);
  if (!rec) throw new UndoError(`no action ${actionId} is recorded in this store`);
  const at = (o.clock ?? (() => new Date()))().toISOString();
  // Undone already: what this tool did is reversed. Reversing it again would act on a state a person (or the
  // attacker) may have set since, such as a key deactivated again by hand; and the record of that first undo,
  // what it changed, is kept as it is.
  if (rec.undo && released(rec))
    return {
      at,
      actor: o.actor,
      status: "already-done",
      reason:
        `already undone ${rec.undo.at}${rec.undo.actor ? ` by ${rec.undo.actor}` : ""} (${rec.undo.status}): ` +
        "nothing is called again",
    };
  const undo: UndoRecord = { at, actor: o.actor, ...(await reverse(rec, o)) };
  if (rec.status !== "in-progress") await o.store.putAction({ ...rec, undo });
  return undo;
}
