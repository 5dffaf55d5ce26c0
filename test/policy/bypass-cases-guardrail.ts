/**
 * The hostile-organization walk-arounds, as data like bypass-cases.ts: switching the guardrail off
 * (leaving the organization, changing its SCPs, StackSets taking over the approved roles), other
 * ways to model capacity (Marketplace endpoints, custom models, service-linked roles, Roles Anywhere,
 * Claude Platform on AWS), and silencing the monitor or forging its input. Each attack sits beside
 * the legitimate call that must stay allowed.
 */
import type { GuardrailConfigInput } from "../../src/config/schema";
import {
  ADMIN,
  APPROVED,
  BREAK_GLASS,
  type Case,
  DEVELOPER,
  LISTED_CUSTOM_MODEL,
  MEMBER,
  MEMBER_ROLE,
  SECURITY,
  SECURITY_ADMIN,
  UNLISTED_CUSTOM_MODEL,
  WITH_ADMIN,
} from "./bypass-cases";
import { ORGANIZATION_ESCAPE_ACTIONS } from "../support/denied-actions";
import type { SimulatedRequest } from "./simulator";

const STACKSETS = `arn:aws:iam::${MEMBER}:role/stacksets-exec-0123456789abcdef0123456789abcdef`;
const MEMBER_ADMIN = `arn:aws:iam::${MEMBER}:role/Admin`;
const QUERY_JOB_ROLE = `arn:aws:iam::${SECURITY}:role/bedrock-guardrail/bedrock-guardrail-query-job`;
const SCHEDULER_ROLE = `arn:aws:iam::${SECURITY}:role/bedrock-guardrail/bedrock-guardrail-scheduler`;
const SCP = "arn:aws:organizations::999988887777:policy/o-a1b2c3d4e5/service_control_policy/p-a1b2c3d4";
const ROOT = "arn:aws:organizations::999988887777:root/o-a1b2c3d4e5/r-a1b2";
const at = (service: string, resource: string, account = SECURITY) =>
  `arn:aws:${service}:us-east-1:${account}:${resource}`;
const TAGGED = { "aws:ResourceTag/managed-by": ["bedrock-guardrail"] };
/** The tool's tag in a request (creating or tagging), and another tool's value of the same common key. */
const TOOL_TAG = { "aws:TagKeys": ["managed-by"], "aws:RequestTag/managed-by": ["bedrock-guardrail"] };
const TERRAFORM_TAG = { "aws:TagKeys": ["managed-by", "env"], "aws:RequestTag/managed-by": ["terraform"] };
const TERRAFORM = `arn:aws:iam::${MEMBER}:role/terraform-deployer`;
const tagged = (action: string, resource: string): SimulatedRequest => ({ action, resource, context: TAGGED });
/** The tool's role tags are the guardrail's protection (scp.protectGuardrail), not the exempted principals'. */
const EXEMPTED_UNPROTECTED: GuardrailConfigInput = {
  ...WITH_ADMIN,
  scp: { ...WITH_ADMIN.scp, protectExemptedPrincipals: false },
};
const UNPROTECTED: GuardrailConfigInput = {
  ...WITH_ADMIN,
  scp: { ...WITH_ADMIN.scp, protectExemptedPrincipals: false, protectGuardrail: false },
};
const CLAUDE_ALLOWED: GuardrailConfigInput = { ...WITH_ADMIN, scp: { ...WITH_ADMIN.scp, allowClaudePlatform: true } };

const req = (action: string, resource = "*", context?: Record<string, string[]>): SimulatedRequest => ({
  action,
  resource,
  ...(context ? { context } : {}),
});

/** Where each hand-written escape action is authorized, and the request context it carries. */
const ESCAPE_REQUESTS: Record<string, SimulatedRequest> = {
  "organizations:LeaveOrganization": req("organizations:LeaveOrganization"),
  "organizations:DisablePolicyType": req("organizations:DisablePolicyType", ROOT, {
    "organizations:PolicyType": ["SERVICE_CONTROL_POLICY"],
  }),
};

/** Each escape action: denied to a member admin and a delegated admin, allowed to break-glass and the admins. */
const ESCAPES: Case[] = ORGANIZATION_ESCAPE_ACTIONS.flatMap((action): Case[] => [
  [`a member admin: ${action}`, WITH_ADMIN, MEMBER_ADMIN, ESCAPE_REQUESTS[action], "deny"],
  [`a delegated admin: ${action}`, WITH_ADMIN, SECURITY_ADMIN, ESCAPE_REQUESTS[action], "deny"],
  [`break-glass: ${action}`, WITH_ADMIN, BREAK_GLASS, ESCAPE_REQUESTS[action], "allow"],
  [`the pipeline (listed admin): ${action}`, WITH_ADMIN, ADMIN, ESCAPE_REQUESTS[action], "allow"],
]);

