/**
 * The StateStore contract (test/support/state-store-contract.ts) on the in-memory double the job tests
 * rely on and on DynamoStateStore against AWS's DynamoDB Local: the double may not promise what
 * the real store does not keep, and the real store's conditions are checked by the real engine.
 *
 * @slow (starts DynamoDB Local)
 */
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { STATE_TABLE_KEYS } from "../../../src/aws/contracts";
import { DynamoStateStore, seenItemKey } from "../../../src/runtime/state/dynamodb";
import { queuedItem } from "../../../src/runtime/state/dynamodb-carry-over";
import { pendingSortKey } from "../../../src/runtime/state/store";
import { dynamoDbLocalForSuite } from "../../support/dynamodb-local";
import { MemoryStateStore } from "../../support/memory-state-store";
import { stateStoreContract } from "../../support/state-store-contract";

stateStoreContract("in-memory double", {
  pagesPastOneMegabyte: false,
  async open() {
    const store = new MemoryStateStore();
    return {
      store,
      eventExpiresAt: async (id) => store.events.get(id)?.expiresAt,
      aliasExpiresAt: async (alias) => store.aliases.get(alias)?.expiresAt,
      pairExpiresAt: async (job, pair) => store.pairExpiresAt(job, pair),
      putPendingEntry: async (job, finding) => store.putPendingEntry(job, finding),
    };
  },
});

const dynamoDbLocal = dynamoDbLocalForSuite();

stateStoreContract("DynamoStateStore on DynamoDB Local", {
  pagesPastOneMegabyte: true,
  async open() {
    const local = dynamoDbLocal();
    const client = local.client();
    const table = await local.createStateTable();
    const { partitionKey, sortKey, ttlAttribute } = STATE_TABLE_KEYS;
    return {
      store: new DynamoStateStore(client, table),
      async eventExpiresAt(id) {
        const r = await client.send(
          new GetItemCommand({
            TableName: table,
            Key: { [partitionKey]: { S: `event#${id}` }, [sortKey]: { S: "event" } },
            ConsistentRead: true,
          }),
        );
        const ttl = r.Item?.[ttlAttribute]?.N;
        return ttl === undefined ? undefined : Number(ttl);
      },
      async aliasExpiresAt(alias) {
        const r = await client.send(
          new GetItemCommand({
            TableName: table,
            Key: { [partitionKey]: { S: `alias#${alias}` }, [sortKey]: { S: "alias" } },
            ConsistentRead: true,
          }),
        );
        const ttl = r.Item?.[ttlAttribute]?.N;
        return ttl === undefined ? undefined : Number(ttl);
      },
      async pairExpiresAt(job, pair) {
        const r = await client.send(
          new GetItemCommand({ TableName: table, Key: seenItemKey(job, pair), ConsistentRead: true }),
        );
        const ttl = r.Item?.[ttlAttribute]?.N;
        return ttl === undefined ? undefined : Number(ttl);
      },
      async putPendingEntry(job, finding) {
        const item = queuedItem(job, finding);
        const sk = { [sortKey]: { S: pendingSortKey(finding["@timestamp"], finding.event.id) } };
        await client.send(new PutItemCommand({ TableName: table, Item: { ...item, ...sk } }));
      },
    };
  },
});
