/**
 * The Athena client through the real SDK stack (JSON 1.1 protocol, signing, the project's retry
 * strategy) against a loopback server on 127.0.0.1, scripted per operation: throttling and 5xx
 * answers are retried by the client, never by the poll loop, and persistent throttling ends the run.
 */
import { AthenaClient } from "@aws-sdk/client-athena";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { clientConfig } from "../../../src/aws/clients";
import { executeAthenaQuery } from "../../../src/runtime/query/athena";

type Answer = { status: number; body: unknown };
const err = (status: number, type: string, message = type): Answer => ({ status, body: { __type: type, message } });
const ok = (body: unknown): Answer => ({ status: 200, body });

let server: http.Server;
let endpoint: string;
let script: Record<string, Answer[]> = {};
let seen: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const op = target.slice(target.lastIndexOf(".") + 1);
      seen.push(op);
      const queue = script[op] ?? [];
      const answer = queue.length > 1 ? queue.shift()! : (queue[0] ?? err(400, "UnknownOperation", `unscripted ${op}`));
      res.writeHead(answer.status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "req-1" });
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

const client = (maxAttempts: number) =>
  new AthenaClient(
    clientConfig({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDLOOPBACK", secretAccessKey: "secret" },
      retry: { mode: "standard", maxAttempts },
    }),
  );
const run = (maxAttempts = 4) =>
  executeAthenaQuery(
    {
      client: client(maxAttempts),
      workgroup: "wg",
      poll: { initialDelayMs: 1, maxDelayMs: 1, timeoutMs: 1000 },
      sleep: async () => undefined,
    },
    "SELECT 1",
  );
const count = (op: string) => seen.filter((s) => s === op).length;
const columns = { ColumnInfo: [{ Name: "eventid", Type: "varchar" }] };

describe("Athena through the real SDK stack", () => {
  it("retries TooManyRequests, throttling and 5xx answers, then reads every page", async () => {
    script = {
      StartQueryExecution: [
        err(400, "TooManyRequestsException", "Rate exceeded"),
        err(400, "ThrottlingException"),
        ok({ QueryExecutionId: "q-7" }),
      ],
      GetQueryExecution: [
        err(500, "InternalServerException"),
        ok({ QueryExecution: { Status: { State: "RUNNING" } } }),
        ok({ QueryExecution: { Status: { State: "SUCCEEDED" }, Statistics: { DataScannedInBytes: 2048 } } }),
      ],
      GetQueryResults: [
        err(503, "ServiceUnavailable"),
        ok({
          ResultSet: {
            ResultSetMetadata: columns,
            Rows: [{ Data: [{ VarCharValue: "eventid" }] }, { Data: [{ VarCharValue: "e-1" }] }],
          },
          NextToken: "n-2",
        }),
        ok({ ResultSet: { ResultSetMetadata: columns, Rows: [{ Data: [{ VarCharValue: "e-2" }] }] } }),
      ],
    };
    const out = await run();
    expect(out).toEqual({ queryId: "q-7", bytesScanned: 2048, rows: [[{ eventid: "e-1" }], [{ eventid: "e-2" }]] });
    expect([count("StartQueryExecution"), count("GetQueryExecution"), count("GetQueryResults")]).toEqual([3, 3, 3]);
  });

  it("ends the run with a NOT STARTED error when throttling outlasts the retries", async () => {
    script = { StartQueryExecution: [err(400, "TooManyRequestsException", "Rate exceeded")] };
    await expect(run(3)).rejects.toThrow(/athena query ended NOT STARTED: TooManyRequestsException: Rate exceeded/);
    expect(count("StartQueryExecution")).toBe(3);
    expect(count("GetQueryExecution")).toBe(0);
  });
});
