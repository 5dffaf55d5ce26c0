/**
 * The AWSRevokeOlderSessions inline policy of a user or a role, as the two revoke-*-sessions
 * actions read, merge and undo it (the document logic itself is pure, in ../revocation-policy.ts).
 */
import type { IAMClient } from "@aws-sdk/client-iam";
import { classifyError } from "../errors";
import type { MemberClients } from "../member-clients";
import type { ActionRecordOf } from "../store";
import {
  effectiveCutoff,
  mergeRevocation,
  ourCutoff,
  parsePolicyDocument,
  type PolicyDocument,
  removeRevocation,
  restoreRevocation,
} from "../revocation-policy";
import type { ActionOf, ActionParamsOf, ExecutionResult } from "../types";
import type { UndoResult } from "./action";

export const REVOCATION_POLICY_NAME = "AWSRevokeOlderSessions";

/** One principal's inline policy AWSRevokeOlderSessions. */
export interface PolicyTarget {
  get(): Promise<string | undefined>;
  put(doc: string): Promise<void>;
  /** Deletes the whole policy (only when this tool's statement was all it held). */
  delete(): Promise<void>;
  what: string;
}

export const orUndefinedIfMissing = async (read: () => Promise<string | undefined>): Promise<string | undefined> => {
  try {
    return await read();
  } catch (e) {
    if (classifyError(e) === "not-found") return undefined;
    throw e;
  }
};

/** The policy as it is now: what execute records as `before` (null when there is none). */
async function currentPolicy(target: PolicyTarget): Promise<PolicyDocument | null> {
  const raw = await target.get();
  return raw ? parsePolicyDocument(raw) : null;
}

async function revokeSessions(
  target: PolicyTarget,
  cutoff: string,
  eventTime: string | undefined,
): Promise<ExecutionResult> {
  const raw = await target.get();
  const existing: PolicyDocument | undefined = raw ? parsePolicyDocument(raw) : undefined;
  const current = effectiveCutoff(existing);
  if (current && eventTime && current > new Date(eventTime)) {
    return {
      status: "already-done",
      reason: `${target.what} already denies sessions issued before ${current.toISOString()}, after the offending call`,
      before: existing,
      after: existing,
    };
  }
  const merged = mergeRevocation(existing, cutoff);
  await target.put(JSON.stringify(merged));
  return {
    status: "ok",
    reason: `${target.what}: sessions issued before ${effectiveCutoff(merged)!.toISOString()} are denied`,
    before: existing ?? null,
    after: merged,
  };
}

/**
 * Puts this tool's statement back as the action found it: its earlier cutoff when it had one, else
 * takes it out, and only it (the policy is deleted when nothing else was in it). A cutoff that is no
 * longer the one this action set was moved later by another revocation, which relies on it: left alone.
 */
async function restoreOurStatement(target: PolicyTarget, before: unknown, after: unknown): Promise<UndoResult> {
  const raw = await target.get();
  if (!raw) return { status: "already-done", reason: `${target.what} does not exist` };
  const current = parsePolicyDocument(raw);
  const now = ourCutoff(current);
  if (!now)
    return {
      status: "already-done",
      reason: `${target.what} has no statement from bedrock-guardrail (others' statements are left alone)`,
    };
  const set = ourCutoff(after);
  if (set && now.getTime() !== set.getTime())
    return {
      status: "not-reversible",
      reason:
        `${target.what} now denies sessions issued before ${now.toISOString()}, not ${set.toISOString()} as this ` +
        "action set it: a later revocation moved the cutoff and relies on it, so it is left in place",
    };
  const previous = ourCutoff(before);
  if (previous) {
    const doc = restoreRevocation(current, previous);
    await target.put(JSON.stringify(doc));
    return {
      status: "ok",
      reason: `moved bedrock-guardrail's cutoff in ${target.what} back to ${previous.toISOString()}, as it was before`,
      before: current,
      after: doc,
    };
  }
  const { doc } = removeRevocation(current);
  if (doc) {
    await target.put(JSON.stringify(doc));
    return {
      status: "ok",
      reason:
        `removed bedrock-guardrail's statement from ${target.what}; ${doc.Statement.length} other statement(s) ` +
        `kept`,
      before: current,
      after: doc,
    };
  }
  await target.delete();
  return {
    status: "ok",
    reason: `deleted ${target.what} (it held only bedrock-guardrail's statement)`,
    before: current,
    after: null,
  };
}

type RevokeKind = "revoke-user-sessions" | "revoke-role-sessions";

/** execute and undo of a revoke-*-sessions action, from how to reach its principal's inline policy. */
export function sessionRevocationCalls<K extends RevokeKind>(
  policyOf: (iam: IAMClient, params: ActionParamsOf[K]) => PolicyTarget,
): {
  execute(action: ActionOf<K>, clients: MemberClients): Promise<ExecutionResult>;
  observe(action: ActionOf<K>, clients: MemberClients): Promise<unknown>;
  undo(record: ActionRecordOf<K>, iam: IAMClient): Promise<UndoResult>;
} {
  return {
    execute: (action, clients) =>
      revokeSessions(policyOf(clients.iam, action.params), action.params.cutoff, action.params.eventTime),
    observe: (action, clients) => currentPolicy(policyOf(clients.iam, action.params)),
    undo: (record, iam) => restoreOurStatement(policyOf(iam, record.params), record.before, record.after),
  };
}
