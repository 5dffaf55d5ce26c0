/**
 * The real ARN of the IAM role or user an action names. The actions address a principal by name (RoleName,
 * UserName), which IAM resolves whatever the path, while a finding's ARN may give any path: before each call
 * that names one, the executor reads that principal's ARN from IAM in the member account and the safety gate
 * decides on it (safety.ts, realPrincipalRefusal). Read-only: iam:GetRole and iam:GetUser.
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

/** The principal's ARN as IAM has it, or undefined when no principal of that type has that name. */
export async function realArnOf(iam: IAMClient, p: AddressedPrincipal): Promise<string | undefined> {
  try {
    const arn =
      p.type === "role"
        ? (await iam.send(new GetRoleCommand({ RoleName: p.name })))?.Role?.Arn
        : (await iam.send(new GetUserCommand({ UserName: p.name })))?.User?.Arn;
    if (!arn) throw new Error(`IAM answered Get${p.type === "role" ? "Role" : "User"} for ${p.name} without an ARN`);
    return arn;
  } catch (e) {
    if (classifyError(e) === "not-found") return undefined;
    throw e;
  }
}
