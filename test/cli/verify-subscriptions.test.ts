/**
 * `verify` checks the alert e-mails' subscriptions as the monitor's drift check does: with the alert topic
 * (--topic-arn or ALERT_TOPIC_ARN) and monitor.alertEmails, each address without a subscription is drift (exit 3, one
 * line each), one still awaiting confirmation is named on a line of its own (SNS delivers it nothing yet) without being
 * drift, as the monitor counts it. Through the real SNS adapter (aws-sdk-client-mock), over pages of
 * ListSubscriptionsByTopic.
 */
import { ListSubscriptionsByTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { verify, type VerifyIO } from "../../src/cli/commands/verify";
import { errorText } from "../../src/errors/error-text";
import { buildScpDocuments } from "../../src/policy/documents";
import { guardrailWith, TOPIC_ARN } from "../runtime/helpers";

/** A job source verify does not check (athena without monitor.trailArn, verify-source.test.ts): stderr is theirs. */
const UNCHECKED_SOURCE = { backend: "athena", athena: { bucket: "org-trail-archive" } } as const;
const g = guardrailWith({
  monitor: { ...UNCHECKED_SOURCE, alertEmails: ["soc@example.com", "oncall@example.com", "audit@example.com"] },
});
const documents = buildScpDocuments(g);
const intact = async () => ({
  roots: [{ id: "r-ab12", scpEnabled: true }],
  policies: documents.map((d, i) => ({ id: `p-${i}`, name: d.name, content: d.content })),
  targets: Object.fromEntries(documents.map((_, i) => [`p-${i}`, ["r-ab12"]])),
});

const sns = mockClient(SNSClient);
afterEach(() => sns.reset());
afterAll(() => sns.restore());

/** The topic's e-mail subscriptions, one per page as NextToken would hand them out; `pending` not confirmed yet. */
function subscribed(...subscriptions: { address: string; pending?: boolean }[]): void {
  sns.on(ListSubscriptionsByTopicCommand).callsFake((input: { TopicArn: string; NextToken?: string }) => {
    expect(input.TopicArn).toBe(TOPIC_ARN);
    const from = Number(input.NextToken ?? 0);
    const page = subscriptions.slice(from, from + 1).map((s, i) => ({
      Protocol: "email",
      Endpoint: s.address,
      SubscriptionArn: s.pending ? "PendingConfirmation" : `${TOPIC_ARN}:sub-${from + i}`,
    }));
    return { Subscriptions: page, NextToken: from + 1 < subscriptions.length ? String(from + 1) : undefined };
  });
}

function io(extra: Partial<VerifyIO> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: () => out.join(""),
    err: () => err.join(""),
    io: {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      env: {},
      readOrganization: intact,
      ...extra,
    } as VerifyIO,
  };
}

test("an address without a subscription is drift, one awaiting confirmation is named: one line each", async () => {
  subscribed({ address: "SOC@example.com" }, { address: "audit@example.com", pending: true });
  const s = io();
  expect(await verify(g, { topicArn: TOPIC_ARN }, s.io)).toBe(3);
  const lines = s.out().trimEnd().split("\n");
  expect(lines).toEqual([
    expect.stringMatching(/^DRIFT subscription-missing: oncall@example\.com \(monitor\.alertEmails\) is no longer/),
    expect.stringMatching(/^PENDING confirmation: audit@example\.com \(monitor\.alertEmails\) has not confirmed/),
  ]);
  expect(s.err()).toBe("");
  expect(sns.commandCalls(ListSubscriptionsByTopicCommand)).toHaveLength(2);
});

test("every address subscribed: no drift, and one awaiting confirmation alone does not fail the gate", async () => {
  subscribed({ address: "soc@example.com" }, { address: "oncall@example.com" }, { address: "audit@example.com" });
  const s = io();
  expect(await verify(g, { topicArn: TOPIC_ARN }, s.io)).toBe(0);
  expect(s.out()).toMatch(/^no drift: .*\nalert e-mails: every address of monitor\.alertEmails is subscribed to arn:/);
  sns.reset();
  subscribed(
    { address: "soc@example.com" },
    { address: "oncall@example.com" },
    { address: "audit@example.com", pending: true },
  );
  const pending = io();
  expect(await verify(g, { topicArn: TOPIC_ARN }, pending.io)).toBe(0);
  expect(pending.out()).toMatch(/^PENDING confirmation: audit@example\.com .*\nno drift: /);
});

