/**
 * Responders running at once on the DynamoDB audit store, against DynamoDB Local: the same finding
 * handled twice (the CLI's `remediate --execute --table` beside the monitor), and findings of one
 * principal handled in parallel (one realtime invocation per event).
 *
 * @slow (starts DynamoDB Local)
 */
import { DeleteFoundationModelAgreementCommand } from "@aws-sdk/client-bedrock";
import {
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { DynamoDbStore } from "../../src/remediation/dynamodb-store";
import { StaticOrganizationLookup } from "../../src/remediation/organization";
import { RemediationResponder } from "../../src/remediation/responder";
import { dynamoDbLocalForSuite } from "../support/dynamodb-local";
import { findingOf, fixture, guardrailWith, IAM_USER_RECORD, IDENTITIES, MGMT, withIdentity } from "./helpers";
import { awsMocks, localClients } from "./mocks";

const aws = awsMocks();
afterEach(() => aws.reset());
afterAll(() => aws.restore());
const dynamoDbLocal = dynamoDbLocalForSuite();

// Far ahead, so that DynamoDB Local's TTL deletion never removes what the test wrote.
const NOW = new Date("2046-11-20T09:20:00Z");
const KEY = "AKIAEXAMPLEKEY000001";
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** deploy-bot's account, each call taking a few milliseconds, so that two responders overlap. */
function slowDeployBotAccount(): void {
  let status = "Active";
  aws.iam.on(ListAccessKeysCommand).callsFake(async () => {
    await pause(10);
    return { AccessKeyMetadata: [{ UserName: "deploy-bot", AccessKeyId: KEY, Status: status }] };
  });
  aws.iam.on(UpdateAccessKeyCommand).callsFake(async (input: { Status: string }) => {
    await pause(10);
    status = input.Status;
    return {};
  });
  aws.iam.on(GetUserPolicyCommand).rejects(new NoSuchEntityException({ message: "none", $metadata: {} }));
  aws.iam.on(PutUserPolicyCommand).resolves({});
  aws.bedrock.on(DeleteFoundationModelAgreementCommand).resolves({});
}

/** A responder on the DynamoDB store `table`, as a separate invocation builds one. */
function dynamoResponder(
  local: ReturnType<typeof dynamoDbLocal>,
  table: string,
  guardrail: ReturnType<typeof guardrailWith>,
  notifier?: { publish(subject: string): Promise<void> },
): RemediationResponder {
  return new RemediationResponder({
    guardrail,
    store: new DynamoDbStore(local.client(), table, () => NOW),
    organization: new StaticOrganizationLookup(MGMT),
    clients: localClients(),
    ...(notifier ? { notifier } : {}),
    clock: () => NOW,
  });
}

describe("two responders on the same finding at once", () => {
  it.each([0, 5, 12, 20, 30])(
    "the second starting %i ms later: one call, a record with the state before, one follow-up",
    async (lag) => {
      slowDeployBotAccount();
      const local = dynamoDbLocal();
      const table = await local.createStateTable();
      const g = guardrailWith({ remediation: { mode: "enforce" } });
      const followUps: string[] = [];
      const responder = () =>
        dynamoResponder(local, table, g, { publish: async (subject) => void followUps.push(subject) });
      const f = findingOf(g, fixture(IAM_USER_RECORD));
      const first = responder().respond(f);
      await pause(lag);
      const reports = await Promise.all([first, responder().respond(f)]);
      // The one that lost a claim while the other held it says so (the monitor responds again later).
      for (const r of reports)
        if (r.heldElsewhere) expect(r.heldElsewhere).toMatch(/another responder is (performing|sending)/);
      const finished = reports.find((r) => !r.heldElsewhere);
      expect(finished).toBeDefined();
      expect(aws.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
      const keyAction = finished!.outcomes[0].actionId;
      const rec = await new DynamoDbStore(local.client(), table, () => NOW).getAction(keyAction);
      expect(rec).toMatchObject({ status: "ok", before: { status: "Active" }, after: { status: "Inactive" } });
      // The monitor's next run responds to a finding left unfinished; the message goes out once in all.
      await responder().respond(f);
      expect(followUps).toEqual(["bedrock-guardrail remediation: 3 ok"]);
    },
  );
});

describe("findings of one principal responded to in parallel (one realtime invocation each)", () => {
  it("maxActionsPerPrincipalPerHour holds between them", async () => {
    const local = dynamoDbLocal();
    const table = await local.createStateTable();
    // Each call takes a moment: every responder has planned, with the same budget, before any has acted.
    aws.iam.on(GetRolePolicyCommand).callsFake(async () => {
      await pause(20);
      throw new NoSuchEntityException({ message: "none", $metadata: {} });
    });
    const slowly = async () => {
      await pause(20);
      return {};
    };
    aws.iam.on(PutRolePolicyCommand).callsFake(slowly);
    aws.bedrock.on(DeleteFoundationModelAgreementCommand).callsFake(slowly);
    const g = guardrailWith({ remediation: { mode: "enforce", maxActionsPerPrincipalPerHour: 3 } });
    const responder = () => dynamoResponder(local, table, g);
    // Four findings of the same role, two mutations planned for each (revoke its sessions, delete the agreement).
    const findings = [1, 2, 3, 4].map((i) =>
      findingOf(g, withIdentity(IDENTITIES.assumedRole, { eventID: `ev-${i}` })),
    );
    const reports = await Promise.all(findings.map((f) => responder().respond(f)));
    const outcomes = reports.flatMap((r) => r.outcomes);
    expect(outcomes.filter((o) => o.status === "ok")).toHaveLength(3);
    expect(outcomes.filter((o) => o.status === "skipped").map((o) => o.reason)).toEqual(
      Array(5).fill(expect.stringMatching(/maxActionsPerPrincipalPerHour reached \(alert only\)$/)),
    );
    const mutations = [
      ...aws.iam.commandCalls(PutRolePolicyCommand),
      ...aws.bedrock.commandCalls(DeleteFoundationModelAgreementCommand),
    ];
    expect(mutations).toHaveLength(3);
    const store = new DynamoDbStore(local.client(), table, () => NOW);
    expect(await store.countPrincipalActions(findings[0].guardrail.principal_arn!, "2046-11-20T09")).toBe(3);
  });
});
