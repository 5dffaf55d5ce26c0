/**
 * revoke-role-sessions: iam:PutRolePolicy AWSRevokeOlderSessions, so the role's sessions issued
 * before the cutoff die; undo removes only this tool's statement.
 */
import {
  DeleteRolePolicyCommand,
  GetRolePolicyCommand,
  type IAMClient,
  PutRolePolicyCommand,
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

export function revokeRoleSessionsDraft(
  account: string,
  roleName: string,
  cutoff: string,
  eventTime: string | undefined,
): DraftOf<"revoke-role-sessions"> {
  return {
    kind: "revoke-role-sessions",
    accountId: account,
    target: roleName,
    reason:
      `deny everything to sessions of role ${roleName} issued before ${cutoff} (inline policy ` +
      `${REVOCATION_POLICY_NAME}, merged so the cutoff never moves earlier)`,
    params: { roleName, cutoff, eventTime },
  };
}

function rolePolicy(iam: IAMClient, roleName: string): PolicyTarget {
  const names = { RoleName: roleName, PolicyName: REVOCATION_POLICY_NAME };
  return {
    what: `role ${roleName} inline policy ${REVOCATION_POLICY_NAME}`,
    get: () => orUndefinedIfMissing(async () => (await iam.send(new GetRolePolicyCommand(names))).PolicyDocument),
    put: async (doc) => void (await iam.send(new PutRolePolicyCommand({ ...names, PolicyDocument: doc }))),
    delete: async () => void (await iam.send(new DeleteRolePolicyCommand(names))),
  };
}

export const revokeRoleSessions = {
  kind: "revoke-role-sessions",
  api: "iam:PutRolePolicy",
  mutating: true,
  addresses: { type: "role", nameOf: (params) => params.roleName },
  targetOf: (params: { roleName: string }) => params.roleName,
  params: z.looseObject({ roleName: z.string().min(1), cutoff: z.string().min(1), eventTime: z.string().optional() }),
  permissions: [
    {
      actions: ["iam:GetRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy"],
      resource: { kind: "member-iam-roles" },
      why:
        "role inline policy AWSRevokeOlderSessions: revoke the role's older sessions; undo removes only this tool's " +
        "statement",
    },
  ],
  ...sessionRevocationCalls<"revoke-role-sessions">((iam, params) => rolePolicy(iam, params.roleName)),
} satisfies ActionDefinition<"revoke-role-sessions">;
