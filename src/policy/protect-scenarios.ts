/**
 * The decision table's rows for the protection statements: taking over an exempted name
 * ("protect:", break-glass and the admins only), the tool's own roles, rules, schedule, dead-letter
 * queue, log groups and Athena table ("guard-deploy:", also the StackSets execution role), the
 * guardrail's SCPs, alert key, event data store, topic and alarms, leaving the organization,
 * disabling SCPs, Roles Anywhere, event source mappings onto the tool's functions ("guard-admin:",
 * break-glass and the admins), the tool's tag
 * ("guard-tag:", also StackSets), the tags of the tool's roles ("guard-role-tag:", also StackSets, under
 * either protection setting), and invoking the functions, writing state and the metrics
 * ("guard-monitor:", the monitor's roles only).
 */
import { formatArn } from "../arn/partition";
import { type Guardrail, memberRolePattern, TOOL_ROLE_PATH } from "../guardrail/guardrail";
import {
  DEAD_LETTER_QUEUE_NAME,
  FUNCTION_NAMES,
  functionLogGroupName,
  METRIC_NAMESPACE,
  RESOURCE_PREFIX,
  ROLE_NAMES,
} from "../guardrail/tool-names";
import { FUNCTION_TAKEOVER_ACTIONS } from "./action-lists";
import type { Scenario } from "./decision-table";
import { EXAMPLE_MEMBER_ACCOUNT, EXAMPLE_SECURITY_ACCOUNT, exampleSite, siteArns } from "./principals";
import { protectedPrincipalPatterns, protectedSamlProviderPatterns } from "./protect-exempted";
import { TOOL_REQUEST_TAG_KEY, TOOL_RESOURCE_TAG_KEY, TOOL_TAG_KEY, TOOL_TAG_VALUE } from "./protect-guardrail";
import { EVENT_SOURCE_MAPPING_ACTIONS, FUNCTION_ARN_KEY } from "./statement-ids";

/** "role/Name" of a concrete IAM ARN, for labels. */
const iamName = (arn: string) => arn.split(":").slice(5).join(":");
const pick = (list: readonly string[], name: string): string => list.find((a) => a.endsWith(`:${name}`))!;

/** ARNs of the security account's resources at the guardrail's site. */
function securityArns(guardrail: Guardrail) {
  const { partition, region } = exampleSite(guardrail);
  const arn = (service: string, resource: string, account = EXAMPLE_SECURITY_ACCOUNT, at = region) =>
    formatArn({ partition, service, region: at, account, resource });
  const iam = (name: string) => arn("iam", `role${TOOL_ROLE_PATH}${name}`, EXAMPLE_SECURITY_ACCOUNT, "");
  return { arn, iam, partition };
}

/** Taking over an exempted name; the member role and the monitor's role and function. */
function takeoverScenarios(guardrail: Guardrail): Scenario[] {
  const { concrete, iam } = siteArns(exampleSite(guardrail));
  const { roles, users } = protectedPrincipalPatterns(guardrail);
  const member = concrete(memberRolePattern(guardrail.config));
  const approvedRole = roles.find((p) => guardrail.exemptions.approved.includes(p) && !p.includes("AWSReservedSSO_"));
  const out: Scenario[] = [];
  if (approvedRole) {
    const role = concrete(approvedRole);
    for (const [id, action] of [
      ["create-role", "iam:CreateRole"],
      ["update-trust", "iam:UpdateAssumeRolePolicy"],
      ["pass-role", "iam:PassRole"],
    ])
      out.push({ id: `protect:${id}`, label: `${action} ${iamName(role)}`, action, resource: role });
  }
  const { arn, iam: toolRole } = securityArns(guardrail);
  const fn = arn("lambda", `function:${FUNCTION_NAMES.realtime}`);
  const updateCode = pick(FUNCTION_TAKEOVER_ACTIONS, "UpdateFunctionCode");
  const invokeConfig = pick(FUNCTION_TAKEOVER_ACTIONS, "PutFunctionEventInvokeConfig");
  out.push(
    {
      id: "protect:function-code",
      label: `${updateCode} function:${FUNCTION_NAMES.realtime}`,
      action: updateCode,
      resource: fn,
    },
    {
      id: "protect:function-invoke-config",
      label: `${invokeConfig} function:${FUNCTION_NAMES.realtime}`,
      action: invokeConfig,
      resource: fn,
    },
  );
  const adminRole = roles.find((p) => guardrail.exemptions.admins.includes(p));
  if (adminRole) {
    // An admin may create the exempted roles, so its own name is protected too.
    const admin = concrete(adminRole);
    out.push({
      id: "protect:admin-trust",
      label: `iam:UpdateAssumeRolePolicy ${iamName(admin)}`,
      action: "iam:UpdateAssumeRolePolicy",
      resource: admin,
    });
  }
  const samlProvider = protectedSamlProviderPatterns(guardrail)[0];
  if (samlProvider) {
    const provider = concrete(samlProvider.replace(/\*$/, "0123456789abcdef_DO_NOT_DELETE"));
    out.push({
      id: "protect:idc-saml-provider",
      label: `iam:UpdateSAMLProvider ${iamName(provider)}`,
      action: "iam:UpdateSAMLProvider",
      resource: provider,
    });
  }
  if (users.length > 0) {
    const user = concrete(users[0]);
    out.push({
      id: "protect:user-access-key",
      label: `iam:CreateAccessKey ${iamName(user)}`,
      action: "iam:CreateAccessKey",
      resource: user,
    });
  }
  // The tool's own roles: StackSets deploys the member role, so it may change them; nobody else but the admins.
  const lookalike = iam(EXAMPLE_MEMBER_ACCOUNT, `role${TOOL_ROLE_PATH}Lookalike`);
  out.push(
    {
      id: "guard-deploy:member-role-trust",
      label: `iam:UpdateAssumeRolePolicy ${iamName(member)}`,
      action: "iam:UpdateAssumeRolePolicy",
      resource: member,
    },
    {
      id: "guard-deploy:monitor-role-trust",
      label: `iam:UpdateAssumeRolePolicy ${iamName(toolRole(ROLE_NAMES.queryJob))}`,
      action: "iam:UpdateAssumeRolePolicy",
      resource: toolRole(ROLE_NAMES.queryJob),
    },
    {
      id: "guard-deploy:lookalike-role",
      label: `iam:CreateRole ${iamName(lookalike)}`,
      action: "iam:CreateRole",
      resource: lookalike,
    },
    {
      id: "unrelated:create-role",
      label: `iam:CreateRole role/DeveloperRole`,
      action: "iam:CreateRole",
      resource: iam(EXAMPLE_MEMBER_ACCOUNT, "role/DeveloperRole"),
      unrelated: true,
    },
  );
  return out;
}

