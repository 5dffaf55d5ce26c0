/**
 * The state table as DynamoStateStore's parts use it: the attribute and key codecs, which errors are a condition
 * that failed (not an error) and which a transaction to try again, and the transaction with that retry.
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { STATE_TABLE_KEYS } from "../../aws/contracts";

export const { partitionKey: PK, sortKey: SK, ttlAttribute: TTL } = STATE_TABLE_KEYS;
export const S = (v: string): AttributeValue => ({ S: v });
export const N = (v: number): AttributeValue => ({ N: String(v) });
export const jobKey = (job: string) => ({ [PK]: S(`job#${job}`) });
export const eventKey = (eventId: string) => ({ [PK]: S(`event#${eventId}`), [SK]: S("event") });
export const aliasKey = (alias: string) => ({ [PK]: S(`alias#${alias}`), [SK]: S("alias") });

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
export function isConditionFailure(e: unknown): boolean {
  const err = e as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (err?.name === "ConditionalCheckFailedException") return true;
  return (
    err?.name === "TransactionCanceledException" &&
    (err.CancellationReasons ?? []).some((r) => r.Code === "ConditionalCheckFailed")
  );
}

/** The codes of a cancelled transaction's actions, in order (none for another error). */
export const cancellationCodes = (e: unknown): (string | undefined)[] =>
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
export function failedOnlyAt(e: unknown, index: number): boolean {
  return cancellationCodes(e).every((code, i) => (code === "ConditionalCheckFailed") === (i === index));
}

/** The table and its client, with the waits between attempts. */
export class StateTable {
  constructor(
    readonly client: DynamoDBClient,
    readonly name: string,
    private readonly options: DynamoStateStoreOptions = {},
  ) {}

  /** The wait before the n-th retry (from 0). */
  backoff(attempt: number): Promise<void> {
    const ms = (this.options.backoffMs ?? defaultBackoffMs)(attempt);
    return new Promise<void>((resolve) => setTimeout(resolve, ms));
  }

  /** One TransactWriteItems, tried again (with back-off) while another transaction in progress holds an item of it. */
  async transact(items: TransactWriteItem[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
        return;
      } catch (e) {
        if (!isTransactionConflict(e) || attempt >= CONFLICT_ATTEMPTS) throw e;
        await this.backoff(attempt - 1);
      }
    }
  }
}
