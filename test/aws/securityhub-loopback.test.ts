/**
 * Security Hub through the real SDK stack (endpoint resolution, SigV4 signing, the REST-JSON
 * protocol, the retry strategy) against a loopback server on 127.0.0.1 that answers
 * BatchImportFindings (POST /findings/import) from a script: what goes over the wire, how a
 * throttling answer is retried, and how refused findings stay queued until a later run.
 */
import { SecurityHubClient } from "@aws-sdk/client-securityhub";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { asffId } from "../../src/aws/asff";
import { clientConfig } from "../../src/aws/clients";
import { SecurityHubImporter } from "../../src/aws/securityhub";
import { evaluateRecord, type Finding } from "../../src/detection/finding";
import { exportToSecurityHub } from "../../src/runtime/securityhub-export";
import { MemoryStateStore } from "../support/memory-state-store";
import { NO_BACKOFF } from "../support/no-backoff";
import { record, testGuardrail } from "../detection/backends/support/records";

type Answer = { status: number; body: unknown; type?: string };
interface Seen {
  method: string;
  path: string;
  authorization: string;
  body: { Findings: { Id: string; ProductArn: string; AwsAccountId: string; UpdatedAt: string }[] };
}

let server: http.Server;
let endpoint: string;
let script: Answer[] = [];
let seen: Seen[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        path: req.url ?? "",
        authorization: String(req.headers.authorization ?? ""),
        body: JSON.parse(body),
      });
      const answer = script.length > 1 ? script.shift()! : script[0];
      res.writeHead(answer.status, {
        "content-type": "application/json",
        "x-amzn-requestid": "req-1",
        ...(answer.type ? { "x-amzn-errortype": answer.type } : {}),
      });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  script = [];
  seen = [];
});

const PRODUCT = "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default";
const g = testGuardrail();
const findingFor = (id: string, minute: number): Finding => {
  const e = evaluateRecord(
    g,
    record({ eventID: id, eventTime: `2026-07-01T11:${String(minute).padStart(2, "0")}:00Z` }),
  );
  if (!("finding" in e)) throw new Error("expected a finding");
  return e.finding;
};
const importer = (clock: () => Date) =>
  new SecurityHubImporter(
    new SecurityHubClient(
      clientConfig({
        endpoint,
        region: "eu-west-1",
        credentials: { accessKeyId: "AKIDLOOPBACK", secretAccessKey: "secret" },
        retry: { mode: "standard", maxAttempts: 3, backoff: NO_BACKOFF },
      }),
    ),
    PRODUCT,
    clock,
  );
const ok = (failed: { Id: string; ErrorCode: string; ErrorMessage: string }[] = []): Answer => ({
  status: 200,
  body: { FailedCount: failed.length, SuccessCount: 0, FailedFindings: failed },
});

describe("BatchImportFindings over the wire", () => {
  it("POSTs signed ASFF to /findings/import, retries throttling, and keeps refused findings queued", async () => {
    const store = new MemoryStateStore();
    const a = findingFor("e-1", 1);
    const b = findingFor("e-2", 2);
    await store.claim("query-job", a, { export: true });
    await store.claim("query-job", b, { export: true });
    script = [
      {
        status: 429,
        type: "LimitExceededException",
        body: { Code: "LimitExceededException", Message: "Rate exceeded" },
      },
      ok([{ Id: asffId("e-2"), ErrorCode: "InvalidAccess", ErrorMessage: "Security Hub is not enabled" }]),
    ];
    const first = await exportToSecurityHub(
      store,
      importer(() => new Date("2026-07-01T12:00:00Z")),
      "query-job",
    );
    expect(first).toEqual({
      imported: 1,
      failed: 1,
      queued: 1,
      errors: ["e-2: InvalidAccess Security Hub is not enabled"],
    });
    expect(seen).toHaveLength(2); // the throttled attempt, then the retry
    expect(seen[1]).toMatchObject({ method: "POST", path: "/findings/import" });
    expect(seen[1].authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLOOPBACK\/\d{8}\/eu-west-1\/securityhub\//);
    expect(seen[1].body.Findings.map((f) => f.Id)).toEqual([asffId("e-1"), asffId("e-2")]);
    expect(seen[1].body.Findings[0]).toMatchObject({ ProductArn: PRODUCT, AwsAccountId: "111122223333" });
    expect(await store.listExports("query-job")).toMatchObject([
      { eventId: "e-2", attempts: 1, lastError: "InvalidAccess Security Hub is not enabled" },
    ]);

    // Next run: only the refused finding is sent again, later UpdatedAt, same Id; then the queue is empty.
    seen = [];
    script = [ok()];
    const second = await exportToSecurityHub(
      store,
      importer(() => new Date("2026-07-01T12:05:00Z")),
      "query-job",
    );
    expect(second).toEqual({ imported: 1, failed: 0, queued: 0 });
    expect(seen.map((s) => s.body.Findings.map((f) => [f.Id, f.UpdatedAt]))).toEqual([
      [[asffId("e-2"), "2026-07-01T12:05:00.000Z"]],
    ]);
    expect(await store.listExports("query-job")).toEqual([]);
  });

  it("a request that keeps failing leaves the whole batch queued for the next run", async () => {
    const store = new MemoryStateStore();
    await store.claim("query-job", findingFor("e-1", 1), { export: true });
    script = [{ status: 500, type: "InternalException", body: { Code: "InternalException", Message: "boom" } }];
    const counts = await exportToSecurityHub(
      store,
      importer(() => new Date()),
      "query-job",
    );
    expect(counts).toMatchObject({ imported: 0, failed: 1, queued: 1 });
    expect(counts.errors?.[0]).toMatch(/^e-1: RequestFailed InternalException/);
    expect(seen).toHaveLength(3); // maxAttempts
    expect(await store.listExports("query-job")).toMatchObject([{ eventId: "e-1", attempts: 1 }]);
  });
});
