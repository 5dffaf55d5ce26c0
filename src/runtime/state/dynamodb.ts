/**
 * StateStore on the shared DynamoDB table (single-table design, keys in contracts.ts):
 *   job#<job>   / watermark                  { watermark, updatedAt }
 *   job#<job>   / drift                      { fingerprint }
 *   job#<job>   / coverage                   { accounts (JSON: target -> account IDs), departed, listedAt }
 *                                            the drift check's memory of the accounts under its OU targets
 *   job#<job>   / pending#<eventTime>#<id>   { eventId, eventTime, finding (JSON), alertOnly?, aliases? }
 *                                            the carry-over list
 *   job#<job>   / export#<eventTime>#<id>    { eventId, eventTime, finding (JSON), attempts, lastError? }
 *                                            the Security Hub export queue
 *   event#<id>  / event                      { status, job, leaseOwner?, leaseUntil?, expiresAt? }   dedupe
 *   alias#<alias> / alias                    { findingId, job, expiresAt? }   another key of a claimed finding
 *   job#<job>   / baseline#<rule> <days>d    { since, learnedAt }   a new-term rule's first run has learned
 *   seen#<hash> / seen                       { job, rule, pairGroup, pairValue, lastSeenMs, expiresAt }
 *                                            a new-term pair (hash: sha256 of job, rule, group, value, so a
 *                                            long ARN or model id never meets the key size limit)
 * Claim and completion are transactions over the event item and its pending entry, so "not done"
 * and "in the pending list" can never disagree; with Security Hub on, the claim's transaction also
 * writes the export entry, so a claimed finding is always queued for Security Hub too. A finding's
 * aliases are in both transactions: the claim's conditions make any taken one a duplicate, and the
 * completion gives them the event item's TTL. A first use's claim also puts its `seen#` pair, so the
 * pair is known once the first use is claimed, never claimed without it; a duplicate claim of it puts the
 * pair on its own, for a claim an earlier release made without one.
 */
