/**
 * The new-term baselines on the state table: a `seen#<hash>` entry per (rule, group, value) pair with its last use and
 * TTL, and a `baseline#<rule>` marker per rule once its first run has learned.
 */
import * as crypto from "node:crypto";
import { type AttributeValue, BatchGetItemCommand, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { RecordedPair, SeenPair, TermPair } from "./store";
import { isConditionFailure, jobKey, N, PK, S, SK, type StateTable, TTL } from "./dynamodb-table";

/** The key of a new-term pair's entry. */
export const seenItemKey = (job: string, p: TermPair) => ({
  [PK]: S(`seen#${crypto.createHash("sha256").update([job, p.rule, p.group, p.value].join("\0")).digest("hex")}`),
  [SK]: S("seen"),
});

/** BatchGetItem takes at most 100 keys per call. */
const BATCH_GET_KEYS = 100;
/** Attempts at the keys DynamoDB left unprocessed (throttling) before the run fails and is retried whole. */
const UNPROCESSED_ATTEMPTS = 8;

export async function lookupSeen(table: StateTable, job: string, pairs: readonly TermPair[]): Promise<SeenPair[]> {
  // Each pair's key hashed once, and a pair asked for twice looked up once.
  const wanted = new Map(
    pairs.map((pair) => {
      const key = seenItemKey(job, pair);
      return [key[PK].S!, { pair, key }];
    }),
  );
  const out: SeenPair[] = [];
  const keys = [...wanted.values()].map((w) => w.key);
  for (let i = 0; i < keys.length; i += BATCH_GET_KEYS)
    for (const item of await batchGet(table, keys.slice(i, i + BATCH_GET_KEYS))) {
      const pair = wanted.get(item[PK]?.S ?? "")?.pair;
      const lastSeenMs = Number(item.lastSeenMs?.N);
      // The hash names the pair; the stored names confirm it (and an incomplete item is not a sighting).
      if (!pair || item.job?.S !== job || item.rule?.S !== pair.rule) continue;
      if (item.pairGroup?.S !== pair.group || item.pairValue?.S !== pair.value || !Number.isFinite(lastSeenMs))
        continue;
      out.push({ ...pair, lastSeenMs });
    }
  return out;
}

/** One BatchGetItem of up to 100 keys, retrying what DynamoDB leaves unprocessed; fails when it keeps doing so. */
async function batchGet(
  table: StateTable,
  keys: Record<string, AttributeValue>[],
): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let todo = keys;
  for (let attempt = 0; todo.length > 0; attempt++) {
    if (attempt >= UNPROCESSED_ATTEMPTS)
      throw new Error(`DynamoDB left ${todo.length} baseline key(s) unprocessed after ${attempt} attempts`);
    if (attempt > 0) await table.backoff(attempt - 1);
    const r = await table.client.send(
      new BatchGetItemCommand({ RequestItems: { [table.name]: { Keys: todo, ConsistentRead: true } } }),
    );
    items.push(...(r.Responses?.[table.name] ?? []));
    todo = r.UnprocessedKeys?.[table.name]?.Keys ?? [];
  }
  return items;
}

export async function recordSeen(table: StateTable, job: string, pairs: readonly RecordedPair[]): Promise<void> {
  // Conditional puts (BatchWriteItem has no conditions): a pair's time never moves back. A few at a time.
  for (let i = 0; i < pairs.length; i += 10)
    await Promise.all(pairs.slice(i, i + 10).map((p) => putSeen(table, job, p)));
}

/** Records one pair as recordSeen does (a later use stored already stays). */
export async function putSeen(table: StateTable, job: string, p: RecordedPair): Promise<void> {
  try {
    await table.client.send(new PutItemCommand(seenPut(table, job, p)));
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
  }
}

/** The conditional put of a pair's entry (recordSeen's, and a first use's claim's): its time never moves back. */
export function seenPut(table: StateTable, job: string, p: RecordedPair) {
  return {
    TableName: table.name,
    Item: {
      ...seenItemKey(job, p),
      job: S(job),
      rule: S(p.rule),
      pairGroup: S(p.group),
      pairValue: S(p.value),
      lastSeenMs: N(p.lastSeenMs),
      [TTL]: N(p.expiresAt),
    },
    // Equal: a learning run rewriting a pair with the TTL of a changed baseline window.
    ConditionExpression: `attribute_not_exists(${PK}) OR lastSeenMs <= :t`,
    ExpressionAttributeValues: { ":t": N(p.lastSeenMs) },
  };
}

export async function getBaselineSince(table: StateTable, job: string, rule: string): Promise<string | undefined> {
  const r = await table.client.send(
    new GetItemCommand({
      TableName: table.name,
      Key: { ...jobKey(job), [SK]: S(`baseline#${rule}`) },
      ConsistentRead: true,
    }),
  );
  return r.Item?.since?.S;
}

export async function markBaselineLearned(table: StateTable, job: string, rule: string, since: string): Promise<void> {
  try {
    await table.client.send(
      new PutItemCommand({
        TableName: table.name,
        Item: {
          ...jobKey(job),
          [SK]: S(`baseline#${rule}`),
          since: S(since),
          learnedAt: S(new Date().toISOString()),
        },
        // The first learning run's start stays (an overlapping run may learn too).
        ConditionExpression: `attribute_not_exists(${PK})`,
      }),
    );
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
  }
}
