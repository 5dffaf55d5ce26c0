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
 *
 * In parts, by what each is: the table's codecs and transaction retry (dynamodb-table.ts), the claim
 * (dynamodb-claims.ts), the pending list, export queue and event records (dynamodb-carry-over.ts), the new-term
 * baselines (dynamodb-baseline.ts); the run's checkpoints (watermark, drift, coverage) are here.
 */
import { type DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import type { Finding } from "../../detection/finding";
import type { PermissionDeclaration } from "../../aws/permissions";
import type {
  ClaimOptions,
  ClaimResult,
  CoverageMemory,
  EventStatus,
  ExportItem,
  PendingItem,
  RecordedPair,
  SeenPair,
  StateStore,
  TermPair,
} from "./store";
import * as baseline from "./dynamodb-baseline";
import * as carryOver from "./dynamodb-carry-over";
import { claim } from "./dynamodb-claims";
import { type DynamoStateStoreOptions, isConditionFailure, jobKey, S, SK, StateTable } from "./dynamodb-table";

export { seenItemKey } from "./dynamodb-baseline";

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

export class DynamoStateStore implements StateStore {
  private readonly table: StateTable;

  constructor(client: DynamoDBClient, tableName: string, options: DynamoStateStoreOptions = {}) {
    this.table = new StateTable(client, tableName, options);
  }

  async getWatermark(job: string): Promise<string | undefined> {
    const r = await this.table.client.send(
      new GetItemCommand({
        TableName: this.table.name,
        Key: { ...jobKey(job), [SK]: S("watermark") },
        ConsistentRead: true,
      }),
    );
    if (r.Item && r.Item.watermark?.S === undefined)
      // Not a first run (that would silently query the look-back only, every run: no write can replace the item).
      throw new Error(
        `the watermark item of job ${job} holds no time (its watermark is not a string): set it to an ISO time, or ` +
          "delete it for the next run to start from the rule's look-back",
      );
    return r.Item?.watermark?.S;
  }

  async advanceWatermark(job: string, to: string): Promise<void> {
    try {
      await this.table.client.send(
        new UpdateItemCommand({
          TableName: this.table.name,
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

  claim(job: string, finding: Finding, options: ClaimOptions = {}): Promise<ClaimResult> {
    return claim(this.table, job, finding, options);
  }

  listPending(job: string, onUnreadable?: (problem: string) => void): Promise<PendingItem[]> {
    return carryOver.listPending(this.table, job, onUnreadable);
  }

  listExports(job: string, onUnreadable?: (problem: string) => void): Promise<ExportItem[]> {
    return carryOver.listExports(this.table, job, onUnreadable);
  }

  completeExport(job: string, item: ExportItem): Promise<void> {
    return carryOver.completeExport(this.table, job, item);
  }

  recordExportFailure(job: string, item: ExportItem, error: string): Promise<void> {
    return carryOver.recordExportFailure(this.table, job, item, error);
  }

  lease(
    eventId: string,
    owner: string,
    now: string,
    leaseUntil: string,
    onLeaseIgnored?: (line: string) => void,
  ): Promise<EventStatus | undefined> {
    return carryOver.lease(this.table, eventId, owner, now, leaseUntil, onLeaseIgnored);
  }

  removeDonePending(job: string, item: PendingItem): Promise<boolean> {
    return carryOver.removeDonePending(this.table, job, item);
  }

  markPublished(eventId: string, owner: string): Promise<void> {
    return carryOver.markPublished(this.table, eventId, owner);
  }

  complete(job: string, item: PendingItem, owner: string, expiresAt: number): Promise<void> {
    return carryOver.complete(this.table, job, item, owner, expiresAt);
  }

  release(eventId: string, owner: string): Promise<void> {
    return carryOver.release(this.table, eventId, owner);
  }

  async getDriftFingerprint(job: string): Promise<string | undefined> {
    const r = await this.table.client.send(
      new GetItemCommand({
        TableName: this.table.name,
        Key: { ...jobKey(job), [SK]: S("drift") },
        ConsistentRead: true,
      }),
    );
    return r.Item?.fingerprint?.S;
  }

  async setDriftFingerprint(job: string, fingerprint: string): Promise<void> {
    await this.table.client.send(
      new PutItemCommand({
        TableName: this.table.name,
        Item: { ...jobKey(job), [SK]: S("drift"), fingerprint: S(fingerprint), updatedAt: S(new Date().toISOString()) },
      }),
    );
  }

  async getCoverage(job: string): Promise<CoverageMemory | undefined> {
    const r = await this.table.client.send(
      new GetItemCommand({
        TableName: this.table.name,
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
    await this.table.client.send(
      new PutItemCommand({
        TableName: this.table.name,
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

  lookupSeen(job: string, pairs: readonly TermPair[]): Promise<SeenPair[]> {
    return baseline.lookupSeen(this.table, job, pairs);
  }

  recordSeen(job: string, pairs: readonly RecordedPair[]): Promise<void> {
    return baseline.recordSeen(this.table, job, pairs);
  }

  getBaselineSince(job: string, rule: string): Promise<string | undefined> {
    return baseline.getBaselineSince(this.table, job, rule);
  }

  markBaselineLearned(job: string, rule: string, since: string): Promise<void> {
    return baseline.markBaselineLearned(this.table, job, rule, since);
  }
}
