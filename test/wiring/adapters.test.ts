/** The wiring of remediation: how member accounts are reached, and where the undo commands it sends read. */
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { AccountRefused } from "../../src/remediation/member-clients";
import { DynamoDBClient, GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { ListParentsCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { mockClient } from "aws-sdk-client-mock";
import { runUndo } from "../../src/cli/commands/undo";
import { EXTERNAL_ID_ENV, makeResponder, memberClientsFor } from "../../src/wiring/adapters";
import { findingOf, fixture, guardrailWith, IAM_USER_RECORD } from "../remediation/helpers";
import { awsMocks, fakeDeployBotAccount } from "../remediation/mocks";

const aws = awsMocks();
afterEach(() => aws.reset());
afterAll(() => aws.restore());

const organizations = mockClient(OrganizationsClient);
// Every account these tests reach is in the organization (organization-bound.test.ts has the others).
beforeEach(() => organizations.on(ListParentsCommand).resolves({ Parents: [{ Id: "r-ab12", Type: "ROOT" }] }));
afterEach(() => organizations.reset());
afterAll(() => organizations.restore());

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

describe("makeResponder (the monitor's)", () => {
  const ddb = mockClient(DynamoDBClient);
  afterAll(() => ddb.restore());

  it("sends undo commands that read the monitor's table, as printed", async () => {
    ddb.onAnyCommand().resolves({});
    ddb.on(QueryCommand).resolves({ Count: 0 });
    aws.sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: "ASIAX", SecretAccessKey: "s", SessionToken: "t", Expiration: new Date() },
    });
    fakeDeployBotAccount(aws);
    const g = guardrailWith({ remediation: { mode: "enforce" } });
    const bodies: string[] = [];
    const responder = makeResponder(g, {
      stateTableName: "guardrail-monitor-state",
      notifier: { publish: async (_s, body) => void bodies.push(body) },
    });
    await responder.respond(findingOf(g, fixture(IAM_USER_RECORD)));
    const commands = bodies.join("\n").match(/^ {4}undo: .*$/gm) ?? [];
    expect(commands).toHaveLength(2); // the key deactivation and the session revocation
    for (const c of commands)
      expect(c).toMatch(
        /^ {4}undo: npx bedrock-guardrail undo --action-id ra-[0-9a-f]{24} --table guardrail-monitor-state$/,
      );

    // The printed options, given to undo, look the action up in that table.
    const [, actionId, table] = commands[0]!.match(/--action-id (\S+) --table (\S+)$/)!;
    ddb.resetHistory();
    const err: string[] = [];
    await runUndo({ actionId, table }, { stdout: { write: () => true }, stderr: { write: (s) => err.push(s) } });
    expect(ddb.commandCalls(GetItemCommand).map((c) => c.args[0].input.TableName)).toEqual([table]);
    expect(err.join("")).toMatch(/no action "ra-\w+" is recorded in table guardrail-monitor-state/);
  });
});
