/**
 * The realtime handler refuses input that did not come through the tool's own EventBridge rule: a
 * forged event sent by direct invocation (which the SCP also denies) plans nothing, claims nothing
 * and is reported in the run summary. Proven on the core, and on the built Lambda bundle.
 */
import * as path from "node:path";
import { realtimeEventOf } from "../../src/detection/backends/eventbridge-envelope";
import type { Finding } from "../../src/detection/finding";
import { processEvent } from "../../src/handlers/realtime";
import { bundleLambda, handlerEntry } from "../../src/infra/bundle/lambda-bundle";
import { OrganizationMembership } from "../../src/remediation/organization";
import { runJob } from "../../src/runtime/job";
import type { RunSummary } from "../../src/runtime/summary";
import { STAGING } from "../infra/helpers";
import { MemoryStateStore } from "../support/memory-state-store";
import { at, eventBridgeEvent, guardrailWith, simEvent, TOPIC_ARN } from "../runtime/helpers";

const guardrail = guardrailWith({ remediation: { mode: "enforce" } });
const real = eventBridgeEvent(simEvent("rt-forged-1", at("2026-07-01T11:59:50Z"), 0));
const detail = real.detail as Record<string, unknown>;

/** Forged inputs an attacker with lambda:InvokeFunction could send, and what each lacks. */
const FORGED: [string, unknown, RegExp][] = [
  ["the bare CloudTrail record", detail, /detail-type/],
  ["an envelope without version", { ...real, version: undefined }, /version/],
  ["an envelope without id", { ...real, id: "" }, /no id/],
  ["a custom source", { ...real, source: "bedrock-guardrail.forged" }, /source "bedrock-guardrail.forged" is none/],
  [
    "a source no rule reads",
    { ...real, source: "aws.ec2", detail: { ...detail, eventSource: "ec2.amazonaws.com" } },
    /is none the rules read/,
  ],
  [
    "a record from another service than the source",
    { ...real, detail: { ...detail, eventSource: "iam.amazonaws.com" } },
    /does not match source/,
  ],
  ["an account that is not an account id", { ...real, account: "me" }, /not a 12-digit account id/],
  ["a record without userIdentity", { ...real, detail: { ...detail, userIdentity: undefined } }, /no userIdentity/],
];

describe("realtimeEventOf", () => {
  it("accepts what the central rule delivers", () => {
    const out = realtimeEventOf(real, guardrail);
    expect(out).toEqual({ record: detail, account: real.account });
  });

  it.each(FORGED)("refuses %s", (_label, event, reason) => {
    const out = realtimeEventOf(event, guardrail);
    expect("reason" in out && out.reason).toMatch(reason);
  });
});

/** The realtime core's collaborators, recording what is published and what the responder is given. */
const deps = (inOrganization?: (a: string) => Promise<boolean>) => {
  const store = new MemoryStateStore();
  const published: string[] = [];
  const responded: string[] = [];
  return {
    store,
    published,
    responded,
    deps: {
      guardrail,
      store,
      notifier: { publish: async (_s: string, b: string) => void published.push(b) },
      responder: { respond: async (f: { event: { id: string } }) => void responded.push(f.event.id) } as never,
      jobName: "query-job",
      now: () => at("2026-07-01T12:00:00Z"),
      ...(inOrganization ? { membership: new OrganizationMembership(inOrganization) } : {}),
    },
  };
};

