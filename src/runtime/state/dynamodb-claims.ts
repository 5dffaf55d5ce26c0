/**
 * A claim on the state table: one transaction over the event's dedupe record, its aliases, the pending entry, the
 * export entry (Security Hub on) and a first use's new-term pair, so none of them is ever written without the others.
 */
import type { TransactWriteItem } from "@aws-sdk/client-dynamodb";
import type { Finding } from "../../detection/finding";
import { type ClaimOptions, type ClaimResult, exportSortKey, type FirstUsePair, pendingSortKey } from "./store";
import { putSeen, seenPut } from "./dynamodb-baseline";
import { queuedItem } from "./dynamodb-carry-over";
import {
  aliasKey,
  cancellationCodes,
  eventKey,
  failedOnlyAt,
  isConditionFailure,
  N,
  PK,
  S,
  SK,
  type StateTable,
} from "./dynamodb-table";

export async function claim(
  table: StateTable,
  job: string,
  finding: Finding,
  options: ClaimOptions = {},
): Promise<ClaimResult> {
  const items = claimItems(table, job, finding, options);
  try {
    await table.transact(items);
    return "new";
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
    // The pair's condition alone failed (it is last): an overlapping run stored a use of the pair. One since the pair
    // had to be unseen makes this no first use (that run alerted the pair or saw it in use). Otherwise it is a later
    // use, so the pair is known already, which is all the claim needs of it: claimed again without writing it.
    if (options.pair && failedOnlyAt(e, items.length - 1)) {
      if (options.pair.unseenSinceMs !== undefined) return "duplicate";
      return claim(table, job, finding, { ...options, pair: undefined });
    }
    // A first use claimed already (its event's condition failed), maybe by a release that wrote no pair with its
    // claims: its pair is written now, as recordSeen would. Best effort: the run's recording writes it again after
    // the alerts and fails the run when it cannot, so a failure here holds back no alert. Failing the claim would not
    // keep a late, earlier use from alerting: the next run looks the pair up before it claims anything.
    if (options.pair && cancellationCodes(e)[0] === "ConditionalCheckFailed")
      await putSeen(table, job, options.pair).catch(() => undefined);
    return "duplicate";
  }
}

/** The pair's put in a first use's claim: recordSeen's; with `unseenSinceMs`, only while the pair is unseen since. */
function firstUsePut(table: StateTable, job: string, pair: FirstUsePair) {
  const put = seenPut(table, job, pair);
  if (pair.unseenSinceMs === undefined) return put;
  return {
    ...put,
    // Below the first use's own time, so the pair's time still never moves back.
    ConditionExpression: `attribute_not_exists(${PK}) OR lastSeenMs < :since`,
    ExpressionAttributeValues: { ":since": N(Math.min(pair.unseenSinceMs, pair.lastSeenMs)) },
  };
}

/**
 * The claim's transaction: the event, its aliases (one for a sequence finding, none for a first use), the pending
 * entry, the export entry and a first use's pair, last. A handful of the 100 actions a transaction takes; the pair's
 * item is a few hundred bytes next to the finding's two copies.
 */
function claimItems(table: StateTable, job: string, finding: Finding, options: ClaimOptions): TransactWriteItem[] {
  const eventId = finding.event.id;
  const eventTime = finding["@timestamp"];
  const aliases = options.aliases ?? [];
  // The pending and export entries are the same queued finding under two sort keys (written once as JSON).
  const queued = queuedItem(job, finding);
  const exportEntry = {
    Put: {
      TableName: table.name,
      Item: { ...queued, [SK]: S(exportSortKey(eventTime, eventId)), attempts: N(0) },
    },
  };
  return [
    {
      Put: {
        TableName: table.name,
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
        TableName: table.name,
        Item: { ...aliasKey(alias), findingId: S(eventId), job: S(job) },
        ConditionExpression: `attribute_not_exists(${PK})`,
      },
    })),
    {
      Put: {
        TableName: table.name,
        Item: {
          ...queued,
          [SK]: S(pendingSortKey(eventTime, eventId)),
          ...(options.alertOnly ? { alertOnly: S(options.alertOnly) } : {}),
          ...(aliases.length > 0 ? { aliases: { L: aliases.map(S) } } : {}),
        },
      },
    },
    ...(options.export ? [exportEntry] : []),
    ...(options.pair ? [{ Put: firstUsePut(table, job, options.pair) }] : []),
  ];
}
