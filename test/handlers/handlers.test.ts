/** Handler environment, the realtime path (same core, shared pending list), and the EMF summary line. */
import type { CloudTrailRecord } from "../../src/detection/record";
import { evaluateRecord } from "../../src/detection/finding";
import { readHandlerEnv } from "../../src/runtime/env";
import { processEvent } from "../../src/handlers/realtime";
import { MemoryStateStore } from "../support/memory-state-store";
import { emptySummary, summaryLine } from "../../src/runtime/summary";
import { at, EDS_ARN, eventBridgeEvent, guardrailWith, simEvent, TOPIC_ARN } from "../runtime/helpers";

describe("handler environment", () => {
  it("names every missing or malformed variable", () => {
    expect(() => readHandlerEnv("query-job", {})).toThrow(
      /STATE_TABLE_NAME is not set[\s\S]*ALERT_TOPIC_ARN is not set[\s\S]*BACKEND is not set/,
    );
    expect(() =>
      readHandlerEnv("query-job", { STATE_TABLE_NAME: "t", ALERT_TOPIC_ARN: TOPIC_ARN, BACKEND: "cloudtrail-lake" }),
    ).toThrow(/EVENT_DATA_STORE_ARN is not set \(required when BACKEND=cloudtrail-lake\)/);
    expect(() =>
      readHandlerEnv("query-job", {
        STATE_TABLE_NAME: "t",
        ALERT_TOPIC_ARN: TOPIC_ARN,
        BACKEND: "cloudwatch-logs",
        LOG_GROUPS: "aws-cloudtrail",
      }),
    ).toThrow(/LOG_GROUPS must be a JSON array/);
  });
  it("reads a complete environment with defaults", () => {
    const env = readHandlerEnv(
      "query-job",
      { STATE_TABLE_NAME: "t", ALERT_TOPIC_ARN: TOPIC_ARN, BACKEND: "cloudtrail-lake", EVENT_DATA_STORE_ARN: EDS_ARN },
      "/bundle",
    );
    expect(env).toMatchObject({ jobName: "query-job", queryTimeoutSeconds: 600, driftCheck: true, logGroups: [] });
    expect(env.guardrailConfigPath.endsWith("guardrail.config.json")).toBe(true);
    expect(readHandlerEnv("realtime", { STATE_TABLE_NAME: "t", ALERT_TOPIC_ARN: TOPIC_ARN }).backend).toBeUndefined();
  });
});

describe("realtime handler core", () => {
  const g = guardrailWith();
  it("alerts once per event across EventBridge retries and a later scheduled query of the same event", async () => {
    const store = new MemoryStateStore();
    const published: string[] = [];
    const deps = {
      guardrail: g,
      store,
      notifier: { publish: async (_s: string, b: string) => void published.push(JSON.parse(b).event.id) },
      jobName: "query-job",
      now: () => at("2026-07-01T12:00:00Z"),
    };
    const ev = eventBridgeEvent(simEvent("rt-1", at("2026-07-01T11:59:50Z"), 0));
    const s1 = await processEvent(deps, ev, "inv-1");
    expect(s1).toMatchObject({ status: "ok", newFindings: 1, published: 1, backend: "eventbridge" });
    const s2 = await processEvent(deps, ev, "inv-2");
    expect(s2).toMatchObject({ duplicates: 1, published: 0 });
    expect(published).toEqual(["rt-1"]);
    // The scheduled job would claim the same event id: already recorded.
    const e = evaluateRecord(g, ev.detail as CloudTrailRecord);
    if (!("finding" in e)) throw new Error("fixture must be a finding");
    expect(await store.claim("query-job", e.finding)).toBe("duplicate");
  });
  it("a failed publish leaves the finding in the scheduled job's pending list", async () => {
    const store = new MemoryStateStore();
    const deps = {
      guardrail: g,
      store,
      notifier: { publish: async () => Promise.reject(new Error("SNS down")) },
      jobName: "query-job",
      now: () => at("2026-07-01T12:00:00Z"),
    };
    const s = await processEvent(deps, eventBridgeEvent(simEvent("rt-2", at("2026-07-01T11:59:50Z"), 0)), "inv-1");
    expect(s).toMatchObject({ status: "failed", failure: { step: "publish", eventId: "rt-2" } });
    expect((await store.listPending("query-job")).map((p) => p.eventId)).toEqual(["rt-2"]);
  });
  it("counts an event that is not a CloudTrail API call as unreadable", async () => {
    const s = await processEvent(
      {
        guardrail: g,
        store: new MemoryStateStore(),
        notifier: { publish: async () => undefined },
        jobName: "query-job",
      },
      { "detail-type": "Scheduled Event" },
      "inv",
    );
    expect(s).toMatchObject({ status: "ok", unreadableRows: 1 });
  });
});

describe("summary line", () => {
  it("is one JSON line that is also an EMF document in the BedrockGuardrail namespace", () => {
    const s = { ...emptySummary("query-job", "cloudtrail-lake", "r1"), published: 3, bytesScanned: 2048 };
    const line = summaryLine(s, 1_750_000_000_000);
    expect(line).not.toContain("\n");
    const doc = JSON.parse(line);
    expect(doc._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: "BedrockGuardrail", Dimensions: [["Job"]] });
    expect(doc._aws.CloudWatchMetrics[0].Metrics.length).toBeLessThanOrEqual(100);
    expect(doc).toMatchObject({
      Job: "query-job",
      AlertsPublished: 3,
      BytesScanned: 2048,
      RunSucceeded: 1,
      type: "bedrock-guardrail.run",
    });
  });
});
