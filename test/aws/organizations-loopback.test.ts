/**
 * The Organizations reader through the real SDK stack (endpoint, signing, JSON 1.1, retry) against a
 * loopback server in the Organizations wire format: a throttled and a paginated ListPoliciesForTarget,
 * and the drift check's verdict when the target's slots are full.
 */
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { clientConfig } from "../../src/aws/clients";
import { readOrganization } from "../../src/aws/organizations";
import { buildScpDocuments } from "../../src/policy/documents";
import { checkDrift } from "../../src/runtime/drift";
import { guardrailWith } from "../runtime/helpers";

const TARGET = "ou-ab12-00000001";
let server: http.Server;
let endpoint: string;
const seen: { op: string; input: Record<string, unknown> }[] = [];
let throttleOnce = true;

const g = guardrailWith({ targets: [TARGET] });
const doc = buildScpDocuments(g)[0];

/** Ten SCPs at the target (FullAWSAccess and nine others), in pages of four; the guardrail is not among them. */
const ATTACHED = Array.from({ length: 10 }, (_, i) => ({
  Id: `p-other${i}`,
  Name: `other-${i}`,
  Type: "SERVICE_CONTROL_POLICY",
}));

function answer(op: string, input: Record<string, unknown>): { status: number; body: unknown } {
  switch (op) {
    case "ListRoots":
      return {
        status: 200,
        body: { Roots: [{ Id: "r-ab12", PolicyTypes: [{ Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED" }] }] },
      };
    case "ListPolicies":
      return { status: 200, body: { Policies: [{ Id: "p-guard", Name: doc.name }] } };
    case "DescribePolicy":
      return { status: 200, body: { Policy: { PolicySummary: { Id: "p-guard" }, Content: doc.content } } };
    case "ListTargetsForPolicy":
      return { status: 200, body: { Targets: [] } };
    case "ListPoliciesForTarget": {
      if (throttleOnce) {
        throttleOnce = false;
        return { status: 400, body: { __type: "TooManyRequestsException", message: "Rate exceeded" } };
      }
      const from = Number(input.NextToken ?? 0);
      const next = from + 4 < ATTACHED.length ? String(from + 4) : undefined;
      return { status: 200, body: { Policies: ATTACHED.slice(from, from + 4), ...(next ? { NextToken: next } : {}) } };
    }
    default:
      return { status: 400, body: { __type: "UnknownOperationException", message: op } };
  }
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const op = target.slice(target.lastIndexOf(".") + 1);
      const input = JSON.parse(body || "{}") as Record<string, unknown>;
      seen.push({ op, input });
      const a = answer(op, input);
      res.writeHead(a.status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "req-1" });
      res.end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

test("verify's reader counts a target's SCPs across pages after a throttle; the full target is reported", async () => {
  const client = new OrganizationsClient(
    clientConfig({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDLOOPBACK", secretAccessKey: "secret" },
      retry: { mode: "standard", maxAttempts: 3 },
    }),
  );
  const report = await checkDrift(g, (names, slotsAt) => readOrganization(client, names, slotsAt));
  const calls = seen.filter((s) => s.op === "ListPoliciesForTarget");
  // One throttled attempt, retried, then three pages.
  expect(calls).toHaveLength(4);
  expect(calls.every((c) => c.input.TargetId === TARGET && c.input.Filter === "SERVICE_CONTROL_POLICY")).toBe(true);
  expect(report.problems.map((p) => p.kind)).toEqual(["not-attached", "attach-would-fail"]);
  expect(report.problems[1].detail).toContain(`${TARGET} holds 10 SCP(s) of 10`);
});
