/**
 * The executor through the real SDK stack (signing, Query/XML protocol, retry strategy) against a
 * loopback IAM endpoint on 127.0.0.1: throttling is retried and then reported, IAM's
 * LimitExceeded (a quota) is not retried, and one failing action does not stop the others.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { LocalClientProvider } from "../../src/remediation/member-clients";
import { StaticOrganizationLookup } from "../../src/remediation/organization";
import { RemediationResponder } from "../../src/remediation/responder";
import { InMemoryStore } from "../../src/remediation/store";
import { findingOf, fixture, guardrailWith, IAM_USER_RECORD, MGMT } from "./helpers";

type Answer = { status: number; body: string };
const NS = "https://iam.amazonaws.com/doc/2010-05-08/";
const ok = (action: string, result = ""): Answer => ({
  status: 200,
  body:
    `<${action}Response ` +
    `xmlns="${NS}">${result}<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></${action}Response>`,
});
const fail = (status: number, code: string, message: string): Answer => ({
  status,
  body:
    `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code>` +
    `<Message>${message}</Message></Error><RequestId>r-2</RequestId></ErrorResponse>`,
});
const keyMember = (id: string): string =>
  `<member><UserName>deploy-bot</UserName><AccessKeyId>${id}</AccessKeyId><Status>Active</Status></member>`;
const KEYS =
  `<ListAccessKeysResult><AccessKeyMetadata>${keyMember("AKIAEXAMPLEKEY000001")}${keyMember("AKIAEXAMPLEKEY000002")}` +
  `</AccessKeyMetadata><IsTruncated>false</IsTruncated></ListAccessKeysResult>`;

let server: http.Server;
let endpoint: string;
const seen: { action: string; params: URLSearchParams }[] = [];
let script: Record<string, Answer[]> = {};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const params = new URLSearchParams(body);
      const action = params.get("Action") ?? "?";
      seen.push({ action, params });
      const queue = script[action] ?? [];
      const answer =
        queue.length > 1 ? queue.shift()! : (queue[0] ?? fail(400, "InvalidAction", `unexpected ${action}`));
      res.writeHead(answer.status, { "content-type": "text/xml" });
      res.end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
});

async function respond() {
  const g = guardrailWith({ remediation: { mode: "enforce", deleteAgreement: false } });
  const clients = new LocalClientProvider("us-east-1", {
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIALOCAL", secretAccessKey: "local" },
    retry: { mode: "standard", maxAttempts: 3 },
  });
  const responder = new RemediationResponder({
    guardrail: g,
    store: new InMemoryStore(),
    organization: new StaticOrganizationLookup(MGMT),
    clients,
  });
  const report = await responder.respond(findingOf(g, fixture(IAM_USER_RECORD)));
  return Object.fromEntries(report.outcomes.map((o) => [o.api, o]));
}
const count = (action: string) => seen.filter((s) => s.action === action).length;

describe("executor over the real SDK stack (loopback IAM)", () => {
  it("throttling is retried by the SDK until it succeeds", async () => {
    script = {
      ListAccessKeys: [ok("ListAccessKeys", KEYS)],
      UpdateAccessKey: [
        fail(400, "Throttling", "Rate exceeded"),
        fail(400, "Throttling", "Rate exceeded"),
        ok("UpdateAccessKey"),
      ],
      GetUserPolicy: [fail(404, "NoSuchEntity", "The user policy with name AWSRevokeOlderSessions cannot be found.")],
      PutUserPolicy: [ok("PutUserPolicy")],
    };
    const out = await respond();
    expect(out["iam:UpdateAccessKey"].status).toBe("ok");
    expect(count("UpdateAccessKey")).toBe(3);
    expect(
      seen
        .filter((s) => s.action === "UpdateAccessKey")
        .every((s) => s.params.get("AccessKeyId") === "AKIAEXAMPLEKEY000001" && s.params.get("Status") === "Inactive"),
    ).toBe(true);
    expect(out["iam:PutUserPolicy"].status).toBe("ok");
  });

  it("persistent throttling ends as this action's error after maxAttempts; the others complete", async () => {
    script = {
      ListAccessKeys: [ok("ListAccessKeys", KEYS)],
      UpdateAccessKey: [fail(400, "Throttling", "Rate exceeded")],
      GetUserPolicy: [fail(404, "NoSuchEntity", "none")],
      PutUserPolicy: [ok("PutUserPolicy")],
    };
    const out = await respond();
    expect(out["iam:UpdateAccessKey"]).toMatchObject({ status: "error" });
    expect(out["iam:UpdateAccessKey"].reason).toMatch(/throttled/);
    expect(count("UpdateAccessKey")).toBe(3);
    expect(out["iam:PutUserPolicy"].status).toBe("ok");
  });

  it("IAM LimitExceeded (409, a quota) is not retried and does not stop the other actions", async () => {
    script = {
      ListAccessKeys: [ok("ListAccessKeys", KEYS)],
      UpdateAccessKey: [ok("UpdateAccessKey")],
      GetUserPolicy: [fail(404, "NoSuchEntity", "none")],
      PutUserPolicy: [fail(409, "LimitExceeded", "Maximum policy size of 2048 bytes exceeded for user deploy-bot")],
    };
    const out = await respond();
    expect(out["iam:PutUserPolicy"].status).toBe("error");
    expect(out["iam:PutUserPolicy"].reason).toMatch(/quota.*not retried/);
    expect(count("PutUserPolicy")).toBe(1);
    expect(out["iam:UpdateAccessKey"].status).toBe("ok");
  });
});
