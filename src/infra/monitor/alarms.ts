/**
 * Alarms that page through the alert topic: the job failed, the job was throttled, the job has
 * not succeeded for three intervals (missing data counts as breaching: a job that never runs is
 * the failure this alarm exists for), and something landed in the dead-letter queue.
 */
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";

/** The run metric the query job emits in Embedded Metric Format (see src/runtime). */
interface RunMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}

export interface JobAlarmsProps {
  functionName: string;
  intervalMinutes: number;
  topicArn: string;
  deadLetterQueueName: string;
  successMetric: RunMetric;
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
    this.alarms.push(
      new CloudwatchMetricAlarm(this, "no-successful-run", {
        alarmName: `${props.functionName}-no-successful-run`,
        alarmDescription: `${props.functionName} has not completed a run in ${missed} intervals: detection is blind`,
        namespace: props.successMetric.namespace,
        metricName: props.successMetric.metricName,
        dimensions: props.successMetric.dimensions,
        statistic: "Sum",
        period,
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
