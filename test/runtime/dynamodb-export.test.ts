/**
 * The DynamoDB state store's Security Hub export queue (aws-sdk-client-mock): the claim writes the
 * queue entry in the same transaction as the dedupe record and the pending entry (so a claimed
 * finding is always queued), and the queue is read, dequeued and marked failed with the right keys.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { evaluateRecord, type Finding } from "../../src/detection/finding";
import { DynamoStateStore } from "../../src/runtime/state/dynamodb";
import { record, testGuardrail } from "../detection/backends/support/records";

const ddb = mockClient(DynamoDBClient);
beforeEach(() => ddb.reset());
const store = () => new DynamoStateStore(new DynamoDBClient({ region: "us-east-1" }), "state");
const e = evaluateRecord(testGuardrail(), record({ eventID: "e-1", eventTime: "2026-07-01T11:58:00Z" }));
const finding = (e as { finding: Finding }).finding;
const KEY = { pk: { S: "job#query-job" }, sk: { S: "export#2026-07-01T11:58:00Z#e-1" } };

describe("DynamoStateStore export queue", () => {
  it("claims with the export entry in the same transaction, and without it when Security Hub is off", async () => {
    ddb.on(TransactWriteItemsCommand).resolves({});
    await store().claim("query-job", finding, { export: true });
    await store().claim("query-job", finding);
    const [on, off] = ddb.commandCalls(TransactWriteItemsCommand).map((c) => c.args[0].input.TransactItems!);
    expect(on).toHaveLength(3);
    expect(on[0].Put?.ConditionExpression).toBe("attribute_not_exists(pk)");
    expect(on[2].Put?.Item).toMatchObject({ ...KEY, eventId: { S: "e-1" }, attempts: { N: "0" } });
    expect(JSON.parse(on[2].Put!.Item!.finding.S!)).toEqual(JSON.parse(JSON.stringify(finding)));
    expect(off).toHaveLength(2);
  });

  it("lists the queue over every page, dequeues and records failures by the entry's key", async () => {
    const item = (id: string, extra = {}) => ({
      eventId: { S: id },
      eventTime: { S: "2026-07-01T11:58:00Z" },
      finding: { S: JSON.stringify({ ...finding, event: { ...finding.event, id } }) },
      attempts: { N: "2" },
      ...extra,
    });
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [item("e-1", { lastError: { S: "InvalidAccess" } })], LastEvaluatedKey: KEY })
      .resolvesOnce({ Items: [item("e-2")] });
    const listed = await store().listExports("query-job");
    expect(listed.map((i) => [i.eventId, i.attempts, i.lastError])).toEqual([
      ["e-1", 2, "InvalidAccess"],
      ["e-2", 2, undefined],
    ]);
    expect(ddb.commandCalls(QueryCommand)[0].args[0].input).toMatchObject({
      ExpressionAttributeValues: { ":pk": { S: "job#query-job" }, ":prefix": { S: "export#" } },
      ConsistentRead: true,
    });
    expect(ddb.commandCalls(QueryCommand)[1].args[0].input.ExclusiveStartKey).toEqual(KEY);

    ddb.on(DeleteItemCommand).resolves({});
    await store().completeExport("query-job", listed[0]);
    expect(ddb.commandCalls(DeleteItemCommand)[0].args[0].input.Key).toEqual(KEY);

    // Dequeued meanwhile by an overlapping run: the failure is not recorded, and not an error.
    ddb.on(UpdateItemCommand).rejects(new ConditionalCheckFailedException({ message: "gone", $metadata: {} }));
    await expect(store().recordExportFailure("query-job", listed[0], "InvalidInput x")).resolves.toBeUndefined();
    expect(ddb.commandCalls(UpdateItemCommand)[0].args[0].input).toMatchObject({
      Key: KEY,
      UpdateExpression: "ADD attempts :one SET lastError = :error",
      ExpressionAttributeValues: { ":one": { N: "1" }, ":error": { S: "InvalidInput x" } },
    });
  });
});
