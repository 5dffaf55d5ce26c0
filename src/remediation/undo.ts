/**
 * Reverses what this tool did, from its own audit record: re-activates a key or the Bedrock API
 * keys (service-specific credentials) it deactivated, and only those, or
 * removes its own AWSRevokeOlderSessions statement (never a statement or policy someone else
 * wrote; the policy is deleted only when our statement was all that was left). Rotations and
 * agreement deletions are not reversed: the record says what a person may do instead.
 */
import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  type IAMClient,
  ListAccessKeysCommand,
  UpdateAccessKeyCommand,
  UpdateServiceSpecificCredentialCommand,
} from "@aws-sdk/client-iam";
import { describeError } from "./errors";
import { listServiceCredentials, rolePolicyTarget, userPolicyTarget } from "./executor";
import type { MemberClientProvider } from "./member-clients";
import { REVOCATION_POLICY_NAME } from "./planner";
import { parsePolicyDocument, removeRevocation } from "./revocation-policy";
import type { ActionRecord, RemediationStore, UndoRecord } from "./store";
import type { ActionKind } from "./types";

export const REVERSIBLE: ReadonlySet<ActionKind> = new Set([
  "deactivate-key",
  "deactivate-service-credentials",
  "revoke-user-sessions",
  "revoke-role-sessions",
]);

export class UndoError extends Error {}

async function reactivate(iam: IAMClient, rec: ActionRecord): Promise<Omit<UndoRecord, "at">> {
  const { userName, accessKeyId } = rec.params;
  if ((rec.before as { status?: string } | undefined)?.status !== "Active")
    return {
      status: "not-reversible",
      reason: `the key was not active before this action (before: ${JSON.stringify(rec.before)})`,
    };
  const key = ((await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? []).find(
    (k) => k.AccessKeyId === accessKeyId,
  );
  if (!key) return { status: "error", reason: `access key ${accessKeyId} no longer belongs to ${userName}` };
  if (key.Status === "Active") return { status: "already-done", reason: `access key ${accessKeyId} is already active` };
  await iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: "Active" }));
  return {
    status: "ok",
    reason: `re-activated access key ${accessKeyId} of ${userName}`,
    before: { status: key.Status },
    after: { status: "Active" },
  };
}

/** Re-activates exactly the credentials the action recorded as deactivated by it (never one that was already off). */
async function reactivateServiceCredentials(iam: IAMClient, rec: ActionRecord): Promise<Omit<UndoRecord, "at">> {
  const { userName, serviceName } = rec.params;
  const ours = (rec.after as { deactivated?: unknown } | undefined)?.deactivated;
  if (!userName || !serviceName || !Array.isArray(ours) || ours.length === 0)
    return { status: "not-reversible", reason: "the record names no credential this tool deactivated" };
  const now = await listServiceCredentials(iam, userName, serviceName);
  const reactivated: string[] = [];
  const problems: string[] = [];
  for (const id of ours as string[]) {
    const c = now.find((x) => x.ServiceSpecificCredentialId === id);
    if (!c) problems.push(`${id} no longer belongs to ${userName}`);
    else if (c.Status === "Expired") problems.push(`${id} has expired`);
    else if (c.Status === "Inactive") {
      await iam.send(
        new UpdateServiceSpecificCredentialCommand({
          UserName: userName,
          ServiceSpecificCredentialId: id,
          Status: "Active",
        }),
      );
      reactivated.push(id);
    }
  }
  const note = problems.length > 0 ? `; not re-activated: ${problems.join(", ")}` : "";
  if (reactivated.length === 0)
    return {
      status: problems.length > 0 ? "error" : "already-done",
      reason: problems.length > 0 ? `nothing re-activated${note}` : `credential(s) ${ours.join(", ")} are active`,
    };
  return {
    status: "ok",
    reason: `re-activated ${serviceName} credential(s) ${reactivated.join(", ")} of ${userName}${note}`,
    before: { inactive: reactivated },
    after: { active: reactivated },
  };
}

async function removeStatement(iam: IAMClient, rec: ActionRecord): Promise<Omit<UndoRecord, "at">> {
  const isRole = rec.kind === "revoke-role-sessions";
  const name = (isRole ? rec.params.roleName : rec.params.userName)!;
  const target = isRole ? rolePolicyTarget(iam, name) : userPolicyTarget(iam, name);
  const raw = await target.get();
  if (!raw) return { status: "already-done", reason: `${target.what} does not exist` };
  const before = parsePolicyDocument(raw);
  const { doc, removed } = removeRevocation(before);
  if (!removed)
    return {
      status: "already-done",
      reason: `${target.what} has no statement from bedrock-guardrail (others' statements are left alone)`,
    };
  if (doc) {
    await target.put(JSON.stringify(doc));
    return {
      status: "ok",
      reason:
        `removed bedrock-guardrail's statement from ${target.what}; ${doc.Statement.length} other statement(s) ` +
        `kept`,
      before,
      after: doc,
    };
  }
  if (isRole) await iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: REVOCATION_POLICY_NAME }));
  else await iam.send(new DeleteUserPolicyCommand({ UserName: name, PolicyName: REVOCATION_POLICY_NAME }));
  return {
    status: "ok",
    reason: `deleted ${target.what} (it held only bedrock-guardrail's statement)`,
    before,
    after: null,
  };
}

function notReversible(rec: ActionRecord): string {
  if (rec.kind === "rotate-key")
    return (
      `rotation is not undone automatically: if unwanted, delete the new key ` +
      `${(rec.after as { newAccessKeyId?: string })?.newAccessKeyId ?? ""} and the secret ${rec.params.secretName}`
    );
  if (rec.kind === "delete-agreement")
    return (
      `a deleted agreement is not re-created by this tool: an approved principal accepts the model's offer ` +
      `again if the model is wanted`
    );
  return `${rec.kind} actions change nothing, so there is nothing to undo`;
}

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
  if (!REVERSIBLE.has(rec.kind)) result = { status: "not-reversible", reason: notReversible(rec) };
  else if (rec.status !== "ok")
    result = {
      status: "not-reversible",
      reason: `the action's status is ${rec.status}: this tool changed nothing, so there is nothing to undo`,
    };
  else {
    try {
      const { iam } = await o.clients.forAccount(rec.accountId);
      result =
        rec.kind === "deactivate-key"
          ? await reactivate(iam, rec)
          : rec.kind === "deactivate-service-credentials"
            ? await reactivateServiceCredentials(iam, rec)
            : await removeStatement(iam, rec);
    } catch (e) {
      result = { status: "error", reason: describeError(e) };
    }
  }
  const undo: UndoRecord = { at, actor: o.actor, ...result };
  await o.store.putAction({ ...rec, undo });
  return undo;
}
