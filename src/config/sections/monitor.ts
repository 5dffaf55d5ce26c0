import { z } from "zod";
import { AccountId, Region } from "./aws";
import { EVENT_PATTERN_QUOTA, eventBusName, logGroupName } from "../aws-limits";
import { type MonitorBackend, MONITOR_BACKENDS } from "../backends";

/**
 * Whether `text` is a day of the calendar written YYYY/MM/DD (the Athena projection's format): 2024/02/30 is not, and
 * would otherwise reach the deployed table's projection range (athena-ddl refuses it with this same check).
 */
export function isCalendarDay(text: string): boolean {
  const m = /^(\d{4})\/(\d{2})\/(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = m.slice(1).map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * The retention periods CloudWatch Logs accepts (PutRetentionPolicy / aws_cloudwatch_log_group
 * retention_in_days, per the CloudWatch Logs API reference); any other number passes synth and
 * fails at apply, so it is refused at load.
 */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const GLUE_NAME = "must be a Glue name: lower-case letters, digits and underscores";

/**
 * The scheduled job on Amazon Athena over the organization trail's S3 archive (docs/athena.md). The
 * monitor stack creates the Glue database and table (partition projection), the workgroup with its
 * bytes-scanned cutoff and the encrypted results bucket; the trail and its bucket already exist.
 */
const AthenaMonitorSchema = z
  .strictObject({
    database: z
      .string()
      .regex(/^[a-z0-9_]{1,255}$/, GLUE_NAME)
      .default("bedrock_guardrail")
      .describe("Glue database the monitor stack creates for the CloudTrail table"),
    table: z
      .string()
      .regex(/^[a-z0-9_]{1,255}$/, GLUE_NAME)
      .default("cloudtrail")
      .describe("Glue table over the trail's files (partition projection by account, region and day)"),
    workgroup: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,128}$/, "must be an Athena workgroup name: letters, digits and ._-")
      .default("bedrock-guardrail")
      .describe("Athena workgroup the job's queries run in (engine 3, bytes-scanned cutoff, encrypted results)"),
    bucket: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name")
      .optional()
      .describe("The organization trail's S3 bucket; required for the athena backend"),
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9!_.*()-]+(\/[A-Za-z0-9!_.*()-]+)*$/, "must be an S3 key prefix without leading or trailing /")
      .optional()
      .describe("Key prefix the trail writes under (before AWSLogs/), if any"),
    organizationId: z
      .string()
      .regex(/^o-[a-z0-9]{10,32}$/, "must be an organization ID (o-...)")
      .optional()
      .describe("For an organization trail: its files are under AWSLogs/<organizationId>/"),
    scheduleMinutes: z
      .number()
      .int()
      .min(5)
      .max(1440)
      .default(60)
      .describe("Minutes between runs; each run scans whole day partitions, so fewer runs cost less (docs/athena.md)"),
    accounts: z
      .array(AccountId)
      .default([])
      .describe("Accounts the table projects; empty: every account of the organization, read at deploy time"),
    regions: z
      .array(Region)
      .default([])
      .describe("Regions the table projects; empty: every region of the partition, read at deploy time"),
    startDate: z
      .string()
      .regex(/^\d{4}\/\d{2}\/\d{2}$/, { message: "must be a date YYYY/MM/DD", abort: true })
      .refine(isCalendarDay, "is no day of the calendar (YYYY/MM/DD)")
      .default("2024/01/01")
      .describe("First day the table projects (YYYY/MM/DD)"),
    kmsKeyArn: z
      .string()
      .regex(/^arn:(aws|aws-cn|aws-us-gov):kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, "must be a KMS key ARN")
      .optional()
      .describe("The trail's SSE-KMS key, when its log files are encrypted with one: the job may decrypt with it"),
    bytesScannedCutoffGb: z
      .number()
      .min(0.01)
      .max(10_000)
      .default(10)
      .describe("The workgroup cancels any query that scans more than this many GB"),
  })
  .prefault({})
  .describe("The athena backend: Athena over the organization trail's S3 archive (docs/athena.md)");