import * as crypto from "node:crypto";
import {
  type AttributeValue,
  BatchGetItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandOutput,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { Finding } from "../../detection/finding";
import { STATE_TABLE_KEYS } from "../../aws/contracts";
import type { PermissionDeclaration } from "../../aws/permissions";
import {
  type ClaimOptions,
  type ClaimResult,
  type CoverageMemory,
  type EventStatus,
  type ExportItem,
  exportSortKey,
  type PendingItem,
  pendingSortKey,
  type RecordedPair,
  type SeenPair,
  type StateStore,
  type TermPair,
} from "./store";

export const STATE_PERMISSIONS: PermissionDeclaration[] = [
  {
    actions: [
      "dynamodb:GetItem",
      "dynamodb:BatchGetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:Query",
    ],
    resource: { kind: "state-table" },
    why:
      "Watermark, carry-over list, per-event dedupe records and new-term baselines (TransactWriteItems needs the " +
      "Put/Update/Delete actions it contains; BatchGetItem looks up a run's principal x model pairs)",
  },
];

const { partitionKey: PK, sortKey: SK, ttlAttribute: TTL } = STATE_TABLE_KEYS;
const S = (v: string): AttributeValue => ({ S: v });
const N = (v: number): AttributeValue => ({ N: String(v) });
const jobKey = (job: string) => ({ [PK]: S(`job#${job}`) });
const eventKey = (eventId: string) => ({ [PK]: S(`event#${eventId}`), [SK]: S("event") });
const aliasKey = (alias: string) => ({ [PK]: S(`alias#${alias}`), [SK]: S("alias") });

/** The key of a new-term pair's entry. */
export const seenItemKey = (job: string, p: TermPair) => ({
  [PK]: S(`seen#${crypto.createHash("sha256").update([job, p.rule, p.group, p.value].join("\0")).digest("hex")}`),
  [SK]: S("seen"),
});

/** BatchGetItem takes at most 100 keys per call. */
const BATCH_GET_KEYS = 100;
/** Attempts at the keys DynamoDB left unprocessed (throttling) before the run fails and is retried whole. */
const UNPROCESSED_ATTEMPTS = 8;

/**
 * Attempts at a transaction DynamoDB cancels because another one in progress holds one of its items (two runs claiming
 * one finding or one sequence alias at once). The other finishes in milliseconds; the next attempt then meets its
 * writes (a claim finds itself a duplicate).
 */
const CONFLICT_ATTEMPTS = 5;

export interface DynamoStateStoreOptions {
  /**
   * The wait before the n-th retry of unprocessed keys or of a conflicting transaction (default: 50 ms doubling, up
   * to 2 s).
   */
  backoffMs?: (attempt: number) => number;
}

const defaultBackoffMs = (attempt: number): number => Math.min(2_000, 50 * 2 ** attempt);

/** A conditional write that found the condition false: "already done / someone else has it", not an error. */
function isConditionFailure(e: unknown): boolean {
  const err = e as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (err?.name === "ConditionalCheckFailedException") return true;
  return (
    err?.name === "TransactionCanceledException" &&
    (err.CancellationReasons ?? []).some((r) => r.Code === "ConditionalCheckFailed")
  );
}

/** The codes of a cancelled transaction's actions, in order (none for another error). */
const cancellationCodes = (e: unknown): (string | undefined)[] =>
  ((e as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map((r) => r.Code);

/**
 * A transaction cancelled only because another transaction in progress holds one of its items (reason
 * `TransactionConflict`, no failed condition): trying again decides it. The SDK does not retry it (a client error).
 */
function isTransactionConflict(e: unknown): boolean {
  const codes = cancellationCodes(e);
  return (
    (e as { name?: string })?.name === "TransactionCanceledException" &&
    codes.includes("TransactionConflict") &&
    codes.every((code) => code === "TransactionConflict" || code === "None" || code === undefined)
  );
}

/** A cancelled transaction whose only failed condition is the one of its action at `index`. */
function failedOnlyAt(e: unknown, index: number): boolean {
  return cancellationCodes(e).every((code, i) => (code === "ConditionalCheckFailed") === (i === index));
}

export class DynamoStateStore implements StateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly options: DynamoStateStoreOptions = {},
  ) {}

  async getWatermark(job: string): Promise<string | undefined> {
    const r = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { ...jobKey(job), [SK]: S("watermark") },
        ConsistentRead: true,
      }),
    );
    return r.Item?.watermark?.S;
  }

  async advanceWatermark(job: string, to: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { ...jobKey(job), [SK]: S("watermark") },
          UpdateExpression: "SET watermark = :to, updatedAt = :now",
          // Monotonic: an overlapping run that already went further wins.
          ConditionExpression: "attribute_not_exists(watermark) OR watermark < :to",
          ExpressionAttributeValues: { ":to": S(to), ":now": S(new Date().toISOString()) },
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }

  async claim(job: string, finding: Finding, options: ClaimOptions = {}): Promise<ClaimResult> {
    const items = this.claimItems(job, finding, options);
    try {
      await this.transact(items);
      return "new";
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      // The pair's condition alone failed (it is last): an overlapping run stored a later use of the pair, so the pair
      // is known already, which is all the claim needs of it. Claimed again without writing it.
      if (options.pair && failedOnlyAt(e, items.length - 1))
        return this.claim(job, finding, { ...options, pair: undefined });
      // A first use claimed already (its event's condition failed), maybe by a release that wrote no pair with its
      // claims: its pair is written now, as recordSeen would. Best effort: the run's recording writes it again after
      // the alerts and fails the run when it cannot, so a failure here holds back no alert.
      if (options.pair && cancellationCodes(e)[0] === "ConditionalCheckFailed")
        await this.putSeen(job, options.pair).catch(() => undefined);
      return "duplicate";
    }
  }

  /**
   * The claim's transaction: the event, its aliases (one for a sequence finding, none for a first use), the pending
   * entry, the export entry and a first use's pair, last. A handful of the 100 actions a transaction takes; the pair's
   * item is a few hundred bytes next to the finding's two copies.
   */
  private claimItems(job: string, finding: Finding, options: ClaimOptions): TransactWriteItem[] {
    const eventId = finding.event.id;
    const eventTime = finding["@timestamp"];
    const aliases = options.aliases ?? [];
    // The pending and export entries are the same queued finding under two sort keys (written once as JSON).
    const queued = {
      ...jobKey(job),
      eventId: S(eventId),
      eventTime: S(eventTime),
      finding: S(JSON.stringify(finding)),
    };
    const exportEntry = {
      Put: {
        TableName: this.tableName,
        Item: { ...queued, [SK]: S(exportSortKey(eventTime, eventId)), attempts: N(0) },
      },
    };
    return [
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...eventKey(eventId),
            status: S("pending"),
            job: S(job),
            claimedAt: S(new Date().toISOString()),
          },
          ConditionExpression: `attribute_not_exists(${PK})`,
        },
      },
      ...aliases.map((alias) => ({
        Put: {
          TableName: this.tableName,
          Item: { ...aliasKey(alias), findingId: S(eventId), job: S(job) },
          ConditionExpression: `attribute_not_exists(${PK})`,
        },
      })),
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...queued,
            [SK]: S(pendingSortKey(eventTime, eventId)),
            ...(options.alertOnly ? { alertOnly: S(options.alertOnly) } : {}),
            ...(aliases.length > 0 ? { aliases: { L: aliases.map(S) } } : {}),
          },
        },
      },
      ...(options.export ? [exportEntry] : []),
      ...(options.pair ? [{ Put: this.seenPut(job, options.pair) }] : []),
    ];
  }

  async listPending(job: string): Promise<PendingItem[]> {
    return (await this.queuedFindings(job, "pending")).map(({ base, item }) => {
      const aliases = (item.aliases?.L ?? []).flatMap((a) => (a.S ? [a.S] : []));
      return {
        ...base,
        ...(item.alertOnly?.S ? { alertOnly: item.alertOnly.S } : {}),
        ...(aliases.length > 0 ? { aliases } : {}),
      };
    });
  }

  async listExports(job: string): Promise<ExportItem[]> {
    return (await this.queuedFindings(job, "export")).map(({ base, item }) => ({
      ...base,
      attempts: Number(item.attempts?.N ?? "0"),
      ...(item.lastError?.S ? { lastError: item.lastError.S } : {}),
    }));
  }

  /** Every `<queue>#...` item of a job (all pages, consistent reads), with the finding each one carries. */
  private async queuedFindings(
    job: string,
    queue: "pending" | "export",
  ): Promise<{ base: PendingItem; item: Record<string, AttributeValue> }[]> {
    const out: { base: PendingItem; item: Record<string, AttributeValue> }[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: `${PK} = :pk AND begins_with(${SK}, :prefix)`,
          ExpressionAttributeValues: { ":pk": S(`job#${job}`), ":prefix": S(`${queue}#`) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const eventId = item.eventId?.S;
        const eventTime = item.eventTime?.S;
        const finding = item.finding?.S;
        if (!eventId || !eventTime || !finding)
          throw new Error(`${queue} item ${item[SK]?.S ?? "?"} of job ${job} is incomplete`);
        out.push({ base: { eventId, eventTime, finding: JSON.parse(finding) as Finding }, item });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async completeExport(job: string, item: ExportItem): Promise<void> {
    await this.client.send(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: { ...jobKey(job), [SK]: S(exportSortKey(item.eventTime, item.eventId)) },
      }),
    );
  }

  async recordExportFailure(job: string, item: ExportItem, error: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { ...jobKey(job), [SK]: S(exportSortKey(item.eventTime, item.eventId)) },
          UpdateExpression: "ADD attempts :one SET lastError = :error",
          // Only an entry still queued: an overlapping run may have exported it meanwhile.
          ConditionExpression: `attribute_exists(${PK})`,
          ExpressionAttributeValues: { ":one": N(1), ":error": S(error.slice(0, 1000)) },
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }

  async lease(
    eventId: string,
    owner: string,
    now: string,
    leaseUntil: string,
  ): Promise<Exclude<EventStatus, "done"> | undefined> {
    try {
      const r = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: eventKey(eventId),
          UpdateExpression: "SET leaseOwner = :owner, leaseUntil = :until",
          ConditionExpression:
            `attribute_exists(${PK}) AND #s <> :done AND (attribute_not_exists(leaseUntil) OR ` +
            `leaseUntil < :now OR leaseOwner = :owner)`,
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: {
            ":owner": S(owner),
            ":until": S(leaseUntil),
            ":now": S(now),
            ":done": S("done"),
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      const status = r.Attributes?.status?.S;
      if (status !== "pending" && status !== "published")
        throw new Error(`event ${eventId} has unknown status "${status}"`);
      return status;
    } catch (e) {
      if (isConditionFailure(e)) return undefined;
      throw e;
    }
  }

  async markPublished(eventId: string, owner: string): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: eventKey(eventId),
        UpdateExpression: "SET #s = :published, publishedAt = :now",
        ConditionExpression: "leaseOwner = :owner AND #s = :pending",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: {
          ":owner": S(owner),
          ":published": S("published"),
          ":pending": S("pending"),
          ":now": S(new Date().toISOString()),
        },
      }),
    );
  }

  async complete(job: string, item: PendingItem, owner: string, expiresAt: number): Promise<void> {
    // A claim of another finding naming one of its aliases may be in progress: a conflict is tried again.
    await this.transact([
      {
        Update: {
          TableName: this.tableName,
          Key: eventKey(item.eventId),
          UpdateExpression: `SET #s = :done, ${TTL} = :exp REMOVE leaseOwner, leaseUntil`,
          ConditionExpression: "leaseOwner = :owner",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":done": S("done"), ":exp": N(expiresAt), ":owner": S(owner) },
        },
      },
      {
        Delete: {
          TableName: this.tableName,
          Key: { ...jobKey(job), [SK]: S(pendingSortKey(item.eventTime, item.eventId)) },
        },
      },
      ...(item.aliases ?? []).map((alias) => ({
        Update: {
          TableName: this.tableName,
          Key: aliasKey(alias),
          UpdateExpression: `SET ${TTL} = :exp`,
          ExpressionAttributeValues: { ":exp": N(expiresAt) },
        },
      })),
    ]);
  }

  /** One TransactWriteItems, tried again (with back-off) while another transaction in progress holds an item of it. */
  private async transact(items: TransactWriteItem[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
        return;
      } catch (e) {
        if (!isTransactionConflict(e) || attempt >= CONFLICT_ATTEMPTS) throw e;
        await sleep((this.options.backoffMs ?? defaultBackoffMs)(attempt - 1));
      }
    }
  }

  async release(eventId: string, owner: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: eventKey(eventId),
          UpdateExpression: "REMOVE leaseOwner, leaseUntil",
          ConditionExpression: "leaseOwner = :owner",
          ExpressionAttributeValues: { ":owner": S(owner) },
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }

  async getDriftFingerprint(job: string): Promise<string | undefined> {
    const r = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { ...jobKey(job), [SK]: S("drift") },
        ConsistentRead: true,
      }),
    );
    return r.Item?.fingerprint?.S;
  }

  async setDriftFingerprint(job: string, fingerprint: string): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: { ...jobKey(job), [SK]: S("drift"), fingerprint: S(fingerprint), updatedAt: S(new Date().toISOString()) },
      }),
    );
  }

  async getCoverage(job: string): Promise<CoverageMemory | undefined> {
    const r = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { ...jobKey(job), [SK]: S("coverage") },
        ConsistentRead: true,
      }),
    );
    const item = r.Item;
    if (item?.accounts?.S === undefined) return undefined;
    const byTarget = JSON.parse(item.accounts.S) as Record<string, string[]>;
    return {
      accounts: Object.fromEntries(Object.entries(byTarget).flatMap(([t, accounts]) => accounts.map((a) => [a, t]))),
      departed: JSON.parse(item.departed?.S ?? "{}") as CoverageMemory["departed"],
      // An item without the time (none is written so) lists again at once.
      listedAt: item.listedAt?.S ?? new Date(0).toISOString(),
    };
  }

  async setCoverage(job: string, memory: CoverageMemory): Promise<void> {
    // Grouped by target, so an organization of 10,000 accounts stays far below the 400 KB item limit.
    const byTarget: Record<string, string[]> = {};
    for (const [account, target] of Object.entries(memory.accounts)) (byTarget[target] ??= []).push(account);
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          ...jobKey(job),
          [SK]: S("coverage"),
          accounts: S(JSON.stringify(byTarget)),
          departed: S(JSON.stringify(memory.departed)),
          listedAt: S(memory.listedAt),
        },
      }),
    );
  }

  async lookupSeen(job: string, pairs: readonly TermPair[]): Promise<SeenPair[]> {
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
      for (const item of await this.batchGet(keys.slice(i, i + BATCH_GET_KEYS))) {
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
  private async batchGet(keys: Record<string, AttributeValue>[]): Promise<Record<string, AttributeValue>[]> {
    const items: Record<string, AttributeValue>[] = [];
    let todo = keys;
    for (let attempt = 0; todo.length > 0; attempt++) {
      if (attempt >= UNPROCESSED_ATTEMPTS)
        throw new Error(`DynamoDB left ${todo.length} baseline key(s) unprocessed after ${attempt} attempts`);
      if (attempt > 0) await sleep((this.options.backoffMs ?? defaultBackoffMs)(attempt - 1));
      const r = await this.client.send(
        new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: todo, ConsistentRead: true } } }),
      );
      items.push(...(r.Responses?.[this.tableName] ?? []));
      todo = r.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return items;
  }

  async recordSeen(job: string, pairs: readonly RecordedPair[]): Promise<void> {
    // Conditional puts (BatchWriteItem has no conditions): a pair's time never moves back. A few at a time.
    for (let i = 0; i < pairs.length; i += 10)
      await Promise.all(pairs.slice(i, i + 10).map((p) => this.putSeen(job, p)));
  }

  private async putSeen(job: string, p: RecordedPair): Promise<void> {
    try {
      await this.client.send(new PutItemCommand(this.seenPut(job, p)));
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }

  /** The conditional put of a pair's entry (recordSeen's, and a first use's claim's): its time never moves back. */
  private seenPut(job: string, p: RecordedPair) {
    return {
      TableName: this.tableName,
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

  async getBaselineSince(job: string, rule: string): Promise<string | undefined> {
    const r = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { ...jobKey(job), [SK]: S(`baseline#${rule}`) },
        ConsistentRead: true,
      }),
    );
    return r.Item?.since?.S;
  }

  async markBaselineLearned(job: string, rule: string, since: string): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
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
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
