/**
 * A first use's pair is written in its claim's transaction. A run whose claims succeed and whose recording of the
 * window's pairs then fails leaves the claimed first use's pair known anyway: an earlier use of the pair that arrives
 * late (before the next run) is no first use of its own under another id, and the pair alerts once. Run on the
 * in-memory store and on DynamoStateStore against DynamoDB Local, where the recording fails on the wire: every
 * `PutItem` of a `seen#` item is refused (a throttled or failing write), while the claims' transactions go through.
 *
 * @slow (DynamoDB Local)
 */
import type { DynamoDBClient, PutItemCommandInput } from "@aws-sdk/client-dynamodb";
import { SnsNotifier } from "../../src/aws/sns";
import type { CloudTrailRecord } from "../../src/detection/record";
import { selectRules } from "../../src/guardrail/guardrail";
import { runJob } from "../../src/runtime/job";
import { DynamoStateStore } from "../../src/runtime/state/dynamodb";
import type { StateStore } from "../../src/runtime/state/store";
import { dynamoDbLocalForSuite } from "../support/dynamodb-local";
import { MemoryStateStore } from "../support/memory-state-store";
import { at, guardrailWith, simulateSns, TOPIC_ARN } from "./helpers";
import { invocation, NO_EVENTS, windowSource } from "./new-term-support";

const g = selectRules(guardrailWith(), ["bedrock-model-first-use"]);
const JOB = "query-job";
const MODEL = "meta.llama3-70b-instruct-v1:0";
const ROLE = "arn:aws:iam::111122223333:role/app";
const PAIR = { rule: "bedrock-model-first-use", group: `principal ${ROLE}`, value: MODEL };

/** A store whose separate recording of pairs (not the claims) can be made to fail. */
interface StoreUnderTest {
  store: StateStore;
  failRecording(on: boolean): void;
}

/** The scheduled job on `store`, over the records `delivered` holds, publishing to a simulated topic. */
function monitor(store: StateStore) {
  const sns = simulateSns();
  const delivered: CloudTrailRecord[] = [];
  let runs = 0;
  const run = (now: string) =>
    runJob(
      {
        guardrail: g,
        store,
        source: NO_EVENTS,
        correlations: windowSource(delivered),
        correlationBaseline: windowSource(delivered, 30),
        notifier: new SnsNotifier(sns.client, TOPIC_ARN),
        now: () => at(now),
        runId: `run-${++runs}`,
      },
      { jobName: JOB },
    );
  return { sns, delivered, run };
}

async function oneAlertForALateEarlierUse(open: () => Promise<StoreUnderTest>): Promise<void> {
  const { store, failRecording } = await open();
  const { sns, delivered, run } = monitor(store);
  // In the future: DynamoDB Local deletes an item about a second after its TTL (the pair's: last use + 30 days).
  expect(await run("2046-01-15T10:10:00Z")).toMatchObject({ status: "ok", newTermBaseline: { learning: [PAIR.rule] } });

  delivered.push(invocation({ n: 2, time: "2046-01-15T10:12:00Z", roleArn: ROLE, model: MODEL }));
  failRecording(true);
  const failed = await run("2046-01-15T10:15:00Z");
  // The alerts go out before the recording: the failed run published the first use.
  expect(failed).toMatchObject({ status: "failed", failure: { step: "record" }, newFindings: 1, published: 1 });
  const knownAfterFailure = await store.lookupSeen(JOB, [PAIR]);

  failRecording(false);
  // Delivered late, a minute before the use that was claimed: with its pair unknown it would be a first use of its
  // own, under another id, and a second alert.
  delivered.push(invocation({ n: 1, time: "2046-01-15T10:11:00Z", roleArn: ROLE, model: MODEL }));
  const next = await run("2046-01-15T10:20:00Z");
  const quiet = await run("2046-01-15T10:25:00Z");
  expect(sns.published.map((p) => p.body.guardrail.correlation.event_ids)).toEqual([
    ["00000000-0000-4000-8000-000000000002"],
  ]);
  expect(next).toMatchObject({ status: "ok", newFindings: 0, published: 0 });
  expect(quiet).toMatchObject({ status: "ok", newFindings: 0, published: 0 });
  // Claimed with the first use: the pair was known although the recording failed.
  expect(knownAfterFailure).toEqual([{ ...PAIR, lastSeenMs: Date.parse("2046-01-15T10:12:00Z") }]);
}

