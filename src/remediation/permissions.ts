/**
 * Every AWS call remediation makes, declared once. src/infra builds the member role (StackSet
 * template) from MEMBER_ROLE_PERMISSIONS and the responder's role from RESPONDER_PERMISSIONS, so
 * neither can drift from what executor.ts, undo.ts and the responder call.
 */
import type { PermissionDeclaration } from "../aws/permissions";
import { SNS_PUBLISH_PERMISSIONS } from "../aws/sns";
import { STORE_PERMISSIONS } from "./dynamodb-store";
import { ORGANIZATION_PERMISSIONS } from "./organization";

/**
 * Only `remediation.accessKey: "rotate"` mints keys. Left out otherwise: whoever can assume the
 * member role (the responder, the operators) could mint credentials for any user in any account.
 */
export const KEY_ROTATION_PERMISSIONS: PermissionDeclaration[] = [
  {
    actions: ["iam:CreateAccessKey", "iam:DeleteAccessKey"],
    resource: { kind: "member-iam-users" },
    why: "rotate: create the replacement key (deleted again only if storing its secret fails)",
  },
  {
    actions: [
      "secretsmanager:CreateSecret",
      "secretsmanager:DescribeSecret",
      "secretsmanager:PutResourcePolicy",
      "secretsmanager:PutSecretValue",
    ],
    resource: { kind: "member-secrets" },
    why:
      "store a rotated key's secret under remediation.rotatedSecretName: created empty under the rotation KMS " +
      "key, locked to its readers by a resource policy, then given the value (and found again on re-run); the " +
      "KMS key's own policy lets this role encrypt through Secrets Manager, so no kms: action is declared here",
  },
];

/** Calls made with the member role inside each member account (executor.ts and undo.ts), in every mode. */
const ALWAYS_MEMBER_ROLE_PERMISSIONS: PermissionDeclaration[] = [
  {
    actions: ["iam:ListAccessKeys", "iam:UpdateAccessKey"],
    resource: { kind: "member-iam-users" },
    why: "deactivate the offending access key (and re-activate it on undo), after checking its current status",
  },
  {
    actions: ["iam:ListServiceSpecificCredentials", "iam:UpdateServiceSpecificCredential"],
    resource: { kind: "member-iam-users" },
    why:
      "deactivate the Bedrock API keys (service-specific credentials) that made a call, after listing them " +
      "for bedrock.amazonaws.com only; undo re-activates exactly those",
  },
  {
    actions: ["iam:GetUserPolicy", "iam:PutUserPolicy", "iam:DeleteUserPolicy"],
    resource: { kind: "member-iam-users" },
    why:
      "user inline policy AWSRevokeOlderSessions: revoke sessions minted from the key; undo removes only this " +
      "tool's statement",
  },
  {
    actions: ["iam:GetRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy"],
    resource: { kind: "member-iam-roles" },
    why:
      "role inline policy AWSRevokeOlderSessions: revoke the role's older sessions; undo removes only this tool's " +
      "statement",
  },
  {
    actions: ["bedrock:DeleteFoundationModelAgreement"],
    resource: { kind: "member-bedrock-agreements" },
    why: "revoke the model agreement the unapproved principal accepted",
  },
];

/** Every call the member-side code can make (executor.ts and undo.ts), whatever the config. */
export const MEMBER_ROLE_PERMISSIONS: PermissionDeclaration[] = [
  ...ALWAYS_MEMBER_ROLE_PERMISSIONS,
  ...KEY_ROTATION_PERMISSIONS,
];

/** What the member role is granted for this access-key mode: key minting only when rotating. */
export function memberRolePermissions(accessKey: "deactivate" | "rotate"): PermissionDeclaration[] {
  return accessKey === "rotate" ? [...MEMBER_ROLE_PERMISSIONS] : [...ALWAYS_MEMBER_ROLE_PERMISSIONS];
}

/** Calls made by the responder in the security account. */
export const RESPONDER_PERMISSIONS: PermissionDeclaration[] = [
  {
    actions: ["sts:AssumeRole"],
    resource: { kind: "member-role" },
    why:
      "assume the remediation role in the member account of each action (with the external id), only in an " +
      "account of the responder's own organization",
    // The member role's ARN names every account (`*`): the organization is what bounds it, so a role of the
    // same name in an account outside the organization can never be assumed.
    condition: { StringEquals: { "aws:ResourceOrgID": "${aws:PrincipalOrgID}" } },
  },
  ...STORE_PERMISSIONS,
  ...SNS_PUBLISH_PERMISSIONS.map((p) => ({ ...p, why: `${p.why}; remediation follow-up reports` })),
  ...ORGANIZATION_PERMISSIONS,
];
