/** Notifier over SNS: one Publish per alert. */
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { Notifier } from "../contracts";
import { PermissionDeclaration } from "../permissions";

export const SNS_PUBLISH_PERMISSIONS: PermissionDeclaration[] = [
  { actions: ["sns:Publish"], resource: { kind: "alert-topic" }, why: "Publish findings and drift alerts to the alert topic" },
  { actions: ["kms:GenerateDataKey", "kms:Decrypt"], resource: { kind: "alert-key" }, why: "Publish to the KMS-encrypted alert topic" },
];

export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(subject: string, body: string, attributes: Record<string, string> = {}): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: subject,
        Message: body,
        MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: "String", StringValue: v }])),
      }),
    );
  }
}