test("the recording fails after the claims, then an earlier use arrives late: one alert (in-memory store)", () =>
  oneAlertForALateEarlierUse(async () => {
    const store = new MemoryStateStore();
    const recordSeen = store.recordSeen.bind(store);
    return {
      store,
      failRecording(on) {
        store.recordSeen = on ? () => Promise.reject(new Error("ProvisionedThroughputExceededException")) : recordSeen;
      },
    };
  }));

test("a first use an earlier release claimed without its pair: the duplicate claim writes it, one alert", async () => {
  const store = new MemoryStateStore();
  const { sns, delivered, run } = monitor(store);
  expect(await run("2046-01-15T10:10:00Z")).toMatchObject({ status: "ok", newTermBaseline: { learning: [PAIR.rule] } });
  delivered.push(invocation({ n: 2, time: "2046-01-15T10:12:00Z", roleArn: ROLE, model: MODEL }));
  // The earlier release's run: claims without the pair, its recording fails before the alerts.
  const { claim, recordSeen } = store;
  store.claim = (job, finding, options) => claim.call(store, job, finding, { ...options, pair: undefined });
  store.recordSeen = () => Promise.reject(new Error("ProvisionedThroughputExceededException"));
  sns.failOnAttempt.add(1);
  expect(await run("2046-01-15T10:15:00Z")).toMatchObject({ status: "failed", newFindings: 1, published: 0 });
  expect(await store.lookupSeen(JOB, [PAIR])).toEqual([]);

  // Upgraded, and the recording still fails: the run finds the first use claimed, and its pair written now.
  store.claim = claim;
  const upgraded = await run("2046-01-15T10:20:00Z");
  expect(upgraded).toMatchObject({ status: "failed", failure: { step: "record" }, duplicates: 1, published: 1 });
  expect(await store.lookupSeen(JOB, [PAIR])).toEqual([{ ...PAIR, lastSeenMs: Date.parse("2046-01-15T10:12:00Z") }]);

  // An earlier use delivered late is no first use of its own under another id.
  store.recordSeen = recordSeen;
  delivered.push(invocation({ n: 1, time: "2046-01-15T10:11:00Z", roleArn: ROLE, model: MODEL }));
  expect(await run("2046-01-15T10:25:00Z")).toMatchObject({ status: "ok", newFindings: 0, published: 0 });
  expect(sns.published.map((p) => p.body.guardrail.correlation.event_ids)).toEqual([
    ["00000000-0000-4000-8000-000000000002"],
  ]);
});

/** Every PutItem of a `seen#` item refused on the client, before it is sent, while `failing` says so. */
function refusingPairPuts(client: DynamoDBClient): { failing: boolean } {
  const state = { failing: false };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Partial<PutItemCommandInput>;
      if (state.failing && context.commandName === "PutItemCommand" && input.Item?.pk?.S?.startsWith("seen#")) {
        const e = new Error("Throughput exceeds the current capacity of your table");
        e.name = "ProvisionedThroughputExceededException";
        throw e;
      }
      return next(args);
    },
    { step: "initialize", name: "refusePairPuts" },
  );
  return state;
}

describe("on DynamoDB Local", () => {
  const dynamoDbLocal = dynamoDbLocalForSuite();
  test("the recording fails after the claims, then an earlier use arrives late: one alert (DynamoStateStore)", () =>
    oneAlertForALateEarlierUse(async () => {
      const client = dynamoDbLocal().client();
      const refusing = refusingPairPuts(client);
      const store = new DynamoStateStore(client, await dynamoDbLocal().createStateTable());
      return {
        store,
        failRecording(on) {
          refusing.failing = on;
        },
      };
    }));
});