export const MonitorConfigSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe("Deploy the monitor (query job, state table, alert topic) and the member remediation role"),
    backend: z
      .enum(MONITOR_BACKENDS)
      .default("cloudtrail-lake")
      .describe(
        "Where the scheduled job reads CloudTrail from: cloudtrail-lake (closed to new customers since " +
          "2026-05-31), cloudwatch-logs or athena",
      ),
    cloudtrailLake: z
      .strictObject({
        eventDataStoreArn: z
          .string()
          .regex(
            /^arn:(aws|aws-cn|aws-us-gov):cloudtrail:[a-z0-9-]+:\d{12}:eventdatastore\/[A-Za-z0-9]+(-[A-Za-z0-9]+)*$/,
            "must be a CloudTrail Lake event data store ARN",
          )
          .optional()
          .describe(
            "An existing event data store to query; absent: a Bedrock-only organization event data store is created",
          ),
        retentionDays: z
          .number()
          .int()
          .min(7)
          .max(3653)
          .default(90)
          .describe("Days the created event data store keeps events"),
        terminationProtection: z
          .boolean()
          .default(true)
          .describe("Termination protection of the created event data store"),
      })
      .prefault({})
      .describe("The cloudtrail-lake backend"),
    cloudwatchLogs: z
      .strictObject({
        logGroups: z
          .array(logGroupName())
          .max(50)
          .default([])
          .describe(
            "Log group(s) of the organization trail; ARNs for cross-account groups. Required for the " +
              "cloudwatch-logs backend",
          ),
      })
      .prefault({})
      .describe("The cloudwatch-logs backend (CloudWatch Logs Insights)"),
    athena: AthenaMonitorSchema,
    trailArn: z
      .string()
      .regex(
        /^arn:(aws|aws-cn|aws-us-gov):cloudtrail:[a-z0-9-]+:\d{12}:trail\/[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/,
        "must be a CloudTrail trail ARN",
      )
      .optional()
      .describe(
        "The organization trail that feeds the athena archive or the cloudwatch-logs log groups: with " +
          "monitor.driftCheck, each run checks that it still logs the rules' events there (docs/monitor.md)",
      ),
    eventbridge: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe("Deploy the real-time path: a function fed by the central EventBridge bus"),
        regions: z
          .array(Region)
          .default([])
          .describe("Regions whose default bus gets a forwarding rule; required when enabled"),
        centralBusName: eventBusName()
          .default("bedrock-guardrail")
          .describe("The bus in the monitor account the regions forward to"),
        maxPatternChars: z
          .number()
          .int()
          .min(256)
          .max(EVENT_PATTERN_QUOTA.max)
          .default(EVENT_PATTERN_QUOTA.default)
          .describe(
            "EventBridge's event pattern size quota in your accounts: the rules' pattern is split over as many " +
              "EventBridge rules as fit it (raise it only with the quota, in every forwarding region and account)",
          ),
      })
      .prefault({})
      .describe("Real-time detection from EventBridge, beside the scheduled job"),
    latenessAllowanceMinutes: z
      .number()
      .int()
      .min(0)
      .max(1440)
      .default(20)
      .describe(
        "Minutes subtracted from the watermark, because CloudTrail delivery is not guaranteed within 5 minutes",
      ),
    alertEmails: z
      .array(z.email({ message: "must be an e-mail address" }))
      .default([])
      .describe(
        "E-mail addresses subscribed to the alert topic (with scp.protectGuardrail, only break-glass and " +
          "scp.exemptedPrincipalAdminArns may subscribe: list the pipeline that applies the monitor stack there); " +
          "with monitor.driftCheck, an address that loses its subscription is reported as drift",
      ),
    memberRoleExternalId: z
      .string()
      .regex(/^[\w+=,.@:/-]{2,1224}$/, "must be 2-1224 characters of letters, digits and +=,.@:/-_")
      .default("bedrock-guardrail-responder")
      .describe(
        "sts:ExternalId the responder presents to the member remediation role (in the monitor's environment and " +
          "the StackSet's trust policy, which also requires the responder role ARN and aws:PrincipalOrgID); set " +
          "your own value to make it unguessable too",
      ),
    driftCheck: z
      .boolean()
      .default(true)
      .describe(
        "Verify each run that the SCP exists, is unchanged and attached (read-only Organizations access from the " +
          "monitor account)",
      ),
    releasedAccounts: z
      .array(AccountId)
      .default([])
      .describe(
        "Accounts deliberately moved out of the OU targets (or closed): the drift check stops reporting that they " +
          "left the guardrail's coverage",
      ),
    /**
     * Security Hub must be enabled in the monitor account and region; findings it refuses stay queued
     * and are retried each run.
     */
    securityHub: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            "Also import findings into Security Hub (ASFF, BatchImportFindings, the account's default product)",
          ),
      })
      .prefault({})
      .describe("Send findings to AWS Security Hub in the monitor account and region (ASFF, BatchImportFindings)"),
    logRetentionDays: z
      .literal(LOG_RETENTION_DAYS, {
        error: `must be one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`,
      })
      .default(90)
      .describe("Days the monitor's Lambda log groups keep their events: one of the values CloudWatch Logs accepts"),
  })
  .prefault({})
  .superRefine((m, ctx) => {
    const missing = m.enabled ? MISSING_SETTING[m.backend](m) : undefined;
    if (missing) ctx.addIssue({ code: "custom", ...missing });
    if (m.eventbridge.enabled && m.eventbridge.regions.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["eventbridge", "regions"],
        message: "must list at least one region when eventbridge is enabled",
      });
    }
  })
  .describe("The detection monitor in the security account: the scheduled query job, alerts, the real-time path");

export type MonitorConfig = z.infer<typeof MonitorConfigSchema>;

/** The setting a scheduled backend cannot run without, when it is missing (a Lake event data store is created). */
const MISSING_SETTING: Record<MonitorBackend, (m: MonitorConfig) => { path: string[]; message: string } | undefined> = {
  "cloudtrail-lake": () => undefined,
  "cloudwatch-logs": (m) =>
    m.cloudwatchLogs.logGroups.length === 0
      ? {
          path: ["cloudwatchLogs", "logGroups"],
          message: "is required when backend is cloudwatch-logs (the organization trail's log group)",
        }
      : undefined,
  athena: (m) =>
    m.athena.bucket === undefined
      ? {
          path: ["athena", "bucket"],
          message: "is required when backend is athena (the organization trail's S3 bucket)",
        }
      : undefined,
};
