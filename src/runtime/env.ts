/**
 * The one typed reader of the Lambda handler environment. The infrastructure (src/infra) sets
 * these variables from ENV names below; the handlers read them only through readHandlerEnv, so a
 * missing or malformed variable fails the cold start with an error naming it.
 */
import * as path from "node:path";
import { type MonitorBackend, MONITOR_BACKENDS } from "../config/backends";

/** Names of the environment variables, shared with the infrastructure that sets them. */
export const ENV = {
  /** DynamoDB state table (single-table design, see contracts.ts). Required. */
  stateTableName: "STATE_TABLE_NAME",
  /** SNS topic that receives findings and drift alerts. Required. */
  alertTopicArn: "ALERT_TOPIC_ARN",
  /**
   * cloudtrail-lake | cloudwatch-logs | athena (the scheduled job's source). Required for the query
   * job. Athena's database, table and workgroup come from the bundled config (monitor.athena).
   */
  backend: "BACKEND",
  /** Event data store ARN; required when BACKEND=cloudtrail-lake. */
  eventDataStoreArn: "EVENT_DATA_STORE_ARN",
  /** JSON array of log group names or ARNs; required (non-empty) when BACKEND=cloudwatch-logs. */
  logGroups: "LOG_GROUPS",
  /** Path of the validated guardrail.config.json; default: next to the bundle. */
  guardrailConfig: "GUARDRAIL_CONFIG",
  /**
   * Path of the validated definition with its rules, as the synth wrote it next to the bundle; unset: the
   * shipped definition and rules.
   */
  guardrailDefinition: "GUARDRAIL_DEFINITION",
  /** Role the responder assumes in member accounts (name, with the tool's path applied by the responder). */
  memberRoleName: "MEMBER_ROLE_NAME",
  memberRoleExternalId: "MEMBER_ROLE_EXTERNAL_ID",
  /**
   * Name of the scheduled job's state partition (`job#<name>`), default "query-job". The realtime
   * handler claims into the same pending list, so the scheduled job finishes whatever a failed
   * realtime invocation left.
   */
  jobName: "JOB_NAME",
  /**
   * Longest the job waits for one query to finish before giving up the run (seconds, default 600); less when the
   * run's deadline (the invocation's remaining time) leaves less.
   */
  queryTimeoutSeconds: "QUERY_TIMEOUT_SECONDS",
  /**
   * Security Hub product ARN the query job imports findings as (the monitor account's default
   * product); set only when monitor.securityHub.enabled, which then requires it.
   */
  securityHubProductArn: "SECURITY_HUB_PRODUCT_ARN",
  /** "false" turns the per-run drift check off even when the config enables it (e.g. in the realtime function). */
  driftCheck: "DRIFT_CHECK",
} as const;

const DEFAULT_JOB_NAME = "query-job";

/**
 * The query job function's timeout, set by the infrastructure. The handler gives the run Lambda's remaining time
 * (context.getRemainingTimeInMillis) and assumes this much when the context does not say.
 */
export const QUERY_JOB_TIMEOUT_SECONDS = 900;

type EnvName = (typeof ENV)[keyof typeof ENV];
export type HandlerKind = "query-job" | "realtime";

export interface HandlerEnv {
  kind: HandlerKind;
  stateTableName: string;
  alertTopicArn: string;
  /** Undefined for the realtime handler, whose input is the EventBridge event itself. */
  backend?: MonitorBackend;
  eventDataStoreArn?: string;
  logGroups: string[];
  guardrailConfigPath: string;
  guardrailDefinitionPath?: string;
  memberRoleName?: string;
  memberRoleExternalId?: string;
  jobName: string;
  queryTimeoutSeconds: number;
  driftCheck: boolean;
  securityHubProductArn?: string;
}

/** The variable a scheduled backend cannot run without, and why, when it is missing. */
const MISSING_VARIABLE: Record<
  MonitorBackend,
  (found: { eventDataStoreArn?: string; logGroups: string[] }) => [EnvName, string] | undefined
> = {
  "cloudtrail-lake": (found) =>
    found.eventDataStoreArn
      ? undefined
      : [ENV.eventDataStoreArn, `is not set (required when ${ENV.backend}=cloudtrail-lake)`],
  "cloudwatch-logs": (found) =>
    found.logGroups.length > 0
      ? undefined
      : [ENV.logGroups, `is not set or empty (required when ${ENV.backend}=cloudwatch-logs)`],
  athena: () => undefined,
};

/** A handler environment that cannot be used; lists every problem, each naming its variable. */
export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Lambda environment is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

