/**
 * Notifier over SNS: one Publish per alert. With an e-mail variant the message is published with
 * MessageStructure "json": e-mail subscribers get the text, every other protocol (SQS, Lambda,
 * HTTPS, Firehose) the default body.
 */
import { ListSubscriptionsByTopicCommand, PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { MessageVariants, Notifier } from "./contracts";
import type { PermissionDeclaration } from "./permissions";

export const SNS_PUBLISH_PERMISSIONS: PermissionDeclaration[] = [
  {
    actions: ["sns:Publish"],
    resource: { kind: "alert-topic" },
    why: "Publish findings and drift alerts to the alert topic",
  },
  {
    actions: ["kms:GenerateDataKey", "kms:Decrypt"],
    resource: { kind: "alert-key" },
    why: "Publish to the KMS-encrypted alert topic",
  },
];

export const SNS_SUBSCRIPTION_READ_PERMISSIONS: PermissionDeclaration[] = [
  {
    actions: ["sns:ListSubscriptionsByTopic"],
    resource: { kind: "alert-topic" },
    why: "Check that the configured alert e-mails are still subscribed to the alert topic (drift check)",
  },
];

/** A subscription of the alert topic as the drift check needs it. */
export interface TopicSubscription {
  protocol: string;
  endpoint: string;
  /** Not confirmed yet: SNS lists it with the SubscriptionArn "PendingConfirmation". */
  pending: boolean;
}

/** Every subscription of a topic (ListSubscriptionsByTopic returns at most 100 per page). */
export async function listTopicSubscriptions(client: SNSClient, topicArn: string): Promise<TopicSubscription[]> {
  const out: TopicSubscription[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
    for (const s of page.Subscriptions ?? [])
      out.push({
        protocol: s.Protocol ?? "",
        endpoint: s.Endpoint ?? "",
        pending: s.SubscriptionArn === "PendingConfirmation",
      });
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(
    subject: string,
    body: string,
    attributes: Record<string, string> = {},
    variants: MessageVariants = {},
  ): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: subject,
        ...snsMessage(body, variants),
        // SNS refuses the whole message for one attribute whose value is empty or missing (a forged finding's), and
        // the alert matters more than its attributes: such an attribute is left out.
        MessageAttributes: Object.fromEntries(
          Object.entries(attributes)
            .filter(([, v]) => typeof v === "string" && v !== "")
            .map(([k, v]) => [k, { DataType: "String", StringValue: v }]),
        ),
      }),
    );
  }
}

/** SNS's limit for the whole message (all protocol variants together). */
export const SNS_MAX_MESSAGE_BYTES = 256 * 1024;

/** The Message (and MessageStructure) to send; without room for both, the machine-readable body alone. */
export function snsMessage(body: string, variants: MessageVariants): { Message: string; MessageStructure?: "json" } {
  if (!variants.email) return { Message: body };
  const structured = JSON.stringify({ default: body, email: variants.email });
  if (Buffer.byteLength(structured, "utf8") > SNS_MAX_MESSAGE_BYTES) return { Message: body };
  return { Message: structured, MessageStructure: "json" };
}
