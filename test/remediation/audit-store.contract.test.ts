/**
 * The remediation audit store contract (test/support/audit-store-contract.ts) on every store: memory,
 * the CLI's JSON file, and DynamoDbStore against AWS's DynamoDB Local.
 *
 * @slow (starts DynamoDB Local)
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { STATE_TABLE_KEYS } from "../../src/aws/contracts";
import { DynamoDbStore } from "../../src/remediation/dynamodb-store";
import { FileStore, InMemoryStore } from "../../src/remediation/store";
import { auditStoreContract, NOW } from "../support/audit-store-contract";
import { dynamoDbLocalForSuite } from "../support/dynamodb-local";

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
