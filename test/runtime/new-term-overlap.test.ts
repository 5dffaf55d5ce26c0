/**
 * Two runs overlapping (the schedule fires while a slow run is still going) and an earlier use of a pair delivered
 * between their queries: the slow run looked the pair up before the other claimed the first use it saw, so each finds
 * the pair unknown and each makes a first use of it, under two ids. The claim decides, atomically, as the lookup
 * would: a first use whose pair the store holds a use of within the rule's baseline before it (or later) is a
 * duplicate, so the pair alerts once. Run on the in-memory store and on DynamoStateStore against DynamoDB Local.
 *
 * @slow (DynamoDB Local)
 */
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

/** The store, with the run's new-term lookup held until `resume` (the slow run's queries and claims after it). */
function pausedAfterLookup(store: StateStore): { store: StateStore; looked: Promise<void>; resume: () => void } {
  let resume!: () => void;
  let looked!: () => void;
  const gate = new Promise<void>((r) => {
    resume = r;
  });
  const lookedUp = new Promise<void>((r) => {
    looked = r;
  });
  const paused = Object.create(store) as StateStore;
  paused.lookupSeen = async (job, pairs) => {
    const found = await store.lookupSeen(job, pairs);
    looked();
    await gate;
    return found;
  };
  return { store: paused, looked: lookedUp, resume };
}

async function oneAlertForTwoOverlappingRuns(store: StateStore): Promise<void> {
  const sns = simulateSns();
  const run = (s: StateStore, delivered: CloudTrailRecord[], now: string, runId: string) =>
    runJob(
      {
        guardrail: g,
        store: s,
        source: NO_EVENTS,
        correlations: windowSource(delivered),
        correlationBaseline: windowSource(delivered, 30),
        notifier: new SnsNotifier(sns.client, TOPIC_ARN),
        now: () => at(now),
        runId,
      },
      { jobName: JOB },
    );
  // In the future: DynamoDB Local deletes an item about a second after its TTL (the pair's: last use + 30 days).
  expect(await run(store, [], "2046-01-15T10:10:00Z", "learning")).toMatchObject({ status: "ok" });

  const later = invocation({ n: 2, time: "2046-01-15T10:12:00Z", roleArn: ROLE, model: MODEL });
  const earlier = invocation({ n: 1, time: "2046-01-15T10:11:00Z", roleArn: ROLE, model: MODEL });
  // The slow run reads both uses (the earlier one delivered late, just before its query) and is held after its lookup.
  const slow = pausedAfterLookup(store);
  const slowRun = run(slow.store, [earlier, later], "2046-01-15T10:16:00Z", "slow");
  await slow.looked;
  // Meanwhile the next scheduled run, whose query came first, saw the later use only: its first use, alerted.
  expect(await run(store, [later], "2046-01-15T10:15:00Z", "fast")).toMatchObject({ status: "ok", published: 1 });
  slow.resume();
  expect(await slowRun).toMatchObject({ status: "ok", newFindings: 0, duplicates: 1, published: 0 });
  expect(sns.published.map((p) => p.body.guardrail.correlation.event_ids)).toEqual([
    ["00000000-0000-4000-8000-000000000002"],
  ]);
}

test("overlapping runs, an earlier use delivered between their queries: one alert (in-memory store)", () =>
  oneAlertForTwoOverlappingRuns(new MemoryStateStore()));

describe("on DynamoDB Local", () => {
  const dynamoDbLocal = dynamoDbLocalForSuite();
  test("overlapping runs, an earlier use delivered between their queries: one alert (DynamoStateStore)", async () =>
    oneAlertForTwoOverlappingRuns(
      new DynamoStateStore(dynamoDbLocal().client(), await dynamoDbLocal().createStateTable()),
    ));
});
