/**
 * Notifier over SNS: one Publish per alert. With an e-mail variant the message is published with
 * MessageStructure "json": e-mail subscribers get the text, every other protocol (SQS, Lambda,
 * HTTPS, Firehose) the default body.
 */
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
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
        MessageAttributes: Object.fromEntries(
          Object.entries(attributes).map(([k, v]) => [k, { DataType: "String", StringValue: v }]),
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
