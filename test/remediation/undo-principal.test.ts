/**
 * Undo names a user or role by name in the record's account, which IAM resolves to whatever principal has that name
 * now: before its call, undo reads the real principal and refuses in one line when it is not the one the action
 * changed (moved, deleted and created again, another account's credentials) or not the one the record is about.
 */
import {
  GetUserCommand,
  ListAccessKeysCommand,
  NoSuchEntityException,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { StaticOrganizationLookup } from "../../src/remediation/organization";
import { RemediationResponder } from "../../src/remediation/responder";
import { type ActionRecord, InMemoryStore } from "../../src/remediation/store";
import { undoAction } from "../../src/remediation/undo";
import { findingOf, fixture, guardrailWith, IAM_USER_RECORD, MGMT } from "./helpers";
import { awsMocks, fakeDeployBotAccount, localClients } from "./mocks";

const aws = awsMocks();
afterEach(() => aws.reset());
afterAll(() => aws.restore());

const NOW = new Date("2026-11-20T09:20:00Z");
const DEPLOY_BOT = "arn:aws:iam::222233334444:user/ci/deploy-bot";

/** deploy-bot's finding responded to in enforce mode: the key deactivation's record, and the key's status. */
async function deactivatedKey() {
  const account = fakeDeployBotAccount(aws);
  const g = guardrailWith({ remediation: { mode: "enforce" } });
  const store = new InMemoryStore();
  const responder = new RemediationResponder({
    guardrail: g,
    store,
    organization: new StaticOrganizationLookup(MGMT),
    clients: localClients(),
    clock: () => NOW,
  });
  const report = await responder.respond(findingOf(g, fixture(IAM_USER_RECORD)));
  const id = report.outcomes.find((o) => o.api === "iam:UpdateAccessKey")!.actionId;
  expect(account.keyStatus()).toBe("Inactive");
  return { store, id, account };
}

/** GetUser answers with this user for any name from now on. */
const userIs = (arn: string, id = "AIDAEXAMPLE") =>
  aws.iam.on(GetUserCommand).resolves({
    User: { Arn: arn, UserId: id, UserName: arn.split("/").at(-1)!, Path: "/", CreateDate: NOW },
  });

const reactivations = () =>
  aws.iam.commandCalls(UpdateAccessKeyCommand).filter((c) => c.args[0].input.Status === "Active");

describe("undo checks the principal it names against IAM now", () => {
  it("the execution records the principal its calls named, as IAM gave it", async () => {
    const { store, id } = await deactivatedKey();
    expect((await store.getAction(id))?.actedOn).toEqual({ arn: DEPLOY_BOT, id: "AIDAEXAMPLE" });
  });

  it.each([
    [
      "moved to another path",
      () => userIs("arn:aws:iam::222233334444:user/moved/deploy-bot"),
      /user deploy-bot is \S+:user\/moved\/deploy-bot now, not \S+:user\/ci\/deploy-bot as the record says/,
    ],
    [
      "deleted and created again",
      () => userIs(DEPLOY_BOT, "AIDANEWUSER"),
      /has the id AIDANEWUSER now, not AIDAEXAMPLE .*created again/,
    ],
    [
      "deleted",
      () => aws.iam.on(GetUserCommand).rejects(new NoSuchEntityException({ message: "no", $metadata: {} })),
      /user deploy-bot does not exist in account 222233334444 now/,
    ],
    [
      "answered by another account's credentials",
      () => userIs("arn:aws:iam::111111111111:user/ci/deploy-bot"),
      /in account 111111111111, not the record's account 222233334444/,
    ],
  ])("refuses when the user was %s, and calls nothing", async (_what, change, reason) => {
    const { store, id, account } = await deactivatedKey();
    change();
    const undo = await undoAction(id, { store, clients: localClients() });
    expect(undo).toMatchObject({ status: "not-reversible", reason: expect.stringMatching(reason) });
    expect(undo.reason).toMatch(/^not undone: [^\n]*; nothing was changed$/);
    expect(reactivations()).toHaveLength(0);
    expect(account.keyStatus()).toBe("Inactive");
  });

  it("undoes while IAM still gives the same principal", async () => {
    const { store, id, account } = await deactivatedKey();
    expect(await undoAction(id, { store, clients: localClients() })).toMatchObject({ status: "ok" });
    expect(account.keyStatus()).toBe("Active");
  });

  it("a record whose params name another user than its principal is refused (no actedOn to go by)", async () => {
    aws.havePrincipals("arn:aws:iam::222233334444:user/admin");
    aws.iam.on(ListAccessKeysCommand).resolves({
      AccessKeyMetadata: [{ UserName: "admin", AccessKeyId: "AKIAADMINKEY00000001", Status: "Inactive" }],
    });
    const store = new InMemoryStore();
    const forged: ActionRecord = {
      actionId: "ra-forged",
      findingId: "f-1",
      kind: "deactivate-key",
      api: "iam:UpdateAccessKey",
      accountId: "222233334444",
      target: "AKIAADMINKEY00000001",
      principalArn: DEPLOY_BOT,
      mode: "enforce",
      reason: "deactivate the key",
      params: { userName: "admin", accessKeyId: "AKIAADMINKEY00000001" },
      status: "ok",
      plannedAt: NOW.toISOString(),
      finishedAt: NOW.toISOString(),
      before: { status: "Active" },
      after: { status: "Inactive" },
    };
    await store.putAction(forged);
    const undo = await undoAction("ra-forged", { store, clients: localClients() });
    expect(undo).toMatchObject({
      status: "not-reversible",
      reason: expect.stringContaining(`user admin is arn:aws:iam::222233334444:user/admin now, not ${DEPLOY_BOT}`),
    });
    expect(reactivations()).toHaveLength(0);
    // Nor is a record that names no principal at all.
    const alone = new InMemoryStore();
    await alone.putAction({ ...forged, actionId: "ra-anonymous", principalArn: undefined });
    expect(await undoAction("ra-anonymous", { store: alone, clients: localClients() })).toMatchObject({
      status: "not-reversible",
      reason: expect.stringContaining("the record names no principal ARN to check user admin against"),
    });
    expect(reactivations()).toHaveLength(0);
  });

  it("a record whose target is not the key its params name is refused: it would hide those relying on it", async () => {
    const { store, id, account } = await deactivatedKey();
    // Another finding's action found the key already inactive and relies on it staying so.
    const rec = (await store.getAction(id))!;
    await store.putAction({ ...rec, actionId: "ra-later", findingId: "f-later", status: "already-done" });
    expect(await undoAction(id, { store, clients: localClients() })).toMatchObject({
      status: "not-reversible",
      reason: expect.stringContaining("ra-later (finding f-later, already-done) also relies on"),
    });
    // The same record with its target changed would no longer find it.
    await store.putAction({ ...rec, actionId: "ra-retargeted", target: "AKIASOMETHINGELSE001" });
    const undo = await undoAction("ra-retargeted", { store, clients: localClients() });
    expect(undo).toMatchObject({
      status: "not-reversible",
      reason:
        'not undone: the record\'s target "AKIASOMETHINGELSE001" is not "AKIAEXAMPLEKEY000001", which its params ' +
        "name (a damaged or edited record); nothing was changed",
    });
    expect(reactivations()).toHaveLength(0);
    expect(account.keyStatus()).toBe("Inactive");
  });

  it("a record naming the management account is refused before any call: this tool never acts there", async () => {
    // Credentials of the management account used as they are (--no-assume-role) would reach it.
    aws.havePrincipals(`arn:aws:iam::${MGMT}:user/ci/deploy-bot`);
    const account = fakeDeployBotAccount(aws);
    await localClients()
      .forAccount(MGMT)
      .then(({ iam }) =>
        iam.send(
          new UpdateAccessKeyCommand({
            UserName: "deploy-bot",
            AccessKeyId: "AKIAEXAMPLEKEY000001",
            Status: "Inactive",
          }),
        ),
      );
    const store = new InMemoryStore();
    await store.putAction({
      actionId: "ra-management",
      findingId: "f-1",
      kind: "deactivate-key",
      api: "iam:UpdateAccessKey",
      accountId: MGMT,
      target: "AKIAEXAMPLEKEY000001",
      principalArn: `arn:aws:iam::${MGMT}:user/ci/deploy-bot`,
      mode: "enforce",
      reason: "deactivate the key",
      params: { userName: "deploy-bot", accessKeyId: "AKIAEXAMPLEKEY000001" },
      status: "ok",
      plannedAt: NOW.toISOString(),
      before: { status: "Active" },
      after: { status: "Inactive" },
    });
    const calls = aws.iam.calls().length;
    const undo = await undoAction("ra-management", { store, clients: localClients(), managementAccountId: MGMT });
    expect(undo).toMatchObject({
      status: "not-reversible",
      reason: expect.stringMatching(new RegExp(`^not undone: account ${MGMT} is the management account, where `)),
    });
    expect(aws.iam.calls()).toHaveLength(calls);
    expect(account.keyStatus()).toBe("Inactive");
  });
});
