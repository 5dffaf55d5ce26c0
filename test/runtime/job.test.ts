/**
 * The scheduled job end to end over mocked AWS clients (aws-sdk-client-mock for CloudTrail Lake or
 * Amazon Athena, and SNS; the in-memory state store with the DynamoDB store's semantics). The job
 * core does not know which store answered, so every backend-neutral test runs against both.
 */
import { CancelQueryCommand, StartQueryCommand } from "@aws-sdk/client-cloudtrail";
import { SnsNotifier } from "../../src/aws/sns";
import type { FindingResponder, ResponseReport } from "../../src/aws/contracts";
import { type JobDeps, runJob } from "../../src/runtime/job";
import { MemoryStateStore } from "../support/memory-state-store";
import type { QuerySource } from "../../src/runtime/query/source";
import type { Guardrail } from "../../src/guardrail/guardrail";
import { simulateAthena } from "./athena-sim";
import { at, guardrailWith, lakeSource, minutes, simEvent, simulateLake, simulateSns, TOPIC_ARN } from "./helpers";

const g = guardrailWith();
const JOB = "query-job";

type Simulate = () => ReturnType<typeof simulateAthena> | (ReturnType<typeof simulateLake> & SourceOf);
type SourceOf = { source(guardrail: Guardrail): QuerySource };
const simulateLakeSource = () => {
  const sim = simulateLake();
  return Object.assign(sim, { source: (guardrail: Guardrail) => lakeSource(sim, guardrail) });
};
/** The backends the neutral tests run on, with the query states that fail a run on each. */
const BACKENDS: Array<[string, Simulate, string[]]> = [
  ["CloudTrail Lake", simulateLakeSource, ["FAILED", "TIMED_OUT", "CANCELLED"]],
  ["Athena", simulateAthena, ["FAILED", "CANCELLED"]],
];

function setup(simulate: Simulate = simulateLakeSource) {
  const lake = simulate();
  const sns = simulateSns();
  const store = new MemoryStateStore();
  const responded: string[] = [];
  const responder: FindingResponder = {
    async respond(f): Promise<ResponseReport> {
      responded.push(f.event.id);
      return { findingId: f.event.id, outcomes: [] };
    },
  };
  let runs = 0;
  const run = (extra: { responder?: FindingResponder; readOrganization?: JobDeps["readOrganization"] } = {}) =>
    runJob(
      {
        guardrail: g,
        store,
        source: lake.source(g),
        notifier: new SnsNotifier(sns.client, TOPIC_ARN),
        responder: extra.responder ?? responder,
        readOrganization: extra.readOrganization,
        now: () => lake.clock.now,
        runId: `run-${++runs}`,
      },
      { jobName: JOB },
    );
  const publishedIds = () => sns.published.map((p) => p.body.event.id as string);
  return { lake, sns, store, run, responded, publishedIds };
}

afterEach(() => jest.restoreAllMocks());