const EDS_ARN = /^arn:(aws|aws-cn|aws-us-gov):cloudtrail:[a-z0-9-]+:\d{12}:eventdatastore\/[A-Za-z0-9-]+$/;
const SECURITY_HUB_PRODUCT_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):securityhub:[a-z0-9-]+:(\d{12}):product\/(\d{12})\/default$/;
const TOPIC_ARN = /^arn:(aws|aws-cn|aws-us-gov):sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;

/**
 * Reads and checks the environment. `bundleDir` is where the default guardrail.config.json lives
 * (the directory of the bundled index.js).
 */
export function readHandlerEnv(
  kind: HandlerKind,
  env: NodeJS.ProcessEnv = process.env,
  bundleDir: string = __dirname,
): HandlerEnv {
  const problems: string[] = [];
  const text = (name: EnvName): string | undefined => {
    const v = env[name];
    return v !== undefined && v.trim() !== "" ? v.trim() : undefined;
  };
  const required = (name: EnvName): string => {
    const v = text(name);
    if (v === undefined) problems.push(`${name} is not set`);
    return v ?? "";
  };

  const stateTableName = required(ENV.stateTableName);
  const alertTopicArn = required(ENV.alertTopicArn);
  if (alertTopicArn && !TOPIC_ARN.test(alertTopicArn))
    problems.push(`${ENV.alertTopicArn} must be an SNS topic ARN, got "${alertTopicArn}"`);

  let backend: MonitorBackend | undefined;
  const backendText = kind === "query-job" ? required(ENV.backend) : text(ENV.backend);
  if (backendText) {
    if ((MONITOR_BACKENDS as readonly string[]).includes(backendText)) backend = backendText as MonitorBackend;
    else problems.push(`${ENV.backend} must be one of ${MONITOR_BACKENDS.join(", ")}, got "${backendText}"`);
  }

  const eventDataStoreArn = text(ENV.eventDataStoreArn);
  if (eventDataStoreArn && !EDS_ARN.test(eventDataStoreArn))
    problems.push(
      `${ENV.eventDataStoreArn} must be a CloudTrail Lake event data store ARN, got "${eventDataStoreArn}"`,
    );

  let logGroups: string[] = [];
  const logGroupsText = text(ENV.logGroups);
  if (logGroupsText) {
    try {
      const parsed: unknown = JSON.parse(logGroupsText);
      if (!Array.isArray(parsed) || !parsed.every((g) => typeof g === "string" && g.length > 0))
        throw new Error("not an array of names");
      logGroups = parsed as string[];
    } catch {
      problems.push(
        `${ENV.logGroups} must be a JSON array of log group names or ARNs, got ${JSON.stringify(logGroupsText)}`,
      );
    }
  }
  const missing =
    kind === "query-job" && backend ? MISSING_VARIABLE[backend]({ eventDataStoreArn, logGroups }) : undefined;
  // A malformed variable has been reported already; "not set" would only repeat it.
  if (missing && !problems.some((p) => p.startsWith(missing[0]))) problems.push(missing.join(" "));

  let queryTimeoutSeconds = 600;
  const timeoutText = text(ENV.queryTimeoutSeconds);
  if (timeoutText) {
    const n = Number(timeoutText);
    if (!Number.isInteger(n) || n < 1 || n > 900)
      problems.push(`${ENV.queryTimeoutSeconds} must be an integer from 1 to 900, got "${timeoutText}"`);
    else queryTimeoutSeconds = n;
  }

  const driftText = text(ENV.driftCheck);
  if (driftText && driftText !== "true" && driftText !== "false")
    problems.push(`${ENV.driftCheck} must be true or false, got "${driftText}"`);

  const securityHubProductArn = text(ENV.securityHubProductArn);
  const product = securityHubProductArn ? SECURITY_HUB_PRODUCT_ARN.exec(securityHubProductArn) : undefined;
  if (securityHubProductArn && (!product || product[2] !== product[3]))
    problems.push(
      `${ENV.securityHubProductArn} must be arn:<partition>:securityhub:<region>:<account>:product/<account>/default,` +
        ` got "${securityHubProductArn}"`,
    );

  if (problems.length > 0) throw new EnvError(problems);
  const definitionFile = text(ENV.guardrailDefinition);
  return {
    kind,
    stateTableName,
    alertTopicArn,
    backend,
    eventDataStoreArn,
    logGroups,
    guardrailConfigPath: path.resolve(bundleDir, text(ENV.guardrailConfig) ?? "guardrail.config.json"),
    ...(definitionFile ? { guardrailDefinitionPath: path.resolve(bundleDir, definitionFile) } : {}),
    memberRoleName: text(ENV.memberRoleName),
    memberRoleExternalId: text(ENV.memberRoleExternalId),
    jobName: text(ENV.jobName) ?? DEFAULT_JOB_NAME,
    queryTimeoutSeconds,
    driftCheck: driftText !== "false",
    ...(securityHubProductArn ? { securityHubProductArn } : {}),
  };
}
