/**
 * verify's look-up of the event data store the monitor created: the stores of the Region with the tool's store name,
 * with their tags (every page, ListTags 20 ARNs a call), and the pure choice of the tool's among them: the name, the
 * tool's tag and an expected account together, and alone. A look-alike (the name without the tag, the tag in another
 * account) or several candidates give one line saying why, never a pick.
 */
import { CloudTrailClient, ListEventDataStoresCommand, ListTagsCommand } from "@aws-sdk/client-cloudtrail";
import { mockClient } from "aws-sdk-client-mock";
import {
  listEventDataStoresNamed,
  type NamedEventDataStore,
  type ToolStoreExpectation,
  toolEventDataStore,
} from "../../src/aws/tool-event-data-store";
import { TOOL_TAGS } from "../../src/config/aws-limits";
import { eventDataStoreName } from "../../src/infra/naming";

const NAME = eventDataStoreName("bedrock.amazonaws.com");
const SECURITY = "111122223333";
const MANAGEMENT = "999988887777";
const storeArn = (account: string, id: string) => `arn:aws:cloudtrail:us-east-1:${account}:eventdatastore/${id}`;
const TOOL_STORE: NamedEventDataStore = { arn: storeArn(SECURITY, "tool-1"), tags: { ...TOOL_TAGS } };
const EXPECTED: ToolStoreExpectation = {
  name: NAME,
  region: "us-east-1",
  tags: TOOL_TAGS,
  accounts: [{ id: SECURITY, key: "aws.security.accountId" }],
};

describe("the name the monitor gives its store", () => {
  it("is the tool's prefix and the primary event source's service", () => {
    expect(NAME).toBe("bedrock-guardrail-bedrock");
  });
});

describe("toolEventDataStore: which store is the tool's", () => {
  it("the one store with the name, the tag and an expected account", () => {
    const other = { arn: storeArn(SECURITY, "x"), tags: {} };
    expect(toolEventDataStore([TOOL_STORE], EXPECTED)).toEqual({ arn: TOOL_STORE.arn });
    // A look-alike beside the tool's store does not hide it.
    expect(toolEventDataStore([other, TOOL_STORE], EXPECTED)).toEqual({ arn: TOOL_STORE.arn });
    // The organization store a delegated administrator creates belongs to the management account.
    const owned = { arn: storeArn(MANAGEMENT, "org"), tags: { ...TOOL_TAGS } };
    const both = { ...EXPECTED, accounts: [...EXPECTED.accounts, { id: MANAGEMENT, key: "organization.x" }] };
    expect(toolEventDataStore([owned], both)).toEqual({ arn: owned.arn });
    // No account in the config: the account is not judged.
    expect(toolEventDataStore([owned], { ...EXPECTED, accounts: [] })).toEqual({ arn: owned.arn });
  });

  it("none with the name: one line naming the name and the Region", () => {
    expect(toolEventDataStore([], EXPECTED)).toEqual({
      problem: `no event data store named ${NAME} in us-east-1 in the account of these credentials`,
    });
  });

  it("the name without the tool's tag (or with another value): not taken, the line says why", () => {
    const untagged = { arn: storeArn(SECURITY, "fake"), tags: { "managed-by": "terraform" } };
    expect(toolEventDataStore([untagged], EXPECTED)).toEqual({
      problem:
        `no event data store named ${NAME} in us-east-1 is the tool's: ${untagged.arn} has no tag ` +
        "managed-by=bedrock-guardrail",
    });
  });

  it("the name and the tag in an account the config does not expect: not taken, the line names both", () => {
    const elsewhere = { arn: storeArn("444455556666", "fake"), tags: { ...TOOL_TAGS } };
    expect(toolEventDataStore([elsewhere], EXPECTED)).toEqual({
      problem:
        `no event data store named ${NAME} in us-east-1 is the tool's: ${elsewhere.arn} is in account ` +
        `444455556666, not aws.security.accountId ${SECURITY}`,
    });
  });

  it("several that all look like the tool's: none is picked, each is named", () => {
    const second = { arn: storeArn(SECURITY, "tool-2"), tags: { ...TOOL_TAGS, team: "x" } };
    expect(toolEventDataStore([TOOL_STORE, second], EXPECTED)).toEqual({
      problem: `2 event data stores named ${NAME} in us-east-1 carry the tool's tag: ${TOOL_STORE.arn}, ${second.arn}`,
    });
  });
});

describe("listEventDataStoresNamed: the stores with the name, and their tags", () => {
  const cloudTrail = mockClient(CloudTrailClient);
  afterEach(() => cloudTrail.reset());
  afterAll(() => cloudTrail.restore());
  const client = new CloudTrailClient({ region: "us-east-1" });

  it("reads every page, keeps only the name looked for, and tags them 20 ARNs a call", async () => {
    const named = Array.from({ length: 25 }, (_, i) => storeArn(SECURITY, `s${i}`));
    const page = (arns: string[], NextToken?: string) => ({
      EventDataStores: [
        ...arns.map((EventDataStoreArn) => ({ EventDataStoreArn, Name: NAME })),
        { EventDataStoreArn: storeArn(SECURITY, "other"), Name: `${NAME}-copy` },
      ],
      NextToken,
    });
    cloudTrail
      .on(ListEventDataStoresCommand)
      .resolvesOnce(page(named.slice(0, 10), "t1"))
      .resolvesOnce(page(named.slice(10)));
    cloudTrail.on(ListTagsCommand).callsFake(({ ResourceIdList }: { ResourceIdList: string[] }) => ({
      ResourceTagList: ResourceIdList.map((ResourceId) => ({
        ResourceId,
        TagsList: ResourceId.endsWith("s3") ? [] : [{ Key: "managed-by", Value: "bedrock-guardrail" }],
      })),
    }));
    const found = await listEventDataStoresNamed(client, NAME);
    expect(found.map((s) => s.arn)).toEqual(named);
    expect(found[3].tags).toEqual({});
    expect(found[4].tags).toEqual(TOOL_TAGS);
    const tagCalls = cloudTrail.commandCalls(ListTagsCommand).map((c) => c.args[0].input.ResourceIdList?.length);
    expect(tagCalls).toEqual([20, 5]);
    expect(cloudTrail.commandCalls(ListEventDataStoresCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      "t1",
    ]);
  });

  it("a token seen before ends the listing instead of looping; no store with the name, no ListTags", async () => {
    const again = { EventDataStores: [], NextToken: "same" };
    cloudTrail
      .on(ListEventDataStoresCommand)
      .resolvesOnce(again)
      .resolvesOnce(again)
      .rejects(new Error("listed the same page a third time"));
    expect(await listEventDataStoresNamed(client, NAME)).toEqual([]);
    expect(cloudTrail.commandCalls(ListEventDataStoresCommand)).toHaveLength(2);
    expect(cloudTrail.commandCalls(ListTagsCommand)).toHaveLength(0);
  });
});
