/**
 * Which code runs in which function, as PermissionDeclarations imported from next to that code.
 * The roles are built from these lists only (src/infra/iam/policy-document.ts).
 */
import { memberRolePermissions, RESPONDER_PERMISSIONS } from "../remediation/permissions";
import { DRIFT_PERMISSIONS } from "../aws/organizations";
import { SECURITY_HUB_IMPORT_PERMISSIONS } from "../aws/securityhub";
import { SNS_PUBLISH_PERMISSIONS, SNS_SUBSCRIPTION_READ_PERMISSIONS } from "../aws/sns";
import type { MonitorBackend } from "../config/backends";
import type { PermissionDeclaration } from "../aws/permissions";
import type { Guardrail } from "../guardrail/guardrail";
import { actsAnywhere, type ModeOverride } from "../remediation/mode";
import type { RemediationMode } from "../remediation/types";
import { checksAlertSubscriptions } from "../runtime/alert-subscriptions";
import { MONITOR_SOURCES } from "../runtime/query/backends";
import { STATE_PERMISSIONS } from "../runtime/state/dynamodb";
import { ROLE_NAMES } from "./naming";

export interface FunctionDeclarations {
  queryJob: PermissionDeclaration[];
  realtime: PermissionDeclaration[];
  /** The member remediation role (StackSet template); empty: no member role is deployed. */
  memberRole: PermissionDeclaration[];
}

/**
 * What remediation can do under a config: nothing (every account off: the functions build no responder), plan
 * only (dry-run somewhere, enforce nowhere: the responder records and reports plans and never reaches a member
 * account), or execute (some account in enforce: the responder assumes the member role there).
 */
export type RemediationReach = "off" | "plan" | "execute";

export function remediationReach(mode: RemediationMode, overrides: readonly ModeOverride[]): RemediationReach {
  if (!actsAnywhere(mode, overrides)) return "off";
  return mode === "enforce" || overrides.some((o) => o.mode === "enforce") ? "execute" : "plan";
}

/** The responder's calls for a reach: only an executing responder assumes the member role. */
function responderPermissions(reach: RemediationReach): PermissionDeclaration[] {
  if (reach === "off") return [];
  if (reach === "plan") return RESPONDER_PERMISSIONS.filter((p) => p.resource.kind !== "member-role");
  return RESPONDER_PERMISSIONS;
}

export interface DeclarationOptions {
  backend: MonitorBackend;
  /**
   * remediationReach of remediation.mode and its overrides: the member role (and the functions' grant to assume
   * it) exists only with "execute"; with "off" the functions have no responder permissions at all.
   */
  remediation: RemediationReach;
  /** The query job checks the SCP for drift each run (monitor.driftCheck). */
  driftCheck: boolean;
  /** The drift check also lists the alert topic's subscriptions (checksAlertSubscriptions). */
  subscriptionCheck?: boolean;
  /** The resolved remediation.accessKey: only "rotate" lets the member role mint keys. */
  accessKey: "deactivate" | "rotate";
  /** monitor.securityHub.enabled: the query job imports findings into Security Hub. */
  securityHub?: boolean;
  /** Athena backend: the trail's files are SSE-KMS encrypted (monitor.athena.kmsKeyArn is set). */
  trailEncrypted?: boolean;
  /** monitor.trailArn is set: with driftCheck, the query job reads the organization trail (athena, cloudwatch-logs). */
  trailChecked?: boolean;
}

export function codeDeclarations(options: DeclarationOptions): FunctionDeclarations {
  const source = MONITOR_SOURCES[options.backend];
  const query = source.permissions({ trailEncrypted: options.trailEncrypted ?? false });
  // The drift check reads the source too: that it still receives the rules' events (src/runtime/source-liveness.ts).
  const liveness = source.livenessPermissions({ trail: options.trailChecked ?? false });
  // Both functions keep dedupe state, publish findings and hand them to the responder in-process.
  const common = [...STATE_PERMISSIONS, ...SNS_PUBLISH_PERMISSIONS, ...responderPermissions(options.remediation)];
  return {
    // Only the query job exports: the realtime function queues its findings for it (see claimAll).
    queryJob: [
      ...query,
      ...common,
      ...(options.driftCheck ? [...DRIFT_PERMISSIONS, ...liveness] : []),
      ...(options.subscriptionCheck ? SNS_SUBSCRIPTION_READ_PERMISSIONS : []),
      ...(options.securityHub ? SECURITY_HUB_IMPORT_PERMISSIONS : []),
    ],
    realtime: [...common],
    // No member role where nothing can execute: IAM write access nobody uses is access someone could misuse.
    memberRole: options.remediation === "execute" ? memberRolePermissions(options.accessKey) : [],
  };
}

/** The declarations for a config: what each function's role and the member role are built from. */
export function guardrailDeclarations(guardrail: Guardrail): FunctionDeclarations {
  const { monitor } = guardrail.config;
  const { mode, overrides, accessKey } = guardrail.remediation;
  return codeDeclarations({
    backend: monitor.backend,
    remediation: remediationReach(mode, overrides),
    driftCheck: monitor.driftCheck,
    subscriptionCheck: checksAlertSubscriptions(guardrail),
    accessKey,
    securityHub: monitor.securityHub.enabled,
    trailEncrypted: monitor.athena.kmsKeyArn !== undefined,
    trailChecked: monitor.trailArn !== undefined,
  });
}

/** Who the member role trusts: the functions that assume it (they run the responder in-process). */
export function responderRoleNames(declarations: FunctionDeclarations, realtimeEnabled: boolean): string[] {
  const assumes = (d: FunctionDeclarations["queryJob"]) => d.some((p) => p.resource.kind === "member-role");
  return [
    ...(assumes(declarations.queryJob) ? [ROLE_NAMES.queryJob] : []),
    ...(realtimeEnabled && assumes(declarations.realtime) ? [ROLE_NAMES.realtime] : []),
  ];
}
