/**
 * The scheduled job on cloudwatch-logs runs the threshold rules over their events, read by the
 * registry's correlation source from a simulated Logs Insights (aws-sdk-client-mock answers StartQuery
 * with the events whose time is in its range, as @message rows): a probe split across two runs alerts
 * once, citing all its events, and the other correlation kinds do not run over these rows (they would
 * see only failed invocations, not every invocation they need).
 */
import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
  type StartQueryCommandInput,
} from "@aws-sdk/client-cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import { SnsNotifier } from "../../src/aws/sns";
import type { CloudTrailRecord } from "../../src/detection/record";
import { runJob } from "../../src/runtime/job";
import { MONITOR_SOURCES } from "../../src/runtime/query/backends";
import type { QueryResult, QuerySource } from "../../src/runtime/query/source";
import { MemoryStateStore } from "../support/memory-state-store";
import { guardrailWith, simulateSns, TOPIC_ARN } from "./helpers";

const g = guardrailWith();
const probing = g.correlationRules.find((r) => r.id === "bedrock-invocation-probing")!;
const REGIONS = ["us-east-1", "us-west-2", "eu-central-1"];
// The rule's own 20 denied invocations in 9 minutes, spread over three Regions (a value-count finding
// if the multi-Region rule ran over these rows).
const probe = (probing.tests.find((t) => t.expect)!.history as CloudTrailRecord[]).map((r, i) => ({
  ...r,
  awsRegion: REGIONS[i % 3],
}));

function simulateLogsInsights(events: CloudTrailRecord[]) {
  const mock = mockClient(CloudWatchLogsClient);
  const started: StartQueryCommandInput[] = [];
  const results = new Map<string, CloudTrailRecord[]>();
  mock.on(StartQueryCommand).callsFake((input: StartQueryCommandInput) => {
    started.push(input);
    const rows = events.filter((e) => {
      const s = Date.parse(String(e.eventTime)) / 1000;
      return s >= input.startTime! && s <= input.endTime!;
    });
    results.set(`q${started.length}`, rows);
    return { queryId: `q${started.length}` };
  });
  mock.on(GetQueryResultsCommand).callsFake((input: { queryId: string }) => ({
    status: "Complete",
    results: results.get(input.queryId)!.map((e) => [
      { field: "@message", value: JSON.stringify(e) },
      { field: "eventID", value: String(e.eventID) },
    ]),
    statistics: { bytesScanned: 10 },
  }));
  return { mock, started };
}

const noEvents: QuerySource = {
  backend: "cloudwatch-logs",
  run: async (): Promise<QueryResult> => ({ records: [], rows: 0, bytesScanned: 0, unreadable: [] }),
};

test("a probe split across two runs alerts once, from the threshold rule alone", async () => {
  const sim = simulateLogsInsights(probe);
  const correlations = MONITOR_SOURCES["cloudwatch-logs"].correlations!(
    g,
    { backend: "cloudwatch-logs", logGroups: ["org-trail"] },
    { region: "us-east-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" } },
    { initialDelayMs: 0, maxDelayMs: 0, timeoutMs: 60_000 },
  )!;
  expect(correlations.correlationRules?.map((r) => r.id)).toEqual(["bedrock-invocation-probing"]);
  const sns = simulateSns();
  const store = new MemoryStateStore();
  let runs = 0;
  const run = (start: string, end: string) =>
    runJob(
      {
        guardrail: g,
        store,
        source: noEvents,
        correlations,
        notifier: new SnsNotifier(sns.client, TOPIC_ARN),
        runId: `run-${++runs}`,
      },
      { jobName: "query-job", window: { start: new Date(start), end: new Date(end) } },
    );
  // The first run ends halfway through the probe; the second starts there, inside its 10-minute window.
  expect(await run("2026-01-15T09:50:00Z", "2026-01-15T10:04:30Z")).toMatchObject({ status: "ok", newFindings: 0 });
  expect(await run("2026-01-15T10:04:30Z", "2026-01-15T10:20:00Z")).toMatchObject({ status: "ok", newFindings: 1 });
  // An overlapping run (the lateness allowance) finds the same correlation, claimed already.
  expect(await run("2026-01-15T10:00:00Z", "2026-01-15T10:25:00Z")).toMatchObject({ newFindings: 0, duplicates: 1 });
  // The second run read back to 10:00, the start of the window holding its start, with the rows query.
  expect(sim.started[1].startTime).toBe(Date.parse("2026-01-15T10:00:00Z") / 1000);
  expect(sim.started[1].queryString).toMatch(/^fields @timestamp, @message, /);
  expect(sim.started[1].queryString).toContain('errorCode in ["ValidationException", "AccessDenied", ');
  expect(sns.published.map((p) => p.body.rule.id)).toEqual(["bedrock-invocation-probing"]);
  expect(sns.published[0].body.guardrail.correlation).toMatchObject({
    kind: "threshold",
    group: "access-key AKIAEXAMPLEEXAMPLE01",
    window_start: "2026-01-15T10:00:00.000Z",
    event_count: 20,
    event_ids: probe.map((r) => r.eventID),
  });
  sim.mock.restore();
});

test("without threshold rules, cloudwatch-logs has no correlation source", () => {
  const others = { ...g, correlationRules: g.correlationRules.filter((r) => r.kind !== "threshold") };
  expect(
    MONITOR_SOURCES["cloudwatch-logs"].correlations!(others, { backend: "cloudwatch-logs", logGroups: ["x"] }, {}),
  ).toBeUndefined();
});
