/**
 * The scheduled job's first-use rule with its baseline in the state store: the first run learns
 * (from the baseline the backend still holds) without alerting, later runs alert on pairs the store
 * does not hold and record the pairs they see, a pair's life is refreshed by each use, and a first use's
 * pair is recorded with its claim, the others once every finding is claimed, so a failed run neither
 * loses a first use nor alerts it twice. The query's rows are simulated as the exact correlation query
 * returns them (the DuckDB differential tests prove the SQL is): the window's records, and for the
 * learning source also the baseline days before it.
 */
import { SnsNotifier } from "../../src/aws/sns";
import type { CloudTrailRecord } from "../../src/detection/record";
import type { NewTermRule } from "../../src/guardrail/correlation-definition";
import { selectRules } from "../../src/guardrail/guardrail";
import { learnedMarker } from "../../src/runtime/correlation-step";
import { runJob } from "../../src/runtime/job";
import { MemoryStateStore } from "../support/memory-state-store";
import { APPROVED_ROLE, at, guardrailWith, simulateSns, TOPIC_ARN } from "./helpers";
import { BYTES_PER_ROW, invocation, NO_EVENTS, windowSource } from "./new-term-support";

const RULE = "bedrock-model-first-use";
const g = selectRules(guardrailWith(), [RULE]);
const MARKER = learnedMarker(g.correlationRules[0] as NewTermRule);
const DAY = 86_400_000;
const JOB = "query-job";

let ids = 0;
const invoked = (time: string, model: string, roleArn = "arn:aws:iam::111122223333:role/app") =>
  invocation({ n: ++ids, time, model, roleArn });

function monitor(options: { learnFromBackend?: boolean } = {}) {
  const sns = simulateSns();
  const store = new MemoryStateStore();
  const delivered: CloudTrailRecord[] = [];
  const correlations = windowSource(delivered);
  const correlationBaseline = windowSource(delivered, 30);
  let runs = 0;
  /** A run at `now`, with the shipped rule or `rule` (its baseline source then reads its baseline days). */
  const run = (now: string, rule?: NewTermRule) =>
    runJob(
      {
        guardrail: rule ? { ...g, correlationRules: [rule] } : g,
        store,
        source: NO_EVENTS,
        correlations,
        ...(options.learnFromBackend === false
          ? {}
          : { correlationBaseline: rule ? windowSource(delivered, rule.baselineDays) : correlationBaseline }),
        notifier: new SnsNotifier(sns.client, TOPIC_ARN),
        now: () => at(now),
        runId: `run-${++runs}`,
      },
      { jobName: JOB },
    );
  const alerted = () => sns.published.map((p) => String(p.body.guardrail.correlation.values));
  return { sns, store, delivered, correlations, correlationBaseline, run, alerted };
}

