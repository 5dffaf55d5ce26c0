/**
 * Names of what the infrastructure creates in the security account, kept at the guardrail level so
 * the SCP (src/policy) can protect exactly the names src/infra deploys, without importing infra.
 * src/infra/naming.ts re-exports them; nothing else spells these names.
 */
import { formatArn, type Partition } from "../arn/partition";
import { TOOL_ROLE_PREFIX } from "./guardrail";

/** Prefix of every named resource in the security account. */
export const RESOURCE_PREFIX = "bedrock-guardrail";

/**
 * The CloudWatch namespace of the tool's EMF metrics (dashboards). The SCP denies PutMetricData into it, but an
 * EMF log line in any log group writes it too, so no alarm reads it (src/infra/monitor/alarms.ts).
 */
export const METRIC_NAMESPACE = "BedrockGuardrail";

/**
 * Name prefix of the Athena backend's results bucket (S3 appends a unique suffix). The bucket is
 * protected by this name, not by its tag: S3 evaluates aws:ResourceTag on a bucket only once
 * attribute-based access control is enabled on that bucket.
 */
export const ATHENA_RESULTS_BUCKET_PREFIX = `${RESOURCE_PREFIX}-athena-results-`;

/**
 * The alert topic. A subscription's ARN is the topic's with `:<subscription id>` after it, so `<name>*` names
 * the topic and each of its subscriptions.
 */
export const ALERT_TOPIC_NAME = `${RESOURCE_PREFIX}-alerts`;

/**
 * The event data store the monitor creates (cloudtrail-lake without monitor.cloudtrailLake.eventDataStoreArn), named
 * after the event source it keeps whole: the first rule's. `verify` finds it by this name and the tool's tag.
 */
export const eventDataStoreName = (primaryEventSource: string): string =>
  `${RESOURCE_PREFIX}-${primaryEventSource.split(".")[0]}`;

/** The dead-letter queue of the job's schedule, the functions' async invocations and the central rule. */
export const DEAD_LETTER_QUEUE_NAME = `${RESOURCE_PREFIX}-dead-letters`;

/** The log group Lambda writes a function's logs to (the monitor creates it with the function). */
export const functionLogGroupName = (functionName: string): string => `/aws/lambda/${functionName}`;

export const FUNCTION_NAMES = {
  queryJob: `${RESOURCE_PREFIX}-query-job`,
  realtime: `${RESOURCE_PREFIX}-realtime`,
} as const;

export const ROLE_NAMES = {
  queryJob: `${TOOL_ROLE_PREFIX}query-job`,
  realtime: `${TOOL_ROLE_PREFIX}realtime`,
  scheduler: `${TOOL_ROLE_PREFIX}scheduler`,
  /** Lets the regional default-bus rules put events on the central bus. */
  forwarder: `${TOOL_ROLE_PREFIX}event-forwarder`,
} as const;

/** Every Lambda function this tool creates (in any account and Region), as an ArnLike pattern. */
export function toolFunctionPattern(partition: Partition | string): string {
  return formatArn({
    partition,
    service: "lambda",
    region: "*",
    account: "*",
    resource: `function:${RESOURCE_PREFIX}-*`,
  });
}
