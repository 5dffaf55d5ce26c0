/**
 * Which code runs in which function, as PermissionDeclarations imported from next to that code.
 * The roles are built from these lists only (src/infra/iam/policy-document.ts).
 */
import { memberRolePermissions, RESPONDER_PERMISSIONS } from "../remediation/permissions";
import { DRIFT_PERMISSIONS } from "../aws/organizations";
import { SECURITY_HUB_IMPORT_PERMISSIONS } from "../aws/securityhub";
import { SNS_PUBLISH_PERMISSIONS } from "../aws/sns";
import type { MonitorBackend } from "../config/backends";
import type { PermissionDeclaration } from "../aws/permissions";
import { MONITOR_SOURCES } from "../runtime/query/backends";
import { STATE_PERMISSIONS } from "../runtime/state/dynamodb";

export interface FunctionDeclarations {
  queryJob: PermissionDeclaration[];
  realtime: PermissionDeclaration[];
  /** The member remediation role (StackSet template). */
  memberRole: PermissionDeclaration[];
}

export interface DeclarationOptions {
  backend: MonitorBackend;
  /** The query job checks the SCP for drift each run (monitor.driftCheck). */
  driftCheck: boolean;
  /** The resolved remediation.accessKey: only "rotate" lets the member role mint keys. */
  accessKey: "deactivate" | "rotate";
  /** monitor.securityHub.enabled: the query job imports findings into Security Hub. */
  securityHub?: boolean;
  /** Athena backend: the trail's files are SSE-KMS encrypted (monitor.athena.kmsKeyArn is set). */
  trailEncrypted?: boolean;
}

export function codeDeclarations(options: DeclarationOptions): FunctionDeclarations {
  const query = MONITOR_SOURCES[options.backend].permissions({ trailEncrypted: options.trailEncrypted ?? false });
  // Both functions keep dedupe state, publish findings and hand them to the responder in-process.
  const common = [...STATE_PERMISSIONS, ...SNS_PUBLISH_PERMISSIONS, ...RESPONDER_PERMISSIONS];
  return {
    // Only the query job exports: the realtime function queues its findings for it (see claimAll).
    queryJob: [
      ...query,
      ...common,
      ...(options.driftCheck ? DRIFT_PERMISSIONS : []),
      ...(options.securityHub ? SECURITY_HUB_IMPORT_PERMISSIONS : []),
    ],
    realtime: [...common],
    memberRole: memberRolePermissions(options.accessKey),
  };
}