test("the first run learns the baseline and its window without alerting; later runs alert new pairs", async () => {
  const m = monitor();
  m.delivered.push(
    invoked("2026-01-01T10:00:00Z", "anthropic.claude-3-sonnet-20240229-v1:0"), // 14 days before: baseline
    invoked("2026-01-15T10:03:00Z", "amazon.nova-pro-v1:0"), // in the first run's window
  );
  const first = await m.run("2026-01-15T10:10:00Z");
  expect(first).toMatchObject({ status: "ok", newFindings: 0, published: 0 });
  expect(first.newTermBaseline).toEqual({ learning: [RULE], pairsSeen: 2, recorded: 2 });
  // The learning run's scan (the baseline days included) is in the run's bytes.
  expect(first.bytesScanned).toBe(2 * BYTES_PER_ROW);
  expect(m.correlationBaseline.windows).toHaveLength(1);
  const firstStart = m.correlationBaseline.windows[0].start.getTime();
  expect(await m.store.getBaselineSince(JOB, MARKER)).toBe(new Date(firstStart - 30 * DAY).toISOString());

  m.delivered.push(
    invoked("2026-01-15T10:12:00Z", "anthropic.claude-3-sonnet-20240229-v1:0"),
    invoked("2026-01-15T10:13:00Z", "amazon.nova-pro-v1:0"),
    invoked("2026-01-15T10:14:00Z", "meta.llama3-70b-instruct-v1:0"),
  );
  const second = await m.run("2026-01-15T10:15:00Z");
  expect(second).toMatchObject({ status: "ok", newFindings: 1, published: 1 });
  expect(second.newTermBaseline?.learning).toEqual([]);
  expect(m.alerted()).toEqual(["meta.llama3-70b-instruct-v1:0"]);
  // Only the first run read the baseline days; the later ones read their window.
  expect(m.correlationBaseline.windows).toHaveLength(1);
  expect(m.correlations.windows.map((w) => w.end.getTime() - w.start.getTime() <= DAY)).toEqual([true]);

  // The next window overlaps (lateness allowance): the pair is known now, nothing new, nothing claimed.
  const third = await m.run("2026-01-15T10:20:00Z");
  expect(third).toMatchObject({ status: "ok", findings: 0, newFindings: 0, published: 0 });
  expect(m.correlations.windows[1].start.getTime()).toBeLessThan(Date.parse("2026-01-15T10:14:00Z"));
  expect(m.sns.published).toHaveLength(1);
});

test("without a baseline source the first run learns from its window alone", async () => {
  const m = monitor({ learnFromBackend: false });
  m.delivered.push(
    invoked("2026-01-01T10:00:00Z", "anthropic.claude-3-sonnet-20240229-v1:0"),
    invoked("2026-01-15T10:03:00Z", "amazon.nova-pro-v1:0"),
  );
  expect(await m.run("2026-01-15T10:10:00Z")).toMatchObject({ status: "ok", newFindings: 0 });
  const start = m.correlations.windows[0].start.toISOString();
  expect(await m.store.getBaselineSince(JOB, MARKER)).toBe(start);
  m.delivered.push(invoked("2026-01-15T10:12:00Z", "anthropic.claude-3-sonnet-20240229-v1:0"));
  // The use 14 days before was never learned: the price of learning from the window alone.
  expect(await m.run("2026-01-15T10:15:00Z")).toMatchObject({ status: "ok", newFindings: 1 });
});

test("each use refreshes a pair's life: used every 20 days it never alerts; unused for 35 days it does", async () => {
  const m = monitor();
  const model = "amazon.nova-pro-v1:0";
  m.delivered.push(invoked("2026-01-15T10:03:00Z", model));
  await m.run("2026-01-15T10:10:00Z");
  for (const day of [20, 40]) {
    const t = Date.parse("2026-01-15T10:03:00Z") + day * DAY;
    m.delivered.push(invoked(new Date(t).toISOString(), model));
    const summary = await m.run(new Date(t + 7 * 60_000).toISOString());
    expect(summary).toMatchObject({ status: "ok", newFindings: 0 });
    expect(summary.newTermBaseline?.recorded).toBe(1);
  }
  const stored = m.store.pairExpiresAt(JOB, {
    rule: RULE,
    group: "principal arn:aws:iam::111122223333:role/app",
    value: model,
  });
  const lastUse = Date.parse("2026-01-15T10:03:00Z") + 40 * DAY;
  expect(stored).toBe(Math.ceil((lastUse + 30 * DAY) / 1000));
  const t = lastUse + 35 * DAY;
  m.delivered.push(invoked(new Date(t).toISOString(), model));
  expect(await m.run(new Date(t + 7 * 60_000).toISOString())).toMatchObject({ status: "ok", newFindings: 1 });
});

