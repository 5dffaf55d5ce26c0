/** aws-sdk-client-mock set-up shared by the executor, responder, undo and e2e tests. */
import { BedrockClient } from "@aws-sdk/client-bedrock";
import { IAMClient } from "@aws-sdk/client-iam";
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
      const all = [...iam.calls(), ...bedrock.calls(), ...secrets.calls()].map((c) => (c.args[0] as object).constructor.name);
      return all.filter((n) => !/^(Get|List|Describe)/.test(n));
    },
  };
}

export const localClients = () => new LocalClientProvider("us-east-1", { credentials: { accessKeyId: "AKIATEST", secretAccessKey: "test" } });

export function awsError(name: string, message = name, status = 400): Error {
  return Object.assign(new Error(message), { name, $fault: "client", $metadata: { httpStatusCode: status } });
}
