/**
 * The runtime's SDK clients through the real stack (endpoint resolution, signing, JSON 1.0/1.1
 * protocols, retry strategy) against a loopback server on 127.0.0.1 that answers in the CloudTrail
 * (JSON 1.1) and DynamoDB (JSON 1.0) wire formats, scripted per operation.
 */
import type { CloudTrailRecord } from "../../src/detection/record";
import { CloudTrailClient, StartQueryCommand } from "@aws-sdk/client-cloudtrail";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { StandardRetryStrategy } from "@smithy/core/retry";
import { clientConfig, type RetrySettings } from "../../src/aws/clients";
import { NO_BACKOFF } from "../support/no-backoff";
import { LakeQuerySource } from "../../src/runtime/query/lake";
import { DynamoStateStore } from "../../src/runtime/state/dynamodb";
import { EDS_ARN, eventBridgeEvent, guardrailWith, lakeRow, simEvent } from "./helpers";
import { evaluateRecord, type Finding } from "../../src/detection/finding";

type Answer = { status: number; body: unknown };
const err = (status: number, type: string, message = type): Answer => ({ status, body: { __type: type, message } });

let server: http.Server;
let endpoint: string;
let script: Record<string, Answer[]> = {};
let seen: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const op = target.slice(target.lastIndexOf(".") + 1);
      seen.push(op);
      const queue = script[op] ?? [];
      const answer =
        queue.length > 1 ? queue.shift()! : (queue[0] ?? err(400, "UnknownOperationException", `unscripted ${op}`));
      const json = target.startsWith("DynamoDB") ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";
      res.writeHead(answer.status, { "content-type": json, "x-amzn-requestid": "req-1" });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  script = {};
  seen = [];
});

const creds = { accessKeyId: "AKIDLOOPBACK", secretAccessKey: "secret" };
const cfg = (retry: RetrySettings = { mode: "standard", maxAttempts: 4 }) =>
  clientConfig({ endpoint, region: "us-east-1", credentials: creds, retry: { backoff: NO_BACKOFF, ...retry } });
const count = (op: string) => seen.filter((s) => s === op).length;
const g = guardrailWith();

describe("CloudTrail Lake through the real SDK stack", () => {
  it("retries throttling, MaxConcurrentQueries and 5xx answers, then completes the query with paging", async () => {
    const rows = [
      lakeRow(simEvent("e-1", new Date("2026-07-01T11:58:00Z"))),
      lakeRow(simEvent("e-2", new Date("2026-07-01T11:59:00Z"))),
    ];
    script = {
      StartQuery: [
        err(400, "ThrottlingException", "Rate exceeded"),
        err(429, "MaxConcurrentQueriesException"),
        { status: 200, body: { QueryId: "q-1" } },
      ],
      DescribeQuery: [
        err(503, "ServiceUnavailableException"),
        { status: 200, body: { QueryId: "q-1", QueryStatus: "RUNNING" } },
        { status: 200, body: { QueryId: "q-1", QueryStatus: "FINISHED", QueryStatistics: { BytesScanned: 4096 } } },
      ],
      GetQueryResults: [
        err(500, "InternalServerError"),
        { status: 200, body: { QueryStatus: "FINISHED", QueryResultRows: [rows[0]], NextToken: "t2" } },
        { status: 200, body: { QueryStatus: "FINISHED", QueryResultRows: [rows[1]] } },
      ],
    };
    const source = new LakeQuerySource({
      client: new CloudTrailClient(cfg()),
      guardrail: g,
      eventDataStoreArn: EDS_ARN,
      sleep: async () => undefined,
    });
    const result = await source.run({ start: new Date("2026-07-01T11:30:00Z"), end: new Date("2026-07-01T12:00:00Z") });
    expect(result.bytesScanned).toBe(4096);
    expect(result.records.map((r) => r.eventID)).toEqual(["e-1", "e-2"]);
    expect(count("StartQuery")).toBe(3);
    expect(count("DescribeQuery")).toBe(3);
    expect(count("GetQueryResults")).toBe(3);
  });

  it("gives up after maxAttempts on persistent throttling, with the service's error", async () => {
    script = { StartQuery: [err(400, "ThrottlingException", "Rate exceeded")] };
    const client = new CloudTrailClient(cfg({ mode: "standard", maxAttempts: 3 }));
    await expect(client.send(new StartQueryCommand({ QueryStatement: "SELECT 1" }))).rejects.toMatchObject({
      name: "ThrottlingException",
    });
    expect(count("StartQuery")).toBe(3);
  });

  it("adaptive mode retries throttling too", async () => {
    script = { StartQuery: [err(400, "ThrottlingException"), { status: 200, body: { QueryId: "q-9" } }] };
    const client = new CloudTrailClient(cfg({ mode: "adaptive", maxAttempts: 3 }));
    await expect(client.send(new StartQueryCommand({ QueryStatement: "SELECT 1" }))).resolves.toMatchObject({
      QueryId: "q-9",
    });
    expect(count("StartQuery")).toBe(2);
  });

  it("does not retry a quota error the SDK would retry as throttling", async () => {
    script = { StartQuery: [err(409, "LimitExceededException", "quota reached")] };
    await expect(
      new CloudTrailClient(cfg()).send(new StartQueryCommand({ QueryStatement: "SELECT 1" })),
    ).rejects.toMatchObject({ name: "LimitExceededException" });
    expect(count("StartQuery")).toBe(1);
    // Control: the SDK's default strategy retries the same answer.
    seen = [];
    const plain = new CloudTrailClient({
      endpoint,
      region: "us-east-1",
      credentials: creds,
      retryStrategy: new StandardRetryStrategy({ maxAttempts: 3, backoff: NO_BACKOFF }),
    });
    await expect(plain.send(new StartQueryCommand({ QueryStatement: "SELECT 1" }))).rejects.toMatchObject({
      name: "LimitExceededException",
    });
    expect(count("StartQuery")).toBe(3);
  });
});

