/**
 * The Security Hub step of a run: batches of at most 100, the per-run limit, refused findings kept
 * with their reason, store failures reported; and inside the scheduled job: alerts go out exactly as
 * without Security Hub while it fails, the watermark moves, a re-seen event is not queued again,
 * and the run summary and its metrics say what happened.
 */
import { SnsNotifier } from "../../src/aws/sns";
import type { FindingImporter } from "../../src/aws/securityhub";
import { evaluateRecord, type Finding } from "../../src/detection/finding";
import { runJob } from "../../src/runtime/job";
import { exportToSecurityHub } from "../../src/runtime/securityhub-export";
import { MemoryStateStore } from "../support/memory-state-store";
import { METRICS, toEmf } from "../../src/runtime/summary";
import { record, testGuardrail } from "../detection/backends/support/records";
import { at, guardrailWith, lakeSource, simEvent, simulateLake, simulateSns, TOPIC_ARN } from "./helpers";

const JOB = "query-job";
const g = testGuardrail();
const findingFor = (i: number): Finding => {
  const time = new Date(Date.parse("2026-07-01T00:00:00Z") + i * 1000).toISOString().replace(".000Z", "Z");
  const e = evaluateRecord(g, record({ eventID: `e-${String(i).padStart(4, "0")}`, eventTime: time }));
  if (!("finding" in e)) throw new Error("expected a finding");
  return e.finding;
};

/** Records each request's event IDs; refuses the IDs in `refuse`; throws while `down`. */
function recordingImporter() {
  const requests: string[][] = [];
  const state = { refuse: new Set<string>(), down: false };
  const importer: FindingImporter = {
    async importFindings(findings) {
      requests.push(findings.map((f) => f.event.id));
      if (state.down) throw new Error("ServiceUnavailable");
      return findings
        .filter((f) => state.refuse.has(f.event.id))
        .map((f) => ({ eventId: f.event.id, code: "InvalidInput", message: "no" }));
    },
  };
  return { importer, requests, state };
}

async function queued(n: number): Promise<MemoryStateStore> {
  const store = new MemoryStateStore();
  for (let i = 0; i < n; i++) await store.claim(JOB, findingFor(i), { export: true });
  return store;
}

describe("exportToSecurityHub", () => {
  it("sends the queue oldest first in batches of at most 100 and empties it", async () => {
    const store = await queued(250);
    const sh = recordingImporter();
    expect(await exportToSecurityHub(store, sh.importer, JOB)).toEqual({ imported: 250, failed: 0, queued: 0 });
    expect(sh.requests.map((r) => r.length)).toEqual([100, 100, 50]);
    expect(sh.requests.flat()).toEqual([...Array(250).keys()].map((i) => findingFor(i).event.id));
    expect(await store.listExports(JOB)).toEqual([]);
  });

  it("sends at most the per-run limit; the rest waits for the next run", async () => {
    const store = await queued(150);
    const sh = recordingImporter();
    expect(await exportToSecurityHub(store, sh.importer, JOB, 120)).toEqual({ imported: 120, failed: 0, queued: 30 });
    expect(sh.requests.map((r) => r.length)).toEqual([100, 20]);
    expect(await exportToSecurityHub(store, sh.importer, JOB, 120)).toEqual({ imported: 30, failed: 0, queued: 0 });
  });

  it("keeps refused findings with their reason and attempts, and sends them again next run", async () => {
    const store = await queued(3);
    const sh = recordingImporter();
    sh.state.refuse.add("e-0001");
    expect(await exportToSecurityHub(store, sh.importer, JOB)).toEqual({
      imported: 2,
      failed: 1,
      queued: 1,
      errors: ["e-0001: InvalidInput no"],
    });
    expect(await store.listExports(JOB)).toMatchObject([
      { eventId: "e-0001", attempts: 1, lastError: "InvalidInput no" },
    ]);
    sh.state.refuse.clear();
    expect(await exportToSecurityHub(store, sh.importer, JOB)).toEqual({ imported: 1, failed: 0, queued: 0 });
    expect(sh.requests[1]).toEqual(["e-0001"]);
  });

  it("a request that fails keeps its batch and stops the step (no hammering a service that is down)", async () => {
    const store = await queued(150);
    const sh = recordingImporter();
    sh.state.down = true;
    const counts = await exportToSecurityHub(store, sh.importer, JOB);
    expect(counts).toMatchObject({ imported: 0, failed: 100, queued: 150 });
    expect(counts.errors).toHaveLength(5);
    expect(sh.requests).toHaveLength(1);
    expect((await store.listExports(JOB)).filter((i) => i.attempts === 1)).toHaveLength(100);
  });

  it("a store that cannot list the queue is reported, not thrown", async () => {
    const store = await queued(1);
    store.listExports = async () => {
      throw new Error("ProvisionedThroughputExceeded");
    };
    expect(await exportToSecurityHub(store, recordingImporter().importer, JOB)).toEqual({
      imported: 0,
      failed: 0,
      queued: 0,
      errors: ["listing the Security Hub export queue: ProvisionedThroughputExceeded"],
    });
  });
});

