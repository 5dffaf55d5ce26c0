/**
 * The remediation audit store contract (test/support/audit-store-contract.ts) on every store: memory,
 * the CLI's JSON file, and DynamoDbStore against AWS's DynamoDB Local.
 *
 * @slow (starts DynamoDB Local)
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { ListAccessKeysCommand, UpdateAccessKeyCommand } from "@aws-sdk/client-iam";
import { STATE_TABLE_KEYS } from "../../src/aws/contracts";
import { DynamoDbStore } from "../../src/remediation/dynamodb-store";
import { type ActionRecord, FileStore, InMemoryStore } from "../../src/remediation/store";
import { undoAction } from "../../src/remediation/undo";
import { auditStoreContract, NOW } from "../support/audit-store-contract";
import { dynamoDbLocalForSuite } from "../support/dynamodb-local";
import { awsMocks, localClients } from "./mocks";

auditStoreContract("in memory", {
  expires: false,
  async open() {
    const store = new InMemoryStore();
    return { store, reopen: () => store };
  },
});

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-store-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;

auditStoreContract("JSON file (CLI)", {
  expires: false,
  async open() {
    const file = path.join(dir, `state-${++files}.json`);
    const store = new FileStore(file);
    // The CLI is one process at a time: a reopened handle reads the file as the last write left it.
    let current = store;
    return {
      get store() {
        return current;
      },
      reopen: () => {
        current = new FileStore(file);
        return current;
      },
    };
  },
});

const dynamoDbLocal = dynamoDbLocalForSuite();

auditStoreContract("DynamoDbStore on DynamoDB Local", {
  expires: true,
  async open() {
    const local = dynamoDbLocal();
    const client = local.client();
    const table = await local.createStateTable();
    const open = () => new DynamoDbStore(client, table, () => NOW);
    const { partitionKey, sortKey, ttlAttribute } = STATE_TABLE_KEYS;
    const storedTtl = async (pk: string, sk: string) => {
      const r = await client.send(
        new GetItemCommand({
          TableName: table,
          Key: { [partitionKey]: { S: pk }, [sortKey]: { S: sk } },
          ConsistentRead: true,
        }),
      );
      const n = r.Item?.[ttlAttribute]?.N;
      return n === undefined ? undefined : Number(n);
    };
    return {
      store: open(),
      reopen: open,
      expiresAt: {
        action: (actionId: string) => storedTtl(`action#${actionId}`, "action"),
        counter: (principalArn: string, hour: string) => storedTtl(`principal#${principalArn}`, hour),
      },
    };
  },
});

describe("DynamoDbStore over action records of a release without the per-target lists", () => {
  const aws = awsMocks();
  afterEach(() => aws.reset());
  afterAll(() => aws.restore());
  const common = {
    kind: "deactivate-key" as const,
    api: "iam:UpdateAccessKey",
    accountId: "222233334444",
    target: "AKIAEXAMPLEKEY000001",
    // The user IAM gives for the name (mocks.ts): undo acts only while it is the principal the record names.
    principalArn: "arn:aws:iam::222233334444:user/ci/deploy-bot",
    mode: "enforce" as const,
    reason: "deactivate the key",
    params: { userName: "deploy-bot", accessKeyId: "AKIAEXAMPLEKEY000001" },
  };
  const deactivated: ActionRecord = {
    ...common,
    actionId: "ra-a",
    findingId: "f-a",
    status: "ok",
    plannedAt: "2026-11-19T09:00:00.000Z",
    finishedAt: "2026-11-19T09:00:01.000Z",
    before: { status: "Active" },
    after: { status: "Inactive" },
  };
  const foundInactive: ActionRecord = {
    ...common,
    actionId: "ra-b",
    findingId: "f-b",
    status: "already-done",
    plannedAt: "2026-11-19T10:00:00.000Z",
    finishedAt: "2026-11-19T10:00:01.000Z",
    before: { status: "Inactive" },
    after: { status: "Inactive" },
  };

  /** The key as IAM keeps it (inactive, as the recorded actions left it): its status, as undo changes it. */
  function keyStatus(): { status: string } {
    const key = { status: "Inactive" };
    aws.iam.on(ListAccessKeysCommand).callsFake(() => ({
      AccessKeyMetadata: [{ UserName: "deploy-bot", AccessKeyId: common.target, Status: key.status }],
    }));
    aws.iam.on(UpdateAccessKeyCommand).callsFake((input: { Status: string }) => {
      key.status = input.Status;
      return {};
    });
    return key;
  }

  /** The item the earlier release's putAction wrote: the action item only, its record as a JSON string. */
  const earlierItem = (
    client: DynamoDBClient,
    table: string,
    r: Pick<ActionRecord, "actionId" | "findingId" | "status">,
    body: string,
  ) =>
    client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: `action#${r.actionId}` },
          sk: { S: "action" },
          findingId: { S: r.findingId },
          status: { S: r.status },
          record: { S: body },
        },
      }),
    );

  it("undo finds the actions relying on a target in the records themselves, and lists them once", async () => {
    const key = keyStatus();
    const local = dynamoDbLocal();
    const client = local.client();
    const table = await local.createStateTable();
    for (const r of [deactivated, foundInactive]) await earlierItem(client, table, r, JSON.stringify(r));
    const open = () => new DynamoDbStore(client, table, () => NOW);
    const refused = await undoAction("ra-a", { store: open(), clients: localClients() });
    expect(refused).toMatchObject({ status: "not-reversible", reason: expect.stringContaining("ra-b (finding f-b") });
    expect(key.status).toBe("Inactive");
    // Listed now: another store reads the target's list, and finds both there.
    const ids = (await open().actionsOnTarget(deactivated)).map((r) => r.actionId).sort();
    expect(ids).toEqual(["ra-a", "ra-b"]);
    expect(await undoAction("ra-b", { store: open(), clients: localClients() })).toMatchObject({
      status: "already-done",
    });
    expect(await undoAction("ra-a", { store: open(), clients: localClients() })).toMatchObject({ status: "ok" });
    expect(key.status).toBe("Active");
  });

  it("an action item this release cannot read stops no undo: it is listed by its raw target, or left out", async () => {
    const key = keyStatus();
    const local = dynamoDbLocal();
    const client = local.client();
    const table = await local.createStateTable();
    for (const r of [deactivated, foundInactive]) await earlierItem(client, table, r, JSON.stringify(r));
    // A kind a newer release added, and a record that is no JSON at all.
    const newer = { ...common, kind: "quarantine-instance", params: { instanceId: "i-1" }, actionId: "ra-z" };
    await earlierItem(client, table, { actionId: "ra-z", findingId: "f-z", status: "ok" }, JSON.stringify(newer));
    await earlierItem(client, table, { actionId: "ra-y", findingId: "f-y", status: "ok" }, "{not json");
    const open = () => new DynamoDbStore(client, table, () => NOW);
    const refused = await undoAction("ra-a", { store: open(), clients: localClients() });
    expect(refused).toMatchObject({ status: "not-reversible", reason: expect.stringContaining("ra-b (finding f-b") });
    const marker = await client.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: "target#listed" }, sk: { S: "target" } },
        ConsistentRead: true,
      }),
    );
    expect(marker.Item).toBeDefined();
    const newerTarget = await client.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: `target#${common.accountId}#quarantine-instance#${common.target}` }, sk: { S: "target" } },
        ConsistentRead: true,
      }),
    );
    expect(newerTarget.Item?.actions?.SS).toEqual(["ra-z"]);
    await undoAction("ra-b", { store: open(), clients: localClients() });
    expect(await undoAction("ra-a", { store: open(), clients: localClients() })).toMatchObject({ status: "ok" });
    expect(key.status).toBe("Active");
  });
});