test("a changed baseline window learns again, and the pairs it read take the new window's TTL", async () => {
  const m = monitor();
  const app = "principal arn:aws:iam::111122223333:role/app";
  m.delivered.push(invoked("2026-01-15T10:03:00Z", "amazon.nova-pro-v1:0"));
  await m.run("2026-01-15T10:10:00Z");
  const nova = { rule: RULE, group: app, value: "amazon.nova-pro-v1:0" };
  const lastUse = Date.parse("2026-01-15T10:03:00Z");
  expect(m.store.pairExpiresAt(JOB, nova)).toBe(Math.ceil((lastUse + 30 * DAY) / 1000));
  // The operator sets the rule's baselineDays to 60; the next run, 20 days later, learns it.
  const sixty = { ...(g.correlationRules[0] as NewTermRule), baselineDays: 60 };
  m.delivered.push(invoked("2026-02-04T10:03:00Z", "meta.llama3-70b-instruct-v1:0"));
  const relearned = await m.run("2026-02-04T10:10:00Z", sixty);
  expect(relearned).toMatchObject({ status: "ok", newFindings: 0 });
  expect(relearned.newTermBaseline).toEqual({ learning: [RULE], pairsSeen: 2, recorded: 2 });
  expect(await m.store.getBaselineSince(JOB, learnedMarker(sixty))).toBeDefined();
  expect(m.store.pairExpiresAt(JOB, nova)).toBe(Math.ceil((lastUse + 60 * DAY) / 1000));
  // 45 days after its last use the pair is still known under the 60-day window.
  m.delivered.push(invoked("2026-03-01T10:03:00Z", "amazon.nova-pro-v1:0"));
  expect(await m.run("2026-03-01T10:10:00Z", sixty)).toMatchObject({ status: "ok", findings: 0 });
});

test("approved principals' pairs are learned too (their findings suppressed)", async () => {
  const m = monitor();
  await m.run("2026-01-15T10:10:00Z");
  m.delivered.push(invoked("2026-01-15T10:12:00Z", "amazon.nova-pro-v1:0", APPROVED_ROLE));
  const summary = await m.run("2026-01-15T10:15:00Z");
  expect(summary).toMatchObject({ status: "ok", findings: 1, suppressedApproved: 1, newFindings: 0, published: 0 });
  expect(summary.newTermBaseline).toEqual({ learning: [], pairsSeen: 1, recorded: 1 });
  const pair = { rule: RULE, group: `principal ${APPROVED_ROLE}`, value: "amazon.nova-pro-v1:0" };
  expect(await m.store.lookupSeen(JOB, [pair])).toHaveLength(1);
});

