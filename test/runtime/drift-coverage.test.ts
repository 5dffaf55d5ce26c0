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
  mock.on(ListAccountsForParentCommand).callsFake((i: { ParentId: string; NextToken?: string }) => {
    const page = paged(children(i.ParentId, true), i.NextToken);
    return { Accounts: page.items, NextToken: page.next };
  });
  mock.on(ListOrganizationalUnitsForParentCommand).callsFake((i: { ParentId: string; NextToken?: string }) => {
    const page = paged(children(i.ParentId, false), i.NextToken);
    return { OrganizationalUnits: page.items, NextToken: page.next };
  });
  mock.on(ListParentsCommand).callsFake((i: { ChildId: string }) => {
    const parent = parentOf.get(i.ChildId);
    if (!parent) throw Object.assign(new Error("not in the organization"), { name: "ChildNotFoundException" });
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
  const run = async () => {
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
    lake.clock.now = new Date(lake.clock.now.getTime() + 5 * 60_000);
    return summary;
  };
  const driftAlerts = () => sns.published.filter((p) => p.body.kind === "bedrock-guardrail.drift");
  return { org, store, run, driftAlerts };
}

describe("drift check: accounts that leave the OU targets", () => {
  const g = guardrailWith({ targets: [PROD, ACCOUNT_TARGET] });

  it("reads the accounts of every OU under a target, over pages, and the account targets themselves", async () => {
    const { org } = monitorOf(g);
    const report = await checkDrift(g, (n, s, c) => readOrganization(org.client, n, s, c), {});
    expect(report.ok).toBe(true);
    expect(report.coveredAccounts).toEqual({
      "111111111111": PROD,
      "222222222222": PROD,
      [ACCOUNT_TARGET]: ACCOUNT_TARGET,
    });
  });

  it("alerts once when a covered account moves out, and again (resolved) when it is moved back", async () => {
    const m = monitorOf(g);
    expect((await m.run()).drift).toMatchObject({ ok: true, alerted: false });
    expect(await m.store.getCoverage("query-job")).toMatchObject({ "222222222222": PROD });

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
    await after.store.setCoverage("query-job", (await m.store.getCoverage("query-job"))!);
    after.org.parentOf.delete("111111111111");
    expect((await after.run()).drift).toMatchObject({ ok: true });
    expect(await after.store.getCoverage("query-job")).not.toHaveProperty("111111111111");
  });

  it("forgets the accounts of a target taken out of the config: that change is the decision", async () => {
    const m = monitorOf(g);
    await m.run();
    const narrowed = guardrailWith({ targets: [ACCOUNT_TARGET] });
    const after = monitorOf(narrowed);
    await after.store.setCoverage("query-job", (await m.store.getCoverage("query-job"))!);
    expect((await after.run()).drift).toMatchObject({ ok: true, problems: [] });
    expect(await after.store.getCoverage("query-job")).toEqual({ [ACCOUNT_TARGET]: ACCOUNT_TARGET });
  });

  it("with the root as the target, every account is covered wherever it moves: nothing is listed", async () => {
    const rooted = guardrailWith({ targets: [ROOT] });
    const m = monitorOf(rooted);
    expect((await m.run()).drift).toMatchObject({ ok: true });
    expect(m.org.mock.commandCalls(ListAccountsForParentCommand)).toHaveLength(0);
    expect(await m.store.getCoverage("query-job")).toBeUndefined();
  });
});
