/**
 * The first-use rule in the scheduled monitor under failures: runs at random times over generated
 * weeks of invocations, each run possibly failing at any state store call or at the alert (SNS
 * refusing the message), then quiet runs until everything is drained. Every first use the reference
 * engine finds (learning until the end of the run that marked the rule learned) is alerted exactly
 * once, and nothing else is: a failed run never loses a first use (its pair is recorded only with its
 * claim) and never alerts one twice (the claim dedupes the repeated window).
 * The one duplicate no store can prevent (SNS accepted, the process died before recording it) is
 * left to test/runtime/state-machine.property.test.ts. It runs on the in-memory store and on
 * DynamoStateStore against DynamoDB Local (a table per history).
 *
 * @slow (part on DynamoDB Local)
 */
import fc from "fast-check";
import type { Notifier } from "../../src/aws/contracts";
import { correlate } from "../../src/detection/correlation/engine";
import type { NewTermRule } from "../../src/guardrail/correlation-definition";
import { selectRules } from "../../src/guardrail/guardrail";
import { learnedMarker } from "../../src/runtime/correlation-step";
import { runJob } from "../../src/runtime/job";
import { DynamoStateStore } from "../../src/runtime/state/dynamodb";
import type { StateStore } from "../../src/runtime/state/store";
import { dynamoDbLocalForSuite } from "../support/dynamodb-local";
import { guardrailFrom } from "../support/fixtures";
import { MemoryStateStore } from "../support/memory-state-store";
import { invocation, NO_EVENTS, windowSource } from "./new-term-support";

const RULE = "bedrock-model-first-use";
const g = selectRules(guardrailFrom(), [RULE]);
const MARKER = learnedMarker(g.correlationRules[0] as NewTermRule);
const DAY = 86_400_000;
// In the future: DynamoDB Local deletes an item about a second after its TTL (pairs, dedupe records) passes.
const START_MS = Date.parse("2046-01-01T00:00:00Z");
const FIRST_RUN_MS = START_MS + 10 * DAY;
const ROLES = ["app", "intruder"];
const MODELS = ["anthropic.claude-3-sonnet-20240229-v1:0", "amazon.nova-pro-v1:0"];

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

const historyArb = fc
  .array(
    fc.record({
      offsetS: fc.integer({ min: 0, max: (90 * DAY) / 1000 }),
      role: fc.constantFrom(...ROLES),
      model: fc.constantFrom(...MODELS),
    }),
    { minLength: 5, maxLength: 30 },
  )
  .map((uses) =>
    uses.map((u, n) =>
      invocation({
        n,
        time: iso(START_MS + u.offsetS * 1000),
        roleArn: `arn:aws:iam::111122223333:role/${u.role}`,
        model: u.model,
      }),
    ),
  );

/** Each run: how long after the previous one, and where it fails (a store call's index, or its first alert). */
const runsArb = fc.array(
  fc.record({
    gapMs: fc.integer({ min: 3_600_000, max: 6 * DAY }),
    failAt: fc.oneof(
      fc.constant(undefined),
      fc.integer({ min: 0, max: 12 }).map((call) => ({ call })),
      fc.constant("alert" as const),
    ),
  }),
  { minLength: 4, maxLength: 20 },
);

class Crash extends Error {}

/**
 * The store, failing at its `failAt`-th call of the run (counted across its methods), except the
 * one write that records an alert SNS already accepted: failing that one is the duplicate no store
 * can prevent.
 */
function failingAt(store: StateStore, failAt: number | undefined): StateStore {
  let calls = 0;
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== "function" || name === "markPublished") return value;
      return (...args: unknown[]) => {
        if (calls++ === failAt) return Promise.reject(new Crash("injected store failure"));
        return value.apply(target, args);
      };
    },
  });
}

async function failuresNeitherLoseNorRepeat(open: () => Promise<StateStore>, numRuns: number): Promise<void> {
  let failedRuns = 0;
  let alertsSeen = 0;
  await fc.assert(
    fc.asyncProperty(historyArb, runsArb, async (history, runs) => {
      const store = await open();
      const alerted: string[] = [];
      let failAlert = false;
      const notifier: Notifier = {
        async publish(_subject, body) {
          if (failAlert) throw new Crash("SNS refused the message");
          alerted.push(String((JSON.parse(body) as { event: { id: string } }).event.id));
        },
      };
      let now = FIRST_RUN_MS;
      let learnedAt: number | undefined;
      const quiet = Array.from({ length: 3 }, () => ({ gapMs: 3_600_000, failAt: undefined }));
      for (const [i, run] of [...runs, ...quiet].entries()) {
        now += i === 0 ? 0 : run.gapMs;
        failAlert = run.failAt === "alert";
        const storeCall = typeof run.failAt === "object" ? run.failAt.call : undefined;
        const summary = await runJob(
          {
            guardrail: g,
            store: failingAt(store, storeCall),
            source: NO_EVENTS,
            correlations: windowSource(history),
            correlationBaseline: windowSource(history, 30),
            notifier,
            now: () => new Date(now),
            runId: `run-${i}`,
          },
          { jobName: "query-job" },
        );
        if (summary.status === "failed") failedRuns++;
        if (learnedAt === undefined && (await store.getBaselineSince("query-job", MARKER))) learnedAt = now;
      }
      const end = now;
      const want = correlate(g.correlationRules, history, { learnUntilMs: learnedAt })
        .filter((c) => c.events[0].timeMs < end)
        .map((c) => c.id)
        .sort();
      alertsSeen += want.length;
      expect(alerted.sort()).toEqual(want);
    }),
    { numRuns, seed: 11, endOnFailure: true },
  );
  // The property is exercised: runs did fail, and there were first uses to alert.
  expect(failedRuns).toBeGreaterThan(numRuns / 3);
  expect(alertsSeen).toBeGreaterThan(numRuns / 3);
}

test("failures anywhere in a run neither lose a first use nor alert one twice (in-memory store)", () =>
  failuresNeitherLoseNorRepeat(async () => new MemoryStateStore(), 150));

describe("on DynamoDB Local", () => {
  const dynamoDbLocal = dynamoDbLocalForSuite();
  test("failures anywhere in a run neither lose a first use nor alert one twice (DynamoStateStore)", () =>
    failuresNeitherLoseNorRepeat(
      async () => new DynamoStateStore(dynamoDbLocal().client(), await dynamoDbLocal().createStateTable()),
      12,
    ));
});