/** Leaving the organization or switching SCPs off, the guardrail's own SCPs, and StackSets. */
const SWITCH_OFF: Case[] = [
  ...ESCAPES,
  [
    "a delegated admin updating the guardrail's SCP",
    WITH_ADMIN,
    SECURITY_ADMIN,
    tagged("organizations:UpdatePolicy", SCP),
    "deny",
  ],
  [
    "a delegated admin detaching the guardrail's SCP",
    WITH_ADMIN,
    SECURITY_ADMIN,
    tagged("organizations:DetachPolicy", SCP),
    "deny",
  ],
  [
    "a delegated admin deleting the guardrail's SCP",
    WITH_ADMIN,
    SECURITY_ADMIN,
    tagged("organizations:DeletePolicy", SCP),
    "deny",
  ],
  [
    "a delegated admin removing the SCP's tag",
    WITH_ADMIN,
    SECURITY_ADMIN,
    tagged("organizations:UntagResource", SCP),
    "deny",
  ],
  [
    "the pipeline (listed admin) updating the guardrail's SCP",
    WITH_ADMIN,
    ADMIN,
    tagged("organizations:UpdatePolicy", SCP),
    "allow",
  ],
  ["the pipeline detaching the guardrail's SCP", WITH_ADMIN, ADMIN, tagged("organizations:DetachPolicy", SCP), "allow"],
  [
    "a delegated admin updating another SCP",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("organizations:UpdatePolicy", SCP),
    "allow",
  ],
  [
    "StackSets re-trusting an approved role",
    WITH_ADMIN,
    STACKSETS,
    req("iam:UpdateAssumeRolePolicy", APPROVED),
    "deny",
  ],
  ["StackSets creating an approved role", WITH_ADMIN, STACKSETS, req("iam:CreateRole", APPROVED), "deny"],
  ["StackSets passing the break-glass role", WITH_ADMIN, STACKSETS, req("iam:PassRole", BREAK_GLASS), "deny"],
  ["StackSets creating the member role", WITH_ADMIN, STACKSETS, req("iam:CreateRole", MEMBER_ROLE), "allow"],
  [
    "StackSets tagging the member role",
    WITH_ADMIN,
    STACKSETS,
    req("iam:TagRole", MEMBER_ROLE, { ...TOOL_TAG, ...TAGGED }),
    "allow",
  ],
  [
    "StackSets removing a tag from the member role",
    WITH_ADMIN,
    STACKSETS,
    req("iam:UntagRole", MEMBER_ROLE, { "aws:TagKeys": ["team"], ...TAGGED }),
    "allow",
  ],
  [
    "StackSets creating a member forwarding rule",
    WITH_ADMIN,
    STACKSETS,
    req("events:PutRule", at("events", "rule/bedrock-guardrail-forward-org", MEMBER)),
    "allow",
  ],
];

/** Marketplace endpoints, custom models, service-linked roles, Roles Anywhere, Claude Platform on AWS. */
const OTHER_CAPACITY: Case[] = [
  ["a Marketplace model endpoint", WITH_ADMIN, DEVELOPER, req("bedrock:CreateMarketplaceModelEndpoint"), "deny"],
  [
    "resizing a Marketplace model endpoint",
    WITH_ADMIN,
    DEVELOPER,
    req("bedrock:UpdateMarketplaceModelEndpoint", at("bedrock", "marketplace/model-endpoint/all-access", MEMBER)),
    "deny",
  ],
  [
    "a Marketplace model endpoint, approved role",
    WITH_ADMIN,
    APPROVED,
    req("bedrock:CreateMarketplaceModelEndpoint"),
    "allow",
  ],
  [
    "the SageMaker endpoint Bedrock creates as the caller",
    WITH_ADMIN,
    DEVELOPER,
    req("sagemaker:CreateEndpoint", at("sagemaker", "endpoint/mp-model", MEMBER), {
      "aws:CalledViaLast": ["bedrock.amazonaws.com"],
    }),
    "deny",
  ],
  [
    "a SageMaker endpoint of one's own",
    WITH_ADMIN,
    DEVELOPER,
    req("sagemaker:CreateEndpoint", at("sagemaker", "endpoint/mine", MEMBER)),
    "allow",
  ],
  [
    "throughput for a custom model of a listed base",
    WITH_ADMIN,
    DEVELOPER,
    req("bedrock:CreateProvisionedModelThroughput", LISTED_CUSTOM_MODEL),
    "allow",
  ],
  [
    "throughput for a custom model of an unlisted base",
    WITH_ADMIN,
    DEVELOPER,
    req("bedrock:CreateProvisionedModelThroughput", UNLISTED_CUSTOM_MODEL),
    "deny",
  ],
  [
    "a Lex V2 bot's service-linked role",
    WITH_ADMIN,
    DEVELOPER,
    req(
      "iam:CreateServiceLinkedRole",
      `arn:aws:iam::${MEMBER}:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_x`,
      { "iam:AWSServiceName": ["lexv2.amazonaws.com"] },
    ),
    "deny",
  ],
  [
    "a Lex V2 bot's service-linked role, approved role",
    WITH_ADMIN,
    APPROVED,
    req(
      "iam:CreateServiceLinkedRole",
      `arn:aws:iam::${MEMBER}:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_x`,
      { "iam:AWSServiceName": ["lexv2.amazonaws.com"] },
    ),
    "allow",
  ],
  [
    "another service's service-linked role",
    WITH_ADMIN,
    DEVELOPER,
    req(
      "iam:CreateServiceLinkedRole",
      `arn:aws:iam::${MEMBER}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForELB`,
      { "iam:AWSServiceName": ["elasticloadbalancing.amazonaws.com"] },
    ),
    "allow",
  ],
  ["a Roles Anywhere profile", WITH_ADMIN, MEMBER_ADMIN, req("rolesanywhere:CreateProfile"), "deny"],
  [
    "re-pointing a Roles Anywhere profile",
    WITH_ADMIN,
    MEMBER_ADMIN,
    req("rolesanywhere:UpdateProfile", at("rolesanywhere", "profile/a1b2c3d4-1234-5678-9abc-def012345678", MEMBER)),
    "deny",
  ],
  ["a Roles Anywhere profile, listed admin", WITH_ADMIN, ADMIN, req("rolesanywhere:CreateProfile"), "allow"],
  [
    "Claude Platform inference",
    WITH_ADMIN,
    DEVELOPER,
    req("aws-external-anthropic:CreateInference", at("aws-external-anthropic", "workspace/default", MEMBER)),
    "deny",
  ],
  [
    "Claude Platform inference, approved role",
    WITH_ADMIN,
    APPROVED,
    req("aws-external-anthropic:CreateInference", at("aws-external-anthropic", "workspace/default", MEMBER)),
    "allow",
  ],
  [
    "Claude Platform inference, allowed by config",
    CLAUDE_ALLOWED,
    DEVELOPER,
    req("aws-external-anthropic:CreateInference", at("aws-external-anthropic", "workspace/default", MEMBER)),
    "allow",
  ],
  [
    "Claude Platform with a long-term key, allowed by config",
    CLAUDE_ALLOWED,
    DEVELOPER,
    req("aws-external-anthropic:CallWithBearerToken", "*", { "aws-external-anthropic:BearerTokenType": ["LONG_TERM"] }),
    "deny",
  ],
  [
    "Claude Platform with a short-term key, allowed by config",
    CLAUDE_ALLOWED,
    DEVELOPER,
    req("aws-external-anthropic:CallWithBearerToken", "*", {
      "aws-external-anthropic:BearerTokenType": ["SHORT_TERM"],
    }),
    "allow",
  ],
];

