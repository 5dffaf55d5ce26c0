import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { DynamoDbStore } from "../../src/remediation/dynamodb-store";
import type { ActionRecord } from "../../src/remediation/store";

const ddb = mockClient(DynamoDBClient);
afterEach(() => ddb.reset());
afterAll(() => ddb.restore());

const NOW = new Date("2026-11-20T09:20:00Z");
const store = () =>
  new DynamoDbStore(
    new DynamoDBClient({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } }),
    "state",
    () => NOW,
  );
const record: ActionRecord = {
  actionId: "ra-1",
  findingId: "f-1",
  kind: "deactivate-key",
  api: "iam:UpdateAccessKey",
  accountId: "111111111111",
  target: "AKIAX",
  mode: "enforce",
  status: "ok",
  reason: "r",
  params: { userName: "u", accessKeyId: "AKIAX" },
  plannedAt: NOW.toISOString(),
};

describe("DynamoDbStore (single-table keys from contracts.ts)", () => {
  it("writes and reads an action under pk action#<id>", async () => {
    ddb.on(PutItemCommand).resolves({});
    await store().putAction(record);
    const item = ddb.commandCalls(PutItemCommand)[0].args[0].input.Item!;
    expect(item.pk).toEqual({ S: "action#ra-1" });
    expect(item.sk).toEqual({ S: "action" });
    expect(Number(item.expiresAt.N)).toBeGreaterThan(NOW.getTime() / 1000);
    ddb.on(GetItemCommand).resolves({ Item: item });
    expect(await store().getAction("ra-1")).toEqual(record);
    ddb.on(GetItemCommand).resolves({});
    expect(await store().getAction("ra-2")).toBeUndefined();
  });

  it("reserves under the cap with one conditional UpdateItem on the principal's hour", async () => {
    ddb.on(UpdateItemCommand).resolves({});
    expect(await store().reservePrincipalAction("arn:aws:iam::1:user/a", "2026-11-20T09", "ra-1", 6)).toBe(true);
    const u = ddb.commandCalls(UpdateItemCommand)[0].args[0].input;
    expect(u.Key).toEqual({ pk: { S: "principal#arn:aws:iam::1:user/a" }, sk: { S: "2026-11-20T09" } });
    expect(u.ExpressionAttributeValues).toMatchObject({ ":action": { SS: ["ra-1"] }, ":cap": { N: "6" } });
    ddb.on(UpdateItemCommand).rejects(Object.assign(new Error("no"), { name: "ConditionalCheckFailedException" }));
    expect(await store().reservePrincipalAction("arn:aws:iam::1:user/a", "2026-11-20T09", "ra-2", 6)).toBe(false);
    ddb.on(UpdateItemCommand).rejects(Object.assign(new Error("slow down"), { name: "ThrottlingException" }));
    await expect(store().reservePrincipalAction("arn:aws:iam::1:user/a", "2026-11-20T09", "ra-2", 6)).rejects.toThrow(
      "slow down",
    );
    ddb.on(GetItemCommand).resolves({ Item: { actions: { SS: ["ra-1", "ra-3"] } } });
    expect(await store().countPrincipalActions("arn:aws:iam::1:user/a", "2026-11-20T09")).toBe(2);
    expect(ddb.commandCalls(GetItemCommand)[0].args[0].input.ConsistentRead).toBe(true);
  });
});

it("an audit item that is not a remediation record is refused in one line, naming the table and action", async () => {
  const damaged = { ...record, accountId: "not-an-account" };
  ddb.on(GetItemCommand).resolves({ Item: { record: { S: JSON.stringify(damaged) } } });
  await expect(store().getAction("ra-1")).rejects.toThrow(
    /^state action ra-1: not a remediation record: accountId: must be a 12-digit AWS account id$/,
  );
});