describe("the realtime core with forged input", () => {
  it.each(FORGED)("%s: nothing claimed, published or planned; the summary reports it", async (_l, event) => {
    const d = deps();
    const summary = await processEvent(d.deps, event, "inv");
    expect(summary).toMatchObject({ status: "ok", unreadableRows: 1, findings: 0, newFindings: 0, published: 0 });
    expect(summary.samples?.[0]).toMatch(/^refused: /);
    expect(await d.store.listPending("query-job")).toEqual([]);
    expect([d.published, d.responded]).toEqual([[], []]);
  });

  it("refuses an account outside the organization before the claim (a reused eventID suppresses nothing)", async () => {
    const d = deps(async (account) => account === "111122223333");
    const summary = await processEvent(d.deps, real, "inv");
    expect(summary.samples?.[0]).toMatch(/^refused: account \d{12} is not an account of the organization/);
    expect(await d.store.listPending("query-job")).toEqual([]);
    // Organizations failing to answer is no answer: the run fails (the invocation errors, Lambda retries the event),
    // it is not refused as outside the organization, and nothing is claimed.
    const failing = deps(async () => Promise.reject(new Error("throttled")));
    expect(await processEvent(failing.deps, real, "inv")).toMatchObject({
      status: "failed",
      unreadableRows: 0,
      failure: {
        step: "organization",
        error: expect.stringMatching(
          new RegExp(
            `^Organizations did not say whether account ${real.account} is in the organization .*: throttled$`,
          ),
        ),
      },
    });
    expect(await failing.store.listPending("query-job")).toEqual([]);
    // The same event from an account of the organization is claimed as before.
    const member = deps(async () => true);
    expect(await processEvent(member.deps, real, "inv")).toMatchObject({ newFindings: 1, unreadableRows: 0 });
  });
});

