/**
 * The real ARN of the IAM role or user an action names. The actions address a principal by name (RoleName,
 * UserName), which IAM resolves whatever the path, while a finding's ARN may give any path: before each call
 * that names one, the executor reads that principal's ARN from IAM in the member account and the safety gate
 * decides on it (safety.ts, realPrincipalRefusal). The record keeps what was read, and undo reads it again and
 * acts only while it is the same principal (undo.ts). Read-only: iam:GetRole and iam:GetUser.
 */
import { GetRoleCommand, GetUserCommand, type IAMClient } from "@aws-sdk/client-iam";
import type { PermissionDeclaration } from "../aws/permissions";
import { classifyError } from "./errors";

export type AddressedType = "role" | "user";

/** The role or user an action's call names. */
export interface AddressedPrincipal {
  type: AddressedType;
  name: string;
}

/** The read of each type's real ARN: the member role gets it for each type an action addresses (permissions.ts). */
export const REAL_ARN_READS: Record<AddressedType, PermissionDeclaration> = {
  role: {
    actions: ["iam:GetRole"],
    resource: { kind: "member-iam-roles" },
    why: "read the real ARN (path included) of the role an action names, which the safety gate checks before the call",
  },
  user: {
    actions: ["iam:GetUser"],
    resource: { kind: "member-iam-users" },
    why: "read the real ARN (path included) of the user an action names, which the safety gate checks before the call",
  },
};

/**
 * The principal as IAM has it now: its ARN and its unique id (RoleId, AIDA.../AROA...), which a principal deleted
 * and created again under the same name does not keep.
 */
export interface RealPrincipal {
  arn: string;
  id?: string;
}

/** The principal as IAM has it, or undefined when no principal of that type has that name. */
export async function realPrincipalOf(iam: IAMClient, p: AddressedPrincipal): Promise<RealPrincipal | undefined> {
  try {
    let found: { arn?: string; id?: string };
    if (p.type === "role") {
      const role = (await iam.send(new GetRoleCommand({ RoleName: p.name })))?.Role;
      found = { arn: role?.Arn, id: role?.RoleId };
    } else {
      const user = (await iam.send(new GetUserCommand({ UserName: p.name })))?.User;
      found = { arn: user?.Arn, id: user?.UserId };
    }
    if (!found.arn)
      throw new Error(`IAM answered Get${p.type === "role" ? "Role" : "User"} for ${p.name} without an ARN`);
    return { arn: found.arn, ...(found.id ? { id: found.id } : {}) };
  } catch (e) {
    if (classifyError(e) === "not-found") return undefined;
    throw e;
  }
}
