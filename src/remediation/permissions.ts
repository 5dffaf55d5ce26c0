/**
 * Every AWS call remediation makes, declared once. src/infra builds the member role (StackSet
 * template) from MEMBER_ROLE_PERMISSIONS (gathered from the action modules under ./actions/, each
 * declaring what it calls) and the responder's role from RESPONDER_PERMISSIONS, so neither can
 * drift from what the actions, undo and the responder call.
 */
import type { PermissionDeclaration } from "../aws/permissions";
import { ACTIONS } from "./actions";
import { SNS_PUBLISH_PERMISSIONS } from "../aws/sns";
import { STORE_PERMISSIONS } from "./dynamodb-store";
import { ORGANIZATION_PERMISSIONS } from "./organization";
import { REAL_ARN_READS } from "./real-principal";

/** The action modules in registry order: the member role lists their permissions in this order. */
const ACTION_DEFINITIONS = Object.values(ACTIONS);

/**
 * Only `remediation.accessKey: "rotate"` mints keys. Left out otherwise: whoever can assume the
 * member role (the responder, the operators) could mint credentials for any user in any account.
 */
export const KEY_ROTATION_PERMISSIONS: PermissionDeclaration[] = ACTION_DEFINITIONS.filter(
  (d) => d.mintsCredentials,
).flatMap((d) => d.permissions);

/**
 * The actions' own declarations, then the read of the real ARN (read-only) once for each type of principal they
 * address by name: the executor reads it before every such call (executor.ts).
 */
function grantsOf(definitions: readonly (typeof ACTION_DEFINITIONS)[number][]): PermissionDeclaration[] {
  const addressed = new Set(definitions.flatMap((d) => (d.addresses ? [d.addresses.type] : [])));
  return [...definitions.flatMap((d) => d.permissions), ...[...addressed].map((type) => REAL_ARN_READS[type])];
}

/** Every call the member-side code can make (each action's execute and undo), whatever the config. */
export const MEMBER_ROLE_PERMISSIONS: PermissionDeclaration[] = grantsOf(ACTION_DEFINITIONS);

/** What the member role is granted for this access-key mode: key minting only when rotating. */
export function memberRolePermissions(accessKey: "deactivate" | "rotate"): PermissionDeclaration[] {
  return grantsOf(ACTION_DEFINITIONS.filter((d) => accessKey === "rotate" || !d.mintsCredentials));
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
