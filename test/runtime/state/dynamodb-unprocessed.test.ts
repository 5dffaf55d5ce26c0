/**
 * BatchGetItem may leave keys unprocessed (throttling, or more than 16 MB): DynamoStateStore asks
 * again for exactly those, and a store that keeps leaving some fails the look-up (so the run fails
 * and keeps its watermark) instead of reporting the pairs it did not read as never seen.
 */
import { BatchGetItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { DynamoStateStore, seenItemKey } from "../../../src/runtime/state/dynamodb";

const TABLE = "state";
const JOB = "query-job";
const pairs = Array.from({ length: 4 }, (_, i) => ({ rule: "r", group: `principal p${i}`, value: `m${i}` }));
const itemOf = (i: number) => ({
  ...seenItemKey(JOB, pairs[i]),
  job: { S: JOB },
  rule: { S: "r" },
  pairGroup: { S: pairs[i].group },
  pairValue: { S: pairs[i].value },
  lastSeenMs: { N: String(1000 + i) },
});

test("asks again for the unprocessed keys only, and returns every pair found", async () => {
  const ddb = mockClient(DynamoDBClient);
  ddb
    .on(BatchGetItemCommand)
    .resolvesOnce({
      Responses: { [TABLE]: [itemOf(0)] },
      UnprocessedKeys: { [TABLE]: { Keys: [1, 2, 3].map((i) => seenItemKey(JOB, pairs[i])) } },
    })
    .resolvesOnce({
      Responses: { [TABLE]: [itemOf(2)] },
      UnprocessedKeys: { [TABLE]: { Keys: [seenItemKey(JOB, pairs[3])] } },
    })
    .resolvesOnce({ Responses: { [TABLE]: [itemOf(3)] } });
  const store = new DynamoStateStore(new DynamoDBClient({ region: "us-east-1" }), TABLE, { backoffMs: () => 0 });
  const found = await store.lookupSeen(JOB, pairs);
  expect(found.map((p) => p.lastSeenMs).sort()).toEqual([1000, 1002, 1003]);
  const calls = ddb.commandCalls(BatchGetItemCommand).map((c) => c.args[0].input.RequestItems?.[TABLE]);
  expect(calls.map((c) => c?.Keys?.length)).toEqual([4, 3, 1]);
  expect(calls.every((c) => c?.ConsistentRead === true)).toBe(true);
  ddb.restore();
});

test("fails when DynamoDB keeps leaving keys unprocessed", async () => {
  const ddb = mockClient(DynamoDBClient);
  ddb.on(BatchGetItemCommand).resolves({
    Responses: { [TABLE]: [] },
    UnprocessedKeys: { [TABLE]: { Keys: [seenItemKey(JOB, pairs[0])] } },
  });
  const store = new DynamoStateStore(new DynamoDBClient({ region: "us-east-1" }), TABLE, { backoffMs: () => 0 });
  await expect(store.lookupSeen(JOB, pairs.slice(0, 1))).rejects.toThrow(/unprocessed after 8 attempts/);
  expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(8);
  ddb.restore();
});
