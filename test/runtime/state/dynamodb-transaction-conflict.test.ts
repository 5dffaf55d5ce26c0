/**
 * Two runs claiming one finding, or findings that share a sequence alias, at once: DynamoDB cancels the transaction
 * that meets the other in progress on an item (TransactionCanceledException, reason `TransactionConflict`, no failed
 * condition), and the SDK does not retry it. DynamoStateStore tries such a transaction again, so the claim then finds
 * the other run's writes and is a duplicate, instead of failing the run. DynamoDB Local runs transactions one at a
 * time and never answers with a conflict, so the answer is injected on the client (the other run's claim completes
 * first, as it would while the cancelled one waits), and every attempt after it meets the real engine.
 *
 * @slow (DynamoDB Local)
 */
import { type DynamoDBClient, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import type { CloudTrailRecord } from "../../../src/detection/record";
import { findingsOf } from "../../../src/runtime/pipeline";
import { DynamoStateStore } from "../../../src/runtime/state/dynamodb";
import { dynamoDbLocalForSuite } from "../../support/dynamodb-local";
import { at, eventBridgeEvent, guardrailWith, simEvent } from "../helpers";

const JOB = "query-job";
const dynamoDbLocal = dynamoDbLocalForSuite();
const [f1, f2] = findingsOf(
  guardrailWith(),
  ["e-1", "e-2"].map((id) => eventBridgeEvent(simEvent(id, at("2026-07-01T11:58:00Z"), 0)).detail as CloudTrailRecord),
).findings;

/** DynamoDB's answer to a transaction that met another in progress on the item of its action at `index`. */
function conflictAt(index: number, actions: number): TransactionCanceledException {
  const reasons = Array.from({ length: actions }, (_, i) =>
    i === index ? { Code: "TransactionConflict", Message: "Transaction is ongoing for the item." } : { Code: "None" },
  );
  return new TransactionCanceledException({
    message: `Transaction cancelled, refer to the cancellation reasons [${reasons.map((r) => r.Code)}]`,
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: reasons,
  });
}

/**
 * Answers the client's first `times` TransactWriteItems with a conflict at `index`, once `first` (the other run's
 * write) is done; counts them all.
 */
function conflicting(
  client: DynamoDBClient,
  index: number,
  times: number,
  first: () => Promise<unknown> = async () => {},
) {
  const seen = { transactions: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== "TransactWriteItemsCommand") return next(args);
      if (++seen.transactions > times) return next(args);
      await first();
      const actions = (args.input as { TransactItems: unknown[] }).TransactItems.length;
      throw conflictAt(index, actions);
    },
    { step: "initialize", name: "transactionConflict" },
  );
  return seen;
}

async function twoStores() {
  const local = dynamoDbLocal();
  const table = await local.createStateTable();
  const clientB = local.client();
  return {
    a: new DynamoStateStore(local.client(), table),
    clientB,
    b: new DynamoStateStore(clientB, table, { backoffMs: () => 0 }),
  };
}

test("two runs claim findings sharing one sequence alias at once: the one cancelled retries, a duplicate", async () => {
  const { a, b, clientB } = await twoStores();
  let claimedByA: Promise<unknown> | undefined;
  // The alias is the claim's second action (event, alias, pending entry).
  const seen = conflicting(clientB, 1, 1, () => (claimedByA = a.claim(JOB, f1, { aliases: ["seq-alias"] })));
  expect(await b.claim(JOB, f2, { aliases: ["seq-alias"] })).toBe("duplicate");
  expect(await claimedByA).toBe("new");
  expect(seen.transactions).toBe(2);
  expect((await b.listPending(JOB)).map((p) => p.eventId)).toEqual([f1.event.id]);
});

test("two runs claim one finding at once: the one cancelled tries again and is a duplicate", async () => {
  const { a, b, clientB } = await twoStores();
  conflicting(clientB, 0, 1, () => a.claim(JOB, f1, { export: true }));
  expect(await b.claim(JOB, f1, { export: true })).toBe("duplicate");
  expect((await a.listPending(JOB)).map((p) => p.eventId)).toEqual([f1.event.id]);
  expect((await a.listExports(JOB)).map((p) => p.eventId)).toEqual([f1.event.id]);
});

test("a completion that meets a claim of its alias in progress tries again and completes", async () => {
  const { a, b, clientB } = await twoStores();
  expect(await b.claim(JOB, f1, { aliases: ["seq-alias"] })).toBe("new");
  const [item] = await b.listPending(JOB);
  expect(await b.lease(f1.event.id, "run-b", "2026-07-01T12:00:00Z", "2026-07-01T12:15:00Z")).toBe("pending");
  // The alias update is the completion's third action (event, pending entry, alias).
  conflicting(clientB, 2, 1, () => a.claim(JOB, f2, { aliases: ["seq-alias"] }));
  await b.complete(JOB, item, "run-b", 4_000_000_000);
  expect(await b.listPending(JOB)).toEqual([]);
});

test("a conflict that lasts fails the claim after 5 attempts (the run fails and keeps its watermark)", async () => {
  const { b, clientB } = await twoStores();
  const seen = conflicting(clientB, 1, Number.POSITIVE_INFINITY);
  await expect(b.claim(JOB, f2, { aliases: ["seq-alias"] })).rejects.toThrow(TransactionCanceledException);
  expect(seen.transactions).toBe(5);
  expect(await b.listPending(JOB)).toEqual([]);
});
