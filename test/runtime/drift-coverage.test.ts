/**
 * The drift check's coverage memory: an SCP on an OU does not follow an account moved out of it, so the monitor
 * remembers the accounts its OU targets covered and reports each that left, once, until it is back or released.
 * Runs the job over a mocked Organizations tree (nested OUs, paged answers) and the in-memory state store.
 */
import {
  DescribePolicyCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { mockClient } from "aws-sdk-client-mock";
import { readOrganization } from "../../src/aws/organizations";
import { SnsNotifier } from "../../src/aws/sns";
import type { Guardrail } from "../../src/guardrail/guardrail";
import { buildScpDocuments } from "../../src/policy/documents";
import { checkDrift } from "../../src/runtime/drift";
import { runJob } from "../../src/runtime/job";
import { MemoryStateStore } from "../support/memory-state-store";
import { at, guardrailWith, lakeSource, simulateLake, simulateSns, TOPIC_ARN } from "./helpers";

const ROOT = "r-ab12";
const PROD = "ou-ab12-prod0001";
const PROD_EU = "ou-ab12-prodeu01"; // a child OU of PROD: the SCP on PROD covers it
const SANDBOX = "ou-ab12-sandbox1";
const ACCOUNT_TARGET = "444455556666";

/** An organization tree whose parents can change between runs; every list answers in pages of one. */
function organization(g: Guardrail) {
  const parentOf = new Map<string, string>([
    [PROD, ROOT],
    [PROD_EU, PROD],
    [SANDBOX, ROOT],
    ["111111111111", PROD],
    ["222222222222", PROD_EU],
    ["333333333333", SANDBOX],
    [ACCOUNT_TARGET, SANDBOX],
  ]);
  const client = new OrganizationsClient({
    region: "us-east-1",
    credentials: { accessKeyId: "a", secretAccessKey: "s" },
  });
  const mock = mockClient(client);
  const docs = buildScpDocuments(g);
  const targets = g.config.targets;
  const paged = <T>(items: T[], token?: string) => {
    const from = Number(token ?? 0);
    return { items: items.slice(from, from + 1), next: from + 1 < items.length ? String(from + 1) : undefined };
  };
  const children = (parent: string, accounts: boolean) =>
    [...parentOf].filter(([id, p]) => p === parent && /^\d{12}$/.test(id) === accounts).map(([id]) => ({ Id: id }));
  mock
    .on(ListRootsCommand)
    .resolves({ Roots: [{ Id: ROOT, PolicyTypes: [{ Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED" }] }] });
  mock.on(ListPoliciesCommand).resolves({ Policies: docs.map((d, i) => ({ Id: `p-guard${i}`, Name: d.name })) });
  mock
    .on(DescribePolicyCommand)
    .callsFake((i: { PolicyId: string }) => ({ Policy: { Content: docs[Number(i.PolicyId.slice(7))].content } }));
  mock.on(ListTargetsForPolicyCommand).resolves({ Targets: targets.map((TargetId) => ({ TargetId })) });
  const notFound = (name: string) => Object.assign(new Error("not in the organization"), { name });
  const exists = (id: string) => id === ROOT || parentOf.has(id);
  mock.on(ListPoliciesForTargetCommand).callsFake((i: { TargetId: string }) => {
    if (!exists(i.TargetId)) throw notFound("TargetNotFoundException");
    return { Policies: [{ Id: "p-FullAWSAccess" }] };
  });
  mock.on(ListAccountsForParentCommand).callsFake((i: { ParentId: string; NextToken?: string }) => {
    if (!exists(i.ParentId)) throw notFound("ParentNotFoundException");
    const page = paged(children(i.ParentId, true), i.NextToken);
    return { Accounts: page.items, NextToken: page.next };
  });
  mock.on(ListOrganizationalUnitsForParentCommand).callsFake((i: { ParentId: string; NextToken?: string }) => {
    if (!exists(i.ParentId)) throw notFound("ParentNotFoundException");
    const page = paged(children(i.ParentId, false), i.NextToken);
    return { OrganizationalUnits: page.items, NextToken: page.next };
  });
  mock.on(ListParentsCommand).callsFake((i: { ChildId: string }) => {
    const parent = parentOf.get(i.ChildId);
    if (!parent) throw notFound("ChildNotFoundException");
    return { Parents: [{ Id: parent }] };
  });
  return { client, mock, parentOf };
}

function monitorOf(g: Guardrail) {
  const org = organization(g);
  const lake = simulateLake();
  const sns = simulateSns();
  const store = new MemoryStateStore();
  let runs = 0;
  lake.clock.now = at("2026-07-01T12:00:00Z");
  // Each run an hour and a minute after the last, so that every run lists the accounts (COVERAGE_LISTING_INTERVAL_MS).
  const run = async (minutesLater = 61) => {
    const summary = await runJob(
      {
        guardrail: g,
        store,
        source: lakeSource(lake, g),
        notifier: new SnsNotifier(sns.client, TOPIC_ARN),
        readOrganization: (names, slotsAt, coverage) => readOrganization(org.client, names, slotsAt, coverage),
        now: () => lake.clock.now,
        runId: `run-${++runs}`,
      },
      { jobName: "query-job" },
    );
    lake.clock.now = new Date(lake.clock.now.getTime() + minutesLater * 60_000);
    return summary;
  };
  const driftAlerts = () => sns.published.filter((p) => p.body.kind === "bedrock-guardrail.drift");
  return { org, store, run, driftAlerts };
}

describe("drift check: accounts that leave the OU targets", () => {
  const g = guardrailWith({ targets: [PROD, ACCOUNT_TARGET] });

  it("reads the accounts of every OU under a target, over pages, and the account targets themselves", async () => {
    const { org } = monitorOf(g);
    const now = at("2026-07-01T12:00:00Z");
    const report = await checkDrift(g, (n, s, c) => readOrganization(org.client, n, s, c), { now });
    expect(report.ok).toBe(true);
    expect(report.coverage?.listedAt).toBe(now.toISOString());
    expect(report.coverage?.accounts).toEqual({
      "111111111111": PROD,
      "222222222222": PROD,
      [ACCOUNT_TARGET]: ACCOUNT_TARGET,
    });
  });

  it("alerts once when a covered account moves out, and again (resolved) when it is moved back", async () => {
    const m = monitorOf(g);
    expect((await m.run()).drift).toMatchObject({ ok: true, alerted: false });
    expect((await m.store.getCoverage("query-job"))?.accounts).toMatchObject({ "222222222222": PROD });

    m.org.parentOf.set("222222222222", SANDBOX);
    const moved = (await m.run()).drift;
    expect(moved).toMatchObject({ ok: false, alerted: true });
    expect(moved?.problems).toEqual([
      {
        kind: "left-coverage",
        target: "222222222222",
        detail: expect.stringContaining(`account 222222222222 was under ${PROD} and is now in ${SANDBOX}`),
      },
    ]);
    expect(m.driftAlerts().map((a) => a.subject)).toEqual([expect.stringContaining("left-coverage on 222222222222")]);
    // Still out: remembered, reported, not alerted again.
    expect((await m.run()).drift).toMatchObject({ ok: false, alerted: false });

    m.org.parentOf.set("222222222222", PROD_EU);
    expect((await m.run()).drift).toMatchObject({ ok: true, alerted: true });
    expect(m.driftAlerts()).toHaveLength(2);
  });

  it("reports an account that left the organization, until it is listed in monitor.releasedAccounts", async () => {
    const m = monitorOf(g);
    await m.run();
    m.org.parentOf.delete("111111111111");
    expect((await m.run()).drift?.problems.map((p) => p.detail)).toEqual([
      expect.stringContaining("account 111111111111 was under ou-ab12-prod0001 and is now out of the organization"),
    ]);
    const released = guardrailWith({
      targets: [PROD, ACCOUNT_TARGET],
      monitor: { releasedAccounts: ["111111111111"] },
    });
    const after = monitorOf(released);
    // The memory an earlier monitor left, listed long enough ago that this run lists again.
    const memory = (await m.store.getCoverage("query-job"))!;
    await after.store.setCoverage("query-job", { ...memory, listedAt: "2026-06-01T00:00:00.000Z" });
    after.org.parentOf.delete("111111111111");
    expect((await after.run()).drift).toMatchObject({ ok: true });
    expect((await after.store.getCoverage("query-job"))?.accounts).not.toHaveProperty("111111111111");
  });

  it("forgets the accounts of a target taken out of the config: that change is the decision", async () => {
    const m = monitorOf(g);
    await m.run();
    const narrowed = guardrailWith({ targets: [ACCOUNT_TARGET] });
    const after = monitorOf(narrowed);
    // The memory an earlier monitor left, listed long enough ago that this run lists again.
    const memory = (await m.store.getCoverage("query-job"))!;
    await after.store.setCoverage("query-job", { ...memory, listedAt: "2026-06-01T00:00:00.000Z" });
    expect((await after.run()).drift).toMatchObject({ ok: true, problems: [] });
    expect((await after.store.getCoverage("query-job"))?.accounts).toEqual({ [ACCOUNT_TARGET]: ACCOUNT_TARGET });
  });

  it("with the root as the target, every account is covered wherever it moves: nothing is listed", async () => {
    const rooted = guardrailWith({ targets: [ROOT] });
    const m = monitorOf(rooted);
    expect((await m.run()).drift).toMatchObject({ ok: true });
    expect(m.org.mock.commandCalls(ListAccountsForParentCommand)).toHaveLength(0);
    expect(await m.store.getCoverage("query-job")).toBeUndefined();
  });
  it("lists the accounts at most once an hour, and keeps a departure reported in between", async () => {
    const m = monitorOf(g);
    await m.run(5);
    const listings = () => m.org.mock.commandCalls(ListAccountsForParentCommand).length;
    const afterFirst = listings();
    expect(afterFirst).toBeGreaterThan(0);
    m.org.parentOf.set("222222222222", SANDBOX);
    // Five minutes later: not listed again, so the move is not seen yet.
    expect((await m.run(55)).drift).toMatchObject({ ok: true });
    expect(listings()).toBe(afterFirst);
    // An hour after the first listing: seen, alerted; then reported, not alerted, while no listing is due.
    expect((await m.run(5)).drift).toMatchObject({ ok: false, alerted: true });
    expect((await m.run(5)).drift).toMatchObject({ ok: false, alerted: false, problems: [{ kind: "left-coverage" }] });
    expect(m.driftAlerts()).toHaveLength(1);
  });

  it("a deleted or mistyped OU target is target-missing, not a failed read; moves out of it are seen", async () => {
    const m = monitorOf(g);
    await m.run();
    m.org.parentOf.set("111111111111", SANDBOX);
    m.org.parentOf.set("222222222222", SANDBOX);
    m.org.parentOf.delete(PROD_EU);
    m.org.mock.on(ListTargetsForPolicyCommand).resolves({ Targets: [{ TargetId: ACCOUNT_TARGET }] });
    m.org.parentOf.delete(PROD);
    const drift = (await m.run()).drift;
    expect(drift?.problems.map((p) => `${p.kind} ${p.target}`).sort()).toEqual([
      "left-coverage 111111111111",
      "left-coverage 222222222222",
      `target-missing ${PROD}`,
    ]);
  });
});
