/**
 * Upgrading from a release whose realtime function claimed into its own state partition (JOB_NAME=realtime): a
 * finding it claimed but could not alert (SNS throttled, a timeout) was drained there only when a later event brought
 * a new finding. The realtime function now claims into the scheduled job's partition, so the scheduled job finishes
 * what the earlier release left: alerted once, never lost, alert only.
 */
import type { FindingResponder, ResponseReport } from "../../src/aws/contracts";
import { processEvent } from "../../src/handlers/realtime";
import { runJob } from "../../src/runtime/job";
import { MemoryStateStore } from "../support/memory-state-store";
import { at, eventBridgeEvent, guardrailWith, simEvent } from "./helpers";

/** The JOB_NAME the monitor stack gave the realtime function before it named the scheduled job's partition. */
const LEGACY_REALTIME_JOB = "realtime";
const guardrail = guardrailWith();
const now = () => at("2026-07-01T12:00:00Z");
const empty = {
  backend: "cloudtrail-lake" as const,
  run: async () => ({ records: [], rows: 0, bytesScanned: 0, unreadable: [] }),
};

test("what an earlier release's realtime function left in its partition is alerted once, alert only", async () => {
  const store = new MemoryStateStore();
  // The earlier release: the realtime function claims into job#realtime, and its alert fails.
  const failed = await processEvent(
    {
      guardrail,
      store,
      notifier: { publish: async () => Promise.reject(new Error("SNS throttled")) },
      jobName: LEGACY_REALTIME_JOB,
      now,
    },
    eventBridgeEvent(simEvent("rt-old", at("2026-07-01T11:59:50Z"), 0)),
    "realtime-1",
  );
  expect(failed).toMatchObject({ status: "failed", newFindings: 1, published: 0 });
  expect((await store.listPending(LEGACY_REALTIME_JOB)).map((p) => p.eventId)).toEqual(["rt-old"]);

  // After the upgrade only the scheduled job drains.
  const published: { id: string; email?: string }[] = [];
  const notifier = {
    publish: async (_subject: string, body: string, _attributes?: unknown, perProtocol?: { email?: string }) =>
      void published.push({ id: JSON.parse(body).event.id, email: perProtocol?.email }),
  };
  const responded: string[] = [];
  const responder: FindingResponder = {
    async respond(f): Promise<ResponseReport> {
      responded.push(f.event.id);
      return { findingId: f.event.id, outcomes: [] };
    },
  };
  const run = (runId: string) =>
    runJob({ guardrail, store, source: empty, notifier, responder, now, runId }, { jobName: "query-job" });

  const first = await run("scheduled-1");
  expect(first).toMatchObject({ status: "ok", published: 1 });
  expect(published.map((p) => p.id)).toEqual(["rt-old"]);
  expect(published[0].email).toContain("claimed by the realtime function of an earlier release");
  expect(responded).toEqual([]);
  expect(first.samples?.some((s) => s.includes("alert only, no remediation: event rt-old"))).toBe(true);
  expect(await store.listPending(LEGACY_REALTIME_JOB)).toEqual([]);

  const second = await run("scheduled-2");
  expect(second).toMatchObject({ status: "ok", published: 0 });
  expect(published).toHaveLength(1);
});

test("what an earlier release's realtime function queued for Security Hub is exported by the next run", async () => {
  const withHub = guardrailWith({ monitor: { securityHub: { enabled: true } } });
  const store = new MemoryStateStore();
  const failing = { publish: async () => Promise.reject(new Error("SNS throttled")) };
  await processEvent(
    { guardrail: withHub, store, notifier: failing, jobName: LEGACY_REALTIME_JOB, now },
    eventBridgeEvent(simEvent("rt-hub", at("2026-07-01T11:59:50Z"), 0)),
    "realtime-1",
  );
  expect((await store.listExports(LEGACY_REALTIME_JOB)).map((e) => e.eventId)).toEqual(["rt-hub"]);
  const imported: string[] = [];
  const securityHub = {
    importFindings: async (findings: { event: { id: string } }[]) => {
      imported.push(...findings.map((f) => f.event.id));
      return [];
    },
  };
  const notifier = { publish: async () => undefined };
  const run = await runJob(
    { guardrail: withHub, store, source: empty, notifier, securityHub, now, runId: "scheduled-1" },
    { jobName: "query-job" },
  );
  expect(run.securityHub).toEqual({ imported: 1, failed: 0, queued: 0 });
  expect(imported).toEqual(["rt-hub"]);
  expect(await store.listExports(LEGACY_REALTIME_JOB)).toEqual([]);
});