/** The monitor: forged input, suppressed state, silenced alerts, faked heartbeat, tags. */
const SILENCING: Case[] = [
  [
    "a security admin invoking the realtime function (forged event)",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("lambda:InvokeFunction", at("lambda", "function:bedrock-guardrail-realtime")),
    "deny",
  ],
  [
    "the pipeline invoking the realtime function",
    WITH_ADMIN,
    ADMIN,
    req("lambda:InvokeFunction", at("lambda", "function:bedrock-guardrail-realtime")),
    "deny",
  ],
  [
    "a security admin replacing the realtime function's resource policy (another account invokes it)",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("lambda:PutResourcePolicy", at("lambda", "function:bedrock-guardrail-realtime")),
    "deny",
  ],
  [
    "a security admin deleting the realtime function's resource policy (EventBridge no longer may)",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("lambda:DeleteResourcePolicy", at("lambda", "function:bedrock-guardrail-realtime")),
    "deny",
  ],
  [
    "the pipeline replacing the realtime function's resource policy",
    WITH_ADMIN,
    ADMIN,
    req("lambda:PutResourcePolicy", at("lambda", "function:bedrock-guardrail-realtime")),
    "allow",
  ],
  [
    "another team's function's resource policy",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("lambda:PutResourcePolicy", at("lambda", "function:orders-api")),
    "allow",
  ],
  [
    "the scheduler invoking the job",
    WITH_ADMIN,
    SCHEDULER_ROLE,
    req("lambda:InvokeFunction", at("lambda", "function:bedrock-guardrail-query-job")),
    "allow",
  ],
  [
    "a security admin pre-claiming an event id",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("dynamodb:PutItem", at("dynamodb", "table/bedrock-guardrail-state")),
    "deny",
  ],
  [
    "the pipeline (who may change the SCP) writing the drift fingerprint",
    WITH_ADMIN,
    ADMIN,
    req("dynamodb:PutItem", at("dynamodb", "table/bedrock-guardrail-state")),
    "deny",
  ],
  [
    "a security admin letting another account write the state table (its resource policy)",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("dynamodb:PutResourcePolicy", at("dynamodb", "table/bedrock-guardrail-state")),
    "deny",
  ],
  [
    "the pipeline (who may change the SCP) letting another account write the state table",
    WITH_ADMIN,
    ADMIN,
    req("dynamodb:PutResourcePolicy", at("dynamodb", "table/bedrock-guardrail-state")),
    "deny",
  ],
  [
    "another team's table's resource policy",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("dynamodb:PutResourcePolicy", at("dynamodb", "table/orders")),
    "allow",
  ],
  [
    "the job writing its state",
    WITH_ADMIN,
    QUERY_JOB_ROLE,
    req("dynamodb:PutItem", at("dynamodb", "table/bedrock-guardrail-state")),
    "allow",
  ],
  [
    "a security admin faking the heartbeat",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": ["BedrockGuardrail"] }),
    "deny",
  ],
  [
    "the job publishing its heartbeat",
    WITH_ADMIN,
    QUERY_JOB_ROLE,
    req("cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": ["BedrockGuardrail"] }),
    "allow",
  ],
  [
    "an application's own metrics",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": ["MyApp"] }),
    "allow",
  ],
  [
    "deleting the job's schedule",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("scheduler:DeleteSchedule", at("scheduler", "schedule/default/bedrock-guardrail-query-job")),
    "deny",
  ],
  [
    "the pipeline updating the job's schedule",
    WITH_ADMIN,
    ADMIN,
    req("scheduler:UpdateSchedule", at("scheduler", "schedule/default/bedrock-guardrail-query-job")),
    "allow",
  ],
  [
    "stopping the event data store's ingestion",
    WITH_ADMIN,
    SECURITY_ADMIN,
    tagged(
      "cloudtrail:StopEventDataStoreIngestion",
      at("cloudtrail", "eventdatastore/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"),
    ),
    "deny",
  ],
  [
    "re-pointing the alert topic",
    WITH_ADMIN,
    SECURITY_ADMIN,
    tagged("sns:SetTopicAttributes", at("sns", "bedrock-guardrail-alerts")),
    "deny",
  ],
  [
    "removing the alert topic's tag",
    WITH_ADMIN,
    SECURITY_ADMIN,
    tagged("sns:UntagResource", at("sns", "bedrock-guardrail-alerts")),
    "deny",
  ],
  [
    "disabling the alarms' actions",
    WITH_ADMIN,
    SECURITY_ADMIN,
    tagged("cloudwatch:DisableAlarmActions", at("cloudwatch", "alarm:bedrock-guardrail-query-job-no-successful-run")),
    "deny",
  ],
  [
    "muting the alarms' actions with a mute rule",
    WITH_ADMIN,
    SECURITY_ADMIN,
    tagged("cloudwatch:PutAlarmMuteRule", at("cloudwatch", "alarm:bedrock-guardrail-query-job-no-successful-run")),
    "deny",
  ],
  [
    "the pipeline muting the alarms for a maintenance window",
    WITH_ADMIN,
    ADMIN,
    tagged("cloudwatch:PutAlarmMuteRule", at("cloudwatch", "alarm:bedrock-guardrail-query-job-no-successful-run")),
    "allow",
  ],
  [
    "muting another team's alarm",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("cloudwatch:PutAlarmMuteRule", at("cloudwatch", "alarm:orders-api-errors")),
    "allow",
  ],
  [
    "forcing an alarm to OK",
    WITH_ADMIN,
    SECURITY_ADMIN,
    tagged("cloudwatch:SetAlarmState", at("cloudwatch", "alarm:bedrock-guardrail-query-job-no-successful-run")),
    "deny",
  ],
  [
    "disabling the central rule",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("events:DisableRule", at("events", "rule/bedrock-guardrail/bedrock-guardrail-realtime")),
    "deny",
  ],
  [
    "removing the function from a later part of the central rules",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("events:RemoveTargets", at("events", "rule/bedrock-guardrail/bedrock-guardrail-realtime-2")),
    "deny",
  ],
  [
    "the pipeline updating the central rule",
    WITH_ADMIN,
    ADMIN,
    req("events:PutRule", at("events", "rule/bedrock-guardrail/bedrock-guardrail-realtime")),
    "allow",
  ],
  [
    "the pipeline updating a later part of the central rules",
    WITH_ADMIN,
    ADMIN,
    req("events:PutTargets", at("events", "rule/bedrock-guardrail/bedrock-guardrail-realtime-3")),
    "allow",
  ],
  [
    "StackSets creating a later part of a member's forwarding rules",
    WITH_ADMIN,
    STACKSETS,
    req("events:PutRule", at("events", "rule/bedrock-guardrail-forward-org-2", MEMBER)),
    "allow",
  ],
  [
    "disabling the alert key",
    WITH_ADMIN,
    SECURITY_ADMIN,
    tagged("kms:DisableKey", at("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab")),
    "deny",
  ],
  [
    "scheduling the alert key's deletion",
    WITH_ADMIN,
    SECURITY_ADMIN,
    tagged("kms:ScheduleKeyDeletion", at("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab")),
    "deny",
  ],
  [
    "rewriting the alert key's policy",
    WITH_ADMIN,
    SECURITY_ADMIN,
    tagged("kms:PutKeyPolicy", at("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab")),
    "deny",
  ],
  [
    "the pipeline rewriting the alert key's policy",
    WITH_ADMIN,
    ADMIN,
    tagged("kms:PutKeyPolicy", at("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab")),
    "allow",
  ],
  [
    "disabling someone else's key",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("kms:DisableKey", at("kms", "key/9999abcd-12ab-34cd-56ef-1234567890ab")),
    "allow",
  ],
  [
    "a member admin disabling the forwarding rule",
    WITH_ADMIN,
    MEMBER_ADMIN,
    req("events:DisableRule", at("events", "rule/bedrock-guardrail-forward-org", MEMBER)),
    "deny",
  ],
  [
    "a member admin deleting the forwarding rule",
    WITH_ADMIN,
    MEMBER_ADMIN,
    req("events:DeleteRule", at("events", "rule/bedrock-guardrail-forward-org", MEMBER)),
    "deny",
  ],
  [
    "a member admin removing the target of a later part of the forwarding rules (the pattern split for its quota)",
    WITH_ADMIN,
    MEMBER_ADMIN,
    req("events:RemoveTargets", at("events", "rule/bedrock-guardrail-forward-org-3", MEMBER)),
    "deny",
  ],
  [
    "a member admin's own rule",
    WITH_ADMIN,
    MEMBER_ADMIN,
    req("events:DisableRule", at("events", "rule/nightly-report", MEMBER)),
    "allow",
  ],
  [
    "putting the tool's tag on one's own role",
    WITH_ADMIN,
    MEMBER_ADMIN,
    req("iam:TagRole", DEVELOPER, TOOL_TAG),
    "deny",
  ],
  [
    "creating a role with the tool's tag",
    WITH_ADMIN,
    MEMBER_ADMIN,
    req("iam:CreateRole", `arn:aws:iam::${MEMBER}:role/Fake`, TOOL_TAG),
    "deny",
  ],
  [
    "creating a role with the tool's tag in other letter case",
    WITH_ADMIN,
    MEMBER_ADMIN,
    req("iam:CreateRole", `arn:aws:iam::${MEMBER}:role/Fake`, {
      "aws:TagKeys": ["Managed-By"],
      "aws:RequestTag/Managed-By": ["Bedrock-Guardrail"],
    }),
    "deny",
  ],
  [
    "creating a user with the tool's tag",
    WITH_ADMIN,
    MEMBER_ADMIN,
    req("iam:CreateUser", `arn:aws:iam::${MEMBER}:user/fake`, TOOL_TAG),
    "deny",
  ],
  [
    "passing the tool's tag as a session tag",
    WITH_ADMIN,
    DEVELOPER,
    req("sts:TagSession", MEMBER_ADMIN, TOOL_TAG),
    "deny",
  ],
  [
    "a pipeline creating a role tagged managed-by=terraform",
    WITH_ADMIN,
    TERRAFORM,
    req("iam:CreateRole", `arn:aws:iam::${MEMBER}:role/app-lambda-role`, TERRAFORM_TAG),
    "allow",
  ],
  [
    "a pipeline creating a user tagged managed-by=terraform",
    WITH_ADMIN,
    TERRAFORM,
    req("iam:CreateUser", `arn:aws:iam::${MEMBER}:user/svc-reporting`, TERRAFORM_TAG),
    "allow",
  ],
  [
    "a pipeline re-tagging its own role managed-by=terraform",
    WITH_ADMIN,
    TERRAFORM,
    req("iam:TagRole", `arn:aws:iam::${MEMBER}:role/app-lambda-role`, TERRAFORM_TAG),
    "allow",
  ],
  [
    "a session tagged managed-by=terraform",
    WITH_ADMIN,
    TERRAFORM,
    req("sts:TagSession", MEMBER_ADMIN, TERRAFORM_TAG),
    "allow",
  ],
  [
    "removing the tool's tag from the member role",
    WITH_ADMIN,
    MEMBER_ADMIN,
    req("iam:UntagRole", MEMBER_ROLE, { "aws:TagKeys": ["managed-by"], ...TAGGED }),
    "deny",
  ],
  [
    "re-valuing the tool's tag on the member role",
    WITH_ADMIN,
    MEMBER_ADMIN,
    req("iam:TagRole", MEMBER_ROLE, { ...TERRAFORM_TAG, ...TAGGED }),
    "deny",
  ],
  [
    "removing the tool's tag from the query-job role",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("iam:UntagRole", QUERY_JOB_ROLE, { "aws:TagKeys": ["managed-by"], ...TAGGED }),
    "deny",
  ],
  [
    "removing the tool's tag from the member role, exempted principals unprotected",
    EXEMPTED_UNPROTECTED,
    MEMBER_ADMIN,
    req("iam:UntagRole", MEMBER_ROLE, { "aws:TagKeys": ["managed-by"], ...TAGGED }),
    "deny",
  ],
  [
    "re-valuing the tool's tag on the member role, exempted principals unprotected",
    EXEMPTED_UNPROTECTED,
    MEMBER_ADMIN,
    req("iam:TagRole", MEMBER_ROLE, { ...TERRAFORM_TAG, ...TAGGED }),
    "deny",
  ],
  [
    "removing the tool's tag from the query-job role, exempted principals unprotected",
    EXEMPTED_UNPROTECTED,
    SECURITY_ADMIN,
    req("iam:UntagRole", QUERY_JOB_ROLE, { "aws:TagKeys": ["managed-by"], ...TAGGED }),
    "deny",
  ],
  [
    "StackSets re-tagging the member role, exempted principals unprotected",
    EXEMPTED_UNPROTECTED,
    STACKSETS,
    req("iam:TagRole", MEMBER_ROLE, { ...TOOL_TAG, ...TAGGED }),
    "allow",
  ],
  [
    "a listed admin removing a tag from the query-job role, exempted principals unprotected",
    EXEMPTED_UNPROTECTED,
    ADMIN,
    req("iam:UntagRole", QUERY_JOB_ROLE, { "aws:TagKeys": ["managed-by"], ...TAGGED }),
    "allow",
  ],
  [
    "removing the tool's tag from the member role, guardrail unprotected",
    UNPROTECTED,
    MEMBER_ADMIN,
    req("iam:UntagRole", MEMBER_ROLE, { "aws:TagKeys": ["managed-by"], ...TAGGED }),
    "allow",
  ],
  [
    "removing a managed-by=terraform tag from an app role",
    WITH_ADMIN,
    TERRAFORM,
    req("iam:UntagRole", `arn:aws:iam::${MEMBER}:role/app-lambda-role`, {
      "aws:TagKeys": ["managed-by"],
      "aws:ResourceTag/managed-by": ["terraform"],
    }),
    "allow",
  ],
  [
    "tagging one's own role otherwise",
    WITH_ADMIN,
    MEMBER_ADMIN,
    req("iam:TagRole", DEVELOPER, { "aws:TagKeys": ["team"] }),
    "allow",
  ],
  [
    "a look-alike role on the tool's path",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("iam:CreateRole", `arn:aws:iam::${SECURITY}:role/bedrock-guardrail/QueryJobHelper`),
    "deny",
  ],
];

