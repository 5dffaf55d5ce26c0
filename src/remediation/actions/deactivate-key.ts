/**
 * deactivate-key: iam:UpdateAccessKey Status=Inactive on the long-term access key that made the
 * call (only that key); undo re-activates it, when it was active before.
 */
import {
  type AccessKeyMetadata,
  type IAMClient,
  ListAccessKeysCommand,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { z } from "zod";
import type { DraftOf, ExecutionResult } from "../types";
import type { ActionDefinition } from "./action";

export async function listKeys(iam: IAMClient, userName: string): Promise<AccessKeyMetadata[]> {
  return (await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? [];
}

/**
 * Why a finding's key id that reads as an access key id (AKIA, long-term; ASIA, a session's: IAM's unique-id prefixes)
 * is not one as IAM and CloudTrail write it (the prefix, then upper-case letters and digits), or undefined. The planner
 * reads such an id as no key at all and plans a step for a call made without one (a console sign-in), which misleads
 * the responder: CloudTrail writes no such id, so the finding was edited or converted, and it is refused, as a Bedrock
 * API key id in another case is (deactivate-service-credentials.ts). Whether IAM matches another case is undocumented.
 */
export function accessKeyIdProblem(keyId: string): string | undefined {
  if (!/^(?:akia|asia)/i.test(keyId) || /^(?:AKIA|ASIA)[A-Z0-9]+$/.test(keyId)) return undefined;
  return (
    `${keyId} reads as an access key id but is not written as IAM and CloudTrail write one (AKIA or ASIA, then ` +
    "upper-case letters and digits): nothing is planned for it, rather than steps for a call made without a key; " +
    "give the id as CloudTrail recorded it"
  );
}

export function deactivateKeyDraft(accountId: string, userName: string, key: string): DraftOf<"deactivate-key"> {
  return {
    kind: "deactivate-key",
    accountId,
    target: key,
    reason:
      `deactivate the access key ${key} that made the call (only that key; the user's other keys are ` + "untouched)",
    params: { userName, accessKeyId: key },
  };
}

async function setInactive(iam: IAMClient, userName: string, keyId: string): Promise<ExecutionResult> {
  const key = (await listKeys(iam, userName)).find((k) => k.AccessKeyId === keyId);
  if (!key) return { status: "skipped", reason: `access key ${keyId} no longer belongs to user ${userName}` };
  if (key.Status === "Inactive")
    return {
      status: "already-done",
      reason: `access key ${keyId} is already inactive`,
      before: { status: "Inactive" },
      after: { status: "Inactive" },
    };
  await iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: keyId, Status: "Inactive" }));
  return {
    status: "ok",
    reason: `deactivated access key ${keyId} of ${userName}`,
    before: { status: key.Status },
    after: { status: "Inactive" },
  };
}

export const deactivateKey = {
  kind: "deactivate-key",
  api: "iam:UpdateAccessKey",
  mutating: true,
  addresses: { type: "user", nameOf: (params) => params.userName },
  targetOf: (params) => params.accessKeyId,
  params: z.looseObject({ userName: z.string().min(1), accessKeyId: z.string().min(1) }),
  permissions: [
    {
      actions: ["iam:ListAccessKeys", "iam:UpdateAccessKey"],
      resource: { kind: "member-iam-users" },
      why: "deactivate the offending access key (and re-activate it on undo), after checking its current status",
    },
  ],
  execute: (action, clients) => setInactive(clients.iam, action.params.userName, action.params.accessKeyId),
  async observe(action, clients) {
    const key = (await listKeys(clients.iam, action.params.userName)).find(
      (k) => k.AccessKeyId === action.params.accessKeyId,
    );
    return key ? { status: key.Status } : undefined;
  },
  async undo(rec, iam) {
    const { userName, accessKeyId } = rec.params;
    if ((rec.before as { status?: string } | undefined)?.status !== "Active")
      return {
        status: "not-reversible",
        reason: `the key was not active before this action (before: ${JSON.stringify(rec.before)})`,
      };
    const key = (await listKeys(iam, userName)).find((k) => k.AccessKeyId === accessKeyId);
    if (!key) return { status: "error", reason: `access key ${accessKeyId} no longer belongs to ${userName}` };
    if (key.Status === "Active")
      return { status: "already-done", reason: `access key ${accessKeyId} is already active` };
    await iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: "Active" }));
    return {
      status: "ok",
      reason: `re-activated access key ${accessKeyId} of ${userName}`,
      before: { status: key.Status },
      after: { status: "Active" },
    };
  },
} satisfies ActionDefinition<"deactivate-key">;
