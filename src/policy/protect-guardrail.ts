/**
 * The statements that keep the guardrail itself from being switched off, silenced or turned against
 * the organization (scp.protectGuardrail), by anyone but break-glass and the admins who deploy it,
 * and, for the monitor's own data, by anyone but the monitor's roles:
 *   - DenyLeavingOrganization: once an account leaves, no SCP applies to it; disabling the SCP policy
 *     type in the root (a delegated administrator can) detaches every SCP at once; and IAM Roles
 *     Anywhere profiles, which vend any role that trusts the service to a certificate holder without
 *     iam:PassRole.
 *   - ProtectGuardrailStateAndInvocation: invoking the tool's functions (a forged CloudTrail event
 *     would plan remediation against production) and writing its state table (pre-claimed event ids
 *     suppress findings; a written principal x model pair suppresses a first use; a written drift
 *     fingerprint suppresses the drift alert). Only the monitor's
 *     roles: not the admins either, so the principal that changes the SCP cannot also suppress the
 *     drift finding. EventBridge invokes the realtime function as a service, outside every SCP.
 *     With remediation.operatorPrincipalArns, the operators run undo and remediate --execute --table
 *     from their own credentials, so they may put and update the responder's own items (partition keys
 *     action#, target#, followup#, principal#: src/aws/contracts.ts), and only those:
 *     ProtectGuardrailStateItems denies those two writes to all but the monitor and the operators, and
 *     ProtectGuardrailJobItems to all but the monitor when an item's dynamodb:LeadingKeys is another
 *     (the job's watermark, event claims, baselines: job#, event#, seen#).
 *   - ProtectGuardrailMetrics: cloudwatch:PutMetricData into the tool's namespace (its dashboard
 *     metrics; no alarm reads them: EMF log lines write the same metrics without PutMetricData).
 *   - ProtectGuardrailTaggedResources: everything carrying the tool's tag (the SCPs, the alert key,
 *     the event data store, the topic, the alarms, the state table): disabling, deleting, re-keying,
 *     detaching, or changing its tags. The tag is set by the deploying pipeline (provider default
 *     tags) and by StackSets.
 *   - ProtectGuardrailTag: nobody else may put the tool's tag (its key with the tool's value, in any
 *     case) on a role or user, or pass it as a session tag, so no principal can ever pose as the tool
 *     by its tag. The value decides, not the key: managed-by is a common default tag of other tools
 *     (managed-by=terraform), which stays allowed.
 *   - ProtectGuardrailRoleTags: changing or removing the tags of the tool's own roles (every role on its
 *     path), by anyone but break-glass, the admins and StackSets. ProtectGuardrailDeployment denies them
 *     to the same principals on the same path, so this statement exists only when that one does not
 *     (scp.protectExemptedPrincipals off): the tags stay protected either way, at no size for the default.
 *   - ProtectGuardrailEventSourceMappings: creating or updating an event source mapping onto the tool's
 *     functions, by anyone but break-glass and the admins: Lambda would invoke a function as itself,
 *     outside the deny of lambda:InvokeFunction, with records of the creator's choosing. The actions
 *     name no function as a resource, so the statement matches the lambda:FunctionArn condition key.
 */
import { TOOL_TAGS } from "../config/aws-limits";
import { formatArn } from "../arn/partition";
import { type Guardrail, toolRoleArn, toolRolePathPattern } from "../guardrail/guardrail";
import { METRIC_NAMESPACE, RESOURCE_PREFIX, ROLE_NAMES, toolFunctionPattern } from "../guardrail/tool-names";
import {
  FUNCTION_INVOKE_ACTIONS,
  METRIC_WRITE_ACTIONS,
  OPERATOR_STATE_WRITE_ACTIONS,
  ORGANIZATION_ESCAPE_ACTIONS,
  STATE_WRITE_ACTIONS,
  TAG_SQUAT_ACTIONS,
  TAGGED_TAMPER_ACTIONS,
  TOOL_ROLE_TAG_ACTIONS,
} from "./action-lists";
import { deploymentAdminPatterns, guardrailAdminPatterns } from "./protect-exempted";
import { EVENT_SOURCE_MAPPING_ACTIONS, FUNCTION_ARN_KEY, SID } from "./statement-ids";
import type { ScpCondition, ScpStatement } from "./types";

const [TOOL_TAG_KEY, TOOL_TAG_VALUE] = Object.entries(TOOL_TAGS)[0];
export const TOOL_RESOURCE_TAG_KEY = `aws:ResourceTag/${TOOL_TAG_KEY}`;
export const TOOL_REQUEST_TAG_KEY = `aws:RequestTag/${TOOL_TAG_KEY}`;
export { TOOL_TAG_KEY, TOOL_TAG_VALUE };

