/**
 * EventBridge Scheduler runs the query job at the rule's interval. Flexible window off (the job's
 * window is computed from its own watermark, but alerts should not drift by minutes), a bounded
 * retry policy, a dead-letter queue, and a role that may invoke only this one function.
 */
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { Construct } from "constructs";
import { policyJson, serviceTrustPolicy } from "../iam/policy-document";
import { ROLE_NAMES, ROLE_PATH } from "../naming";

export interface JobScheduleProps {
  name: string;
  intervalMinutes: number;
  functionArn: string;
  deadLetterQueueArn: string;
  accountId: string;
  maximumRetryAttempts?: number;
  /** Older than one interval, a retry only races the next scheduled run. */
  maximumEventAgeSeconds?: number;
}

/** `rate(5 minutes)` from the definition's interval (Scheduler wants the singular for 1). */
function rateExpression(intervalMinutes: number): string {
  if (!Number.isInteger(intervalMinutes) || intervalMinutes < 1)
    throw new Error(`schedule interval must be a whole number of minutes >= 1, got ${intervalMinutes}`);
  return `rate(${intervalMinutes} ${intervalMinutes === 1 ? "minute" : "minutes"})`;
}

export class JobSchedule extends Construct {
  readonly role: IamRole;
  readonly schedule: SchedulerSchedule;

  constructor(scope: Construct, id: string, props: JobScheduleProps) {
    super(scope, id);
    this.role = new IamRole(this, "role", {
      name: ROLE_NAMES.scheduler,
      path: ROLE_PATH,
      description: "Lets EventBridge Scheduler invoke the bedrock-guardrail query job",
      assumeRolePolicy: serviceTrustPolicy("scheduler.amazonaws.com", props.accountId),
    });
    new IamRolePolicy(this, "policy", {
      name: "invoke-query-job",
      role: this.role.id,
      policy: policyJson([
        { Sid: "InvokeQueryJob", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [props.functionArn] },
        { Sid: "DeadLetterQueue", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [props.deadLetterQueueArn] },
      ]),
    });
    this.schedule = new SchedulerSchedule(this, "schedule", {
      name: props.name,
      description: "Runs the bedrock-guardrail detection query",
      scheduleExpression: rateExpression(props.intervalMinutes),
      flexibleTimeWindow: { mode: "OFF" },
      state: "ENABLED",
      target: {
        arn: props.functionArn,
        roleArn: this.role.arn,
        input: JSON.stringify({ source: "bedrock-guardrail.schedule" }),
        retryPolicy: {
          maximumRetryAttempts: props.maximumRetryAttempts ?? 2,
          maximumEventAgeInSeconds: props.maximumEventAgeSeconds ?? Math.max(60, props.intervalMinutes * 60),
        },
        deadLetterConfig: { arn: props.deadLetterQueueArn },
      },
    });
  }
}