const REALTIME_ROLE = `arn:aws:iam::${SECURITY}:role/bedrock-guardrail/bedrock-guardrail-realtime`;
const DLQ = at("sqs", "bedrock-guardrail-dead-letters");
const JOB_LOGS = at("logs", "log-group:/aws/lambda/bedrock-guardrail-query-job");
const RESPONDER_STREAM = at("logs", "log-group:/aws/lambda/bedrock-guardrail-realtime:log-stream:2026/12/06/abc");
const ALERT_TOPIC = at("sns", "bedrock-guardrail-alerts");
const ALERT_SUBSCRIPTION = `${ALERT_TOPIC}:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;
const WITH_ATHENA: GuardrailConfigInput = {
  ...WITH_ADMIN,
  monitor: { backend: "athena", athena: { bucket: "org-trail-logs" } },
};
const WORKGROUP = at("athena", "workgroup/bedrock-guardrail");
const GLUE_TABLE = at("glue", "table/bedrock_guardrail/cloudtrail");
const RESULTS_BUCKET = "arn:aws:s3:::bedrock-guardrail-athena-results-20261206000000000000000001";

/**
 * The dead-letter queue, the alert subscriptions and the functions' log groups: hiding failed deliveries,
 * silencing the alerts, erasing the responder's trail.
 */
const HIDING: Case[] = [
  ["a security admin purging the dead-letter queue", WITH_ADMIN, SECURITY_ADMIN, req("sqs:PurgeQueue", DLQ), "deny"],
  ["the job's own role purging the dead-letter queue", WITH_ADMIN, QUERY_JOB_ROLE, req("sqs:PurgeQueue", DLQ), "deny"],
  ["deleting the dead-letter queue", WITH_ADMIN, SECURITY_ADMIN, req("sqs:DeleteQueue", DLQ), "deny"],
  ["rewriting the dead-letter queue's policy", WITH_ADMIN, SECURITY_ADMIN, req("sqs:SetQueueAttributes", DLQ), "deny"],
  ["granting another account the dead-letter queue", WITH_ADMIN, SECURITY_ADMIN, req("sqs:AddPermission", DLQ), "deny"],
  ["receiving (hiding) a dead letter", WITH_ADMIN, SECURITY_ADMIN, req("sqs:ReceiveMessage", DLQ), "deny"],
  ["redriving the dead letters away", WITH_ADMIN, SECURITY_ADMIN, req("sqs:StartMessageMoveTask", DLQ), "deny"],
  ["the pipeline changing the dead-letter queue", WITH_ADMIN, ADMIN, req("sqs:SetQueueAttributes", DLQ), "allow"],
  ["break-glass reading the dead letters", WITH_ADMIN, BREAK_GLASS, req("sqs:ReceiveMessage", DLQ), "allow"],
  ["the job dead-lettering a failed run", WITH_ADMIN, QUERY_JOB_ROLE, req("sqs:SendMessage", DLQ), "allow"],
  ["the scheduler dead-lettering a failed run", WITH_ADMIN, SCHEDULER_ROLE, req("sqs:SendMessage", DLQ), "allow"],
  [
    "purging an application's own queue",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("sqs:PurgeQueue", at("sqs", "orders")),
    "allow",
  ],
  // A filter policy that matches nothing: the address stays subscribed (no subscription-missing) and gets nothing.
  [
    "filtering an alert subscription to nothing (on the topic)",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("sns:SetSubscriptionAttributes", ALERT_TOPIC),
    "deny",
  ],
  [
    "filtering an alert subscription to nothing (on the subscription)",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("sns:SetSubscriptionAttributes", ALERT_SUBSCRIPTION),
    "deny",
  ],
  [
    "removing an alert subscription confirmed with authentication",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("sns:Unsubscribe", ALERT_SUBSCRIPTION),
    "deny",
  ],
  [
    "a member admin filtering the alert subscription",
    WITH_ADMIN,
    MEMBER_ADMIN,
    req("sns:SetSubscriptionAttributes", ALERT_TOPIC),
    "deny",
  ],
  [
    "the pipeline changing an alert subscription",
    WITH_ADMIN,
    ADMIN,
    req("sns:SetSubscriptionAttributes", ALERT_SUBSCRIPTION),
    "allow",
  ],
  [
    "the pipeline removing an alert subscription",
    WITH_ADMIN,
    ADMIN,
    req("sns:Unsubscribe", ALERT_SUBSCRIPTION),
    "allow",
  ],
  [
    "break-glass changing an alert subscription",
    WITH_ADMIN,
    BREAK_GLASS,
    req("sns:SetSubscriptionAttributes", ALERT_TOPIC),
    "allow",
  ],
  [
    "an application's own subscription",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("sns:SetSubscriptionAttributes", at("sns", "orders-events:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b")),
    "allow",
  ],
  ["deleting the job's log group", WITH_ADMIN, SECURITY_ADMIN, req("logs:DeleteLogGroup", JOB_LOGS), "deny"],
  [
    "one day of retention on the job's logs",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("logs:PutRetentionPolicy", JOB_LOGS),
    "deny",
  ],
  [
    "deleting the responder's log stream",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("logs:DeleteLogStream", RESPONDER_STREAM),
    "deny",
  ],
  [
    "encrypting the job's logs with one's own key",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("logs:AssociateKmsKey", JOB_LOGS),
    "deny",
  ],
  ["the pipeline setting the logs' retention", WITH_ADMIN, ADMIN, req("logs:PutRetentionPolicy", JOB_LOGS), "allow"],
  ["the responder writing its log", WITH_ADMIN, REALTIME_ROLE, req("logs:PutLogEvents", RESPONDER_STREAM), "allow"],
  [
    "the job starting its log stream",
    WITH_ADMIN,
    QUERY_JOB_ROLE,
    req("logs:CreateLogStream", `${JOB_LOGS}:log-stream:2026/12/06/def`),
    "allow",
  ],
  [
    "an application's own log retention",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("logs:PutRetentionPolicy", at("logs", "log-group:/aws/lambda/orders")),
    "allow",
  ],
];

/** The Athena backend: the workgroup, the table the job queries, the results bucket. */
const ATHENA: Case[] = [
  [
    "re-pointing the workgroup's results",
    WITH_ATHENA,
    SECURITY_ADMIN,
    req("athena:UpdateWorkGroup", WORKGROUP),
    "deny",
  ],
  ["deleting the workgroup", WITH_ATHENA, SECURITY_ADMIN, req("athena:DeleteWorkGroup", WORKGROUP), "deny"],
  ["moving the table to other files", WITH_ATHENA, SECURITY_ADMIN, req("glue:UpdateTable", GLUE_TABLE), "deny"],
  ["deleting the table", WITH_ATHENA, SECURITY_ADMIN, req("glue:DeleteTable", GLUE_TABLE), "deny"],
  [
    "deleting the database",
    WITH_ATHENA,
    SECURITY_ADMIN,
    req("glue:DeleteDatabase", at("glue", "database/bedrock_guardrail")),
    "deny",
  ],
  [
    "rewriting the results bucket's policy",
    WITH_ATHENA,
    SECURITY_ADMIN,
    req("s3:PutBucketPolicy", RESULTS_BUCKET),
    "deny",
  ],
  ["the pipeline updating the table's projection", WITH_ATHENA, ADMIN, req("glue:UpdateTable", GLUE_TABLE), "allow"],
  ["the pipeline updating the workgroup", WITH_ATHENA, ADMIN, req("athena:UpdateWorkGroup", WORKGROUP), "allow"],
  [
    "the job querying in its workgroup",
    WITH_ATHENA,
    QUERY_JOB_ROLE,
    req("athena:StartQueryExecution", WORKGROUP),
    "allow",
  ],
  ["the job reading the table", WITH_ATHENA, QUERY_JOB_ROLE, req("glue:GetTable", GLUE_TABLE), "allow"],
  [
    "the job's query writing its results",
    WITH_ATHENA,
    QUERY_JOB_ROLE,
    req("s3:PutObject", `${RESULTS_BUCKET}/results/0123.csv`, { "aws:CalledVia": ["athena.amazonaws.com"] }),
    "allow",
  ],
  [
    "another team's workgroup",
    WITH_ATHENA,
    SECURITY_ADMIN,
    req("athena:UpdateWorkGroup", at("athena", "workgroup/analysts")),
    "allow",
  ],
  [
    "another team's Glue table",
    WITH_ATHENA,
    SECURITY_ADMIN,
    req("glue:UpdateTable", at("glue", "table/analytics/orders")),
    "allow",
  ],
  ["the table's name, Athena not configured", WITH_ADMIN, SECURITY_ADMIN, req("glue:UpdateTable", GLUE_TABLE), "allow"],
];

/** An on-call operator (remediation.operatorPrincipalArns) running undo --table: the responder's items only. */
export const OPERATOR = `arn:aws:iam::${SECURITY}:role/SecurityOnCall`;
export const WITH_OPERATOR: GuardrailConfigInput = {
  ...WITH_ADMIN,
  remediation: { mode: "enforce", operatorPrincipalArns: [OPERATOR] },
};
export const STATE_TABLE = at("dynamodb", "table/bedrock-guardrail-state");
const item = (action: string, pk: string) => req(action, STATE_TABLE, { "dynamodb:LeadingKeys": [pk] });
const OPERATOR_STATE: Case[] = [
  ...[
    "action#ra-1",
    "target#111122223333#deactivate-key#AKIAX",
    "followup#f-1",
    "principal#arn:aws:iam::111122223333:user/a",
  ].flatMap((pk): Case[] => [
    [`an operator's undo putting ${pk}`, WITH_OPERATOR, OPERATOR, item("dynamodb:PutItem", pk), "allow"],
    [`an operator's undo updating ${pk}`, WITH_OPERATOR, OPERATOR, item("dynamodb:UpdateItem", pk), "allow"],
    [`a security admin putting ${pk}`, WITH_OPERATOR, SECURITY_ADMIN, item("dynamodb:PutItem", pk), "deny"],
    [`the pipeline updating ${pk}`, WITH_OPERATOR, ADMIN, item("dynamodb:UpdateItem", pk), "deny"],
  ]),
  ...["job#bedrock-guardrail-query-job", "event#e-1", "seen#0a1b", "alias#second-step-0a1b"].flatMap((pk): Case[] => [
    [`an operator putting the job's ${pk}`, WITH_OPERATOR, OPERATOR, item("dynamodb:PutItem", pk), "deny"],
    [`an operator updating the job's ${pk}`, WITH_OPERATOR, OPERATOR, item("dynamodb:UpdateItem", pk), "deny"],
    [
      `the job putting its ${pk}, operators listed`,
      WITH_OPERATOR,
      QUERY_JOB_ROLE,
      item("dynamodb:PutItem", pk),
      "allow",
    ],
  ]),
  ["an operator deleting an action", WITH_OPERATOR, OPERATOR, item("dynamodb:DeleteItem", "action#ra-1"), "deny"],
  ["an operator's batch write", WITH_OPERATOR, OPERATOR, item("dynamodb:BatchWriteItem", "action#ra-1"), "deny"],
  [
    "an operator invoking the realtime function",
    WITH_OPERATOR,
    OPERATOR,
    req("lambda:InvokeFunction", at("lambda", "function:bedrock-guardrail-realtime")),
    "deny",
  ],
  ["an operator putting an action, none listed", WITH_ADMIN, OPERATOR, item("dynamodb:PutItem", "action#ra-1"), "deny"],
];

