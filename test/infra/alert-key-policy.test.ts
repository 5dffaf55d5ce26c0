/**
 * The alert topic's KMS key: CloudWatch alarms may use it without a source condition (the SNS
 * guide documents none for this grant), and no EventBridge grant exists because nothing in the
 * stack publishes to the topic through EventBridge.
 */
import { resources, synthMonitor } from "./helpers";

const EVENTBRIDGE = { monitor: { eventbridge: { enabled: true, regions: ["us-east-1", "eu-west-1"] } } };

describe.each([
  ["default config", {}],
  ["eventbridge real-time path enabled", EVENTBRIDGE],
])("alert key policy (%s)", (_name, config) => {
  const s = synthMonitor(config);
  const policy = JSON.parse(resources(s, "aws_kms_key")[0].policy);
  const topicRef = /aws_sns_topic\.[\w-]+\.arn/;

  test("CloudWatch alarms may use the key, without an aws:SourceAccount / aws:SourceArn condition", () => {
    const alarms = policy.Statement.filter((x: any) =>
      JSON.stringify(x.Principal).includes("cloudwatch.amazonaws.com"),
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toEqual({
      Sid: "AlarmsPublish",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
    });
  });

  test("no EventBridge grant, and indeed no EventBridge rule or schedule targets the topic", () => {
    expect(JSON.stringify(policy)).not.toContain("events.amazonaws.com");
    const targets = [...resources(s, "aws_cloudwatch_event_target"), ...resources(s, "aws_scheduler_schedule")];
    expect(targets.length).toBeGreaterThan(0);
    for (const t of targets) expect(JSON.stringify(t)).not.toMatch(topicRef);
    // Who does publish: the alarms (alarm/ok actions) and the function roles.
    for (const a of resources(s, "aws_cloudwatch_metric_alarm")) expect(a.alarm_actions.join(" ")).toMatch(topicRef);
  });
});