describe("the realtime core with a replayed event", () => {
  /** The real event as an EventBridge archive replay delivers it: the original envelope and record, later. */
  const replayed = { ...real, "replay-name": "member-replay" };
  const replayedAt = (iso: string) => ({ ...deps(async () => true).deps, now: () => at(iso) });

  it("older than its claim is kept: refused, so it neither alerts again nor reaches the responder", async () => {
    const d = deps(async () => true);
    // 31 days after the event: its claim (kept 30 days after the alert) may be gone.
    const summary = await processEvent({ ...d.deps, now: () => at("2026-08-01T12:00:00Z") }, replayed, "inv");
    expect(summary).toMatchObject({ status: "ok", unreadableRows: 1, newFindings: 0, published: 0 });
    expect(summary.samples?.[0]).toMatch(/^refused: the record's eventTime 2026-07-01T11:59:50Z is older than 30 days/);
    expect([d.published, d.responded]).toEqual([[], []]);
  });

  it("within the 30 days: a duplicate of its claim, as before", async () => {
    const store = new MemoryStateStore();
    const first = await processEvent({ ...replayedAt("2026-07-01T12:00:00Z"), store }, real, "inv-1");
    expect(first.newFindings).toBe(1);
    const again = await processEvent({ ...replayedAt("2026-07-30T12:00:00Z"), store }, replayed, "inv-2");
    expect(again).toMatchObject({ unreadableRows: 0, newFindings: 0, duplicates: 1 });
  });
});

describe("the realtime core acts only in the accounts the organization check covered", () => {
  const OUTSIDE = "123412341234";
  const ORG_MEMBER = "555566667777";
  /** The real event with the record's recipient and the principal's account replaced. */
  const withAccounts = (recipient: string, principalAccount: string) => {
    const identity = detail.userIdentity as Record<string, unknown>;
    const arn = String(identity.arn).replace(/\d{12}/, principalAccount);
    return {
      ...real,
      detail: {
        ...detail,
        recipientAccountId: recipient,
        userIdentity: { ...identity, accountId: principalAccount, arn },
      },
    };
  };
  const inOrganization = async (a: string) => a === real.account || a === ORG_MEMBER;

  it.each([
    ["a recipient other than the envelope's account", OUTSIDE, real.account as string, /recipientAccountId "1234/],
    [
      "a principal of an account outside the organization",
      real.account as string,
      OUTSIDE,
      /account 123412341234 is not/,
    ],
  ])("%s: alerted, not remediated, and the summary says why", async (_label, recipient, principal, why) => {
    const d = deps(inOrganization);
    const summary = await processEvent(d.deps, withAccounts(recipient, principal), "inv");
    expect(summary).toMatchObject({ status: "ok", newFindings: 1, published: 1 });
    expect(d.published).toHaveLength(1);
    expect(d.responded).toEqual([]);
    expect(summary.samples?.[0]).toMatch(/^alert only, no remediation: /);
    expect(summary.samples?.[0]).toMatch(why);
  });

  it("Organizations failing to answer for the principal's account: the run fails before the claim", async () => {
    const d = deps(async (a) => (a === real.account ? true : Promise.reject(new Error("throttled"))));
    const summary = await processEvent(d.deps, withAccounts(real.account as string, ORG_MEMBER), "inv");
    // Not an alert-only claim, which would keep the finding from the responder even when Lambda's retry finds the
    // account in the organization; nothing is claimed, published or acted on.
    expect(summary).toMatchObject({
      status: "failed",
      newFindings: 0,
      published: 0,
      failure: { step: "organization" },
    });
    expect(summary.failure?.error).toMatch(/account 555566667777 is in the organization .*: throttled$/);
    expect(await d.store.listPending("query-job")).toEqual([]);
    expect([d.published, d.responded]).toEqual([[], []]);
  });

  it("a failed alert keeps the decision: the scheduled job's next run alerts, says why, does not respond", async () => {
    const d = deps(inOrganization);
    const responder = {
      respond: async (f: Finding) => {
        d.responded.push(f.event.id);
        return { findingId: f.event.id, outcomes: [] };
      },
    };
    const failing = {
      ...d.deps,
      responder,
      notifier: { publish: async () => Promise.reject(new Error("SNS throttled")) },
    };
    const event = withAccounts(real.account as string, OUTSIDE);
    const first = await processEvent(failing, event, "inv");
    expect(first).toMatchObject({ status: "failed", newFindings: 1, failure: { step: "publish" } });
    // The scheduled job's next run: nothing new in its window, the pending list drained.
    const next = await runJob(
      {
        guardrail,
        store: d.store,
        source: {
          backend: "cloudtrail-lake",
          run: async () => ({ records: [], rows: 0, bytesScanned: 0, unreadable: [] }),
        },
        notifier: d.deps.notifier,
        responder,
        now: () => at("2026-07-01T12:05:00Z"),
        runId: "run-1",
      },
      { jobName: "query-job" },
    );
    expect(next).toMatchObject({ status: "ok", published: 1, responded: 0 });
    expect(d.published).toHaveLength(1);
    expect(d.responded).toEqual([]);
    expect(next.samples).toEqual([
      expect.stringMatching(/^alert only, no remediation: event rt-forged-1: .*account 123412341234 is not/),
    ]);
    expect(await d.store.listPending("query-job")).toEqual([]);
  });

  it("a principal of another account of the organization is remediated", async () => {
    const d = deps(inOrganization);
    await processEvent(d.deps, withAccounts(real.account as string, ORG_MEMBER), "inv");
    expect(d.responded).toHaveLength(1);
  });
});

describe("the built realtime Lambda", () => {
  it("answers a forged direct invocation with a summary that refuses it, without calling AWS", async () => {
    const { config, definition } = guardrail;
    const bundle = bundleLambda({ entry: handlerEntry("realtime"), config, definition, stagingDir: STAGING });
    const saved = { ...process.env };
    Object.assign(process.env, {
      STATE_TABLE_NAME: "bedrock-guardrail-state",
      ALERT_TOPIC_ARN: TOPIC_ARN,
      JOB_NAME: "query-job",
      MEMBER_ROLE_NAME: "BedrockGuardrailRemediation",
      // Any AWS call would fail here: the forged event must be refused before one is made.
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIAFORGEDTESTONLY00",
      AWS_SECRET_ACCESS_KEY: "forged",
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      AWS_MAX_ATTEMPTS: "1",
    });
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof process.stdout.write;
    try {
      const mod = require(path.join(bundle.dir, "index.js")) as {
        handler: (e: unknown, c?: { awsRequestId?: string }) => Promise<RunSummary>;
      };
      const forged = { ...detail, eventID: "a-real-event-id" };
      const summary = await mod.handler(forged, { awsRequestId: "forged-1" });
      expect(summary).toMatchObject({ status: "ok", unreadableRows: 1, newFindings: 0, published: 0 });
      expect(summary.samples?.[0]).toMatch(/^refused: detail-type/);
      // Reported: the run's summary line (also its EMF metrics) names the refusal.
      expect(lines.join("")).toContain("refused: detail-type");
    } finally {
      process.stdout.write = write;
      process.env = saved;
    }
  });
});
