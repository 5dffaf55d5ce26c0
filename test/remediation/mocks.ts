/** aws-sdk-client-mock set-up shared by the executor, responder, undo and e2e tests. */
import { BedrockClient, DeleteFoundationModelAgreementCommand } from "@aws-sdk/client-bedrock";
import {
  GetRoleCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListServiceSpecificCredentialsCommand,
  NoSuchEntityException,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
  UpdateServiceSpecificCredentialCommand,
} from "@aws-sdk/client-iam";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { parseArn } from "../../src/arn/arn-like";
import { LocalClientProvider } from "../../src/remediation/member-clients";
import { OrganizationMembership } from "../../src/remediation/organization";

/**
 * The roles and users the member accounts have, by their real ARN: the principals of the records the tests respond
 * to. The executor reads the real ARN of the one an action names before its call (GetRole, GetUser).
 */
const MEMBER_PRINCIPALS: readonly string[] = [
  "arn:aws:iam::222233334444:user/ci/deploy-bot",
  "arn:aws:iam::222233334444:user/BedrockAPIKey_EXAMPLE",
  "arn:aws:iam::494659789341:role/test-role",
];

const mockIam = () => mockClient(IAMClient);
type IamMock = ReturnType<typeof mockIam>;

/** GetRole and GetUser answer with the principal of that type and name (IAM ignores its case), else NoSuchEntity. */
function answerWithPrincipals(iam: IamMock, arns: readonly string[]): void {
  const find = (type: "role" | "user", name: string | undefined) => {
    const arn = arns.find((a) => {
      const resource = parseArn(a)?.resource ?? "";
      return resource.startsWith(`${type}/`) && resource.split("/").at(-1)?.toLowerCase() === name?.toLowerCase();
    });
    if (!arn)
      throw new NoSuchEntityException({ message: `The ${type} with name ${name} cannot be found.`, $metadata: {} });
    const resource = parseArn(arn)!.resource;
    const path = resource.slice(resource.indexOf("/"), resource.lastIndexOf("/") + 1);
    return { Arn: arn, Path: path, Name: resource.split("/").at(-1)!, CreateDate: new Date("2024-01-01T00:00:00Z") };
  };
  iam.on(GetRoleCommand).callsFake((input: { RoleName?: string }) => {
    const p = find("role", input.RoleName);
    return { Role: { Arn: p.Arn, Path: p.Path, RoleName: p.Name, RoleId: "AROAEXAMPLE", CreateDate: p.CreateDate } };
  });
  iam.on(GetUserCommand).callsFake((input: { UserName?: string }) => {
    const p = find("user", input.UserName);
    return { User: { Arn: p.Arn, Path: p.Path, UserName: p.Name, UserId: "AIDAEXAMPLE", CreateDate: p.CreateDate } };
  });
}

export function awsMocks() {
  const iam = mockIam();
  const bedrock = mockClient(BedrockClient);
  const secrets = mockClient(SecretsManagerClient);
  const sts = mockClient(STSClient);
  answerWithPrincipals(iam, MEMBER_PRINCIPALS);
  return {
    iam,
    bedrock,
    secrets,
    sts,
    /** The member accounts have these roles and users too (beside MEMBER_PRINCIPALS), until reset. */
    havePrincipals(...arns: string[]) {
      answerWithPrincipals(iam, [...MEMBER_PRINCIPALS, ...arns]);
    },
    /** BedrockAPIKey_EXAMPLE's Bedrock API keys (service-specific credentials) by id: their status as IAM sets it. */
    bedrockApiKeys(initial: Record<string, string>): Record<string, string> {
      const status = { ...initial };
      iam.on(ListServiceSpecificCredentialsCommand).callsFake(() => ({
        ServiceSpecificCredentials: Object.entries(status).map(([id, s]) => ({
          UserName: "BedrockAPIKey_EXAMPLE",
          ServiceSpecificCredentialId: id,
          ServiceName: "bedrock.amazonaws.com",
          Status: s,
        })),
      }));
      iam.on(UpdateServiceSpecificCredentialCommand).callsFake((input) => {
        status[input.ServiceSpecificCredentialId] = input.Status;
        return {};
      });
      return status;
    },
    reset() {
      for (const m of [iam, bedrock, secrets, sts]) m.reset();
      answerWithPrincipals(iam, MEMBER_PRINCIPALS);
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

/** Organizations places every account in the organization (the tests whose subject is not membership). */
export const everyAccountAMember = () => new OrganizationMembership(async () => true);

export const localClients = () =>
  new LocalClientProvider("us-east-1", "any", {
    credentials: { accessKeyId: "AKIATEST", secretAccessKey: "test" },
  });

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
