/**
 * The monitor stack and the SCP, from the synthesized stack itself: every call the monitor's roles
 * are granted passes the SCP on the resources the stack creates (which all carry the tool's tag),
 * and every resource the SCP protects by name (the dead-letter queue, the alert topic's subscriptions, the
 * functions' log groups, the Athena workgroup, Glue database and table, the results bucket) is one the stack creates
 * under that name: each tamper action on it is denied to another principal of the security account and
 * allowed to the listed admin (the pipeline that deploys it). And every kind of resource the stack
 * creates is either protected (a representative tampering call is denied by the statement named) or
 * listed as open with the reason, so a new kind of resource cannot arrive unprotected unnoticed.
 */
import { evaluateScp } from "../../src/policy/evaluate";
import {
  ALERT_SUBSCRIPTION_TAMPER_ACTIONS,
  ATHENA_TAMPER_ACTIONS,
  DEAD_LETTER_TAMPER_ACTIONS,
  LOG_GROUP_TAMPER_ACTIONS,
} from "../../src/policy/action-lists";
import { SID } from "../../src/policy/statement-ids";
import { buildScpStatements } from "../../src/policy/statements";
import { guardrailWith, resources, type Synth, synthMonitor } from "./helpers";

const ACCOUNT = "444455556666";
const REGION = "us-east-1";
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/iam-pipeline/IamDeployer`;
const OTHER = `arn:aws:iam::${ACCOUNT}:role/SecurityAccountAdmin`;
const TAGGED = { "aws:ResourceTag/managed-by": ["bedrock-guardrail"] };
const CONFIG = {
  scp: { exemptedPrincipalAdminArns: ["arn:aws:iam::*:role/iam-pipeline/IamDeployer"] },
  monitor: {
    alertEmails: ["security@example.com"],
    backend: "athena" as const,
    athena: { bucket: "org-trail-archive" },
    eventbridge: { enabled: true, regions: [REGION] },
  },
};

const at = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
/** A bucket named by its prefix gets a 26-character unique suffix from S3. */
const bucketArn = (prefix: string) => `arn:aws:s3:::${prefix}20261206000000000000000001`;

/** The concrete ARN of each resource the stack creates, by Terraform address (type.key). */
function concreteArns(s: Synth): Map<string, string> {
  const arns = new Map<string, string>();
  const each = (type: string, arn: (r: Record<string, any>) => string) => {
    for (const [key, r] of Object.entries(s.resource[type] ?? {})) arns.set(`${type}.${key}`, arn(r));
  };
  each("aws_sqs_queue", (r) => at("sqs", r.name));
  each("aws_cloudwatch_log_group", (r) => at("logs", `log-group:${r.name}`));
  each("aws_s3_bucket", (r) => bucketArn(r.bucket_prefix));
  each("aws_kms_key", () => at("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab"));
  each("aws_sns_topic", (r) => at("sns", r.name));
  each("aws_dynamodb_table", (r) => at("dynamodb", `table/${r.name}`));
  each("aws_lambda_function", (r) => at("lambda", `function:${r.function_name}`));
  each("aws_cloudwatch_event_bus", (r) => at("events", `event-bus/${r.name}`));
  return arns;
}

/** A granted resource (Terraform references and wildcards included) as one concrete ARN. */
function resolve(resource: string, arns: Map<string, string>): string {
  const concrete = resource
    .replace(/\$\{(aws_[a-z0-9_]+\.[A-Za-z0-9_-]+)\.arn\}/g, (ref, address) => {
      const arn = arns.get(address);
      if (!arn) throw new Error(`no concrete ARN for ${ref}`);
      return arn;
    })
    .replace("${data.aws_partition.partition.partition}", "aws")
    .replace("${data.aws_region.region.region}", REGION)
    .replace("${data.aws_caller_identity.caller.account_id}", ACCOUNT);
  // A log group's `:*` names its streams; any other trailing wildcard one object or name under it.
  return concrete.replace(/:log-group:([^:]+):\*$/, ":log-group:$1:log-stream:2026/12/06/abc").replace(/\*/g, "x");
}

describe("the monitor stack under the SCP (Athena backend, real-time path on)", () => {
  const synth = synthMonitor(CONFIG);
  const statements = buildScpStatements(guardrailWith(CONFIG));
  const arns = concreteArns(synth);
  const roles = Object.fromEntries(
    Object.entries(synth.resource.aws_iam_role).map(([key, r]) => [
      `\${aws_iam_role.${key}.id}`,
      `arn:aws:iam::${ACCOUNT}:role${r.path}${r.name}`,
    ]),
  );

  it("allows every call the monitor's roles are granted, on the tagged resources the stack creates", () => {
    const denied: string[] = [];
    let checked = 0;
    for (const policy of resources(synth, "aws_iam_role_policy")) {
      const principalArn = roles[policy.role];
      for (const statement of JSON.parse(policy.policy).Statement)
        for (const action of statement.Action)
          for (const granted of statement.Resource) {
            // Cross-account grants (the member role, the organization) are decided in other accounts.
            if (!granted.includes("${data.aws_caller_identity") && !granted.startsWith("${aws_")) continue;
            const resource = resolve(granted, arns);
            const verdict = evaluateScp(statements, { action, resource, principalArn, context: TAGGED });
            checked++;
            if (verdict.decision === "deny") denied.push(`${principalArn} ${action} ${resource} (${verdict.deniedBy})`);
          }
    }
    expect(denied).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });

  /** Each protected resource the stack created, with the tamper actions that name its service. */
  const database = resources(synth, "aws_glue_catalog_database")[0]?.name;
  const target = (arn: string, actions: readonly string[]): [string, readonly string[]] => [arn, actions];
  const targets = [
    ...resources(synth, "aws_sqs_queue").map((q) => target(at("sqs", q.name), DEAD_LETTER_TAMPER_ACTIONS)),
    ...resources(synth, "aws_cloudwatch_log_group").flatMap((g) => [
      target(at("logs", `log-group:${g.name}`), LOG_GROUP_TAMPER_ACTIONS),
      target(at("logs", `log-group:${g.name}:log-stream:2026/12/06/abc`), ["logs:DeleteLogStream"]),
    ]),
    ...resources(synth, "aws_athena_workgroup").map((w) =>
      target(at("athena", `workgroup/${w.name}`), ATHENA_TAMPER_ACTIONS),
    ),
    ...resources(synth, "aws_glue_catalog_database").map((d) =>
      target(at("glue", `database/${d.name}`), ATHENA_TAMPER_ACTIONS),
    ),
    ...resources(synth, "aws_glue_catalog_table").map((t) =>
      target(
        at("glue", `table/${database}/${t.name}`),
        ATHENA_TAMPER_ACTIONS.filter((a) => a.endsWith("Table")),
      ),
    ),
    ...resources(synth, "aws_s3_bucket").map((b) => target(bucketArn(b.bucket_prefix), ATHENA_TAMPER_ACTIONS)),
    ...resources(synth, "aws_sns_topic").flatMap((t) => [
      target(at("sns", t.name), ALERT_SUBSCRIPTION_TAMPER_ACTIONS),
      target(at("sns", `${t.name}:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`), ALERT_SUBSCRIPTION_TAMPER_ACTIONS),
    ]),
  ];

  it.each(targets.map(([arn, actions]) => [arn.split(":").slice(5).join(":"), arn, actions]))(
    "protects %s by name: denied to others, allowed to the pipeline",
    (_label, resource, actions) => {
      const service = resource.split(":")[2];
      const own = actions.filter((a) => a.startsWith(`${service}:`));
      expect(own.length).toBeGreaterThan(0);
      for (const action of own) {
        const other = evaluateScp(statements, { action, resource, principalArn: OTHER });
        expect(`${action}: ${other.decision} ${other.deniedBy}`).toBe(`${action}: deny ${SID.protectDeployment}`);
        expect(`${action}: ${evaluateScp(statements, { action, resource, principalArn: ADMIN }).decision}`).toBe(
          `${action}: allow`,
        );
      }
    },
  );
});

type Resource = Record<string, any>;

/** A tampering call on one resource of a kind, the statement that must deny it, and whether it goes by tag. */
interface Protected {
  sid: string;
  action: string;
  arn: (r: Resource, ref: (token: string) => Resource) => string;
  tagged?: boolean;
}

/** Every kind of resource the monitor stack creates: how it is protected, or why it is left open. */
const PROTECTION: Record<string, Protected | { open: string }> = {
  aws_athena_workgroup: {
    sid: SID.protectDeployment,
    action: "athena:UpdateWorkGroup",
    arn: (r) => at("athena", `workgroup/${r.name}`),
  },
  aws_cloudtrail_event_data_store: {
    sid: SID.protectTagged,
    action: "cloudtrail:DeleteEventDataStore",
    arn: () => at("cloudtrail", "eventdatastore/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"),
    tagged: true,
  },
  aws_cloudwatch_event_bus: {
    sid: SID.protectDeployment,
    action: "events:DeleteEventBus",
    arn: (r) => at("events", `event-bus/${r.name}`),
  },
  aws_cloudwatch_event_bus_policy: { open: "events:PutPermission/RemovePermission name no resource (limits.md)" },
  aws_cloudwatch_event_rule: {
    sid: SID.protectDeployment,
    action: "events:DisableRule",
    arn: (r) => at("events", `rule/${r.name}`),
  },
  aws_cloudwatch_event_target: {
    sid: SID.protectDeployment,
    action: "events:RemoveTargets",
    arn: (r, ref) => at("events", `rule/${ref(r.rule).name}`),
  },
  aws_cloudwatch_log_group: {
    sid: SID.protectDeployment,
    action: "logs:DeleteLogGroup",
    arn: (r) => at("logs", `log-group:${r.name}`),
  },
  aws_cloudwatch_metric_alarm: {
    sid: SID.protectTagged,
    action: "cloudwatch:DeleteAlarms",
    arn: (r) => at("cloudwatch", `alarm:${r.alarm_name}`),
    tagged: true,
  },
  aws_dynamodb_table: {
    sid: SID.protectTagged,
    action: "dynamodb:DeleteTable",
    arn: (r) => at("dynamodb", `table/${r.name}`),
    tagged: true,
  },
  aws_glue_catalog_database: {
    sid: SID.protectDeployment,
    action: "glue:DeleteDatabase",
    arn: (r) => at("glue", `database/${r.name}`),
  },
  aws_glue_catalog_table: {
    sid: SID.protectDeployment,
    action: "glue:UpdateTable",
    arn: (r, ref) => at("glue", `table/${ref(r.database_name).name}/${r.name}`),
  },
  aws_iam_role: {
    sid: SID.protectDeployment,
    action: "iam:UpdateAssumeRolePolicy",
    arn: (r) => `arn:aws:iam::${ACCOUNT}:role${r.path}${r.name}`,
  },
  aws_iam_role_policy: {
    sid: SID.protectDeployment,
    action: "iam:PutRolePolicy",
    arn: (r, ref) => `arn:aws:iam::${ACCOUNT}:role${ref(r.role).path}${ref(r.role).name}`,
  },
  aws_kms_alias: {
    sid: SID.protectTagged,
    action: "kms:DeleteAlias",
    arn: (r) => at("kms", r.name),
    tagged: true,
  },
  aws_kms_key: {
    sid: SID.protectTagged,
    action: "kms:ScheduleKeyDeletion",
    arn: () => at("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    tagged: true,
  },
  aws_lambda_function: {
    sid: SID.protectExempted,
    action: "lambda:UpdateFunctionCode",
    arn: (r) => at("lambda", `function:${r.function_name}`),
  },
  aws_lambda_permission: {
    sid: SID.protectExempted,
    action: "lambda:RemovePermission",
    arn: (r, ref) => at("lambda", `function:${ref(r.function_name).function_name}`),
  },
  aws_s3_bucket: { sid: SID.protectDeployment, action: "s3:DeleteBucket", arn: (r) => bucketArn(r.bucket_prefix) },
  aws_s3_bucket_policy: {
    sid: SID.protectDeployment,
    action: "s3:PutBucketPolicy",
    arn: (r, ref) => bucketArn(ref(r.bucket).bucket_prefix),
  },
  aws_s3_bucket_lifecycle_configuration: { open: "results are read back by the run that wrote them" },
  aws_s3_bucket_ownership_controls: { open: "ACLs would only expose results; the bucket policy is protected" },
  aws_s3_bucket_public_access_block: { open: "a public policy needs s3:PutBucketPolicy, which is denied" },
  aws_s3_bucket_server_side_encryption_configuration: { open: "the workgroup sets the results' encryption" },
  aws_scheduler_schedule: {
    sid: SID.protectDeployment,
    action: "scheduler:DeleteSchedule",
    arn: (r) => at("scheduler", `schedule/default/${r.name}`),
  },
  aws_sns_topic: { sid: SID.protectTagged, action: "sns:DeleteTopic", arn: (r) => at("sns", r.name), tagged: true },
  aws_sns_topic_policy: {
    sid: SID.protectTagged,
    action: "sns:SetTopicAttributes",
    arn: (r, ref) => at("sns", ref(r.arn).name),
    tagged: true,
  },
  // A subscription's ARN is its topic's with the subscription id after it; the topic's name protects both.
  aws_sns_topic_subscription: {
    sid: SID.protectDeployment,
    action: "sns:SetSubscriptionAttributes",
    arn: (r, ref) => at("sns", `${ref(r.topic_arn).name}:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`),
  },
  aws_sqs_queue: { sid: SID.protectDeployment, action: "sqs:PurgeQueue", arn: (r) => at("sqs", r.name) },
  aws_sqs_queue_policy: {
    sid: SID.protectDeployment,
    action: "sqs:SetQueueAttributes",
    arn: (r, ref) => at("sqs", ref(r.queue_url).name),
  },
};

describe("every kind of resource the monitor stack creates", () => {
  const synths = [synthMonitor(CONFIG), synthMonitor({ ...CONFIG, monitor: { backend: "cloudtrail-lake" } })];
  const statements = buildScpStatements(guardrailWith(CONFIG));

  it.each(Object.keys(PROTECTION))("%s: protected (or open for a stated reason)", (type) => {
    const how = PROTECTION[type];
    const created = synths.flatMap((s) => resources(s, type).map((r) => [s, r] as const));
    expect(created.length).toBeGreaterThan(0);
    if ("open" in how) return;
    for (const [s, r] of created) {
      const ref = (token: string): Resource => {
        const [, kind, key] = token.match(/^\$\{(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}$/) ?? [];
        return s.resource[kind][key];
      };
      const resource = how.arn(r, ref);
      const request = { action: how.action, resource, ...(how.tagged ? { context: TAGGED } : {}) };
      const other = evaluateScp(statements, { ...request, principalArn: OTHER });
      expect(`${how.action} ${resource}: ${other.deniedBy}`).toBe(`${how.action} ${resource}: ${how.sid}`);
      expect(evaluateScp(statements, { ...request, principalArn: ADMIN }).decision).toBe("allow");
    }
  });

  it("has an entry for each of them", () => {
    const types = new Set(synths.flatMap((s) => Object.keys(s.resource)));
    expect([...types].filter((t) => !(t in PROTECTION))).toEqual([]);
  });
});
