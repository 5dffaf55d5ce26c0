/**
 * The carry-over on the state table: the job's pending list and Security Hub export queue (the same queued finding
 * under `pending#` and `export#` sort keys), and the per-event record a run leases, marks published and completes.
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  QueryCommand,
  type QueryCommandOutput,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { Finding } from "../../detection/finding";
import { furthestHonouredLeaseEnd } from "../../aws/lease";
import {
  type EventStatus,
  type ExportItem,
  exportSortKey,
  ignoredLeaseLine,
  type PendingItem,
  pendingSortKey,
  UnreadableItem,
} from "./store";
import { aliasKey, eventKey, isConditionFailure, jobKey, N, PK, S, SK, type StateTable, TTL } from "./dynamodb-table";

/** A queued finding's attributes, the same under both queues' sort keys (the finding's JSON written once). */
export function queuedItem(job: string, finding: Finding): Record<string, AttributeValue> {
  return {
    ...jobKey(job),
    eventId: S(finding.event.id),
    eventTime: S(finding["@timestamp"]),
    finding: S(JSON.stringify(finding)),
  };
}

export async function listPending(
  table: StateTable,
  job: string,
  onUnreadable?: (problem: string) => void,
): Promise<PendingItem[]> {
  return (await queuedFindings(table, job, "pending", onUnreadable)).map(({ base, item }) => {
    const aliases = (item.aliases?.L ?? []).flatMap((a) => (a.S ? [a.S] : []));
    return {
      ...base,
      ...(item.alertOnly?.S ? { alertOnly: item.alertOnly.S } : {}),
      ...(aliases.length > 0 ? { aliases } : {}),
    };
  });
}

export async function listExports(
  table: StateTable,
  job: string,
  onUnreadable?: (problem: string) => void,
): Promise<ExportItem[]> {
  return (await queuedFindings(table, job, "export", onUnreadable)).map(({ base, item }) => ({
    ...base,
    attempts: Number(item.attempts?.N ?? "0"),
    ...(item.lastError?.S ? { lastError: item.lastError.S } : {}),
  }));
}

/**
 * Every `<queue>#...` item of a job (all pages, consistent reads), with the finding each one carries; one the claims
 * did not write so is left out and named to `onUnreadable`.
 */
