/**
 * The alert path: a customer-managed KMS key, the SNS topic it encrypts, optional e-mail
 * subscriptions. The AWS-managed alias/aws/sns key cannot be used by CloudWatch alarms, so the
 * key policy names CloudWatch and the function roles that publish. EventBridge gets no grant:
 * no rule or schedule targets the topic (they invoke the Lambda functions, whose roles publish).
 */
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import type { PolicyStatement } from "../iam/policy-document";
import { RESOURCE_PREFIX } from "../naming";
import { KEY_ADMIN_ACTIONS } from "../iam/kms-key-admin";

export interface AlertingProps {
  partition: string;
  accountId: string;
  /** ARNs of the roles that publish to the topic (they need the key too). */
  publisherRoleArns: string[];
  emails?: string[];
  topicName?: string;
}

/** What a publisher to an SSE-KMS topic needs on the key. */
const PUBLISH_KEY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"];

type KeyPolicyStatement = Omit<PolicyStatement, "Resource"> & {
  Principal: Record<string, string | string[]>;
  Resource: string;
};

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
      // default access policy already limits publishing to this account's principals.
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
      name: props.topicName ?? `${RESOURCE_PREFIX}-alerts`,
      kmsMasterKeyId: this.key.arn,
    });
    for (const [i, email] of [...new Set(props.emails ?? [])].sort().entries()) {
      new SnsTopicSubscription(this, `email-${i}`, { topicArn: this.topic.arn, protocol: "email", endpoint: email });
    }
  }
}
