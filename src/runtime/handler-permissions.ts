/**
 * The IAM permissions each Lambda needs, assembled from the declarations next to the code that
 * makes the calls. src/infra builds each function's role from exactly these lists.
 */
import { RESPONDER_PERMISSIONS } from "../remediation/permissions";
import { DRIFT_PERMISSIONS } from "./aws/organizations";
import { SNS_PUBLISH_PERMISSIONS } from "./aws/sns";
import { PermissionDeclaration } from "./permissions";
import { LAKE_QUERY_PERMISSIONS } from "./query/lake";
import { LOGS_QUERY_PERMISSIONS } from "./query/logs-insights";
import { STATE_PERMISSIONS } from "./state/dynamodb";

export interface PermissionOptions {
  backend: "cloudtrail-lake" | "cloudwatch-logs";
  driftCheck: boolean;
  /** false when remediation.mode is "off": the responder is not wired. */
  responder: boolean;
}

export function queryJobPermissions(o: PermissionOptions): PermissionDeclaration[] {
  return [
    ...(o.backend === "cloudtrail-lake" ? LAKE_QUERY_PERMISSIONS : LOGS_QUERY_PERMISSIONS),
    ...STATE_PERMISSIONS,
    ...SNS_PUBLISH_PERMISSIONS,
    ...(o.driftCheck ? DRIFT_PERMISSIONS : []),
    ...(o.responder ? RESPONDER_PERMISSIONS : []),
  ];
}

export function realtimePermissions(o: Pick<PermissionOptions, "responder">): PermissionDeclaration[] {
  return [...STATE_PERMISSIONS, ...SNS_PUBLISH_PERMISSIONS, ...(o.responder ? RESPONDER_PERMISSIONS : [])];
}
