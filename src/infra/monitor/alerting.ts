/**
 * The alert path: a customer-managed KMS key, the SNS topic it encrypts, the topic's access policy,
 * optional e-mail subscriptions. The AWS-managed alias/aws/sns key cannot be used by CloudWatch alarms, so the
 * key policy names CloudWatch and the function roles that publish. EventBridge gets no grant:
 * no rule or schedule targets the topic (they invoke the Lambda functions, whose roles publish).
 * Publishing needs the key, so nobody else publishes; subscribing needs no key, so the access policy
 * lets only the named principals subscribe (a subscriber receives every finding, outside the organization too).
 * CloudWatch may use the key for any alarm (see the key policy), so the access policy also lets only the
 * monitor's own alarms (addAlarms) publish as CloudWatch: an alarm anyone else creates cannot page responders.
 */
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import type { PolicyStatement } from "../iam/policy-document";
import { ALERT_TOPIC_NAME, RESOURCE_PREFIX } from "../naming";
import { KEY_ADMIN_ACTIONS } from "../iam/kms-key-admin";

export interface AlertingProps {
  partition: string;
  accountId: string;
  /** ARNs of the roles that publish to the topic (they need the key too). */
  publisherRoleArns: string[];
  emails?: string[];
  /**
   * ArnLike patterns of the only principals that may subscribe to the topic (break-glass and the admins); an
   * empty list lets nobody subscribe. Absent: whoever the account's IAM policies allow, as with SNS's default policy.
   */
  subscriberPrincipalArns?: string[];
}

/** What a publisher to an SSE-KMS topic needs on the key. */
const PUBLISH_KEY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"];

type KeyPolicyStatement = Omit<PolicyStatement, "Resource"> & {
  Principal: Record<string, string | string[]>;
  Resource: string;
};

/**
 * What SNS's default access policy lets the topic owner's account do (its __default_statement_ID, with the same
 * AWS:SourceOwner condition): the account's IAM policies then decide who may do each of them.
 */
const DEFAULT_TOPIC_ACTIONS = [
  "sns:GetTopicAttributes",
  "sns:SetTopicAttributes",
  "sns:AddPermission",
  "sns:RemovePermission",
  "sns:DeleteTopic",
  "sns:Subscribe",
  "sns:ListSubscriptionsByTopic",
  "sns:Publish",
];

/**
 * The topic's access policy: SNS's default statement, and with subscriberPrincipalArns a Deny of sns:Subscribe
 * to everyone else and a Deny of sns:Publish on behalf of any other source than the monitor's alarms. The
 * Subscribe Deny has no aws:PrincipalIsAWSService exception, so it also refuses a request without a principal
 * ARN (an AWS service principal, or an anonymous one): nothing subscribes to this topic as a service (Amazon Q
 * Developer in chat applications subscribes with its service-linked role, which has an ARN and is not
 * named), and one that did would do so on behalf of whoever pointed it at the topic. sns:ConfirmSubscription and
 * sns:Unsubscribe are not actions a topic policy can name (SNS's list of valid policy actions); a subscription is
 * only confirmed after a Subscribe, which this denies.
 */
function alertTopicPolicy(props: {
  accountId: string;
  topicArn: string;
  subscriberPrincipalArns?: string[];
  alarmArns: string[];
}): {
  Version: string;
  Id: string;
  Statement: Record<string, unknown>[];
} {
  const statements: Record<string, unknown>[] = [
    {
      Sid: "AccountUsesTopic",
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: DEFAULT_TOPIC_ACTIONS,
      Resource: props.topicArn,
      Condition: { StringEquals: { "AWS:SourceOwner": props.accountId } },
    },
  ];
  if (props.subscriberPrincipalArns) {
    const subscribers = [...new Set(props.subscriberPrincipalArns)];
    statements.push({
      Sid: "OnlyNamedPrincipalsSubscribe",
      Effect: "Deny",
      Principal: "*",
      Action: ["sns:Subscribe"],
      Resource: props.topicArn,
      // Nobody named, nobody subscribes (as the SCP's protection statements do without admins).
      ...(subscribers.length > 0 ? { Condition: { ArnNotLike: { "aws:PrincipalArn": subscribers } } } : {}),
    });
    statements.push({
      Sid: "OnlyMonitorAlarmsPublishAsService",
      Effect: "Deny",
      Principal: "*",
      Action: ["sns:Publish"],
      Resource: props.topicArn,
      // A service publishing on a resource's behalf names it in aws:SourceArn (a CloudWatch alarm its alarm ARN);
      // the function roles publish as themselves, without one. CloudWatch is the only service the alert key lets
      // encrypt for the topic, and any principal of the account may create an alarm whose action is this topic:
      // its notifications would reach the responders as the monitor's. The monitor's alarms carry the tool's tag,
      // so nobody but the admins may rewrite or replace them (ProtectGuardrailTaggedResources).
      Condition: {
        Null: { "aws:SourceArn": "false" },
        ...(props.alarmArns.length > 0 ? { ArnNotEquals: { "aws:SourceArn": [...new Set(props.alarmArns)] } } : {}),
      },
    });
  }
  return { Version: "2012-10-17", Id: `${RESOURCE_PREFIX}-alert-topic`, Statement: statements };
}

