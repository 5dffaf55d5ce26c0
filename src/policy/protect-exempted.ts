/**
 * The "protect privileged roles" statement. The SCP exempts principals by name, so anyone with IAM
 * admin in a member account (the LLMjacking threat: stolen admin keys) could otherwise create a
 * role with an exempted name, recreate or re-trust an existing one, or pass it to a compute
 * service, and enable models as that role. This statement denies exactly those IAM calls on the
 * exempted names, and on the names of the admins who may manage them, to everyone except
 * break-glass and the configured admins. The StackSets execution role is not among them: whoever
 * can create service-managed StackSets (the management account or a StackSets delegated admin)
 * could otherwise create, re-trust or pass the approved and break-glass roles in every account.
 *
 * The tool's own trust anchors get the same treatment in a second statement: every role on the
 * tool's path (the member role, which every member account lets the security account's query-job
 * and realtime roles assume, those roles, the forwarders), where the StackSets execution role is
 * exempt too because it deploys the member role and the forwarders; and the Lambda functions that
 * run as those roles, in the first. A non-admin who could re-trust one of those roles, pass it to a
 * new function, replace a function's code, or create a look-alike role on the tool's path would
 * gain the member role's IAM write access in every member account. The second statement also keeps
 * the monitor's other resources (its dead-letter queue, log groups and Athena workgroup, table and
 * results bucket) from being emptied, erased or re-pointed, and the alert topic's subscriptions from
 * being filtered to nothing or removed.
 */
import { formatArn } from "../arn/partition";
import { splitArn } from "../arn/arn-like";
import { withIdentityCenterForms } from "../arn/identity-center";
import { type Guardrail, toolRolePathPattern } from "../guardrail/guardrail";
import {
  ALERT_TOPIC_NAME,
  ATHENA_RESULTS_BUCKET_PREFIX,
  DEAD_LETTER_QUEUE_NAME,
  functionLogGroupName,
  RESOURCE_PREFIX,
  toolFunctionPattern,
} from "../guardrail/tool-names";
import {
  ALERT_SUBSCRIPTION_TAMPER_ACTIONS,
  ATHENA_TAMPER_ACTIONS,
  DEAD_LETTER_TAMPER_ACTIONS,
  EVENT_BUS_TAMPER_ACTIONS,
  EVENT_RULE_TAMPER_ACTIONS,
  FUNCTION_TAKEOVER_ACTIONS,
  LOG_GROUP_TAMPER_ACTIONS,
  ROLE_TAKEOVER_ACTIONS,
  SAML_PROVIDER_TAKEOVER_ACTIONS,
  SCHEDULE_TAMPER_ACTIONS,
  TOOL_ROLE_TAG_ACTIONS,
  USER_TAKEOVER_ACTIONS,
} from "./action-lists";
import { SID } from "./statement-ids";
import type { ScpStatement } from "./types";

export const PROTECT_EXEMPTED_SID = SID.protectExempted;

/**
 * The role service-managed StackSets run as in member accounts (assumed by the StackSets org
 * service-linked role). It creates the member role and the forwarders, so it may manage the tool's
 * own roles and rules, and nothing else here; nobody else may create or change a role of that name.
 */
export function stackSetsExecRolePattern(partition: string): string {
  return formatArn({ partition, service: "iam", account: "*", resource: "role/stacksets-exec-*" });
}
/** The pattern in the aws partition (examples and tests). */
export const STACKSETS_EXEC_ROLE_PATTERN = stackSetsExecRolePattern("aws");

/**
 * IAM Identity Center's permission-set roles (AWSReservedSSO_*) are protected by AWS, but their
 * trust policy names the account's SAML provider `AWSSSO_<id>_DO_NOT_DELETE`, an ordinary IAM
 * resource: whoever updates it (or deletes and recreates it) with their own IdP's metadata can
 * AssumeRoleWithSAML into every permission-set role of the account. Identity Center maintains it
 * with its service-linked role, which SCPs do not restrict (SAML_PROVIDER_TAKEOVER_ACTIONS).
 */
function identityCenterSamlProviderPattern(partition: string): string {
  return formatArn({ partition, service: "iam", account: "*", resource: "saml-provider/AWSSSO_*" });
}
export const IDENTITY_CENTER_SAML_PROVIDER_PATTERN = identityCenterSamlProviderPattern("aws");
const IDENTITY_CENTER_ROLE_PREFIX = "role/aws-reserved/sso.amazonaws.com/";