describe("DynamoDB state store through the real SDK stack", () => {
  const finding = (): Finding => {
    const e = evaluateRecord(
      g,
      eventBridgeEvent(simEvent("e-7", new Date("2026-07-01T11:58:00Z"))).detail as CloudTrailRecord,
    );
    if (!("finding" in e)) throw new Error("fixture must be a finding");
    return e.finding;
  };

  it("retries throughput-exceeded and 5xx on the claim transaction", async () => {
    script = {
      TransactWriteItems: [
        err(400, "ProvisionedThroughputExceededException"),
        err(500, "InternalServerError"),
        { status: 200, body: {} },
      ],
    };
    const store = new DynamoStateStore(new DynamoDBClient(cfg()), "state");
    await expect(store.claim("query-job", finding())).resolves.toBe("new");
    expect(count("TransactWriteItems")).toBe(3);
  });

  it("reads a cancelled transaction with ConditionalCheckFailed as 'duplicate', without retrying", async () => {
    script = {
      TransactWriteItems: [
        {
          status: 400,
          body: {
            __type: "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
            message: "Transaction cancelled",
            CancellationReasons: [{ Code: "ConditionalCheckFailed" }, { Code: "None" }],
          },
        },
      ],
    };
    const store = new DynamoStateStore(new DynamoDBClient(cfg()), "state");
    await expect(store.claim("query-job", finding())).resolves.toBe("duplicate");
    expect(count("TransactWriteItems")).toBe(1);
  });

  it("treats ConditionalCheckFailedException on the watermark as 'someone went further', not an error", async () => {
    script = {
      UpdateItem: [
        err(400, "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "The conditional request failed"),
      ],
    };
    const store = new DynamoStateStore(new DynamoDBClient(cfg()), "state");
    await expect(store.advanceWatermark("query-job", "2026-07-01T12:00:00.000Z")).resolves.toBeUndefined();
    expect(count("UpdateItem")).toBe(1);
  });

  it("surfaces persistent 5xx after maxAttempts so the run fails and keeps its window", async () => {
    script = { GetItem: [err(500, "InternalServerError")] };
    const store = new DynamoStateStore(new DynamoDBClient(cfg({ mode: "standard", maxAttempts: 2 })), "state");
    await expect(store.getWatermark("query-job")).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
    expect(count("GetItem")).toBe(2);
  });
});
