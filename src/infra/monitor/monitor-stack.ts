/**
 * The monitor stack, deployed in the security / delegated-admin account: the event source
 * (a Bedrock-only organization event data store, an existing one, or CloudWatch Logs log groups),
 * the scheduled query job, the optional real-time path, the state table, the encrypted alert
 * topic, the alarms, and one least-privilege role per function built from the code's declarations.
 */
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsOrganizationsOrganization } from "@cdktf/provider-aws/lib/data-aws-organizations-organization";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { buildEventPattern } from "../../detection/backends/eventbridge-pattern";
import type { Guardrail } from "../../guardrail/guardrail";
import { ENV } from "../../runtime/env";
import { STATE_TABLE_KEYS } from "../../aws/contracts";
import { METRIC_DIMENSION, METRIC_NAMESPACE, METRICS } from "../../runtime/summary";
import { bundleLambda, CONFIG_FILE_IN_BUNDLE, handlerEntry, type LambdaBundle } from "../bundle/lambda-bundle";
import { codeDeclarations, type FunctionDeclarations } from "../declarations";
import { statementsFromDeclarations } from "../iam/policy-document";
import { toolRoleArn } from "../../guardrail/guardrail";
import { FUNCTION_NAMES, RESOURCE_PREFIX, ROLE_NAMES } from "../naming";
import { MANAGED_BY_TAG } from "../organization-policy-stack";
import { listOutput } from "../list-output";
import { guardrailProvider } from "../provider";
import { Alerting } from "./alerting";
import { AthenaQueryInfra } from "./athena";
import { JobAlarms } from "./alarms";
import { GuardrailEventStore } from "./event-store";
import { GuardrailFunction } from "./guardrail-function";
import { RealtimeForwarding } from "./realtime";
import { monitorResourceArns, securityHubProductArn } from "./resource-arns";
import { JobSchedule } from "./schedule";

export const MONITOR_STACK = "monitor";

export interface MonitorStackProps {
  guardrail: Guardrail;
  /** Handler sources; default src/handlers/{query-job,realtime}.ts of this package. */
  handlerEntries?: { queryJob?: string; realtime?: string };
  /** Declarations per function; default the ones exported next to the code (src/infra/declarations.ts). */
  declarations?: FunctionDeclarations;
  /** Where bundles are staged (default under os.tmpdir()). */
  stagingDir?: string;
  /** Called with each bundle (size reporting). */
  onBundle?: (functionName: string, bundle: LambdaBundle) => void;
}

/** Who the member role trusts: the functions that assume it (they run the responder in-process). */
export function responderRoleNames(declarations: FunctionDeclarations, realtimeEnabled: boolean): string[] {
  const assumes = (d: FunctionDeclarations["queryJob"]) => d.some((p) => p.resource.kind === "member-role");
  return [
    ...(assumes(declarations.queryJob) ? [ROLE_NAMES.queryJob] : []),
    ...(realtimeEnabled && assumes(declarations.realtime) ? [ROLE_NAMES.realtime] : []),
  ];
}

export class MonitorStack extends TerraformStack {
  readonly queryJob: GuardrailFunction;
  readonly realtime?: GuardrailFunction;
  readonly table: DynamodbTable;
  readonly alerting: Alerting;
  readonly eventDataStoreArn?: string;
  readonly athena?: AthenaQueryInfra;

