/**
 * The monitor stack, deployed in the security / delegated-admin account: the event source of the
 * configured backend (./query-backends.ts: a Bedrock-only organization event data store, an existing one,
 * CloudWatch Logs log groups, or the Athena table over the trail's bucket),
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
import { Construct } from "constructs";
import { buildEventPatterns } from "../../detection/backends/eventbridge-pattern";
import type { Guardrail } from "../../guardrail/guardrail";
import { ENV, QUERY_JOB_TIMEOUT_SECONDS } from "../../runtime/env";
import { STATE_TABLE_KEYS } from "../../aws/contracts";
import {
  bundleLambda,
  CONFIG_FILE_IN_BUNDLE,
  DEFINITION_FILE_IN_BUNDLE,
  handlerEntry,
  type LambdaBundle,
} from "../bundle/lambda-bundle";
import { type GuardrailConstructProps, monitorGuardrail } from "../construct-props";
import { warnMismatchedMemberRole } from "../responder-agreement";
import { type FunctionDeclarations, guardrailDeclarations, responderRoleNames } from "../declarations";
import { type ResourceArns, statementsFromDeclarations } from "../iam/policy-document";
import { toolRoleArn } from "../../guardrail/guardrail";
import { guardrailAdminPatterns } from "../../policy/protect-exempted";
import { DEAD_LETTER_QUEUE_NAME, FUNCTION_NAMES, RESOURCE_PREFIX, ROLE_NAMES } from "../naming";
import { MANAGED_BY_TAG } from "../organization-policy-stack";
import { listOutput } from "../list-output";
import { guardrailProvider, useStackProvider } from "../provider";
import { Alerting } from "./alerting";
import type { AthenaQueryInfra } from "./athena";
import { JobAlarms } from "./alarms";
import { GuardrailFunction } from "./guardrail-function";
import { RealtimeForwarding } from "./realtime";
import { monitorResourceArns, securityHubProductArn } from "./resource-arns";
import { QUERY_BACKEND_INFRA, type QueryBackendInfra } from "./query-backends";
import { JobSchedule } from "./schedule";

export const MONITOR_STACK = "monitor";

/** The scheduled job's name, `job#<name>` in the state table (JOB_NAME); the realtime function uses it too. */
const QUERY_JOB_STATE = "query-job";

export interface MonitorStackProps {
  guardrail: Guardrail;
  /** Handler sources; default src/handlers/{query-job,realtime}.ts of this package. */
  handlerEntries?: { queryJob?: string; realtime?: string };
  /** Declarations per function; default the ones exported next to the code (src/infra/declarations.ts). */
  declarations?: FunctionDeclarations;
  /** Where bundles are staged (default a private folder of this process: bundleLambda). */
  stagingDir?: string;
  /** Called with each bundle (size reporting). */
  onBundle?: (functionName: string, bundle: LambdaBundle) => void;
}

/** The partition, account and region the stack deploys into (data sources, known at apply). */
interface Where {
  partition: string;
  accountId: string;
  region: string;
}

/** The security account's provider, with the tool's tags on every resource. */
function monitorProvider(scope: Construct, guardrail: Guardrail): void {
  guardrailProvider(scope, "aws", {
    region: guardrail.config.aws.region,
    credentials: guardrail.config.aws.security,
    defaultTags: { ...MANAGED_BY_TAG },
  });
}

/** Stack `monitor`: the security account's provider and the monitor's resources. */
export class MonitorStack extends TerraformStack {
  readonly resources: MonitorResources;

  constructor(scope: Construct, id: string, props: MonitorStackProps) {
    super(scope, id);
    monitorProvider(this, props.guardrail);
    this.resources = new MonitorResources(this, props);
  }
}

/** The monitor (event source, query job, real-time path, state, alerting), in any stack of the security account. */
export class GuardrailMonitor extends Construct {
  readonly resources: MonitorResources;

  constructor(scope: Construct, id: string, props: GuardrailConstructProps) {
    super(scope, id);
    const guardrail = monitorGuardrail(this, props);
    warnMismatchedMemberRole(this, guardrail);
    const awsProvider = props.awsProvider ?? true;
    if (awsProvider === true) monitorProvider(this, guardrail);
    else
      useStackProvider(this, awsProvider, guardrail.config.aws.region, "to aws.region", {
        key: "aws.security",
        credentials: guardrail.config.aws.security,
      });
    this.resources = new MonitorResources(this, { guardrail });
  }
}

/**
 * The monitor's resources, added to `scope` (the app's monitor stack, so that their paths and Terraform
 * addresses stay, or a GuardrailMonitor construct).
 */