/** The partition-key prefixes of the responder's items (src/remediation/dynamodb-store.ts), which operators write. */
export const RESPONDER_KEY_PREFIXES = ["action#", "target#", "followup#", "principal#"];
const LEADING_KEYS = "dynamodb:LeadingKeys";

/** The monitor's roles in the security account that write state, publish metrics and invoke the job. */
function monitorRolePatterns(guardrail: Guardrail): string[] {
  return [ROLE_NAMES.queryJob, ROLE_NAMES.realtime, ROLE_NAMES.scheduler].map((name) =>
    toolRoleArn(name, { partition: guardrail.partition }),
  );
}

/** The exemption, or nothing when nobody may pass (an empty ArnNotLike list is not a valid condition). */
const except = (principals: string[]): ScpCondition =>
  principals.length > 0 ? { ArnNotLike: { "aws:PrincipalArn": principals } } : {};

const statement = (Sid: string, Action: string[], Resource: string[] | "*", Condition: ScpCondition) => ({
  Sid,
  Effect: "Deny" as const,
  Action: [...Action],
  Resource,
  ...(Object.keys(Condition).length > 0 ? { Condition } : {}),
});

/**
 * Invoking the functions and writing the state table: the monitor's roles only; with operators, the
 * operators' item writes split off into two statements (a statement's conditions all have to hold, so
 * "not the monitor, and not an operator writing a responder item" takes two).
 */
function stateStatements(guardrail: Guardrail, table: string, monitor: string[]): ScpStatement[] {
  const operators = guardrail.exemptions.operators;
  const resources = [toolFunctionPattern(guardrail.partition), table];
  if (operators.length === 0)
    return [
      statement(SID.protectData, [...FUNCTION_INVOKE_ACTIONS, ...STATE_WRITE_ACTIONS], resources, except(monitor)),
    ];
  const monitorOnly = STATE_WRITE_ACTIONS.filter((a) => !OPERATOR_STATE_WRITE_ACTIONS.includes(a));
  return [
    statement(SID.protectData, [...FUNCTION_INVOKE_ACTIONS, ...monitorOnly], resources, except(monitor)),
    statement(SID.protectStateItems, OPERATOR_STATE_WRITE_ACTIONS, [table], except([...monitor, ...operators])),
    statement(SID.protectJobItems, OPERATOR_STATE_WRITE_ACTIONS, [table], {
      "ForAnyValue:StringNotLike": { [LEADING_KEYS]: RESPONDER_KEY_PREFIXES.map((p) => `${p}*`) },
      ...except(monitor),
    }),
  ];
}

export function buildProtectGuardrailStatements(guardrail: Guardrail): ScpStatement[] {
  if (!guardrail.config.scp.protectGuardrail) return [];
  const { partition } = guardrail;
  const admins = guardrailAdminPatterns(guardrail);
  const monitor = monitorRolePatterns(guardrail);
  const table = formatArn({
    partition,
    service: "dynamodb",
    region: "*",
    account: "*",
    resource: `table/${RESOURCE_PREFIX}-*`,
  });
  return [
    statement(SID.organizationEscape, ORGANIZATION_ESCAPE_ACTIONS, "*", except(admins)),
    ...stateStatements(guardrail, table, monitor),
    statement(SID.protectMetrics, METRIC_WRITE_ACTIONS, "*", {
      StringLike: { "cloudwatch:namespace": [`${METRIC_NAMESPACE}*`] },
      ...except(monitor.filter((p) => !p.endsWith(ROLE_NAMES.scheduler))),
    }),
    statement(SID.protectTagged, TAGGED_TAMPER_ACTIONS, "*", {
      StringEquals: { [TOOL_RESOURCE_TAG_KEY]: [TOOL_TAG_VALUE] },
      ...except(admins),
    }),
    // IAM matches the tag key in a condition key's name in any case; IgnoreCase covers the value's case too.
    statement(SID.protectTag, TAG_SQUAT_ACTIONS, "*", {
      StringEqualsIgnoreCase: { [TOOL_REQUEST_TAG_KEY]: [TOOL_TAG_VALUE] },
      ...except(deploymentAdminPatterns(guardrail)),
    }),
    ...(guardrail.config.scp.protectExemptedPrincipals
      ? []
      : [
          statement(
            SID.protectRoleTags,
            TOOL_ROLE_TAG_ACTIONS,
            [toolRolePathPattern(partition)],
            except(deploymentAdminPatterns(guardrail)),
          ),
        ]),
    statement(SID.protectEventSources, EVENT_SOURCE_MAPPING_ACTIONS, "*", {
      ArnLike: { [FUNCTION_ARN_KEY]: [toolFunctionPattern(partition)] },
      ...except(admins),
    }),
  ];
}