const tagged = { [TOOL_RESOURCE_TAG_KEY]: [TOOL_TAG_VALUE] };

/** One row: the label is the action and the resource's own part unless given. */
const row = (id: string, action: string, resource: string, context?: Record<string, string[]>, label?: string) => ({
  id,
  label: label ?? `${action} ${resource === "*" ? "" : resource.split(":").slice(5).join(":")}`.trim(),
  action,
  resource,
  ...(context ? { context } : {}),
  ...(id.startsWith("unrelated:") ? { unrelated: true } : {}),
});

/** The guardrail's own resources: switching it off, silencing it, forging its input. */
function guardScenarios(guardrail: Guardrail): Scenario[] {
  const { arn, partition } = securityArns(guardrail);
  const organization = (resource: string) =>
    formatArn({ partition, service: "organizations", account: "999988887777", resource });
  const orgPolicy = organization("policy/o-a1b2c3d4e5/service_control_policy/p-a1b2c3d4");
  const bus = guardrail.config.monitor.eventbridge.centralBusName;
  return [
    row("guard-deploy:central-rule", "events:DisableRule", arn("events", `rule/${bus}/${RESOURCE_PREFIX}-realtime`)),
    row(
      "guard-deploy:member-forwarding-rule",
      "events:DeleteRule",
      arn("events", `rule/${RESOURCE_PREFIX}-forward-org`, EXAMPLE_MEMBER_ACCOUNT),
    ),
    row(
      "guard-deploy:schedule",
      "scheduler:DeleteSchedule",
      arn("scheduler", `schedule/default/${FUNCTION_NAMES.queryJob}`),
    ),
    row("guard-deploy:purge-dead-letters", "sqs:PurgeQueue", arn("sqs", DEAD_LETTER_QUEUE_NAME)),
    row(
      "guard-deploy:log-retention",
      "logs:PutRetentionPolicy",
      arn("logs", `log-group:${functionLogGroupName(FUNCTION_NAMES.realtime)}`),
    ),
    ...athenaScenarios(guardrail),
    row("guard-admin:leave-organization", "organizations:LeaveOrganization", "*"),
    row(
      "guard-admin:disable-scps",
      "organizations:DisablePolicyType",
      organization("root/o-a1b2c3d4e5/r-a1b2"),
      { "organizations:PolicyType": ["SERVICE_CONTROL_POLICY"] },
      "organizations:DisablePolicyType SERVICE_CONTROL_POLICY",
    ),
    row("guard-admin:roles-anywhere-profile", "rolesanywhere:CreateProfile", "*"),
    ...eventSourceMappingScenarios(guardrail),
    row(
      "guard-admin:update-scp",
      "organizations:UpdatePolicy",
      orgPolicy,
      tagged,
      "organizations:UpdatePolicy the guardrail's SCP",
    ),
    row(
      "guard-admin:detach-scp",
      "organizations:DetachPolicy",
      orgPolicy,
      tagged,
      "organizations:DetachPolicy the guardrail's SCP",
    ),
    row(
      "unrelated:update-other-scp",
      "organizations:UpdatePolicy",
      orgPolicy,
      undefined,
      "organizations:UpdatePolicy another SCP",
    ),
    row(
      "guard-admin:disable-alert-key",
      "kms:DisableKey",
      arn("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab"),
      tagged,
      "kms:DisableKey the alert key",
    ),
    row(
      "guard-admin:stop-ingestion",
      "cloudtrail:StopEventDataStoreIngestion",
      arn("cloudtrail", "eventdatastore/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"),
      tagged,
      "cloudtrail:StopEventDataStoreIngestion the event data store",
    ),
    row("guard-admin:topic-attributes", "sns:SetTopicAttributes", arn("sns", `${RESOURCE_PREFIX}-alerts`), tagged),
    row(
      "guard-admin:alarm-actions",
      "cloudwatch:DisableAlarmActions",
      arn("cloudwatch", `alarm:${FUNCTION_NAMES.queryJob}-no-successful-run`),
      tagged,
    ),
  ];
}