  constructor(scope: Construct, id: string, props: MonitorStackProps) {
    super(scope, id);
    const { guardrail } = props;
    const config = guardrail.config;
    const monitor = config.monitor;
    guardrailProvider(this, "aws", {
      region: config.aws.region,
      credentials: config.aws.security,
      defaultTags: { ...MANAGED_BY_TAG },
    });

    const partition = new DataAwsPartition(this, "partition").partition;
    const accountId = new DataAwsCallerIdentity(this, "caller").accountId;
    const region = new DataAwsRegion(this, "region").region;
    const declarations =
      props.declarations ??
      codeDeclarations({
        backend: monitor.backend,
        driftCheck: monitor.driftCheck,
        accessKey: guardrail.remediation.accessKey,
        securityHub: monitor.securityHub.enabled,
        trailEncrypted: monitor.athena.kmsKeyArn !== undefined,
      });
    const realtimeEnabled = monitor.eventbridge.enabled;

    // Source of events for the scheduled job.
    if (monitor.backend === "cloudtrail-lake") {
      this.eventDataStoreArn =
        monitor.cloudtrailLake.eventDataStoreArn ??
        new GuardrailEventStore(this, "event-store", {
          rules: guardrail.rules,
          retentionDays: monitor.cloudtrailLake.retentionDays,
          terminationProtection: monitor.cloudtrailLake.terminationProtection,
        }).store.arn;
    }
    const logGroups = monitor.backend === "cloudwatch-logs" ? monitor.cloudwatchLogs.logGroups : [];
    if (monitor.backend === "athena")
      this.athena = new AthenaQueryInfra(this, "athena", { athena: monitor.athena, partition, accountId, region });

    this.table = new DynamodbTable(this, "state", {
      name: `${RESOURCE_PREFIX}-state`,
      billingMode: "PAY_PER_REQUEST",
      hashKey: STATE_TABLE_KEYS.partitionKey,
      rangeKey: STATE_TABLE_KEYS.sortKey,
      attribute: [
        { name: STATE_TABLE_KEYS.partitionKey, type: "S" },
        { name: STATE_TABLE_KEYS.sortKey, type: "S" },
      ],
      ttl: { attributeName: STATE_TABLE_KEYS.ttlAttribute, enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: true,
    });

    const dlq = new SqsQueue(this, "dlq", {
      name: `${RESOURCE_PREFIX}-dead-letters`,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 14 * 24 * 3600,
    });

    const roleArn = (name: string) => toolRoleArn(name, { partition, accountId });
    this.alerting = new Alerting(this, "alerting", {
      partition,
      accountId,
      publisherRoleArns: [roleArn(ROLE_NAMES.queryJob), ...(realtimeEnabled ? [roleArn(ROLE_NAMES.realtime)] : [])],
      emails: monitor.alertEmails,
    });

    const arns = {
      ...this.athena?.resourceArns,
      ...monitorResourceArns({
        partition,
        accountId,
        region,
        eventDataStoreArn: this.eventDataStoreArn,
        logGroups,
        stateTableArn: this.table.arn,
        alertTopicArn: this.alerting.topic.arn,
        alertKeyArn: this.alerting.key.arn,
        memberRoleName: config.remediation.memberRoleName,
        managementAccountId: config.organization.managementAccountId,
        securityHub: monitor.securityHub.enabled,
      }),
    };

    const environment = (kind: "query-job" | "realtime"): Record<string, string> => ({
      [ENV.stateTableName]: this.table.name,
      [ENV.alertTopicArn]: this.alerting.topic.arn,
      ...(kind === "query-job" ? { [ENV.backend]: monitor.backend } : {}),
      ...(kind === "query-job" && this.eventDataStoreArn ? { [ENV.eventDataStoreArn]: this.eventDataStoreArn } : {}),
      ...(kind === "query-job" && logGroups.length > 0 ? { [ENV.logGroups]: JSON.stringify(logGroups) } : {}),
      [ENV.guardrailConfig]: CONFIG_FILE_IN_BUNDLE,
      [ENV.memberRoleName]: config.remediation.memberRoleName,
      [ENV.memberRoleExternalId]: monitor.memberRoleExternalId,
      [ENV.jobName]: kind,
      // The realtime path handles one event; the scheduled job does the per-run drift check.
      [ENV.driftCheck]: kind === "query-job" && monitor.driftCheck ? "true" : "false",
      ...(kind === "query-job" ? { [ENV.queryTimeoutSeconds]: "600" } : {}),
      ...(kind === "query-job" && monitor.securityHub.enabled
        ? { [ENV.securityHubProductArn]: securityHubProductArn(partition, region, accountId) }
        : {}),
    });

    const bundle = (name: string, entry: string) => {
      const b = bundleLambda({ entry, config, stagingDir: props.stagingDir });
      props.onBundle?.(name, b);
      return b;
    };

    this.queryJob = new GuardrailFunction(this, "query-job", {
      functionName: FUNCTION_NAMES.queryJob,
      roleName: ROLE_NAMES.queryJob,
      description: `Scheduled ${monitor.backend} query for ${guardrail.definition.id}`,
      bundle: bundle(FUNCTION_NAMES.queryJob, props.handlerEntries?.queryJob ?? handlerEntry("query-job")),
      environment: environment("query-job"),
      codeStatements: statementsFromDeclarations(ROLE_NAMES.queryJob, declarations.queryJob, arns),
      accountId,
      logRetentionDays: monitor.logRetentionDays,
      deadLetterQueueArn: dlq.arn,
      // The handler gives up a query at QUERY_TIMEOUT_SECONDS (600) and still records its state.
      timeoutSeconds: 900,
    });

    // On Athena every run scans whole day partitions, so its runs are spaced by monitor.athena.scheduleMinutes.
    const interval =
      monitor.backend === "athena"
        ? monitor.athena.scheduleMinutes
        : guardrail.definition.detection.schedule.intervalMinutes;
    new JobSchedule(this, "schedule", {
      name: FUNCTION_NAMES.queryJob,
      intervalMinutes: interval,
      functionArn: this.queryJob.fn.arn,
      deadLetterQueueArn: dlq.arn,
      accountId,
    });
    new JobAlarms(this, "alarms", {
      functionName: FUNCTION_NAMES.queryJob,
      intervalMinutes: interval,
      topicArn: this.alerting.topic.arn,
      deadLetterQueueName: dlq.name,
      successMetric: {
        namespace: METRIC_NAMESPACE,
        metricName: METRICS.runSucceeded,
        dimensions: { [METRIC_DIMENSION]: "query-job" },
      },
    });

    if (realtimeEnabled) {
      this.realtime = new GuardrailFunction(this, "realtime", {
        functionName: FUNCTION_NAMES.realtime,
        roleName: ROLE_NAMES.realtime,
        description: `Real-time EventBridge handler for ${guardrail.definition.id}`,
        bundle: bundle(FUNCTION_NAMES.realtime, props.handlerEntries?.realtime ?? handlerEntry("realtime")),
        environment: environment("realtime"),
        codeStatements: statementsFromDeclarations(ROLE_NAMES.realtime, declarations.realtime, arns),
        accountId,
        logRetentionDays: monitor.logRetentionDays,
        deadLetterQueueArn: dlq.arn,
        timeoutSeconds: 120,
      });
      const org = new DataAwsOrganizationsOrganization(this, "organization");
      new RealtimeForwarding(this, "eventbridge", {
        pattern: buildEventPattern(guardrail),
        centralBusName: monitor.eventbridge.centralBusName,
        regions: monitor.eventbridge.regions,
        accountId,
        organizationId: org.id,
        functionArn: this.realtime.fn.arn,
        functionName: this.realtime.fn.functionName,
        deadLetterQueueArn: dlq.arn,
        deadLetterQueueUrl: dlq.url,
      });
    }

    // The key policy names the function roles by ARN; KMS rejects a policy whose principals do
    // not exist yet, so the key waits for the roles (the roles' policies, in turn, name the key).
    // depends_on takes bare references ("aws_iam_role.x"); `fqn` is "${aws_iam_role.x}", which
    // Terraform rejects there, so the references are written out bare.
    this.alerting.key.dependsOn = [this.queryJob.role, ...(this.realtime ? [this.realtime.role] : [])].map(
      (r) => `${r.terraformResourceType}.${r.friendlyUniqueId}`,
    );

    new TerraformOutput(this, "alert_topic_arn", { value: this.alerting.topic.arn });
    new TerraformOutput(this, "state_table_name", { value: this.table.name });
    if (this.eventDataStoreArn) new TerraformOutput(this, "event_data_store_arn", { value: this.eventDataStoreArn });
    listOutput(this, "responder_role_arns", responderRoleNames(declarations, realtimeEnabled).map(roleArn));
  }
}
