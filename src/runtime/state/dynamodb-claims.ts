/**
 * A claim on the state table: one transaction over the event's dedupe record, its aliases, the pending entry, the
 * export entry (Security Hub on) and a first use's new-term pair, so none of them is ever written without the others.
 */
import type { TransactWriteItem } from "@aws-sdk/client-dynamodb";
import type { Finding } from "../../detection/finding";
import { type ClaimOptions, type ClaimResult, exportSortKey, pendingSortKey } from "./store";
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
    // The pair's condition alone failed (it is last): an overlapping run stored a later use of the pair, so the pair
    // is known already, which is all the claim needs of it. Claimed again without writing it.
    if (options.pair && failedOnlyAt(e, items.length - 1))
      return claim(table, job, finding, { ...options, pair: undefined });
    // A first use claimed already (its event's condition failed), maybe by a release that wrote no pair with its
    // claims: its pair is written now, as recordSeen would. Best effort: the run's recording writes it again after
    // the alerts and fails the run when it cannot, so a failure here holds back no alert.
    if (options.pair && cancellationCodes(e)[0] === "ConditionalCheckFailed")
      await putSeen(table, job, options.pair).catch(() => undefined);
    return "duplicate";
  }
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
    ...(options.pair ? [{ Put: seenPut(table, job, options.pair) }] : []),
  ];
}