export class MonitorResources {
  readonly queryJob: GuardrailFunction;
  readonly realtime?: GuardrailFunction;
  readonly table: DynamodbTable;
  readonly alerting: Alerting;
  readonly eventDataStoreArn?: string;
  readonly athena?: AthenaQueryInfra;
  private readonly guardrail: Guardrail;
  private readonly props: MonitorStackProps;
  private readonly where: Where;
  private readonly deadLetters: SqsQueue;

  constructor(
    private readonly scope: Construct,
    props: MonitorStackProps,
  ) {
    const { guardrail } = props;
    const { monitor } = guardrail.config;
    this.guardrail = guardrail;
    this.props = props;

    this.where = {
      partition: new DataAwsPartition(this.scope, "partition").partition,
      accountId: new DataAwsCallerIdentity(this.scope, "caller").accountId,
      region: new DataAwsRegion(this.scope, "region").region,
    };
    const declarations = props.declarations ?? guardrailDeclarations(guardrail);
    const realtimeEnabled = monitor.eventbridge.enabled;

    // Source of events for the scheduled job.
    const source = QUERY_BACKEND_INFRA[monitor.backend](this.scope, { guardrail, ...this.where });
    this.eventDataStoreArn = source.eventDataStoreArn;
    this.athena = source.athena;
    this.table = stateTable(this.scope);
    this.deadLetters = new SqsQueue(this.scope, "dlq", {
      name: DEAD_LETTER_QUEUE_NAME,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 14 * 24 * 3600,
    });
    this.alerting = new Alerting(this.scope, "alerting", {
      partition: this.where.partition,
      accountId: this.where.accountId,
      publisherRoleArns: [ROLE_NAMES.queryJob, ...(realtimeEnabled ? [ROLE_NAMES.realtime] : [])].map(this.roleArn),
      emails: monitor.alertEmails,
      // Whoever the SCP lets change the topic (ProtectGuardrailTaggedResources) may subscribe, and nobody else.
      ...(guardrail.config.scp.protectGuardrail ? { subscriberPrincipalArns: guardrailAdminPatterns(guardrail) } : {}),
    });
    const arns = { ...source.resourceArns, ...this.monitorArns(source) };

    this.queryJob = this.scheduledQueryJob(source, declarations, arns);
    if (realtimeEnabled) this.realtime = this.realtimePath(declarations, arns);

    // The key policy names the function roles by ARN; KMS rejects a policy whose principals do
    // not exist yet, so the key waits for the roles (the roles' policies, in turn, name the key).
    // depends_on takes bare references ("aws_iam_role.x"); `fqn` is "${aws_iam_role.x}", which
    // Terraform rejects there, so the references are written out bare.
    this.alerting.key.dependsOn = [this.queryJob.role, ...(this.realtime ? [this.realtime.role] : [])].map(
      (r) => `${r.terraformResourceType}.${r.friendlyUniqueId}`,
    );

    new TerraformOutput(this.scope, "alert_topic_arn", { value: this.alerting.topic.arn });
    new TerraformOutput(this.scope, "state_table_name", { value: this.table.name });
    if (this.eventDataStoreArn)
      new TerraformOutput(this.scope, "event_data_store_arn", { value: this.eventDataStoreArn });
    listOutput(this.scope, "responder_role_arns", responderRoleNames(declarations, realtimeEnabled).map(this.roleArn));
  }

  private readonly roleArn = (name: string): string =>
    toolRoleArn(name, { partition: this.where.partition, accountId: this.where.accountId });

  /** What each ResourceRef kind of the declarations stands for in this stack. */
  private monitorArns(source: QueryBackendInfra): ResourceArns {
    const { config } = this.guardrail;
    return monitorResourceArns({
      ...this.where,
      eventDataStoreArn: source.eventDataStoreArn,
      logGroups: source.logGroups,
      stateTableArn: this.table.arn,
      alertTopicArn: this.alerting.topic.arn,
      alertKeyArn: this.alerting.key.arn,
      memberRoleName: config.remediation.memberRoleName,
      managementAccountId: config.organization.managementAccountId,
      securityHub: config.monitor.securityHub.enabled,
      trailArn: config.monitor.trailArn,
    });
  }

  /**
   * The variables both functions read (src/runtime/env.ts). Both name the scheduled job's state partition: the
   * realtime function claims into its pending list and export queue, and only the scheduled job finishes what a
   * failed realtime invocation left there (a retried event is a duplicate of its claim and drains nothing).
   */
  private sharedEnvironment(): Record<string, string> {
    const { config } = this.guardrail;
    return {
      [ENV.stateTableName]: this.table.name,
      [ENV.alertTopicArn]: this.alerting.topic.arn,
      [ENV.guardrailConfig]: CONFIG_FILE_IN_BUNDLE,
      [ENV.guardrailDefinition]: DEFINITION_FILE_IN_BUNDLE,
      [ENV.memberRoleName]: config.remediation.memberRoleName,
      [ENV.memberRoleExternalId]: config.monitor.memberRoleExternalId,
      [ENV.jobName]: QUERY_JOB_STATE,
    };
  }

