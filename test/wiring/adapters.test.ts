/** The command line's member-account clients assume the member role the way its trust policy requires. */
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
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