/** A rotated-key reader (remediation.rotatedSecretReaders): it decrypts the new access keys of remediated users. */
const READER = `arn:aws:iam::${SECURITY}:role/KeyCustodian`;
const WITH_READER: GuardrailConfigInput = {
  ...WITH_ADMIN,
  remediation: { mode: "enforce", accessKey: "rotate", rotatedSecretReaders: [READER] },
};
/**
 * The member role trusts the operators in every member account, and the readers decrypt rotated keys: whoever
 * re-trusts, re-permissions or passes their roles has the member role's IAM writes everywhere, or the keys.
 */
const TRUSTED_BY_THE_MEMBER_SIDE: Case[] = [
  [
    "a security admin re-trusting the operator's role (the member role in every account)",
    WITH_OPERATOR,
    SECURITY_ADMIN,
    req("iam:UpdateAssumeRolePolicy", OPERATOR),
    "deny",
  ],
  [
    "a security admin giving the operator's role a policy",
    WITH_OPERATOR,
    SECURITY_ADMIN,
    req("iam:PutRolePolicy", OPERATOR),
    "deny",
  ],
  [
    "a security admin passing the operator's role",
    WITH_OPERATOR,
    SECURITY_ADMIN,
    req("iam:PassRole", OPERATOR),
    "deny",
  ],
  [
    "the pipeline re-trusting the operator's role",
    WITH_OPERATOR,
    ADMIN,
    req("iam:UpdateAssumeRolePolicy", OPERATOR),
    "allow",
  ],
  [
    "break-glass re-trusting the operator's role",
    WITH_OPERATOR,
    BREAK_GLASS,
    req("iam:UpdateAssumeRolePolicy", OPERATOR),
    "allow",
  ],
  [
    "re-trusting that role, no operators listed",
    WITH_ADMIN,
    SECURITY_ADMIN,
    req("iam:UpdateAssumeRolePolicy", OPERATOR),
    "allow",
  ],
  [
    "a security admin re-trusting a rotated-key reader",
    WITH_READER,
    SECURITY_ADMIN,
    req("iam:UpdateAssumeRolePolicy", READER),
    "deny",
  ],
  [
    "re-trusting that role, keys deactivated and not rotated",
    { ...WITH_READER, remediation: { ...WITH_READER.remediation, accessKey: "deactivate" } },
    SECURITY_ADMIN,
    req("iam:UpdateAssumeRolePolicy", READER),
    "allow",
  ],
];

export const GUARDRAIL_CASES: Case[] = [
  ...SWITCH_OFF,
  ...OTHER_CAPACITY,
  ...SILENCING,
  ...HIDING,
  ...ATHENA,
  ...OPERATOR_STATE,
  ...TRUSTED_BY_THE_MEMBER_SIDE,
];