describe("a run that fails records no pair before its claims, and its first uses alert once", () => {
  async function learned() {
    const m = monitor();
    await m.run("2026-01-15T10:10:00Z");
    m.delivered.push(invoked("2026-01-15T10:12:00Z", "meta.llama3-70b-instruct-v1:0"));
    return m;
  }
  const pairOf = {
    rule: RULE,
    group: "principal arn:aws:iam::111122223333:role/app",
    value: "meta.llama3-70b-instruct-v1:0",
  };

  test("the claim fails: the next run claims and alerts the first use", async () => {
    const m = await learned();
    const claim = m.store.claim;
    m.store.claim = async () => {
      throw new Error("ProvisionedThroughputExceededException");
    };
    const failed = await m.run("2026-01-15T10:15:00Z");
    expect(failed).toMatchObject({ status: "failed", failure: { step: "claim" } });
    expect(await m.store.lookupSeen(JOB, [pairOf])).toEqual([]);
    m.store.claim = claim;
    expect(await m.run("2026-01-15T10:20:00Z")).toMatchObject({ status: "ok", newFindings: 1, published: 1 });
    expect(m.alerted()).toEqual(["meta.llama3-70b-instruct-v1:0"]);
  });

  test("the alert fails: the first use is claimed and its pair known; the next run publishes it once", async () => {
    const m = await learned();
    m.sns.failOnAttempt.add(1);
    const failed = await m.run("2026-01-15T10:15:00Z");
    expect(failed).toMatchObject({ status: "failed", failure: { step: "publish" }, newFindings: 1 });
    expect(await m.store.lookupSeen(JOB, [pairOf])).toHaveLength(1);
    const next = await m.run("2026-01-15T10:20:00Z");
    expect(next).toMatchObject({ status: "ok", newFindings: 0, published: 1 });
    expect(await m.run("2026-01-15T10:25:00Z")).toMatchObject({ status: "ok", findings: 0, published: 0 });
    expect(m.alerted()).toEqual(["meta.llama3-70b-instruct-v1:0"]);
  });

  test("the alert fails, then an earlier use of the pair arrives late: still one alert", async () => {
    const m = await learned();
    m.sns.failOnAttempt.add(1);
    expect(await m.run("2026-01-15T10:15:00Z")).toMatchObject({ status: "failed", failure: { step: "publish" } });
    // Delivered late, a minute before the use that was claimed: with its pair unknown it would be a first use of
    // its own, under another id.
    m.delivered.push(invoked("2026-01-15T10:11:00Z", "meta.llama3-70b-instruct-v1:0"));
    expect(await m.run("2026-01-15T10:20:00Z")).toMatchObject({ status: "ok", published: 1 });
    expect(m.alerted()).toEqual(["meta.llama3-70b-instruct-v1:0"]);
  });

  test("the recording always fails: the window's first use alerts once, and the watermark stays", async () => {
    const m = await learned();
    // An approved principal's new pair: recorded by the run's recording only, so each run has one to record.
    m.delivered.push(invoked("2026-01-15T10:13:00Z", "amazon.nova-pro-v1:0", APPROVED_ROLE));
    const watermark = await m.store.getWatermark(JOB);
    m.store.recordSeen = async () => {
      throw new Error("ProvisionedThroughputExceededException");
    };
    const failed = await m.run("2026-01-15T10:15:00Z");
    expect(failed).toMatchObject({ status: "failed", failure: { step: "record" }, newFindings: 1, published: 1 });
    expect(failed.newTermBaseline?.recorded).toBe(0);
    const again = await m.run("2026-01-15T10:20:00Z");
    // The first use's pair is known (its claim wrote it): no finding again; the approved pair still to record.
    expect(again).toMatchObject({ status: "failed", failure: { step: "record" }, newFindings: 0, published: 0 });
    expect(m.alerted()).toEqual(["meta.llama3-70b-instruct-v1:0"]);
    expect(await m.store.getWatermark(JOB)).toBe(watermark);
  });

  test("the learning run fails: it is not marked learned, and the next run learns again without alerting", async () => {
    const m = monitor();
    m.delivered.push(invoked("2026-01-15T10:03:00Z", "amazon.nova-pro-v1:0"));
    const recordSeen = m.store.recordSeen;
    m.store.recordSeen = async () => {
      throw new Error("ValidationException");
    };
    const failed = await m.run("2026-01-15T10:10:00Z");
    expect(failed).toMatchObject({ status: "failed", failure: { step: "record" } });
    expect(await m.store.getBaselineSince(JOB, MARKER)).toBeUndefined();
    m.store.recordSeen = recordSeen;
    expect(await m.run("2026-01-15T10:15:00Z")).toMatchObject({ status: "ok", newFindings: 0 });
    expect(await m.store.getBaselineSince(JOB, MARKER)).toBeDefined();
  });

  test("the look-up fails: the run fails before claiming anything and keeps its watermark", async () => {
    const m = await learned();
    const before = await m.store.getWatermark(JOB);
    m.store.lookupSeen = async () => {
      throw new Error("unprocessed keys");
    };
    const failed = await m.run("2026-01-15T10:15:00Z");
    expect(failed).toMatchObject({ status: "failed", failure: { step: "record" }, newFindings: 0 });
    expect(await m.store.getWatermark(JOB)).toBe(before);
  });
});