  private bundle(name: string, entry: string): LambdaBundle {
    const { config, definition } = this.guardrail;
    const b = bundleLambda({ entry, config, definition, stagingDir: this.props.stagingDir });
    this.props.onBundle?.(name, b);
    return b;
  }

  /** The query job, its schedule and its alarms. */
  private scheduledQueryJob(
    source: QueryBackendInfra,
    declarations: FunctionDeclarations,
    arns: ResourceArns,
  ): GuardrailFunction {
    const { guardrail, where } = this;
    const { monitor } = guardrail.config;
    const fn = new GuardrailFunction(this.scope, "query-job", {
      functionName: FUNCTION_NAMES.queryJob,
      roleName: ROLE_NAMES.queryJob,
      description: `Scheduled ${monitor.backend} query for ${guardrail.definition.id}`,
      bundle: this.bundle(FUNCTION_NAMES.queryJob, this.props.handlerEntries?.queryJob ?? handlerEntry("query-job")),
      environment: {
        ...this.sharedEnvironment(),
        [ENV.backend]: monitor.backend,
        ...source.environment,
        [ENV.driftCheck]: monitor.driftCheck ? "true" : "false",
        [ENV.queryTimeoutSeconds]: "600",
        ...(monitor.securityHub.enabled
          ? { [ENV.securityHubProductArn]: securityHubProductArn(where.partition, where.region, where.accountId) }
          : {}),
      },
      codeStatements: statementsFromDeclarations(ROLE_NAMES.queryJob, declarations.queryJob, arns),
      accountId: where.accountId,
      logRetentionDays: monitor.logRetentionDays,
      deadLetterQueueArn: this.deadLetters.arn,
      // The run's one deadline (Lambda's remaining time): its queries share it, each at most QUERY_TIMEOUT_SECONDS,
      // and it stops before the alerts, failed with the watermark kept, when less than DRAIN_RESERVE_MS (3 minutes,
      // src/runtime/job.ts) is left: a slow query never gets the run cut off in the middle of its alerts.
      timeoutSeconds: QUERY_JOB_TIMEOUT_SECONDS,
    });
    new JobSchedule(this.scope, "schedule", {
      name: FUNCTION_NAMES.queryJob,
      intervalMinutes: source.intervalMinutes,
      functionArn: fn.fn.arn,
      deadLetterQueueArn: this.deadLetters.arn,
      accountId: where.accountId,
    });
    const alarms = new JobAlarms(this.scope, "alarms", {
      functionName: FUNCTION_NAMES.queryJob,
      intervalMinutes: source.intervalMinutes,
      topicArn: this.alerting.topic.arn,
      deadLetterQueueName: this.deadLetters.name,
    });
    this.alerting.addAlarms(alarms.alarms);
    return fn;
  }

  /** The realtime function and the EventBridge forwarding that feeds it. */
  private realtimePath(declarations: FunctionDeclarations, arns: ResourceArns): GuardrailFunction {
    const { guardrail, where } = this;
    const { monitor } = guardrail.config;
    const fn = new GuardrailFunction(this.scope, "realtime", {
      functionName: FUNCTION_NAMES.realtime,
      roleName: ROLE_NAMES.realtime,
      description: `Real-time EventBridge handler for ${guardrail.definition.id}`,
      bundle: this.bundle(FUNCTION_NAMES.realtime, this.props.handlerEntries?.realtime ?? handlerEntry("realtime")),
      // The realtime path handles one event; the scheduled job does the per-run drift check.
      environment: { ...this.sharedEnvironment(), [ENV.driftCheck]: "false" },
      codeStatements: statementsFromDeclarations(ROLE_NAMES.realtime, declarations.realtime, arns),
      accountId: where.accountId,
      logRetentionDays: monitor.logRetentionDays,
      deadLetterQueueArn: this.deadLetters.arn,
      timeoutSeconds: 120,
    });
    const org = new DataAwsOrganizationsOrganization(this.scope, "organization");
    new RealtimeForwarding(this.scope, "eventbridge", {
      patterns: buildEventPatterns(guardrail, monitor.eventbridge.maxPatternChars),
      centralBusName: monitor.eventbridge.centralBusName,
      regions: monitor.eventbridge.regions,
      accountId: where.accountId,
      organizationId: org.id,
      functionArn: fn.fn.arn,
      functionName: fn.fn.functionName,
      deadLetterQueueArn: this.deadLetters.arn,
      deadLetterQueueUrl: this.deadLetters.url,
    });
    return fn;
  }
}

/** The single DynamoDB table of the job's state and the remediation audit (single-table design, contracts.ts). */
function stateTable(scope: Construct): DynamodbTable {
  return new DynamodbTable(scope, "state", {
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
}
