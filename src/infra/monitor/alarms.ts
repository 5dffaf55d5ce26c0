/**
 * Alarms that page through the alert topic: the job failed, the job was throttled, the job has
 * not succeeded for three intervals (missing data counts as breaching: a job that never runs is
 * the failure this alarm exists for), and something landed in the dead-letter queue.
 *
 * Every alarm reads only metrics AWS publishes (AWS/Lambda, AWS/SQS): namespaces beginning with AWS/
 * are reserved to AWS. The job's own metrics (namespace BedrockGuardrail) are Embedded Metric Format
 * log lines, and CloudWatch Logs turns such a line into a metric whoever writes it to whichever log
 * group, without cloudwatch:PutMetricData: an alarm on them could be kept green by anyone who can
 * write logs in the account.
 */
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";

export interface JobAlarmsProps {
  functionName: string;
  intervalMinutes: number;
  topicArn: string;
  deadLetterQueueName: string;
  /** Consecutive intervals without a successful run before alarming. Default 3. */
  missedIntervals?: number;
}

export class JobAlarms extends Construct {
  readonly alarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, props: JobAlarmsProps) {
    super(scope, id);
    const actions = { alarmActions: [props.topicArn], okActions: [props.topicArn] };
    const period = props.intervalMinutes * 60;
    const lambda = (metricName: string, what: string) =>
      new CloudwatchMetricAlarm(this, metricName.toLowerCase(), {
        alarmName: `${props.functionName}-${metricName.toLowerCase()}`,
        alarmDescription: `${props.functionName} ${what}`,
        namespace: "AWS/Lambda",
        metricName,
        dimensions: { FunctionName: props.functionName },
        statistic: "Sum",
        period,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        ...actions,
      });
    this.alarms.push(
      lambda("Errors", "failed (see its log group)"),
      lambda("Throttles", "was throttled (concurrency or account limits)"),
    );
    const missed = props.missedIntervals ?? 3;
    const lambdaMetric = (id: string, metricName: string) => ({
      id,
      returnData: false,
      metric: {
        namespace: "AWS/Lambda",
        metricName,
        dimensions: { FunctionName: props.functionName },
        stat: "Sum",
        period,
      },
    });
    this.alarms.push(
      // A successful run is an invocation that did not end in an error: the handler fails the invocation
      // whenever the run fails (src/handlers/invocation.ts), and a timeout or crash is an error too.
      // No invocation at all leaves the expression without data, which counts as breaching.
      new CloudwatchMetricAlarm(this, "no-successful-run", {
        alarmName: `${props.functionName}-no-successful-run`,
        alarmDescription: `${props.functionName} has not completed a run in ${missed} intervals: detection is blind`,
        metricQuery: [
          lambdaMetric("invocations", "Invocations"),
          lambdaMetric("errors", "Errors"),
          {
            id: "successful_runs",
            expression: "invocations - FILL(errors, 0)",
            label: "Invocations without an error",
            returnData: true,
          },
        ],
        evaluationPeriods: missed,
        datapointsToAlarm: missed,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "breaching",
        ...actions,
      }),
      new CloudwatchMetricAlarm(this, "dead-letters", {
        alarmName: `${props.functionName}-dead-letters`,
        alarmDescription:
          `Invocations of ${props.functionName} ended in the dead-letter queue ` + `${props.deadLetterQueueName}`,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: props.deadLetterQueueName },
        statistic: "Maximum",
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        ...actions,
      }),
    );
  }
}
