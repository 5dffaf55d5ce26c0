/**
 * revoke-user-sessions: iam:PutUserPolicy AWSRevokeOlderSessions, so sessions minted from the
 * user's keys before the cutoff die; undo removes only this tool's statement.
 */
import {
  DeleteUserPolicyCommand,
  GetUserPolicyCommand,
  type IAMClient,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { z } from "zod";
import type { DraftOf } from "../types";
import type { ActionDefinition } from "./action";
import {
  orUndefinedIfMissing,
  type PolicyTarget,
  REVOCATION_POLICY_NAME,
  sessionRevocationCalls,
} from "./session-policy";

export function revokeUserSessionsDraft(
  account: string,
  userName: string,
  cutoff: string,
  eventTime: string | undefined,
): DraftOf<"revoke-user-sessions"> {
  return {
    kind: "revoke-user-sessions",
    accountId: account,
    target: userName,
    reason:
      `deny everything to sessions minted from ${userName}'s keys before ${cutoff} (inline policy ` +
      `${REVOCATION_POLICY_NAME}, DateLessThan aws:TokenIssueTime)`,
    params: { userName, cutoff, eventTime },
  };
}

function userPolicy(iam: IAMClient, userName: string): PolicyTarget {
  const names = { UserName: userName, PolicyName: REVOCATION_POLICY_NAME };
  return {
    what: `user ${userName} inline policy ${REVOCATION_POLICY_NAME}`,
    get: () => orUndefinedIfMissing(async () => (await iam.send(new GetUserPolicyCommand(names))).PolicyDocument),
    put: async (doc) => void (await iam.send(new PutUserPolicyCommand({ ...names, PolicyDocument: doc }))),
    delete: async () => void (await iam.send(new DeleteUserPolicyCommand(names))),
  };
}

export const revokeUserSessions = {
  kind: "revoke-user-sessions",
  api: "iam:PutUserPolicy",
  mutating: true,
  addresses: { type: "user", nameOf: (params) => params.userName },
  targetOf: (params: { userName: string }) => params.userName,
  params: z.looseObject({ userName: z.string().min(1), cutoff: z.string().min(1), eventTime: z.string().optional() }),
  permissions: [
    {
      actions: ["iam:GetUserPolicy", "iam:PutUserPolicy", "iam:DeleteUserPolicy"],
      resource: { kind: "member-iam-users" },
      why:
        "user inline policy AWSRevokeOlderSessions: revoke sessions minted from the key; undo removes only this " +
        "tool's statement",
    },
  ],
  ...sessionRevocationCalls<"revoke-user-sessions">((iam, params) => userPolicy(iam, params.userName)),
} satisfies ActionDefinition<"revoke-user-sessions">;
