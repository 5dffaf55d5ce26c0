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
import { undoAction } from "../../src/remediation/undo";
import { findingOf, findingWithPrimaryRule, fixture, guardrailWith, IAM_USER_RECORD, MGMT } from "./helpers";
import { NO_BACKOFF } from "../support/no-backoff";

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

/** The users the records name, as IAM has them: the responder reads the real ARN before each call that names one. */
const USERS: Record<string, string> = {
  "deploy-bot": "arn:aws:iam::222233334444:user/ci/deploy-bot",
  BedrockAPIKey_EXAMPLE: "arn:aws:iam::222233334444:user/BedrockAPIKey_EXAMPLE",
};
const userAnswer = (name: string): Answer[] => [
  ok("GetUser", `<GetUserResult><User><UserName>${name}</UserName><Arn>${USERS[name]}</Arn></User></GetUserResult>`),
];

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
      const user = params.get("UserName") ?? "";
      const queue = script[action] ?? (action === "GetUser" && user in USERS ? userAnswer(user) : []);
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

function loopbackClients() {
  return new LocalClientProvider("us-east-1", "any", {
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIALOCAL", secretAccessKey: "local" },
    retry: { mode: "standard", maxAttempts: 3, backoff: NO_BACKOFF },
  });
}

async function respond(record = fixture(IAM_USER_RECORD), store = new InMemoryStore(), primaryRule = false) {
  const g = guardrailWith({ remediation: { mode: "enforce", deleteAgreement: false } });
  const clients = loopbackClients();
  const responder = new RemediationResponder({
    guardrail: g,
    store,
    organization: new StaticOrganizationLookup(MGMT),
    clients,
  });
  const finding = primaryRule ? findingWithPrimaryRule(g, record) : findingOf(g, record);
  const report = await responder.respond(finding);
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

const credential = (id: string, status: string, service = "bedrock.amazonaws.com") =>
  `<member><UserName>BedrockAPIKey_EXAMPLE</UserName><Status>${status}</Status>` +
  `<ServiceUserName>BedrockAPIKey_EXAMPLE-at-222233334444</ServiceUserName>` +
  `<CreateDate>2026-11-01T00:00:00Z</CreateDate><ServiceSpecificCredentialId>${id}</ServiceSpecificCredentialId>` +
  `<ServiceName>${service}</ServiceName></member>`;
const credentials = (members: string[], marker?: string) =>
  `<ListServiceSpecificCredentialsResult><ServiceSpecificCredentials>${members.join("")}` +
  `</ServiceSpecificCredentials>${marker ? `<IsTruncated>true</IsTruncated><Marker>${marker}</Marker>` : ""}` +
  "</ListServiceSpecificCredentialsResult>";

describe("Bedrock API keys over the real SDK stack (loopback IAM)", () => {
  it("long-term key: the user's Bedrock credentials are deactivated (all pages); undo restores them", async () => {
    const pages = [
      ok("ListServiceSpecificCredentials", credentials([credential("ACCAEXAMPLE000000001", "Active")], "page-2")),
      ok(
        "ListServiceSpecificCredentials",
        credentials([credential("ACCAEXAMPLE000000002", "Inactive"), credential("ACCAEXAMPLE000000003", "Active")]),
      ),
    ];
    script = {
      // Read twice: the state stored with the claim before the call, then the action's own reading.
      ListServiceSpecificCredentials: [...pages, ...pages],
      UpdateServiceSpecificCredential: [
        fail(400, "Throttling", "Rate exceeded"),
        ok("UpdateServiceSpecificCredential"),
      ],
    };
    const store = new InMemoryStore();
    const out = await respond(fixture("respond_bearer-long-term-mantle-CreateFineTuningJob"), store, true);
    expect(Object.keys(out)).toEqual(["iam:UpdateServiceSpecificCredential"]);
    expect(out["iam:UpdateServiceSpecificCredential"].status).toBe("ok");
    const lists = seen.filter((s) => s.action === "ListServiceSpecificCredentials");
    const listed = [
      ["BedrockAPIKey_EXAMPLE", "bedrock.amazonaws.com", null],
      ["BedrockAPIKey_EXAMPLE", "bedrock.amazonaws.com", "page-2"],
    ];
    expect(lists.map((s) => [s.params.get("UserName"), s.params.get("ServiceName"), s.params.get("Marker")])).toEqual([
      ...listed,
      ...listed,
    ]);
    const updates = seen.filter((s) => s.action === "UpdateServiceSpecificCredential");
    // The throttled first call is retried by the SDK; the inactive credential is never touched.
    expect(updates.map((s) => [s.params.get("ServiceSpecificCredentialId"), s.params.get("Status")])).toEqual([
      ["ACCAEXAMPLE000000001", "Inactive"],
      ["ACCAEXAMPLE000000001", "Inactive"],
      ["ACCAEXAMPLE000000003", "Inactive"],
    ]);
    expect(count("UpdateAccessKey") + count("PutUserPolicy") + count("CreateAccessKey")).toBe(0);

    seen.length = 0;
    script = {
      ListServiceSpecificCredentials: [
        ok(
          "ListServiceSpecificCredentials",
          credentials([
            credential("ACCAEXAMPLE000000001", "Inactive"),
            credential("ACCAEXAMPLE000000002", "Inactive"),
            credential("ACCAEXAMPLE000000003", "Inactive"),
          ]),
        ),
      ],
      UpdateServiceSpecificCredential: [ok("UpdateServiceSpecificCredential")],
    };
    const undo = await undoAction(out["iam:UpdateServiceSpecificCredential"].actionId, {
      store,
      clients: loopbackClients(),
    });
    expect(undo.status).toBe("ok");
    // Only what this tool deactivated comes back: 000000002 was inactive before and stays so.
    expect(
      seen
        .filter((s) => s.action === "UpdateServiceSpecificCredential")
        .map((s) => [s.params.get("ServiceSpecificCredentialId"), s.params.get("Status")]),
    ).toEqual([
      ["ACCAEXAMPLE000000001", "Active"],
      ["ACCAEXAMPLE000000003", "Active"],
    ]);
  });
});