/** The key policy; in a key policy `Resource: "*"` means this key. */
function alertKeyPolicy(props: Pick<AlertingProps, "partition" | "accountId" | "publisherRoleArns">): {
  Version: string;
  Statement: KeyPolicyStatement[];
} {
  const statements: KeyPolicyStatement[] = [
    {
      Sid: "AccountAdministersKey",
      Effect: "Allow",
      Principal: { AWS: `arn:${props.partition}:iam::${props.accountId}:root` },
      Action: KEY_ADMIN_ACTIONS,
      Resource: "*",
    },
    {
      Sid: "AlarmsPublish",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: PUBLISH_KEY_ACTIONS,
      Resource: "*",
      // No aws:SourceAccount / aws:SourceArn condition: the SNS guide's statement for event sources
      // publishing to an encrypted topic ("Enable compatibility between event sources from AWS
      // services and encrypted topics") has none, and nothing AWS documents says the KMS request
      // CloudWatch makes on an alarm's behalf carries those keys; if it does not, every alarm
      // notification would be dropped silently. The key encrypts only this topic, and the topic's
      // access policy lets CloudWatch publish for the monitor's own alarms only (OnlyMonitorAlarmsPublishAsService).
    },
  ];
  if (props.publisherRoleArns.length > 0) {
    statements.push({
      Sid: "FunctionRolesPublish",
      Effect: "Allow",
      Principal: { AWS: [...props.publisherRoleArns] },
      Action: PUBLISH_KEY_ACTIONS,
      Resource: "*",
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

export class Alerting extends Construct {
  readonly key: KmsKey;
  readonly topic: SnsTopic;
  /** The alarms that may publish to the topic as CloudWatch (addAlarms). */
  private readonly alarmArns: string[] = [];

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    this.key = new KmsKey(this, "key", {
      description: "Encrypts the bedrock-guardrail alert topic",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: JSON.stringify(alertKeyPolicy(props)),
    });
    new KmsAlias(this, "alias", { name: `alias/${RESOURCE_PREFIX}-alerts`, targetKeyId: this.key.keyId });
    this.topic = new SnsTopic(this, "topic", {
      // The SCP protects the topic's subscriptions by this name (ProtectGuardrailDeployment).
      name: ALERT_TOPIC_NAME,
      kmsMasterKeyId: this.key.arn,
    });
    new SnsTopicPolicy(this, "topic-policy", {
      arn: this.topic.arn,
      // Produced at synthesis, once every alarm is added: the alarms are created after the topic they notify.
      policy: Lazy.stringValue({
        produce: () =>
          JSON.stringify(
            alertTopicPolicy({
              accountId: props.accountId,
              topicArn: this.topic.arn,
              subscriberPrincipalArns: props.subscriberPrincipalArns,
              alarmArns: this.alarmArns,
            }),
          ),
      }),
    });
    for (const [i, email] of [...new Set(props.emails ?? [])].sort().entries()) {
      new SnsTopicSubscription(this, `email-${i}`, { topicArn: this.topic.arn, protocol: "email", endpoint: email });
    }
  }

  /** Lets these alarms notify the topic: with subscriberPrincipalArns, the only sources that may publish to it. */
  addAlarms(alarms: readonly { arn: string }[]): void {
    this.alarmArns.push(...alarms.map((a) => a.arn));
  }
}