describe.each(BACKENDS)("scheduled job over %s", (_backend, simulate, failedStates) => {
  it(
    "queries a full window with pagination, publishes each finding once with an ECS body and a short " + "subject",
    async () => {
      const t = setup(simulate);
      t.lake.pageSize = 2;
      t.lake.clock.now = at("2026-07-01T12:00:00Z");
      const base = at("2026-07-01T11:55:00Z").getTime();
      for (let i = 0; i < 5; i++) t.lake.events.push(simEvent(`e-${i}`, new Date(base + i * 1000), 1));
      const s = await t.run();
      expect(s.status).toBe("ok");
      expect(s.rows).toBe(5);
      expect(s.findings).toBe(5);
      expect(s.published).toBe(5);
      expect(t.publishedIds()).toEqual(["e-0", "e-1", "e-2", "e-3", "e-4"]);
      expect(t.responded).toEqual(["e-0", "e-1", "e-2", "e-3", "e-4"]);
      // first run: look-back (6 min) + lateness allowance (20 min), bounded on both sides
      expect(s.window).toEqual({ start: "2026-07-01T11:34:00.000Z", end: "2026-07-01T12:00:00.000Z" });
      expect(s.watermark.after).toBe("2026-07-01T12:00:00.000Z");
      const first = t.sns.published[0];
      expect(first.subject.length).toBeLessThanOrEqual(100);
      expect(first.subject).toContain("CreateFoundationModelAgreement");
      expect(first.body).toMatchObject({
        event: { id: "e-0", kind: "alert", action: "CreateFoundationModelAgreement" },
        rule: { id: "bedrock-model-access-enabled" },
        guardrail: { approved: false },
      });
      // E-mail subscribers get the readable text (SNS per-protocol message); it names the event.
      expect(first.email).toContain("Event:     e-0");
      expect(t.lake.statements).toHaveLength(1);
      expect(await t.store.listPending(JOB)).toEqual([]);
    },
  );

  it("says in the alert when no remediation will follow: the rule alerts only", async () => {
    const t = setup(simulate);
    t.lake.clock.now = at("2026-07-01T12:00:00Z");
    const time = at("2026-07-01T11:55:00Z");
    t.lake.events.push(
      simEvent("e-enable", time, 1),
      simEvent("e-logging", new Date(time.getTime() + 1000), 1, { name: "DeleteModelInvocationLoggingConfiguration" }),
    );
    expect((await t.run()).published).toBe(2);
    const email = (id: string) => t.sns.published.find((p) => p.body.event.id === id)!.email;
    expect(email("e-logging")).toContain(
      "Response: no remediation runs for this finding (rule bedrock-invocation-logging-tampering alerts only: its " +
        "definition asks for no remediation)",
    );
    expect(email("e-logging")).not.toContain("follow-up");
    expect(email("e-enable")).toContain("Response: if remediation is on for this account, a follow-up message");
  });

  it("suppresses approved principals (counted) and alerts the others", async () => {
    const t = setup(simulate);
    t.lake.clock.now = at("2026-07-01T12:00:00Z");
    t.lake.events.push(
      simEvent("ok-1", at("2026-07-01T11:58:00Z"), 1, {
        roleArn: "arn:aws:iam::444455556666:role/BedrockModelAccessAdmin",
      }),
    );
    t.lake.events.push(simEvent("bad-1", at("2026-07-01T11:58:30Z"), 1));
    const s = await t.run();
    expect(s).toMatchObject({ findings: 2, suppressedApproved: 1, published: 1 });
    expect(t.publishedIds()).toEqual(["bad-1"]);
  });

  it.each(failedStates)("a %s query fails the run with a clear error and keeps the window", async (status) => {
    const t = setup(simulate);
    t.lake.clock.now = at("2026-07-01T12:00:00Z");
    await t.run();
    t.lake.events.push(simEvent("e-1", at("2026-07-01T12:01:00Z"), 1));
    t.lake.clock.now = at("2026-07-01T12:05:00Z");
    t.lake.nextStatuses = ["QUEUED", "RUNNING", status];
    const failed = await t.run();
    expect(failed.status).toBe("failed");
    expect(failed.failure).toMatchObject({ step: "query" });
    expect(failed.failure!.error).toContain(`ended ${status}`);
    expect(failed.failure!.error).toContain("queried again next run");
    expect(await t.store.getWatermark(JOB)).toBe("2026-07-01T12:00:00.000Z");
    expect(t.sns.published).toHaveLength(0);
    // next run covers the same window again and finds the event
    t.lake.clock.now = at("2026-07-01T12:10:00Z");
    const next = await t.run();
    expect(next.status).toBe("ok");
    expect(next.window!.start).toBe("2026-07-01T11:40:00.000Z");
    expect(t.publishedIds()).toEqual(["e-1"]);
  });

  it("SNS failing mid-window: watermark not advanced, next run publishes the rest exactly once", async () => {
    const t = setup(simulate);
    t.lake.clock.now = at("2026-07-01T12:00:00Z");
    for (let i = 0; i < 6; i++) t.lake.events.push(simEvent(`e-${i}`, at(`2026-07-01T11:5${i}:00Z`), 1));
    t.sns.failOnAttempt.add(4);
    const s = await t.run();
    expect(s.status).toBe("failed");
    expect(s.failure).toMatchObject({ step: "publish", eventId: "e-3" });
    expect(s.failure!.error).toContain("Throttled");
    expect(s.published).toBe(3);
    expect(await t.store.getWatermark(JOB)).toBe("2026-07-01T11:54:00.000Z");
    t.lake.clock.now = at("2026-07-01T12:05:00Z");
    const next = await t.run();
    expect(next.status).toBe("ok");
    expect(next.duplicates).toBe(6);
    expect(next.published).toBe(3);
    expect(t.publishedIds()).toEqual(["e-0", "e-1", "e-2", "e-3", "e-4", "e-5"]);
    expect(t.responded).toEqual(["e-0", "e-1", "e-2", "e-3", "e-4", "e-5"]);
    expect(await t.store.getWatermark(JOB)).toBe("2026-07-01T12:05:00.000Z");
  });

  it("replaying the same window alerts nothing twice", async () => {
    const t = setup(simulate);
    t.lake.clock.now = at("2026-07-01T12:00:00Z");
    for (let i = 0; i < 3; i++) t.lake.events.push(simEvent(`e-${i}`, at(`2026-07-01T11:5${i}:00Z`), 1));
    await t.run();
    // every following run overlaps by the 20-minute lateness allowance
    for (const m of [5, 10, 15]) {
      t.lake.clock.now = new Date(at("2026-07-01T12:00:00Z").getTime() + minutes(m));
      const s = await t.run();
      expect(s).toMatchObject({ status: "ok", duplicates: 3, newFindings: 0, published: 0 });
    }
    expect(t.publishedIds()).toEqual(["e-0", "e-1", "e-2"]);
  });

  it("more than maxAlertsPerRun findings: 100 per run, the rest carried over, none dropped, oldest first", async () => {
    const t = setup(simulate);
    t.lake.pageSize = 1000;
    t.lake.clock.now = at("2026-07-01T12:00:00Z");
    const base = at("2026-07-01T11:50:00Z").getTime();
    for (let i = 0; i < 250; i++)
      t.lake.events.push(simEvent(`e-${String(i).padStart(3, "0")}`, new Date(base + i * 1000), 1));
    const r1 = await t.run();
    expect(r1).toMatchObject({ status: "ok", newFindings: 250, published: 100, carriedOver: 150 });
    expect(r1.watermark.after).toBe("2026-07-01T12:00:00.000Z"); // carried findings are durable in the pending list
    t.lake.clock.now = at("2026-07-01T12:05:00Z");
    const r2 = await t.run();
    expect(r2).toMatchObject({ published: 100, carriedOver: 50 });
    t.lake.clock.now = at("2026-07-01T12:10:00Z");
    const r3 = await t.run();
    expect(r3).toMatchObject({ published: 50, carriedOver: 0 });
    const ids = t.publishedIds();
    expect(ids).toHaveLength(250);
    expect(new Set(ids).size).toBe(250);
    expect(ids).toEqual([...ids].sort());
  });

  it("finds an event delivered 18 minutes after its eventTime", async () => {
    const t = setup(simulate);
    t.lake.clock.now = at("2026-07-01T12:00:00Z");
    await t.run();
    // Happens at 12:01, delivered at 12:19: invisible to the 12:05 ... 12:15 runs.
    t.lake.events.push(simEvent("late-1", at("2026-07-01T12:01:00Z"), 18));
    for (const time of ["12:05", "12:10", "12:15"]) {
      t.lake.clock.now = at(`2026-07-01T${time}:00Z`);
      expect((await t.run()).published).toBe(0);
    }
    t.lake.clock.now = at("2026-07-01T12:20:00Z");
    const s = await t.run();
    expect(s.window!.start).toBe("2026-07-01T11:55:00.000Z"); // watermark 12:15 - 20 min
    expect(s.published).toBe(1);
    expect(t.publishedIds()).toEqual(["late-1"]);
  });

  it("a responder failure keeps the finding (published once) and the next run only re-responds", async () => {
    const t = setup(simulate);
    t.lake.clock.now = at("2026-07-01T12:00:00Z");
    t.lake.events.push(simEvent("e-1", at("2026-07-01T11:58:00Z"), 1));
    let fail = true;
    const flaky: FindingResponder = {
      async respond(f) {
        if (fail) throw new Error("could not record remediation progress");
        t.responded.push(f.event.id);
        return { findingId: f.event.id, outcomes: [] };
      },
    };
    const s1 = await t.run({ responder: flaky });
    expect(s1).toMatchObject({ status: "failed", failure: { step: "respond", eventId: "e-1" }, published: 1 });
    fail = false;
    t.lake.clock.now = at("2026-07-01T12:05:00Z");
    const s2 = await t.run({ responder: flaky });
    expect(s2).toMatchObject({ status: "ok", published: 0, responded: 1 });
    expect(t.publishedIds()).toEqual(["e-1"]);
    expect(t.responded).toEqual(["e-1"]);
  });
});

