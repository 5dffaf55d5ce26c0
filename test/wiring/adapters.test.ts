/** The command line's member-account clients assume the member role the way its trust policy requires. */
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { AccountRefused } from "../../src/remediation/member-clients";
import { EXTERNAL_ID_ENV, memberClientsFor } from "../../src/wiring/adapters";
import { guardrailWith } from "../remediation/helpers";
import { awsMocks } from "../remediation/mocks";

const aws = awsMocks();
afterEach(() => aws.reset());
afterAll(() => aws.restore());

const externalIdSent = async (
  config: Parameters<typeof guardrailWith>[0],
  options: { externalId?: string },
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> => {
  aws.sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: "ASIAX", SecretAccessKey: "s", SessionToken: "t", Expiration: new Date() },
  });
  await memberClientsFor(guardrailWith(config), options, env).forAccount("444455556666");
  return aws.sts.commandCalls(AssumeRoleCommand)[0].args[0].input.ExternalId;
};

describe("memberClientsFor", () => {
  it("presents monitor.memberRoleExternalId by default: the value the StackSet's trust policy requires", async () => {
    expect(await externalIdSent({}, {}, {})).toBe("bedrock-guardrail-responder");
    aws.reset();
    expect(await externalIdSent({ monitor: { memberRoleExternalId: "org-secret-42" } }, {}, {})).toBe("org-secret-42");
  });
  it("lets --external-id, then the environment variable, override it", async () => {
    expect(await externalIdSent({}, {}, { [EXTERNAL_ID_ENV]: "from-env" })).toBe("from-env");
    aws.reset();
    expect(await externalIdSent({}, { externalId: "from-flag" }, { [EXTERNAL_ID_ENV]: "from-env" })).toBe("from-flag");
  });
});

describe("memberClientsFor --no-assume-role", () => {
  it("acts only in the account the local credentials belong to (asked of STS once)", async () => {
    aws.sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: "444455556666", Arn: "arn:aws:iam::444455556666:user/al" });
    const clients = memberClientsFor(guardrailWith({}), { assumeRole: false }, {});
    await expect(clients.forAccount("111122223333")).rejects.toThrow(
      new AccountRefused(
        "not run: the local credentials (--no-assume-role) belong to account 444455556666, not 111122223333; " +
          "run it with the member role, or with credentials of 111122223333",
      ),
    );
    await expect(clients.forAccount("444455556666")).resolves.toHaveProperty("iam");
    expect(aws.sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
    expect(aws.sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});