describe("the scheduled job with Security Hub on", () => {
  const gOn = guardrailWith({ monitor: { securityHub: { enabled: true } } });

  function setup() {
    const lake = simulateLake();
    const sns = simulateSns();
    const store = new MemoryStateStore();
    const sh = recordingImporter();
    let runs = 0;
    const run = () =>
      runJob(
        {
          guardrail: gOn,
          store,
          source: lakeSource(lake, gOn),
          notifier: new SnsNotifier(sns.client, TOPIC_ARN),
          securityHub: sh.importer,
          now: () => lake.clock.now,
          runId: `run-${++runs}`,
        },
        { jobName: JOB },
      );
    return { lake, sns, store, sh, run };
  }

  it("alerts and moves the watermark while Security Hub is down; exports once it is back", async () => {
    const t = setup();
    t.lake.clock.now = at("2026-07-01T12:00:00Z");
    t.lake.events.push(simEvent("e-1", at("2026-07-01T11:58:00Z"), 1));
    t.sh.state.down = true;
    const first = await t.run();
    expect(first.status).toBe("ok");
    expect(first.published).toBe(1);
    expect(first.watermark.after).toBe("2026-07-01T12:00:00.000Z");
    expect(first.securityHub).toMatchObject({ imported: 0, failed: 1, queued: 1 });
    const emf = toEmf(first, 0);
    expect(emf[METRICS.securityHubFailed]).toBe(1);
    expect(emf[METRICS.securityHubQueued]).toBe(1);

    // The next run sees e-1 again (window overlap): no second alert, not queued again, exported once.
    t.sh.state.down = false;
    t.lake.clock.now = at("2026-07-01T12:05:00Z");
    const second = await t.run();
    expect(second).toMatchObject({ status: "ok", published: 0, duplicates: 1 });
    expect(second.securityHub).toEqual({ imported: 1, failed: 0, queued: 0 });
    expect(t.sns.published).toHaveLength(1);
    expect(t.sh.requests).toEqual([["e-1"], ["e-1"]]);

    const third = await t.run();
    expect(third.securityHub).toEqual({ imported: 0, failed: 0, queued: 0 });
    expect(t.sh.requests).toHaveLength(2);
  });

  it("with Security Hub off, nothing is queued and the summary has no securityHub part", async () => {
    const t = setup();
    t.lake.clock.now = at("2026-07-01T12:00:00Z");
    t.lake.events.push(simEvent("e-2", at("2026-07-01T11:58:00Z"), 1));
    const off = await runJob(
      {
        guardrail: guardrailWith(),
        store: t.store,
        source: lakeSource(t.lake, guardrailWith()),
        notifier: new SnsNotifier(t.sns.client, TOPIC_ARN),
        now: () => at("2026-07-01T12:00:00Z"),
        runId: "run-off",
      },
      { jobName: JOB },
    );
    expect(off.published).toBe(1);
    expect(off.securityHub).toBeUndefined();
    expect(toEmf(off, 0)).not.toHaveProperty(METRICS.securityHubFailed);
    expect(await t.store.listExports(JOB)).toEqual([]);
  });
});