describe("drift check in the job", () => {
  it("an Organizations read failure is read-failed (not a missing root), alerted once while it lasts", async () => {
    const t = setup();
    t.lake.clock.now = at("2026-07-01T12:00:00Z");
    const denied = Object.assign(new Error("not authorized to ListRoots"), { name: "AccessDeniedException" });
    const s = await t.run({ readOrganization: async () => Promise.reject(denied) });
    expect(s.drift).toMatchObject({ ok: false, alerted: true });
    expect(s.drift?.problems.map((p) => [p.kind, p.detail])).toEqual([
      ["read-failed", expect.stringContaining("not authorized to ListRoots")],
    ]);
    const driftAlerts = () => t.sns.published.filter((p) => p.body.kind === "bedrock-guardrail.drift");
    expect(driftAlerts().map((p) => p.subject)).toEqual([expect.stringContaining("read-failed")]);
    // A check that still cannot look is not alerted again every run.
    t.lake.clock.now = at("2026-07-01T12:05:00Z");
    expect((await t.run({ readOrganization: async () => Promise.reject(denied) })).drift).toMatchObject({
      alerted: false,
    });
    expect(driftAlerts()).toHaveLength(1);
  });
});

describe("scheduled job over CloudTrail Lake only", () => {
  const lake = (t: ReturnType<typeof setup>) => t.lake as ReturnType<typeof simulateLake>;

  it("cancels a query that outlives the job's time limit and reports TIMED_OUT", async () => {
    const t = setup(simulateLakeSource);
    t.lake.clock.now = at("2026-07-01T12:00:00Z");
    t.lake.nextStatuses = Array(50).fill("RUNNING");
    lake(t).mock.on(CancelQueryCommand).resolves({});
    const { LakeQuerySource } = await import("../../src/runtime/query/lake");
    const src = new LakeQuerySource({
      client: lake(t).client,
      guardrail: g,
      eventDataStoreArn: (await import("./helpers")).EDS_ARN,
      sleep: async () => undefined,
      poll: { initialDelayMs: 100, maxDelayMs: 1000, timeoutMs: 5000 },
    });
    await expect(src.run({ start: at("2026-07-01T11:00:00Z"), end: at("2026-07-01T12:00:00Z") })).rejects.toThrow(
      /ended TIMED_OUT: still running after 5 s; cancelled/,
    );
    expect(lake(t).mock.commandCalls(CancelQueryCommand)).toHaveLength(1);
  });

  it("MaxConcurrentQueriesException (after the SDK's retries) fails the run and keeps the window", async () => {
    const t = setup(simulateLakeSource);
    t.lake.clock.now = at("2026-07-01T12:00:00Z");
    const busy = Object.assign(new Error("Too many queries"), { name: "MaxConcurrentQueriesException" });
    lake(t).mock.on(StartQueryCommand).rejects(busy);
    const s = await t.run();
    expect(s.status).toBe("failed");
    expect(s.failure!.error).toMatch(/too many concurrent queries/);
    // Only the first run's anchor (now - look-back) is stored, never the failed window's end.
    expect(await t.store.getWatermark(JOB)).toBe("2026-07-01T11:54:00.000Z");
    lake(t)
      .mock.on(StartQueryCommand)
      .callsFake(() => {
        throw busy;
      });
    t.lake.clock.now = at("2026-07-01T12:05:00Z");
    const again = await t.run();
    // The next run still reaches back over the failed run's whole window (anchor - lateness).
    expect(again.window!.start).toBe("2026-07-01T11:34:00.000Z");
  });
});
