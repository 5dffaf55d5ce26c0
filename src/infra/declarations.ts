/**
 * Which code runs in which function, as PermissionDeclarations imported from next to that code.
 * The roles are built from these lists only (src/infra/iam/policy-document.ts).
 */
import { memberRolePermissions, RESPONDER_PERMISSIONS } from "../remediation/permissions";
import { DRIFT_PERMISSIONS } from "../aws/organizations";
import { SECURITY_HUB_IMPORT_PERMISSIONS } from "../aws/securityhub";
import { SNS_PUBLISH_PERMISSIONS } from "../aws/sns";
import type { QueryBackend } from "../runtime/env";
import type { PermissionDeclaration } from "../aws/permissions";
import { athenaQueryPermissions } from "../runtime/query/athena";
import { LAKE_QUERY_PERMISSIONS } from "../runtime/query/lake";
import { LOGS_QUERY_PERMISSIONS } from "../runtime/query/logs-insights";
import { STATE_PERMISSIONS } from "../runtime/state/dynamodb";

export interface FunctionDeclarations {
  queryJob: PermissionDeclaration[];
  realtime: PermissionDeclaration[];
  /** The member remediation role (StackSet template). */
  memberRole: PermissionDeclaration[];
}

export interface DeclarationOptions {
  backend: QueryBackend;
  /** The query job checks the SCP for drift each run (monitor.driftCheck). */
  driftCheck: boolean;
  /** The resolved remediation.accessKey: only "rotate" lets the member role mint keys. */
  accessKey: "deactivate" | "rotate";
  /** monitor.securityHub.enabled: the query job imports findings into Security Hub. */
  securityHub?: boolean;
  /** Athena backend: the trail's files are SSE-KMS encrypted (monitor.athena.kmsKeyArn is set). */
  trailEncrypted?: boolean;
}

function queryPermissions(options: DeclarationOptions): PermissionDeclaration[] {
  switch (options.backend) {
    case "cloudtrail-lake":
      return LAKE_QUERY_PERMISSIONS;
    case "cloudwatch-logs":
      return LOGS_QUERY_PERMISSIONS;
    case "athena":
      return athenaQueryPermissions({ trailEncrypted: options.trailEncrypted ?? false });
  }
}

export function codeDeclarations(options: DeclarationOptions): FunctionDeclarations {
  const query = queryPermissions(options);
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