test("the topic from ALERT_TOPIC_ARN; --json adds missing subscriptions and those awaiting confirmation", async () => {
  subscribed({ address: "soc@example.com", pending: true });
  const s = io({ env: { ALERT_TOPIC_ARN: TOPIC_ARN } });
  expect(await verify(g, { json: true }, s.io)).toBe(3);
  const report = JSON.parse(s.out());
  expect(report.ok).toBe(false);
  expect(report.problems.map((p: { kind: string; target: string }) => `${p.kind} ${p.target}`)).toEqual([
    "subscription-missing oncall@example.com",
    "subscription-missing audit@example.com",
  ]);
  expect(report.alertSubscriptions).toEqual({ topicArn: TOPIC_ARN, pendingConfirmation: ["soc@example.com"] });
});

test("without a topic the subscriptions are not checked, and a warning says how to check them", async () => {
  const s = io();
  expect(await verify(g, {}, s.io)).toBe(0);
  expect(s.err()).toBe(
    "verify: warning: the subscriptions of monitor.alertEmails are not checked: pass --topic-arn (the monitor " +
      "stack's alert_topic_arn output) or set ALERT_TOPIC_ARN\n",
  );
  expect(sns.commandCalls(ListSubscriptionsByTopicCommand)).toHaveLength(0);
  // No addresses configured: nothing to check, nothing said.
  const none = io();
  expect(await verify(guardrailWith({ monitor: UNCHECKED_SOURCE }), {}, none.io)).toBe(0);
  expect(none.err()).toBe("");
});

test("a topic ARN that is not one: exit 2, one line naming the input, before any AWS call", async () => {
  let read = 0;
  const readOrganization = async () => {
    read++;
    return intact();
  };
  const s = io({ readOrganization });
  expect(await verify(g, { topicArn: "bedrock-guardrail-alerts" }, s.io)).toBe(2);
  expect(s.err()).toBe(
    'verify: --topic-arn "bedrock-guardrail-alerts" is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)\n',
  );
  const env = io({ readOrganization, env: { ALERT_TOPIC_ARN: "arn:aws:sqs:us-east-1:111122223333:q" } });
  expect(await verify(g, {}, env.io)).toBe(2);
  expect(env.err()).toMatch(/^verify: ALERT_TOPIC_ARN "arn:aws:sqs:.*" is not an SNS topic ARN/);
  expect(read).toBe(0);
  expect(sns.commandCalls(ListSubscriptionsByTopicCommand)).toHaveLength(0);
});

test("subscriptions it cannot list: exit 1, one line saying whose credentials can; the SCP part reported", async () => {
  const denied = Object.assign(new Error("User: arn:aws:iam::999999999999:user/ci is not authorized"), {
    name: "AuthorizationError",
    $metadata: { httpStatusCode: 403 },
  });
  sns.on(ListSubscriptionsByTopicCommand).rejects(denied);
  const s = io();
  expect(await verify(g, { topicArn: TOPIC_ARN }, s.io)).toBe(1);
  expect(s.err()).toBe(
    `verify: cannot list the subscriptions of ${TOPIC_ARN} (only principals of the topic's account may: run verify ` +
      `with the monitor account's credentials): ${errorText(denied)}\n`,
  );
  expect(s.out()).toMatch(/^no drift: /);
  const json = io();
  expect(await verify(g, { topicArn: TOPIC_ARN, json: true }, json.io)).toBe(1);
  // A check that could not run is no all-clear, though the SCP's part found no drift.
  expect(JSON.parse(json.out())).toMatchObject({ ok: false, problems: [] });
  expect(JSON.parse(json.out()).alertSubscriptions).toEqual({
    topicArn: TOPIC_ARN,
    error: { kind: "access-denied", message: expect.stringContaining("not authorized") },
  });
});

test("the organization cannot be read: the subscriptions are still checked, and their drift exits 3", async () => {
  subscribed({ address: "soc@example.com" }, { address: "oncall@example.com" });
  const denied = Object.assign(new Error("not allowed"), { name: "AccessDeniedException" });
  const s = io({ readOrganization: () => Promise.reject(denied) });
  expect(await verify(g, { topicArn: TOPIC_ARN }, s.io)).toBe(3);
  expect(s.err()).toMatch(/^verify: cannot read the organization: .*not allowed\n$/);
  expect(s.out()).toMatch(/^DRIFT subscription-missing: audit@example\.com /);
});