/**
 * An event source mapping names its function only in lambda:FunctionArn (the request has no resource): onto the
 * realtime function, and onto another function of the same account, which stays anyone's to feed.
 */
function eventSourceMappingScenarios(guardrail: Guardrail): Scenario[] {
  const { arn } = securityArns(guardrail);
  const create = pick(EVENT_SOURCE_MAPPING_ACTIONS, "CreateEventSourceMapping");
  const mapping = (id: string, name: string) =>
    row(id, create, "*", { [FUNCTION_ARN_KEY]: [arn("lambda", `function:${name}`)] }, `${create} function:${name}`);
  return [
    mapping("guard-admin:event-source-mapping", FUNCTION_NAMES.realtime),
    mapping("unrelated:other-event-source-mapping", "orders-api"),
  ];
}

/** With the Athena backend: re-pointing the table the job queries (every query would come back empty). */
function athenaScenarios(guardrail: Guardrail): Scenario[] {
  const { backend, athena } = guardrail.config.monitor;
  if (backend !== "athena") return [];
  const { arn } = securityArns(guardrail);
  return [
    row("guard-deploy:athena-table", "glue:UpdateTable", arn("glue", `table/${athena.database}/${athena.table}`)),
  ];
}

/** What only the monitor's roles may do (invoke, state, heartbeat), and the tool's tag. */
function monitorScenarios(guardrail: Guardrail): Scenario[] {
  const { arn } = securityArns(guardrail);
  const { concrete, iam } = siteArns(exampleSite(guardrail));
  const developerRole = iam(EXAMPLE_MEMBER_ACCOUNT, "role/DeveloperRole");
  const memberRole = concrete(memberRolePattern(guardrail.config));
  const toolTag = `${TOOL_TAG_KEY}=${TOOL_TAG_VALUE}`;
  const toolTagRequest = { "aws:TagKeys": [TOOL_TAG_KEY], [TOOL_REQUEST_TAG_KEY]: [TOOL_TAG_VALUE] };
  return [
    row("guard-monitor:invoke", "lambda:InvokeFunction", arn("lambda", `function:${FUNCTION_NAMES.realtime}`)),
    row("guard-monitor:state", "dynamodb:PutItem", arn("dynamodb", `table/${RESOURCE_PREFIX}-state`)),
    row(
      "guard-monitor:metrics",
      "cloudwatch:PutMetricData",
      "*",
      { "cloudwatch:namespace": [METRIC_NAMESPACE] },
      `cloudwatch:PutMetricData ${METRIC_NAMESPACE}`,
    ),
    row(
      "unrelated:other-metrics",
      "cloudwatch:PutMetricData",
      "*",
      { "cloudwatch:namespace": ["MyApp"] },
      "cloudwatch:PutMetricData MyApp",
    ),
    row(
      "guard-tag:tag-role",
      "iam:TagRole",
      developerRole,
      toolTagRequest,
      `iam:TagRole role/DeveloperRole ${toolTag}`,
    ),
    row("guard-tag:session-tag", "sts:TagSession", developerRole, toolTagRequest, `sts:TagSession ${toolTag}`),
    row(
      "guard-role-tag:untag-member-role",
      "iam:UntagRole",
      memberRole,
      { "aws:TagKeys": [TOOL_TAG_KEY], [TOOL_RESOURCE_TAG_KEY]: [TOOL_TAG_VALUE] },
      `iam:UntagRole ${iamName(memberRole)} ${TOOL_TAG_KEY}`,
    ),
    row(
      "unrelated:other-tool-tag",
      "iam:CreateRole",
      iam(EXAMPLE_MEMBER_ACCOUNT, "role/app-lambda-role"),
      { "aws:TagKeys": [TOOL_TAG_KEY], [TOOL_REQUEST_TAG_KEY]: ["terraform"] },
      `iam:CreateRole role/app-lambda-role ${TOOL_TAG_KEY}=terraform`,
    ),
  ];
}

/** Every protection row, takeovers first. */
export function protectScenarios(guardrail: Guardrail): Scenario[] {
  return [...takeoverScenarios(guardrail), ...guardScenarios(guardrail), ...monitorScenarios(guardrail)];
}
