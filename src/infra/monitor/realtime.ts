/**
 * Real-time path (optional): in each configured region rules on the monitor account's default
 * bus match the compiled EventBridge patterns (one rule per pattern: AWS limits a pattern's size,
 * see buildEventPatterns) and forward to a central bus; the central bus's rules, the same patterns
 * (policy limited to the organization with aws:PrincipalOrgID, and to the events the rules match) invokes the
 * realtime function.
 * Member accounts' own default buses forward to the same central bus through the
 * event-forwarder StackSet in the remediation-member-role stack (see README).
 */
import { CloudwatchEventBus } from "@cdktf/provider-aws/lib/cloudwatch-event-bus";
import { CloudwatchEventBusPolicy } from "@cdktf/provider-aws/lib/cloudwatch-event-bus-policy";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { Construct } from "constructs";
import { EVENT_RULE_STATE, type EventPattern } from "../../detection/backends/eventbridge-pattern";
import { policyJson, serviceTrustPolicy } from "../iam/policy-document";
import { numberedName, RESOURCE_PREFIX, ROLE_NAMES, ROLE_PATH } from "../naming";

export interface RealtimeProps {
  /** The rules' patterns, one EventBridge rule each (buildEventPatterns). */
  patterns: EventPattern[];
  centralBusName: string;
  /** Regions whose default bus (in this account) gets a forwarding rule. */
  regions: string[];
  accountId: string;
  organizationId: string;
  functionArn: string;
  functionName: string;
  deadLetterQueueArn: string;
  deadLetterQueueUrl: string;
}

/** The sources and detail-types the rules' patterns match: the only events the central bus has a use for. */
function patternEvents(patterns: readonly EventPattern[]): { sources: string[]; detailTypes: string[] } {
  const sorted = (values: string[]) => [...new Set(values)].sort();
  return {
    sources: sorted(patterns.flatMap((p) => [...(p.source ?? []), ...(p.$or ?? []).flatMap((b) => b.source)])),
    detailTypes: sorted(patterns.flatMap((p) => p["detail-type"])),
  };
}

/**
 * The central bus's resource policy: PutEvents from principals of this organization only, and only events with
 * the sources and detail-types the rules match (events:source and events:detail-type hold every entry's, hence
 * ForAllValues). Anything else would reach no rule, but would let any account of the organization fill the bus
 * (and whatever archive or rule someone adds to it) with events of its own making.
 */
function centralBusPolicy(busArn: string, organizationId: string, patterns: readonly EventPattern[]): string {
  const { sources, detailTypes } = patternEvents(patterns);
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "OrganizationMembersForward",
        Effect: "Allow",
        Principal: "*",
        Action: "events:PutEvents",
        Resource: busArn,
        Condition: {
          StringEquals: { "aws:PrincipalOrgID": organizationId },
          "ForAllValues:StringEquals": { "events:source": sources, "events:detail-type": detailTypes },
        },
      },
    ],
  });
}

export class RealtimeForwarding extends Construct {
  readonly bus: CloudwatchEventBus;

  constructor(scope: Construct, id: string, props: RealtimeProps) {
    super(scope, id);
    const patterns = props.patterns.map((p) => JSON.stringify(p));
    this.bus = new CloudwatchEventBus(this, "bus", { name: props.centralBusName });
    new CloudwatchEventBusPolicy(this, "bus-policy", {
      eventBusName: this.bus.name,
      policy: centralBusPolicy(this.bus.arn, props.organizationId, props.patterns),
    });

    const centralRules = patterns.map((pattern, i) => {
      const rule = new CloudwatchEventRule(this, numberedName("central-rule", i), {
        name: numberedName(`${RESOURCE_PREFIX}-realtime`, i),
        description: "Bedrock model-access calls forwarded from the organization",
        eventBusName: this.bus.name,
        eventPattern: pattern,
        state: EVENT_RULE_STATE,
      });
      new CloudwatchEventTarget(this, numberedName("central-target", i), {
        rule: rule.name,
        eventBusName: this.bus.name,
        arn: props.functionArn,
        retryPolicy: { maximumRetryAttempts: 8, maximumEventAgeInSeconds: 3600 },
        deadLetterConfig: { arn: props.deadLetterQueueArn },
      });
      new LambdaPermission(this, numberedName("central-invoke", i), {
        statementId: numberedName("central-bus-rule", i),
        action: "lambda:InvokeFunction",
        functionName: props.functionName,
        principal: "events.amazonaws.com",
        sourceArn: rule.arn,
      });
      return rule;
    });
    // EventBridge writes undeliverable events to the DLQ as itself: only the central rules may.
    new SqsQueuePolicy(this, "dlq-policy", {
      queueUrl: props.deadLetterQueueUrl,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "CentralRuleDeadLetters",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: props.deadLetterQueueArn,
            Condition: { ArnEquals: { "aws:SourceArn": centralRules.map((rule) => rule.arn) } },
          },
        ],
      }),
    });

    // The monitor account's own Bedrock calls land on its default buses.
    const forwarder = new IamRole(this, "forwarder-role", {
      name: ROLE_NAMES.forwarder,
      path: ROLE_PATH,
      description: "Lets this account's default-bus rules forward Bedrock events to the central bus",
      assumeRolePolicy: serviceTrustPolicy("events.amazonaws.com", props.accountId),
    });
    new IamRolePolicy(this, "forwarder-policy", {
      name: "put-events-central-bus",
      role: forwarder.id,
      policy: policyJson([
        { Sid: "CentralBus", Effect: "Allow", Action: ["events:PutEvents"], Resource: [this.bus.arn] },
      ]),
    });
    for (const region of [...new Set(props.regions)].sort())
      patterns.forEach((pattern, i) => {
        const rule = new CloudwatchEventRule(this, numberedName(`forward-${region}`, i), {
          region,
          name: numberedName(`${RESOURCE_PREFIX}-forward`, i),
          description: "Forward Bedrock model-access calls to the bedrock-guardrail central bus",
          eventPattern: pattern,
          state: EVENT_RULE_STATE,
        });
        new CloudwatchEventTarget(this, `${numberedName(`forward-${region}`, i)}-target`, {
          region,
          rule: rule.name,
          arn: this.bus.arn,
          roleArn: forwarder.arn,
        });
      });
  }
}