/**
 * True when the pattern could match an Identity Center role (its resource could start with
 * role/aws-reserved/sso.amazonaws.com/). Over-approximates: a `*` before the prefix ends counts.
 */
export function mayNameIdentityCenterRole(pattern: string): boolean {
  const resource = splitArn(pattern)?.[5] ?? "";
  for (let i = 0; i < IDENTITY_CENTER_ROLE_PREFIX.length; i++) {
    if (i >= resource.length) return false;
    if (resource[i] === "*") return true;
    if (resource[i] !== "?" && resource[i] !== IDENTITY_CENTER_ROLE_PREFIX[i]) return false;
  }
  return true;
}

export type ProtectedKind = "role" | "user";

/**
 * The kind of IAM resource an exemption pattern names, or undefined when IAM has no resource an
 * attacker could create under that name (root, federated users, non-iam patterns).
 */
export function protectedKind(pattern: string): ProtectedKind | undefined {
  const parts = splitArn(pattern);
  if (parts?.[2] !== "iam") return undefined;
  const resource = parts[5];
  if (resource.startsWith("role/")) return "role";
  if (resource.startsWith("user/")) return "user";
  return undefined;
}

/**
 * The principals the member-account side trusts: the operators, whom the member role trusts in every member
 * account (and the SCP lets write the responder's items), and, when keys are rotated, the readers who may
 * decrypt the new keys. Re-trusting one of their roles is as good as the member role, or the keys.
 */
function memberSideTrusted(guardrail: Guardrail): string[] {
  return [...guardrail.exemptions.operators, ...rotatedKeyReaderPatterns(guardrail)];
}

/** The readers of rotated keys, when keys are rotated: the SCP protects their roles, and remediation skips them. */
export function rotatedKeyReaderPatterns(guardrail: Guardrail): string[] {
  const readers = guardrail.remediation.accessKey === "rotate" ? guardrail.config.remediation.rotatedSecretReaders : [];
  return withIdentityCenterForms(readers);
}

/**
 * The role and user patterns the first statement protects: the exempted ones, then the admins', then
 * the operators' and rotated-key readers'. An admin may create and re-trust the exempted roles, so
 * taking over an admin's name is as good as taking over an exempted one: the admins are protected from
 * everyone but themselves and break-glass. (The tool's own roles are protected by the second
 * statement, by their path.)
 */
export function protectedPrincipalPatterns(guardrail: Guardrail): { roles: string[]; users: string[] } {
  const names = [
    ...new Set([...guardrail.exemptions.scp, ...guardrail.exemptions.admins, ...memberSideTrusted(guardrail)]),
  ];
  return {
    roles: names.filter((p) => protectedKind(p) === "role"),
    users: names.filter((p) => protectedKind(p) === "user"),
  };
}

/** Identity Center's SAML provider, when a protected role pattern could name a permission-set role. */
export function protectedSamlProviderPatterns(guardrail: Guardrail): string[] {
  return protectedPrincipalPatterns(guardrail).roles.some(mayNameIdentityCenterRole)
    ? [identityCenterSamlProviderPattern(guardrail.partition)]
    : [];
}

/** Who may change the guardrail itself: break-glass and the configured admins (the deploying pipelines). */
export function guardrailAdminPatterns(guardrail: Guardrail): string[] {
  return [...new Set([...guardrail.exemptions.breakGlass, ...guardrail.exemptions.admins])];
}

/** Break-glass, the admins, and the StackSets execution role, which deploys the tool's member-account parts. */
export function deploymentAdminPatterns(guardrail: Guardrail): string[] {
  return [...guardrailAdminPatterns(guardrail), stackSetsExecRolePattern(guardrail.partition)];
}

const anyRegion = (partition: string, service: string, resource: string) =>
  formatArn({ partition, service, region: "*", account: "*", resource });

/**
 * The Athena backend's workgroup, Glue database and table (named in the config) and results bucket
 * (by its name prefix), when that backend is configured.
 */
function athenaResources(guardrail: Guardrail): string[] {
  const { partition, config } = guardrail;
  if (config.monitor.backend !== "athena") return [];
  const { workgroup, database, table } = config.monitor.athena;
  return [
    anyRegion(partition, "athena", `workgroup/${workgroup}`),
    anyRegion(partition, "glue", `database/${database}`),
    anyRegion(partition, "glue", `table/${database}/${table}`),
    formatArn({ partition, service: "s3", resource: `${ATHENA_RESULTS_BUCKET_PREFIX}*` }),
  ];
}

