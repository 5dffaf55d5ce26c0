import { DeleteFoundationModelAgreementCommand } from "@aws-sdk/client-bedrock";
import {
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  DeleteRolePolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
  UpdateServiceSpecificCredentialCommand,
} from "@aws-sdk/client-iam";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  ResourceNotFoundException as SecretNotFound,
} from "@aws-sdk/client-secrets-manager";
import fc from "fast-check";
import type { Notifier } from "../../src/aws/contracts";
import { StaticOrganizationLookup } from "../../src/remediation/organization";
import { RemediationResponder } from "../../src/remediation/responder";
import { type ActionRecord, CLAIM_LEASE_MS, hourBucket, InMemoryStore } from "../../src/remediation/store";
import { undoAction, UndoError } from "../../src/remediation/undo";
import { claimAll, drainPending } from "../../src/runtime/pipeline";
import { MemoryStateStore } from "../support/memory-state-store";
import { guardedRecord } from "./arbitraries";
import {
  findingOf,
  findingWithPrimaryRule,
  fixture,
  guardrailWith,
  IAM_USER_RECORD,
  IDENTITIES,
  MGMT,
  sample,
  withIdentity,
} from "./helpers";
import { awsError, awsMocks, localClients } from "./mocks";

const aws = awsMocks();
afterEach(() => aws.reset());
afterAll(() => aws.restore());

const NOW = new Date("2026-11-20T09:20:00Z");
const KEY = "AKIAEXAMPLEKEY000001";

class RecordingNotifier implements Notifier {
  messages: { subject: string; body: string }[] = [];
  async publish(subject: string, body: string): Promise<void> {
    this.messages.push({ subject, body });
  }
}

function happyIam() {
  let status = "Active";
  aws.iam.on(ListAccessKeysCommand).callsFake(() => ({
    AccessKeyMetadata: [
      { UserName: "deploy-bot", AccessKeyId: KEY, Status: status },
      { UserName: "deploy-bot", AccessKeyId: "AKIAEXAMPLEKEY000002", Status: "Active" },
    ],
  }));
  aws.iam.on(UpdateAccessKeyCommand).callsFake((input: { Status: string }) => {
    status = input.Status;
    return {};
  });
  aws.iam.on(GetUserPolicyCommand).rejects(new NoSuchEntityException({ message: "none", $metadata: {} }));
  aws.iam.on(PutUserPolicyCommand).resolves({});
  aws.bedrock.on(DeleteFoundationModelAgreementCommand).resolves({});
}

/** Past the claim lease of a run started at NOW: a responder then takes the run for dead. */
const AFTER_LEASE = new Date(NOW.getTime() + CLAIM_LEASE_MS + 1000);

/** The role's inline policy as IAM keeps it (GetRolePolicy returns it URL-encoded); the document as last put. */
function mockRolePolicy(initial?: object): { document: () => string | undefined; remove: () => void } {
  let doc = initial && JSON.stringify(initial);
  aws.iam.on(GetRolePolicyCommand).callsFake(() => {
    if (!doc) throw new NoSuchEntityException({ message: "none", $metadata: {} });
    return { PolicyDocument: encodeURIComponent(doc) };
  });
  aws.iam.on(PutRolePolicyCommand).callsFake((input: { PolicyDocument: string }) => {
    doc = input.PolicyDocument;
    return {};
  });
  aws.iam.on(DeleteRolePolicyCommand).callsFake(() => {
    doc = undefined;
    return {};
  });
  return { document: () => doc, remove: () => void (doc = undefined) };
}

/** An audit store whose `n`th action write fails (a run that dies there: a crash, a Lambda timeout). */
function storeFailingAt(n: number, message: string): InMemoryStore {
  let writes = 0;
  return new (class extends InMemoryStore {
    async putAction(record: ActionRecord): Promise<void> {
      if (++writes === n) throw new Error(message);
      return super.putAction(record);
    }
  })();
}

/** A long-term Bedrock API key call, under a rule that remediates (the mantle rule itself only alerts). */
function bedrockApiKeyFinding(g: ReturnType<typeof guardrailWith>, eventID: string, credentialId?: string) {
  const record = fixture("respond_bearer-long-term-mantle-CreateFineTuningJob");
  const identity = { ...(record.userIdentity as object), ...(credentialId ? { accessKeyId: credentialId } : {}) };
  return findingWithPrimaryRule(g, { ...record, eventID, userIdentity: identity }, "PutUseCaseForModelAccess");
}

/** deploy-bot's finding responded to by a run that dies after its first call, before recording it. */
async function runDiedAfterItsCall() {
  happyIam();
  const store = storeFailingAt(1, "Task timed out");
  const { g, r } = responder(store);
  const f = findingOf(g, fixture(IAM_USER_RECORD));
  await expect(r.respond(f)).rejects.toThrow(/Task timed out/);
  return { store, g, f, id: store.allActions()[0].actionId };
}

function responder(
  store = new InMemoryStore(),
  config: Parameters<typeof guardrailWith>[0] = { remediation: { mode: "enforce" } },
  notifier = new RecordingNotifier(),
  clock = () => NOW,
) {
  const g = guardrailWith(config);
  const r = new RemediationResponder({
    guardrail: g,
    store,
    organization: new StaticOrganizationLookup(MGMT),
    clients: localClients(),
    notifier,
    clock,
    actor: "arn:aws:iam::555555555555:role/bedrock-guardrail/bedrock-guardrail-query-job",
  });
  return { g, r, store, notifier };
}

