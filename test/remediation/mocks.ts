/** aws-sdk-client-mock set-up shared by the executor, responder, undo and e2e tests. */
import { BedrockClient, DeleteFoundationModelAgreementCommand } from "@aws-sdk/client-bedrock";
import {
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  NoSuchEntityException,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { LocalClientProvider } from "../../src/remediation/member-clients";

export function awsMocks() {
  const iam = mockClient(IAMClient);
  const bedrock = mockClient(BedrockClient);
  const secrets = mockClient(SecretsManagerClient);
  const sts = mockClient(STSClient);
  return {
    iam,
    bedrock,
    secrets,
    sts,
    reset() {
      for (const m of [iam, bedrock, secrets, sts]) m.reset();
    },
    restore() {
      for (const m of [iam, bedrock, secrets, sts]) m.restore();
    },
    /** Names of every command sent that changes something. */
    mutatingCalls(): string[] {
      const all = [...iam.calls(), ...bedrock.calls(), ...secrets.calls()].map(
        (c) => (c.args[0] as object).constructor.name,
      );
      return all.filter((n) => !/^(Get|List|Describe)/.test(n));
    },
  };
}

export const localClients = () =>
  new LocalClientProvider("us-east-1", "any", { credentials: { accessKeyId: "AKIATEST", secretAccessKey: "test" } });

export function awsError(name: string, message = name, status = 400): Error {
  return Object.assign(new Error(message), { name, $fault: "client", $metadata: { httpStatusCode: status } });
}

/**
 * The member account of the IAM-user fixture: deploy-bot with one access key whose status
 * UpdateAccessKey really changes, no inline policy yet, and an agreement that can be deleted.
 */
export function fakeDeployBotAccount(aws: ReturnType<typeof awsMocks>): { keyStatus: () => "Active" | "Inactive" } {
  let status: "Active" | "Inactive" = "Active";
  aws.iam.on(ListAccessKeysCommand).callsFake(() => ({
    AccessKeyMetadata: [{ UserName: "deploy-bot", AccessKeyId: "AKIAEXAMPLEKEY000001", Status: status }],
  }));
  aws.iam.on(UpdateAccessKeyCommand).callsFake((input: { Status: "Active" | "Inactive" }) => {
    status = input.Status;
    return {};
  });
  aws.iam.on(GetUserPolicyCommand).rejects(new NoSuchEntityException({ message: "none", $metadata: {} }));
  aws.iam.on(PutUserPolicyCommand).resolves({});
  aws.bedrock.on(DeleteFoundationModelAgreementCommand).resolves({});
  return { keyStatus: () => status };
}