/**
 * The second statement: the tool's roles (every role on its path, and their tags), the real-time path's
 * rules (the central rule, and the forwarding rules StackSets deploys in member accounts) and central bus, the
 * job's schedule, the dead-letter queue, the alert topic's subscriptions, the functions' log groups and, with the
 * Athena backend, its workgroup, table and results bucket. All by name: the log groups' and the bucket's tags cannot
 * protect them (CloudWatch Logs does not evaluate tag conditions on its legacy tagging calls, so the
 * tag could be removed first; S3 evaluates bucket tags only where ABAC is enabled on the bucket).
 * Break-glass, the admins and the StackSets execution role may change them.
 */
function buildProtectDeploymentStatement(guardrail: Guardrail): ScpStatement {
  const { partition } = guardrail;
  const athena = athenaResources(guardrail);
  return {
    Sid: SID.protectDeployment,
    Effect: "Deny",
    Action: [
      ...ROLE_TAKEOVER_ACTIONS,
      ...TOOL_ROLE_TAG_ACTIONS,
      ...EVENT_RULE_TAMPER_ACTIONS,
      ...EVENT_BUS_TAMPER_ACTIONS,
      ...SCHEDULE_TAMPER_ACTIONS,
      ...DEAD_LETTER_TAMPER_ACTIONS,
      ...ALERT_SUBSCRIPTION_TAMPER_ACTIONS,
      ...LOG_GROUP_TAMPER_ACTIONS,
      ...(athena.length > 0 ? ATHENA_TAMPER_ACTIONS : []),
    ],
    Resource: [
      toolRolePathPattern(partition),
      // rule/<name> on a default bus, rule/<bus>/<name> on the central bus: the wildcard spans the bus.
      anyRegion(partition, "events", `rule/*${RESOURCE_PREFIX}-*`),
      anyRegion(partition, "events", `event-bus/${guardrail.config.monitor.eventbridge.centralBusName}`),
      anyRegion(partition, "scheduler", `schedule/*/${RESOURCE_PREFIX}-*`),
      anyRegion(partition, "sqs", DEAD_LETTER_QUEUE_NAME),
      // The alert topic and its subscriptions (arn:...:<topic>:<subscription id>).
      anyRegion(partition, "sns", `${ALERT_TOPIC_NAME}*`),
      // The group's ARN and its streams' (log-group:<name>:log-stream:<stream>).
      anyRegion(partition, "logs", `log-group:${functionLogGroupName(RESOURCE_PREFIX)}-*`),
      ...athena,
    ],
    Condition: { ArnNotLike: { "aws:PrincipalArn": deploymentAdminPatterns(guardrail) } },
  };
}

/** ProtectExemptedPrincipals and ProtectGuardrailDeployment, when scp.protectExemptedPrincipals is on. */
export function buildProtectExemptedStatements(guardrail: Guardrail): ScpStatement[] {
  if (!guardrail.config.scp.protectExemptedPrincipals) return [];
  return [buildProtectExemptedStatement(guardrail), buildProtectDeploymentStatement(guardrail)];
}

function buildProtectExemptedStatement(guardrail: Guardrail): ScpStatement {
  const { roles, users } = protectedPrincipalPatterns(guardrail);
  const admins = guardrailAdminPatterns(guardrail);
  // Each action authorizes on one resource type (role, user, saml-provider, function), so one
  // statement can hold all four lists.
  const samlProviders = protectedSamlProviderPatterns(guardrail);
  const actions = [
    ...ROLE_TAKEOVER_ACTIONS,
    ...(users.length > 0 ? USER_TAKEOVER_ACTIONS : []),
    ...(samlProviders.length > 0 ? SAML_PROVIDER_TAKEOVER_ACTIONS : []),
    ...FUNCTION_TAKEOVER_ACTIONS,
  ];
  return {
    Sid: PROTECT_EXEMPTED_SID,
    Effect: "Deny",
    Action: actions,
    Resource: [
      ...new Set([
        ...roles,
        stackSetsExecRolePattern(guardrail.partition),
        ...users,
        ...samlProviders,
        toolFunctionPattern(guardrail.partition),
      ]),
    ],
    // Without break-glass or admins nobody may make these calls: the statement has no condition.
    ...(admins.length > 0 ? { Condition: { ArnNotLike: { "aws:PrincipalArn": admins } } } : {}),
  };
}