describe("RemediationResponder", () => {
  it("executes, records before/after/who/why/which finding, notifies, and a re-run does nothing new", async () => {
    happyIam();
    const { g, r, store, notifier } = responder();
    const f = findingOf(g, fixture(IAM_USER_RECORD));
    const first = await r.respond(f);
    expect(first.outcomes.map((o) => [o.api, o.status])).toEqual([
      ["iam:UpdateAccessKey", "ok"],
      ["iam:PutUserPolicy", "ok"],
      ["bedrock:DeleteFoundationModelAgreement", "ok"],
    ]);
    const rec = (await store.getAction(first.outcomes[0].actionId))!;
    expect(rec).toMatchObject({
      findingId: f.event.id,
      status: "ok",
      before: { status: "Active" },
      after: { status: "Inactive" },
      actor: expect.stringContaining("bedrock-guardrail"),
      reason: expect.stringContaining(KEY),
    });
    expect(notifier.messages).toHaveLength(1);
    expect(notifier.messages[0].subject).toBe("bedrock-guardrail remediation: 3 ok");
    expect(notifier.messages[0].body).toContain(`undo --action-id ${first.outcomes[0].actionId}`);

    const callsBefore = aws.iam.calls().length + aws.bedrock.calls().length;
    const again = await responder(store).r.respond(f);
    expect(again.outcomes.map((o) => o.status)).toEqual(["ok", "ok", "ok"]);
    expect(aws.iam.calls().length + aws.bedrock.calls().length).toBe(callsBefore);
    expect(notifier.messages).toHaveLength(1);
  });

  it("after a crash mid-run, the re-run repeats nothing done and completes the rest once the lease ends", async () => {
    happyIam();
    const store = storeFailingAt(3, "simulated crash while recording");
    const { g, r } = responder(store);
    const f = findingOf(g, fixture(IAM_USER_RECORD));
    await expect(r.respond(f)).rejects.toThrow(/simulated crash/);
    expect(aws.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
    // Within the lease the crashed run may still be alive: its action is left to it, and the finding is
    // reported unfinished so that the monitor responds again later.
    expect((await responder(store).r.respond(f)).heldElsewhere).toMatch(/^ra-\S+: another responder/);
    const report = await responder(store, undefined, undefined, () => AFTER_LEASE).r.respond(f);
    expect(report.outcomes.map((o) => o.status)).toEqual(["ok", "ok", "ok"]);
    expect(aws.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
    expect(aws.iam.commandCalls(PutUserPolicyCommand)).toHaveLength(1);
  });

  it("in the monitor, a finding whose action another responder holds waits; the findings after it do not", async () => {
    happyIam();
    const store = storeFailingAt(1, "interrupted");
    let now = NOW;
    const { g, r } = responder(store, undefined, undefined, () => now);
    const rec = fixture(IAM_USER_RECORD);
    const f1 = findingOf(g, { ...rec, eventID: "ev-1", eventTime: "2026-11-20T09:00:00Z" });
    const f2 = findingOf(g, { ...rec, eventID: "ev-2", eventTime: "2026-11-20T09:10:00Z" });
    // A `remediate --execute --table` on f1 claimed its first action and was interrupted: held 15 minutes.
    await expect(r.respond(f1)).rejects.toThrow(/interrupted/);
    const state = new MemoryStateStore();
    await claimAll(state, "job", [f1, f2]);
    const alerts: string[] = [];
    const drain = (run: number) =>
      drainPending(
        {
          store: state,
          notifier: { publish: async (_s, body) => void alerts.push(JSON.parse(body).event.id) },
          responder: responder(store, undefined, undefined, () => now).r,
          runId: `run-${run}`,
          now: () => now,
          leaseMs: 60_000,
          dedupeRetentionMs: 86_400_000,
        },
        "job",
        10,
      );
    now = new Date(NOW.getTime() + 60_000);
    expect(await drain(1)).toEqual({ published: 2, responded: 1, carriedOver: 0, heldElsewhere: 1 });
    expect(alerts).toEqual(["ev-1", "ev-2"]);
    now = AFTER_LEASE;
    expect(await drain(2)).toEqual({ published: 0, responded: 1, carriedOver: 0, heldElsewhere: 0 });
    expect((await state.listPending("job")).map((p) => p.eventId)).toEqual([]);
    const actionsOfF1 = store.allActions().filter((a) => a.findingId === "ev-1");
    expect(actionsOfF1.map((a) => a.status)).toEqual(["ok", "ok", "ok"]);
  });

  it("a run dies between call and record: the next records ok with the state before, and undo works", async () => {
    const { store, f, id } = await runDiedAfterItsCall();
    expect(await store.getAction(id)).toMatchObject({ status: "in-progress", before: { status: "Active" } });
    const report = await responder(store, undefined, undefined, () => AFTER_LEASE).r.respond(f);
    expect(report.outcomes[0]).toMatchObject({ actionId: id, status: "ok", reason: /interrupted run/ });
    expect(await store.getAction(id)).toMatchObject({
      status: "ok",
      before: { status: "Active" },
      after: { status: "Inactive" },
    });
    expect(aws.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
    expect(await undoAction(id, { store, clients: localClients() })).toMatchObject({ status: "ok" });
    expect(aws.iam.commandCalls(UpdateAccessKeyCommand).at(-1)!.args[0].input.Status).toBe("Active");
  });

  it("a run dies after its call and the principal's cap fills: the takeover records ok, and undo works", async () => {
    happyIam();
    const store = storeFailingAt(1, "Task timed out");
    const config = { remediation: { mode: "enforce" as const, maxActionsPerPrincipalPerHour: 3 } };
    const { g, r } = responder(store, config);
    const f = findingOf(g, fixture(IAM_USER_RECORD));
    await expect(r.respond(f)).rejects.toThrow(/Task timed out/);
    const claim = store.allActions()[0];
    expect(claim).toMatchObject({ status: "in-progress", before: { status: "Active" } });
    // Other findings of the same principal fill this hour's cap meanwhile (other responders).
    for (const id of ["ra-x1", "ra-x2"])
      await store.reservePrincipalAction(claim.principalArn!, "2026-11-20T09", id, 3);
    const report = await responder(store, config, undefined, () => AFTER_LEASE).r.respond(f);
    expect(report.outcomes[0]).toMatchObject({ actionId: claim.actionId, status: "ok", reason: /interrupted run/ });
    expect(await store.getAction(claim.actionId)).toMatchObject({
      status: "ok",
      before: { status: "Active" },
      after: { status: "Inactive" },
    });
    expect(aws.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
    expect(await undoAction(claim.actionId, { store, clients: localClients() })).toMatchObject({ status: "ok" });
    expect(aws.iam.commandCalls(UpdateAccessKeyCommand).at(-1)!.args[0].input.Status).toBe("Active");
  });

  it("a claim that recorded no state before is taken over as possibly its run's change, not already-done", async () => {
    happyIam();
    const store = storeFailingAt(1, "Task timed out");
    const { g, r } = responder(store);
    const f = findingOf(g, fixture(IAM_USER_RECORD));
    await expect(r.respond(f)).rejects.toThrow(/Task timed out/);
    const { before: _before, ...claim } = store.allActions()[0];
    // What a run whose read of the state before failed (or of a kind without one) leaves.
    await store.putAction(claim);
    const report = await responder(store, undefined, undefined, () => AFTER_LEASE).r.respond(f);
    expect(report.outcomes[0]).toMatchObject({ status: "ok", reason: /possibly done by an interrupted run/ });
    const rec = (await store.getAction(claim.actionId))!;
    expect(rec).toMatchObject({ status: "ok", after: { status: "Inactive" } });
    expect(rec.before).toBeUndefined();
    expect(aws.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
  });

  it("a run dies after deactivating a Bedrock API key: recorded ok from the claim; undo re-activates it", async () => {
    const status = aws.bedrockApiKeys({ ACCAEXAMPLE000000001: "Active", ACCAEXAMPLE000000002: "Inactive" });
    const store = storeFailingAt(1, "Task timed out");
    const { g, r } = responder(store);
    // Under a rule that remediates (the mantle rule itself only alerts).
    const f = findingWithPrimaryRule(
      g,
      fixture("respond_bearer-long-term-mantle-CreateFineTuningJob"),
      "PutUseCaseForModelAccess",
    );
    await expect(r.respond(f)).rejects.toThrow(/Task timed out/);
    expect(status.ACCAEXAMPLE000000001).toBe("Inactive");
    const id = store.allActions()[0].actionId;
    const report = await responder(store, undefined, undefined, () => AFTER_LEASE).r.respond(f);
    expect(report.outcomes[0]).toMatchObject({ actionId: id, status: "ok", reason: /interrupted run/ });
    expect(await undoAction(id, { store, clients: localClients() })).toMatchObject({ status: "ok" });
    // Exactly the key that run deactivated: the one already off before it stays off.
    expect(status).toEqual({ ACCAEXAMPLE000000001: "Active", ACCAEXAMPLE000000002: "Inactive" });
  });

  /** Three active Bedrock API keys of one user, whose 2nd and 4th UpdateServiceSpecificCredential calls fail. */
  const threeKeysFailingOnCalls2And4 = () => {
    const status = aws.bedrockApiKeys({
      ACCAEXAMPLE000000001: "Active",
      ACCAEXAMPLE000000002: "Active",
      ACCAEXAMPLE000000003: "Active",
    });
    let calls = 0;
    aws.iam.on(UpdateServiceSpecificCredentialCommand).callsFake((input) => {
      if ([2, 4].includes(++calls)) throw awsError("ServiceFailure", "internal failure", 500);
      status[input.ServiceSpecificCredentialId] = input.Status;
      return {};
    });
    return status;
  };

  it("a failure partway through all Bedrock API keys of a user is kept; retries finish it; undo works", async () => {
    // The 2nd call (key 2, first run) and the 4th (key 3, the first retry) fail; the others go through.
    const status = threeKeysFailingOnCalls2And4();
    const store = new InMemoryStore();
    const notifier = new RecordingNotifier();
    const respond = (mode: "enforce" | "dry-run" = "enforce") => {
      const { g, r } = responder(store, { remediation: { mode } }, notifier);
      return r.respond(bedrockApiKeyFinding(g, "ev-partial"));
    };
    const first = (await respond()).outcomes[0];
    expect(first).toMatchObject({ status: "error", reason: /deactivated .*ACCAEXAMPLE000000001.*internal failure/ });
    // It changed something: the follow-up gives the undo command for that part, as for a success.
    expect(first.changed).toBe(true);
    expect(notifier.messages[0].body).toContain(`undo: npx bedrock-guardrail undo --action-id ${first.actionId}`);
    const failed = (await store.getAction(first.actionId))!;
    expect(failed).toMatchObject({ status: "error", after: { deactivated: ["ACCAEXAMPLE000000001"] } });
    // It changed something: its place under the principal's hourly cap is kept, not given back.
    expect(await store.countPrincipalActions(failed.principalArn!, hourBucket(NOW))).toBe(1);
    // A plan that no longer executes it leaves the record of what was changed as it is.
    await respond("dry-run");
    expect((await store.getAction(first.actionId))?.status).toBe("error");
    expect((await respond()).outcomes[0].status).toBe("error");
    expect((await respond()).outcomes[0].status).toBe("ok");
    expect(Object.values(status)).toEqual(["Inactive", "Inactive", "Inactive"]);
    expect(await undoAction(first.actionId, { store, clients: localClients() })).toMatchObject({ status: "ok" });
    expect(status).toEqual({
      ACCAEXAMPLE000000001: "Active",
      ACCAEXAMPLE000000002: "Active",
      ACCAEXAMPLE000000003: "Active",
    });
  });

  it("a run that dies between its calls on a user's keys is taken over; undo restores every key", async () => {
    const status = aws.bedrockApiKeys({ ACCAEXAMPLE000000001: "Active", ACCAEXAMPLE000000002: "Active" });
    // The first run deactivates key 1, then dies in its call on key 2 (the invocation ends: the call never returns).
    let calls = 0;
    aws.iam.on(UpdateServiceSpecificCredentialCommand).callsFake((input) => {
      if (++calls === 2) return new Promise(() => undefined);
      status[input.ServiceSpecificCredentialId] = input.Status;
      return {};
    });
    const store = new InMemoryStore();
    const dying = responder(store);
    void dying.r.respond(bedrockApiKeyFinding(dying.g, "ev-died"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(status).toEqual({ ACCAEXAMPLE000000001: "Inactive", ACCAEXAMPLE000000002: "Active" });
    // After the lease, the next run takes the claim over and deactivates key 2.
    const { g, r } = responder(store, undefined, undefined, () => AFTER_LEASE);
    const report = await r.respond(bedrockApiKeyFinding(g, "ev-died"));
    expect(report.outcomes[0]).toMatchObject({ status: "ok", reason: /continuing an interrupted run/ });
    expect(Object.values(status)).toEqual(["Inactive", "Inactive"]);
    // The record keeps the state before the first run's calls: undo turns both keys back on, not only key 2.
    expect(await undoAction(report.outcomes[0].actionId, { store, clients: localClients() })).toMatchObject({
      status: "ok",
    });
    expect(status).toEqual({ ACCAEXAMPLE000000001: "Active", ACCAEXAMPLE000000002: "Active" });
  });

  it("a retry after a failure partway dies is taken over, with both runs' changes; undo restores all", async () => {
    const status = threeKeysFailingOnCalls2And4();
    // The retry deactivates key 2, fails on key 3, and dies before recording that.
    const store = storeFailingAt(2, "Task timed out");
    const respond = (clock = () => NOW) => {
      const { g, r } = responder(store, undefined, undefined, clock);
      return r.respond(bedrockApiKeyFinding(g, "ev-partial"));
    };
    const [first] = (await respond()).outcomes;
    await expect(respond()).rejects.toThrow(/Task timed out/);
    expect(await store.getAction(first.actionId)).toMatchObject({ status: "in-progress" });
    expect((await respond(() => AFTER_LEASE)).outcomes[0].status).toBe("ok");
    expect(await undoAction(first.actionId, { store, clients: localClients() })).toMatchObject({ status: "ok" });
    expect(Object.values(status)).toEqual(["Active", "Active", "Active"]);
  });

  it("undo of a failure partway re-activates the Bedrock API keys it had deactivated", async () => {
    const status = aws.bedrockApiKeys({ ACCAEXAMPLE000000001: "Active", ACCAEXAMPLE000000002: "Active" });
    let calls = 0;
    aws.iam.on(UpdateServiceSpecificCredentialCommand).callsFake((input) => {
      if (++calls === 2) throw awsError("ServiceFailure", "internal failure", 500);
      status[input.ServiceSpecificCredentialId] = input.Status;
      return {};
    });
    const store = new InMemoryStore();
    const { g, r } = responder(store);
    const [failed] = (await r.respond(bedrockApiKeyFinding(g, "ev-partial"))).outcomes;
    expect(failed.status).toBe("error");
    expect(status.ACCAEXAMPLE000000001).toBe("Inactive");
    expect(await undoAction(failed.actionId, { store, clients: localClients() })).toMatchObject({ status: "ok" });
    expect(status).toEqual({ ACCAEXAMPLE000000001: "Active", ACCAEXAMPLE000000002: "Active" });
  });

  it("an interrupted run's claim is not finished when the plan no longer executes it (mode, protection)", async () => {
    const { store, f, id } = await runDiedAfterItsCall();
    const calls = () => aws.iam.commandCalls(UpdateAccessKeyCommand).length;
    const before = calls();
    // The account switched to dry-run, then the principal approved: neither takes the claim over.
    for (const config of [
      { remediation: { mode: "dry-run" as const } },
      { remediation: { mode: "enforce" as const }, approvedPrincipalArns: [f.guardrail.principal_arn!] },
    ]) {
      const again = responder(store, config, undefined, () => AFTER_LEASE);
      const report = await again.r.respond(findingOf(again.g, fixture(IAM_USER_RECORD)));
      // (A protected principal's plan may not hold the action at all: then nothing touches it either.)
      const outcome = report.outcomes.find((o) => o.actionId === id);
      if (config.remediation.mode === "dry-run")
        expect(outcome?.reason).toMatch(/an interrupted run's claim on it is left/);
    }
    expect(calls()).toBe(before);
    expect(await store.getAction(id)).toMatchObject({ status: "in-progress" });
  });

  it("an interrupted action is checked against real state: done before that run, it stays already-done", async () => {
    happyIam();
    const store = new InMemoryStore();
    const { g, r } = responder(store);
    const f = findingOf(g, fixture(IAM_USER_RECORD));
    const first = await r.respond(f);
    const { after: _after, ...rec } = (await store.getAction(first.outcomes[0].actionId))!;
    // A run that saw the key already inactive, and died before recording that (its claim holds no after).
    await store.putAction({
      ...rec,
      status: "in-progress",
      before: { status: "Inactive" },
      leaseUntil: NOW.toISOString(),
    });
    const again = await responder(store, undefined, undefined, () => AFTER_LEASE).r.respond(f);
    expect(again.outcomes[0].status).toBe("already-done");
    expect(aws.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
  });

  it("a claim with a lease far ahead (an operator's item) is taken over at once; its undo then works", async () => {
    const { store, f } = await runDiedAfterItsCall();
    const claim = store.allActions()[0];
    await store.putAction({ ...claim, leaseUntil: "2099-01-01T00:00:00.000Z" });
    const refused = await undoAction(claim.actionId, { store, clients: localClients(), clock: () => NOW });
    expect(refused.reason).toContain("until 2099-01-01T00:00:00.000Z, lies too far ahead to hold and counts as ended");
    const soon = new Date(NOW.getTime() + 60_000);
    const report = await responder(store, undefined, undefined, () => soon).r.respond(f);
    expect(report.heldElsewhere).toBeUndefined();
    expect(report.outcomes[0]).toMatchObject({ actionId: claim.actionId, status: "ok", reason: /interrupted run/ });
    expect(await undoAction(claim.actionId, { store, clients: localClients() })).toMatchObject({ status: "ok" });
    expect(aws.iam.commandCalls(UpdateAccessKeyCommand).at(-1)!.args[0].input.Status).toBe("Active");
  });

  it("a follow-up whose publish failed is sent by the next response, once", async () => {
    happyIam();
    const store = new InMemoryStore();
    const notifier = new RecordingNotifier();
    const publish = notifier.publish.bind(notifier);
    let throttled = true;
    notifier.publish = async (subject, body) => {
      if (!throttled) return publish(subject, body);
      throttled = false;
      throw new Error("SNS Throttling");
    };
    const { g, r } = responder(store, undefined, notifier);
    const f = findingOf(g, fixture(IAM_USER_RECORD));
    await expect(r.respond(f)).rejects.toThrow(/SNS Throttling/);
    // The monitor releases the finding; its next run finds every action done, and still owes the message.
    const again = await responder(store, undefined, notifier).r.respond(f);
    expect(again.outcomes.map((o) => o.status)).toEqual(["ok", "ok", "ok"]);
    expect(notifier.messages.map((m) => m.subject)).toEqual(["bedrock-guardrail remediation: 3 ok"]);
    expect(notifier.messages[0].body).toContain(`undo --action-id ${again.outcomes[0].actionId}`);
    await responder(store, undefined, notifier).r.respond(f);
    expect(notifier.messages).toHaveLength(1);
  });

  it("maxActionsPerPrincipalPerHour holds across findings of one principal", async () => {
    happyIam();
    const store = new InMemoryStore();
    const { g, r } = responder(store, { remediation: { mode: "enforce", maxActionsPerPrincipalPerHour: 2 } });
    const base = fixture(IAM_USER_RECORD);
    const a = await r.respond(findingOf(g, base));
    const b = await r.respond(findingOf(g, { ...base, eventID: "another-event" }));
    const executed = [...a.outcomes, ...b.outcomes].filter((o) => o.status === "ok");
    expect(executed).toHaveLength(2);
    expect(b.outcomes.every((o) => o.status === "skipped" && /maxActionsPerPrincipalPerHour/.test(o.reason))).toBe(
      true,
    );
  });

  it("maxActionsPerPrincipalPerHour holds when a run fails at its reservation and another finishes", async () => {
    const policy = mockRolePolicy();
    aws.bedrock.on(DeleteFoundationModelAgreementCommand).resolves({});
    let throttled = true;
    const store = new (class extends InMemoryStore {
      async reservePrincipalAction(principalArn: string, hour: string, actionId: string, cap: number) {
        if (!throttled) return super.reservePrincipalAction(principalArn, hour, actionId, cap);
        throttled = false;
        throw Object.assign(new Error("Throughput exceeds the current capacity"), { name: "ThrottlingException" });
      }
    })();
    const config = { remediation: { mode: "enforce" as const, maxActionsPerPrincipalPerHour: 1 } };
    const { g, r } = responder(store, config);
    const f1 = findingOf(g, withIdentity(IDENTITIES.assumedRole, { eventID: "ev-1" }));
    await expect(r.respond(f1)).rejects.toThrow(/capacity/);
    const first = await responder(store, config, undefined, () => AFTER_LEASE).r.respond(f1);
    const second = await responder(store, config, undefined, () => AFTER_LEASE).r.respond(
      findingOf(g, withIdentity(IDENTITIES.assumedRole, { eventID: "ev-2" })),
    );
    const mutations =
      aws.iam.commandCalls(PutRolePolicyCommand).length +
      aws.bedrock.commandCalls(DeleteFoundationModelAgreementCommand).length;
    expect(mutations).toBe(1);
    expect(policy.document()).toContain("RevokeOlderSessions");
    expect([...first.outcomes, ...second.outcomes].map((o) => o.status)).toEqual([
      "ok",
      "skipped",
      "skipped",
      "skipped",
    ]);
  });

  it("maxActionsPerRun holds within one run", async () => {
    happyIam();
    aws.iam.on(GetRolePolicyCommand).rejects(new NoSuchEntityException({ message: "none", $metadata: {} }));
    aws.iam.on(PutRolePolicyCommand).resolves({});
    const { g, r } = responder(new InMemoryStore(), { remediation: { mode: "enforce", maxActionsPerRun: 4 } });
    const a = await r.respond(findingOf(g, fixture(IAM_USER_RECORD)));
    const b = await r.respond(findingOf(g, sample("stratus__CreateFoundationModelAgreement")));
    expect([...a.outcomes, ...b.outcomes].filter((o) => o.status === "ok")).toHaveLength(4);
    expect(b.outcomes.map((o) => o.status)).toEqual(["ok", "skipped"]);
  });

  it("maxActionsPerRun holds between findings one run responds to at once", async () => {
    happyIam();
    aws.iam.on(GetRolePolicyCommand).rejects(new NoSuchEntityException({ message: "none", $metadata: {} }));
    aws.iam.on(PutRolePolicyCommand).resolves({});
    const { g, r } = responder(new InMemoryStore(), { remediation: { mode: "enforce", maxActionsPerRun: 4 } });
    const reports = await Promise.all([
      r.respond(findingOf(g, fixture(IAM_USER_RECORD))),
      r.respond(findingOf(g, sample("stratus__CreateFoundationModelAgreement"))),
    ]);
    const outcomes = reports.flatMap((x) => x.outcomes);
    expect(outcomes.filter((o) => o.status === "ok")).toHaveLength(4);
    expect(outcomes.filter((o) => o.status === "skipped").map((o) => o.reason)).toEqual([
      expect.stringMatching(/maxActionsPerRun reached \(alert only\)$/),
    ]);
  });

  it("property: dry-run and off make zero mutating AWS calls for any finding", async () => {
    happyIam();
    await fc.assert(
      fc.asyncProperty(guardedRecord, fc.constantFrom("dry-run" as const, "off" as const), async (record, mode) => {
        const { g, r } = responder(new InMemoryStore(), { remediation: { mode, accessKey: "rotate" } });
        await r.respond(findingOf(g, record));
        expect(aws.mutatingCalls()).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it("property: in enforce mode the offending key is the only existing key any call touches", async () => {
    const key = fc.stringMatching(/^[A-Z0-9]{16}$/).map((s) => `AKIA${s}`);
    await fc.assert(
      fc.asyncProperty(
        key,
        key,
        fc.constantFrom("deactivate" as const, "rotate" as const),
        fc.boolean(),
        async (offending, other, accessKey, twoKeys) => {
          fc.pre(offending !== other);
          aws.reset();
          const keys = [
            { UserName: "deploy-bot", AccessKeyId: offending, Status: "Active" as "Active" | "Inactive" },
            ...(twoKeys
              ? [{ UserName: "deploy-bot", AccessKeyId: other, Status: "Active" as "Active" | "Inactive" }]
              : []),
          ];
          // Stateful IAM: the deactivation is what the rotation sees next (containment first).
          aws.iam.on(ListAccessKeysCommand).callsFake(() => ({ AccessKeyMetadata: keys.map((k) => ({ ...k })) }));
          aws.iam.on(UpdateAccessKeyCommand).callsFake((input: { AccessKeyId: string; Status: "Inactive" }) => {
            for (const k of keys) if (k.AccessKeyId === input.AccessKeyId) k.Status = input.Status;
            return {};
          });
          aws.iam.on(CreateAccessKeyCommand).resolves({
            AccessKey: {
              UserName: "deploy-bot",
              AccessKeyId: "AKIANEWKEY0000000001",
              SecretAccessKey: "s",
              Status: "Active",
            },
          });
          aws.secrets.on(DescribeSecretCommand).rejects(new SecretNotFound({ message: "no", $metadata: {} }));
          aws.secrets.on(CreateSecretCommand).resolves({});
          aws.secrets.on(PutResourcePolicyCommand).resolves({});
          aws.secrets.on(PutSecretValueCommand).resolves({});
          aws.iam.on(GetUserPolicyCommand).rejects(new NoSuchEntityException({ message: "none", $metadata: {} }));
          aws.iam.on(PutUserPolicyCommand).resolves({});
          aws.bedrock.on(DeleteFoundationModelAgreementCommand).resolves({});
          const record = fixture(IAM_USER_RECORD);
          const { g, r } = responder(new InMemoryStore(), {
            remediation: { mode: "enforce", accessKey, rotatedSecretReaders: ["arn:aws:iam::111122223333:role/IR"] },
          });
          await r.respond(
            findingOf(g, { ...record, userIdentity: { ...record.userIdentity, accessKeyId: offending } }),
          );
          const touched = [
            ...aws.iam.commandCalls(UpdateAccessKeyCommand),
            ...aws.iam.commandCalls(DeleteAccessKeyCommand),
          ].map((c) => c.args[0].input.AccessKeyId);
          expect(touched).toEqual([offending]);
          expect(aws.iam.commandCalls(CreateAccessKeyCommand)).toHaveLength(accessKey === "rotate" && !twoKeys ? 1 : 0);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("dry-run: the plan is recorded and sent once; a re-run sends nothing new; off sends nothing", async () => {
    const store = new InMemoryStore();
    const notifier = new RecordingNotifier();
    const f = findingOf(guardrailWith(), fixture(IAM_USER_RECORD));
    const first = await responder(store, { remediation: { mode: "dry-run" } }, notifier).r.respond(f);
    expect(first.outcomes.map((o) => o.status)).toEqual(["planned", "planned", "planned"]);
    expect(store.allActions().map((a) => a.status)).toEqual(["planned", "planned", "planned"]);
    expect(notifier.messages.map((m) => m.subject)).toEqual(["bedrock-guardrail remediation: 3 planned"]);
    const later = responder(store, { remediation: { mode: "dry-run" } }, notifier);
    await later.r.respond(f);
    expect(notifier.messages).toHaveLength(1);
    const quiet = new RecordingNotifier();
    await responder(new InMemoryStore(), { remediation: { mode: "off" } }, quiet).r.respond(f);
    expect(quiet.messages).toEqual([]);
  });

  it("plan-only (execute: false) calls nothing, records nothing, sends nothing", async () => {
    const store = new InMemoryStore();
    const notifier = new RecordingNotifier();
    const g = guardrailWith({ remediation: { mode: "enforce" } });
    const r = new RemediationResponder({
      guardrail: g,
      store,
      organization: new StaticOrganizationLookup(MGMT),
      notifier,
      execute: false,
      clock: () => NOW,
    });
    const report = await r.respond(findingOf(g, fixture(IAM_USER_RECORD)));
    expect(report.outcomes.map((o) => o.status)).toEqual(["planned", "planned", "planned"]);
    expect(store.allActions()).toEqual([]);
    expect(notifier.messages).toEqual([]);
    expect(aws.iam.calls()).toHaveLength(0);
  });

  it("an unknown OU chain falls back to the least acting mode", async () => {
    const g = guardrailWith({
      remediation: { mode: "enforce", overrides: [{ target: "ou-abcd-11111111", mode: "dry-run" }] },
    });
    const r = new RemediationResponder({
      guardrail: g,
      store: new InMemoryStore(),
      organization: new StaticOrganizationLookup(MGMT),
      execute: false,
      clock: () => NOW,
    });
    const report = await r.respond(findingOf(g, fixture(IAM_USER_RECORD)));
    expect(report.outcomes.map((o) => o.mode)).toEqual(["dry-run", "dry-run", "dry-run"]);
    const known = new RemediationResponder({
      guardrail: g,
      store: new InMemoryStore(),
      organization: new StaticOrganizationLookup(MGMT, { "222233334444": ["ou-abcd-22222222", "r-abcd"] }),
      execute: false,
      clock: () => NOW,
    });
    expect((await known.respond(findingOf(g, fixture(IAM_USER_RECORD)))).outcomes.map((o) => o.mode)).toEqual([
      "enforce",
      "enforce",
      "enforce",
    ]);
  });
});

describe("the real ARN of the role or user an action names decides, not the finding's path", () => {
  const MEMBER = "494659789341";
  /** The stratus agreement call by a session of the role `roleArn` (as its record's sessionIssuer gives it). */
  const roleFinding = (g: ReturnType<typeof guardrailWith>, roleArn: string) => {
    const name = roleArn.split("/").at(-1)!;
    const issuer = { type: "Role", arn: roleArn, accountId: MEMBER, userName: name };
    return findingOf(
      g,
      withIdentity({
        type: "AssumedRole",
        arn: `arn:aws:sts::${MEMBER}:assumed-role/${name}/s`,
        accountId: MEMBER,
        accessKeyId: "ASIAEXAMPLEKEY000009",
        sessionContext: { sessionIssuer: issuer },
      }),
    );
  };
  const revocation = (outcomes: { api: string; status: string; reason: string }[]) =>
    outcomes.find((o) => o.api === "iam:PutRolePolicy")!;

  it.each([
    ["an approved name on another path", `arn:aws:iam::${MEMBER}:role/x/BedrockModelAccessAdmin`],
    ["a name like the tool's roles off the tool's path", `arn:aws:iam::${MEMBER}:role/bedrock-guardrail-evil`],
  ])("%s, which the SCP does not approve, is remediated: %s", async (_what, roleArn) => {
    // An account without the approved role, where an attacker created this one: IAM has it at this path.
    aws.havePrincipals(roleArn);
    const policy = mockRolePolicy();
    aws.bedrock.on(DeleteFoundationModelAgreementCommand).resolves({});
    const { g, r } = responder();
    const report = await r.respond(roleFinding(g, roleArn));
    expect(revocation(report.outcomes).status).toBe("ok");
    const name = roleArn.split("/").at(-1);
    expect(aws.iam.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input.RoleName)).toEqual([name]);
    expect(policy.document()).toContain("aws:TokenIssueTime");
  });

  it.each([
    [
      "a made-up path",
      `arn:aws:iam::${MEMBER}:role/x/BedrockModelAccessAdmin`,
      `arn:aws:iam::${MEMBER}:role/BedrockModelAccessAdmin`,
      "principal is approved",
    ],
    [
      "a made-up path and case",
      `arn:aws:iam::${MEMBER}:role/x/bedrockmodelaccessadmin`,
      `arn:aws:iam::${MEMBER}:role/BedrockModelAccessAdmin`,
      "principal is approved",
    ],
    [
      "the tool's role without its path",
      `arn:aws:iam::${MEMBER}:role/bedrock-guardrail-query-job`,
      `arn:aws:iam::${MEMBER}:role/bedrock-guardrail/bedrock-guardrail-query-job`,
      "principal is one of bedrock-guardrail's own roles",
    ],
  ])("a forged finding with %s is refused on the real ARN, with no write", async (_what, forged, real, why) => {
    aws.havePrincipals(real);
    mockRolePolicy();
    const { g, r, store } = responder(new InMemoryStore(), {
      remediation: { mode: "enforce", deleteAgreement: false },
    });
    const report = await r.respond(roleFinding(g, forged));
    expect(revocation(report.outcomes)).toMatchObject({
      status: "skipped",
      reason: expect.stringContaining(`refused on the real ARN ${real}: ${why}`),
    });
    expect(aws.iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
    // Nothing changed: its place under the principal's hourly cap is given back.
    expect(await store.countPrincipalActions(forged, hourBucket(NOW))).toBe(0);
  });

  it("a user whose real path is the protected one is refused for every action that names it", async () => {
    happyIam();
    const real = "arn:aws:iam::222233334444:user/ci/deploy-bot";
    const { g, r } = responder(new InMemoryStore(), {
      remediation: { mode: "enforce" },
      approvedPrincipalArns: [real],
    });
    const record = fixture(IAM_USER_RECORD);
    const forged = {
      ...record,
      userIdentity: { ...record.userIdentity, arn: "arn:aws:iam::222233334444:user/deploy-bot" },
    };
    const report = await r.respond(findingOf(g, forged));
    const named = report.outcomes.filter((o) => o.api.startsWith("iam:"));
    expect(named.map((o) => [o.api, o.status])).toEqual([
      ["iam:UpdateAccessKey", "skipped"],
      ["iam:PutUserPolicy", "skipped"],
    ]);
    for (const o of named) expect(o.reason).toContain(`refused on the real ARN ${real}: principal is approved`);
    expect(aws.mutatingCalls().filter((c) => c !== "DeleteFoundationModelAgreementCommand")).toEqual([]);
  });

  it("a principal that does not exist is said to be missing, and nothing is written", async () => {
    mockRolePolicy();
    const { g, r } = responder();
    const report = await r.respond(roleFinding(g, `arn:aws:iam::${MEMBER}:role/ghost`));
    expect(revocation(report.outcomes)).toMatchObject({
      status: "skipped",
      reason: `role ghost does not exist in account ${MEMBER}: nothing changed`,
    });
    expect(aws.iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
  });

  it("a plan that runs nothing reads no real ARN: a protected name on another path is blocked, saying so", async () => {
    const g = guardrailWith({ remediation: { mode: "enforce" } });
    const r = new RemediationResponder({
      guardrail: g,
      store: new InMemoryStore(),
      organization: new StaticOrganizationLookup(MGMT),
      execute: false,
      clock: () => NOW,
    });
    const report = await r.respond(roleFinding(g, `arn:aws:iam::${MEMBER}:role/x/BedrockModelAccessAdmin`));
    expect(report.outcomes.map((o) => [o.api, o.status])).toEqual([["none", "skipped"]]);
    expect(report.outcomes[0].reason).toMatch(/principal is approved .*its name at another path.*reads no real ARN/);
    expect(aws.iam.calls()).toHaveLength(0);
  });
});

describe("undo", () => {
  it("re-activates the key this tool deactivated, once: undone again, it calls nothing", async () => {
    happyIam();
    const { g, r, store } = responder();
    const report = await r.respond(findingOf(g, fixture(IAM_USER_RECORD)));
    const id = report.outcomes.find((o) => o.api === "iam:UpdateAccessKey")!.actionId;
    expect(await undoAction(id, { store, clients: localClients(), clock: () => NOW })).toMatchObject({ status: "ok" });
    expect(aws.iam.commandCalls(UpdateAccessKeyCommand).at(-1)!.args[0].input).toEqual({
      UserName: "deploy-bot",
      AccessKeyId: KEY,
      Status: "Active",
    });
    const firstUndo = (await store.getAction(id))!.undo;
    expect(firstUndo).toMatchObject({ status: "ok" });
    // A person deactivates the key again by hand: a second undo (the command run twice) leaves it so, and keeps
    // the record of the first undo, what it changed.
    const { iam } = await localClients().forAccount("111122223333");
    await iam.send(new UpdateAccessKeyCommand({ UserName: "deploy-bot", AccessKeyId: KEY, Status: "Inactive" }));
    const calls = aws.iam.commandCalls(UpdateAccessKeyCommand).length;
    const again = await undoAction(id, { store, clients: localClients() });
    expect(again).toMatchObject({ status: "already-done" });
    expect(again.reason).toBe(`already undone ${NOW.toISOString()} (ok): nothing is called again`);
    expect(aws.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(calls);
    expect(aws.iam.commandCalls(UpdateAccessKeyCommand).at(-1)!.args[0].input.Status).toBe("Inactive");
    expect((await store.getAction(id))!.undo).toEqual(firstUndo);
  });

  it("removes only this tool's revocation statement; deletes the policy when nothing else is left", async () => {
    const theirs = {
      Sid: "SecurityTeam",
      Effect: "Deny",
      Action: ["*"],
      Resource: ["*"],
      Condition: { DateLessThan: { "aws:TokenIssueTime": "2020-01-01T00:00:00Z" } },
    };
    const policy = mockRolePolicy({ Version: "2012-10-17", Statement: [theirs] });
    aws.bedrock.on(DeleteFoundationModelAgreementCommand).resolves({});
    const { g, r, store } = responder();
    const report = await r.respond(findingOf(g, sample("stratus__CreateFoundationModelAgreement")));
    const id = report.outcomes.find((o) => o.api === "iam:PutRolePolicy")!.actionId;
    expect(JSON.parse(policy.document()!).Statement).toHaveLength(2);
    expect(JSON.parse(policy.document()!).Statement).toHaveLength(2);
    expect(await undoAction(id, { store, clients: localClients() })).toMatchObject({ status: "ok" });
    expect(JSON.parse(policy.document()!).Statement).toEqual([theirs]);
    expect(aws.iam.commandCalls(DeleteRolePolicyCommand)).toHaveLength(0);
    const agreement = report.outcomes.find((o) => o.api === "bedrock:DeleteFoundationModelAgreement")!.actionId;
    expect(await undoAction(agreement, { store, clients: localClients() })).toMatchObject({ status: "not-reversible" });

    policy.remove(); // a role without the policy: ours is the only statement, so undo deletes the policy
    const fresh = responder();
    const second = await fresh.r.respond(findingOf(g, sample("stratus__CreateFoundationModelAgreement")));
    const id2 = second.outcomes.find((o) => o.api === "iam:PutRolePolicy")!.actionId;
    expect(await undoAction(id2, { store: fresh.store, clients: localClients() })).toMatchObject({ status: "ok" });
    expect(aws.iam.commandCalls(DeleteRolePolicyCommand).map((c) => c.args[0].input)).toEqual([
      { RoleName: "test-role", PolicyName: "AWSRevokeOlderSessions" },
    ]);
    expect(policy.document()).toBeUndefined();
  });

  it("never re-activates a key a later finding's action still relies on; that action's undo releases it", async () => {
    happyIam();
    const store = new InMemoryStore();
    const { g, r } = responder(store);
    const record = fixture(IAM_USER_RECORD);
    const first = await r.respond(findingOf(g, record));
    const later = await responder(store, undefined, undefined, () => AFTER_LEASE).r.respond(
      findingOf(g, { ...record, eventID: "a-later-event", eventTime: "2026-11-20T09:30:00Z" }),
    );
    const [keyAction, laterKeyAction] = [first.outcomes[0], later.outcomes[0]];
    expect(laterKeyAction).toMatchObject({ target: KEY, status: "already-done" });
    const keyCalls = () => aws.iam.commandCalls(UpdateAccessKeyCommand).length;
    const before = keyCalls();
    const refused = await undoAction(keyAction.actionId, { store, clients: localClients() });
    expect(refused).toMatchObject({ status: "not-reversible" });
    expect(refused.reason).toBe(
      `not undone: ${laterKeyAction.actionId} (finding a-later-event, already-done) also relies on ${KEY} staying ` +
        "as this action left it; undo it first (undoing an already-done action changes nothing in AWS)",
    );
    expect(keyCalls()).toBe(before);
    const release = await undoAction(laterKeyAction.actionId, { store, clients: localClients() });
    expect(release).toMatchObject({ status: "already-done" });
    expect(keyCalls()).toBe(before);
    expect(await undoAction(keyAction.actionId, { store, clients: localClients() })).toMatchObject({ status: "ok" });
    expect(aws.iam.commandCalls(UpdateAccessKeyCommand).at(-1)!.args[0].input.Status).toBe("Active");
  });

  it.each([
    ["one Bedrock API key by its id", "every key of its user", "ACCAEXAMPLE000000001", undefined],
    ["every Bedrock API key of a user", "one of them by its id", undefined, "ACCAEXAMPLE000000001"],
  ])("never re-activates %s while a later action on %s relies on it", async (_first, _later, firstId, laterId) => {
    const status = aws.bedrockApiKeys({ ACCAEXAMPLE000000001: "Active" });
    const store = new InMemoryStore();
    const { g, r } = responder(store);
    const first = (await r.respond(bedrockApiKeyFinding(g, "ev-first", firstId))).outcomes[0];
    const later = (await r.respond(bedrockApiKeyFinding(g, "ev-later", laterId))).outcomes[0];
    expect([first.target, later.target]).toEqual(
      firstId ? ["ACCAEXAMPLE000000001", "BedrockAPIKey_EXAMPLE"] : ["BedrockAPIKey_EXAMPLE", "ACCAEXAMPLE000000001"],
    );
    expect([first.status, later.status]).toEqual(["ok", "already-done"]);
    const refused = await undoAction(first.actionId, { store, clients: localClients() });
    expect(refused).toMatchObject({ status: "not-reversible" });
    expect(refused.reason).toContain(`${later.actionId} (finding ev-later, already-done) also relies on`);
    expect(status.ACCAEXAMPLE000000001).toBe("Inactive");
    await undoAction(later.actionId, { store, clients: localClients() });
    expect(await undoAction(first.actionId, { store, clients: localClients() })).toMatchObject({ status: "ok" });
    expect(status.ACCAEXAMPLE000000001).toBe("Active");
  });

  it("refuses an action in progress (its run may have made its call); responded to again, it is undone", async () => {
    const { store, f } = await runDiedAfterItsCall();
    const claim = store.allActions()[0];
    expect(claim.status).toBe("in-progress");
    const keyCalls = () => aws.iam.commandCalls(UpdateAccessKeyCommand).length;
    const refused = await undoAction(claim.actionId, { store, clients: localClients(), clock: () => NOW });
    expect(refused).toMatchObject({ status: "not-reversible" });
    expect(refused.reason).toBe(
      "not undone: the action is in-progress, claimed by a run that has not recorded its end (its lease ends " +
        `${claim.leaseUntil}), which may have made its call; once the lease has ended, respond to finding ` +
        `${f.event.id} again (the monitor does for its findings; otherwise remediate --execute with the same ` +
        "--state-file or --table), which records what became of the action, then undo it",
    );
    expect(keyCalls()).toBe(1);
    expect(await store.getAction(claim.actionId)).toEqual(claim);
    await responder(store, undefined, undefined, () => AFTER_LEASE).r.respond(f);
    expect(await undoAction(claim.actionId, { store, clients: localClients() })).toMatchObject({ status: "ok" });
    expect(aws.iam.commandCalls(UpdateAccessKeyCommand).at(-1)!.args[0].input.Status).toBe("Active");
  });

  it("keeps a later session revocation: refused while it stands; its own undo restores the cutoff", async () => {
    const policy = mockRolePolicy();
    aws.bedrock.on(DeleteFoundationModelAgreementCommand).resolves({});
    const cutoff = () => JSON.parse(policy.document()!).Statement[0].Condition.DateLessThan["aws:TokenIssueTime"];
    const at = (iso: string) => () => new Date(iso);
    const roleCall = (eventID: string, eventTime: string) =>
      withIdentity(IDENTITIES.assumedRole, { eventID, eventTime });
    const store = new InMemoryStore();
    const g = guardrailWith({ remediation: { mode: "enforce" } });
    const revoke = async (eventID: string, eventTime: string, now: string, into = store) =>
      (await responder(into, undefined, undefined, at(now)).r.respond(findingOf(g, roleCall(eventID, eventTime))))
        .outcomes[0];
    const first = await revoke("ev-1", "2026-11-20T09:00:00Z", "2026-11-20T09:05:00Z");
    const firstCutoff = cutoff();
    const second = await revoke("ev-2", "2026-11-20T09:10:00Z", "2026-11-20T09:15:00Z");
    expect([first.status, second.status]).toEqual(["ok", "ok"]);
    const secondCutoff = cutoff();
    expect(secondCutoff > firstCutoff).toBe(true);

    const refused = await undoAction(first.actionId, { store, clients: localClients() });
    expect(refused).toMatchObject({ status: "not-reversible", reason: expect.stringContaining(second.actionId) });
    expect(cutoff()).toBe(secondCutoff);
    // The later one first: the cutoff goes back to the one the first set, which still holds.
    expect(await undoAction(second.actionId, { store, clients: localClients() })).toMatchObject({ status: "ok" });
    expect(cutoff()).toBe(firstCutoff);
    expect(await undoAction(first.actionId, { store, clients: localClients() })).toMatchObject({ status: "ok" });
    expect(policy.document()).toBeUndefined();

    // A later revocation this store never saw (another state file, or the monitor's table): the cutoff
    // is no longer the one the action set, so it is left in place.
    const mine = await revoke("ev-3", "2026-11-20T10:00:00Z", "2026-11-20T10:05:00Z");
    await revoke("ev-4", "2026-11-20T10:10:00Z", "2026-11-20T10:15:00Z", new InMemoryStore());
    const raised = cutoff();
    expect(await undoAction(mine.actionId, { store, clients: localClients() })).toMatchObject({
      status: "not-reversible",
      reason: expect.stringContaining("a later revocation moved the cutoff and relies on it"),
    });
    expect(cutoff()).toBe(raised);
  });

  it("an unknown action id is an error naming it", async () => {
    await expect(undoAction("ra-nope", { store: new InMemoryStore(), clients: localClients() })).rejects.toThrow(
      UndoError,
    );
  });
});