async function queuedFindings(
  table: StateTable,
  job: string,
  queue: "pending" | "export",
  onUnreadable: (problem: string) => void = () => undefined,
): Promise<{ base: PendingItem; item: Record<string, AttributeValue> }[]> {
  const out: { base: PendingItem; item: Record<string, AttributeValue> }[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page: QueryCommandOutput = await table.client.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: `${PK} = :pk AND begins_with(${SK}, :prefix)`,
        ExpressionAttributeValues: { ":pk": S(`job#${job}`), ":prefix": S(`${queue}#`) },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const decoded = decodeQueued(item);
      if (typeof decoded === "string")
        onUnreadable(
          `${queue} item ${item[SK]?.S ?? "?"} of job ${job} is unreadable (${decoded}): skipped, left in the table`,
        );
      else out.push({ base: decoded, item });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/**
 * A queued entry's event and finding, or why it is not one a claim wrote (queuedItem): the fields the drain and the
 * export rely on before anything else, and the finding's own event id, so an entry cannot alert another's finding.
 */
function decodeQueued(item: Record<string, AttributeValue>): PendingItem | string {
  const eventId = item.eventId?.S;
  const eventTime = item.eventTime?.S;
  const json = item.finding?.S;
  if (!eventId || !eventTime) return "no event id or time";
  if (!json) return "no finding";
  let finding: Finding;
  try {
    finding = JSON.parse(json) as Finding;
  } catch {
    return "the finding is not JSON";
  }
  if (finding?.event?.id !== eventId) return `its finding names event ${String(finding?.event?.id)}, not ${eventId}`;
  if (typeof finding["@timestamp"] !== "string" || typeof finding.rule?.id !== "string")
    return "its finding has no time or rule";
  return { eventId, eventTime, finding };
}

export async function completeExport(table: StateTable, job: string, item: ExportItem): Promise<void> {
  await table.client.send(
    new DeleteItemCommand({
      TableName: table.name,
      Key: { ...jobKey(job), [SK]: S(exportSortKey(item.eventTime, item.eventId)) },
    }),
  );
}

export async function recordExportFailure(
  table: StateTable,
  job: string,
  item: ExportItem,
  error: string,
): Promise<void> {
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
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

export async function lease(
  table: StateTable,
  eventId: string,
  owner: string,
  now: string,
  leaseUntil: string,
  onLeaseIgnored: (line: string) => void = () => undefined,
): Promise<EventStatus | undefined> {
  const furthest = furthestHonouredLeaseEnd(new Date(now), Date.parse(leaseUntil) - Date.parse(now));
  try {
    const r = await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: eventKey(eventId),
        UpdateExpression: "SET leaseOwner = :owner, leaseUntil = :until",
        ConditionExpression:
          `attribute_exists(${PK}) AND #s <> :done AND (attribute_not_exists(leaseUntil) OR ` +
          "leaseUntil < :now OR leaseUntil > :furthest OR leaseOwner = :owner)",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: {
          ":owner": S(owner),
          ":until": S(leaseUntil),
          ":now": S(now),
          ":furthest": S(furthest),
          ":done": S("done"),
        },
        // The record as it was (the lease does not change its status): whose lease this one took over, if any.
        ReturnValues: "ALL_OLD",
        // The record the condition refused, to tell one held or done (another run's) from one no claim wrote.
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
    const old = r.Attributes;
    const status = knownStatus(eventId, old);
    const until = old?.leaseUntil?.S;
    if (until !== undefined && until > furthest && old?.leaseOwner?.S !== owner)
      onLeaseIgnored(ignoredLeaseLine(eventId, old?.leaseOwner?.S, until));
    return status;
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
    const record = (e as { Item?: Record<string, AttributeValue> }).Item;
    // A pending entry names its event's record, written in the claim's transaction and kept until long after the
    // entry left: without one, the entry is no claim's, and refusing it as held would skip it, unsaid, every run.
    if (!record) throw new UnreadableItem(`event ${eventId} has no event record, so no claim wrote its pending entry`);
    // Done (the caller tells a stale entry from one completed since it listed it), or held by another run: refused.
    // A status no claim writes is unreadable, leased or not.
    if (record.status?.S === "done") return "done";
    knownStatus(eventId, record);
    return undefined;
  }
}

/** The record's status when a claim or release writes it, else UnreadableItem. */
function knownStatus(
  eventId: string,
  record: Record<string, AttributeValue> | undefined,
): Exclude<EventStatus, "done"> {
  const status = record?.status?.S;
  if (status !== "pending" && status !== "published")
    throw new UnreadableItem(`event ${eventId} has unknown status "${status}"`);
  return status;
}

export async function markPublished(table: StateTable, eventId: string, owner: string): Promise<void> {
  await table.client.send(
    new UpdateItemCommand({
      TableName: table.name,
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

export async function complete(
  table: StateTable,
  job: string,
  item: PendingItem,
  owner: string,
  expiresAt: number,
): Promise<void> {
  // A claim of another finding naming one of its aliases may be in progress: a conflict is tried again.
  await table.transact([
    {
      Update: {
        TableName: table.name,
        Key: eventKey(item.eventId),
        UpdateExpression: `SET #s = :done, ${TTL} = :exp REMOVE leaseOwner, leaseUntil`,
        ConditionExpression: "leaseOwner = :owner",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":done": S("done"), ":exp": N(expiresAt), ":owner": S(owner) },
      },
    },
    {
      Delete: {
        TableName: table.name,
        Key: { ...jobKey(job), [SK]: S(pendingSortKey(item.eventTime, item.eventId)) },
      },
    },
    ...(item.aliases ?? []).map((alias) => ({
      Update: {
        TableName: table.name,
        Key: aliasKey(alias),
        UpdateExpression: `SET ${TTL} = :exp`,
        ExpressionAttributeValues: { ":exp": N(expiresAt) },
      },
    })),
  ]);
}

export async function removeDonePending(table: StateTable, job: string, item: PendingItem): Promise<boolean> {
  try {
    await table.transact([
      {
        // Writes nothing new: the condition that the event is still done, in the same atomic write as the removal
        // (an Update rather than a ConditionCheck, which the role's UpdateItem covers).
        Update: {
          TableName: table.name,
          Key: eventKey(item.eventId),
          UpdateExpression: "SET #s = :done",
          ConditionExpression: "#s = :done",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":done": S("done") },
        },
      },
      {
        Delete: {
          TableName: table.name,
          Key: { ...jobKey(job), [SK]: S(pendingSortKey(item.eventTime, item.eventId)) },
          ConditionExpression: `attribute_exists(${PK})`,
        },
      },
    ]);
    return true;
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
    return false;
  }
}

export async function release(table: StateTable, eventId: string, owner: string): Promise<void> {
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
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
