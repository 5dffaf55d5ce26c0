/**
 * The store in the monitor's DynamoDB state table (single-table design, src/runtime/contracts.ts):
 * `pk = "action#<actionId>"`, `sk = "action"` holds one audit record; `pk = "principal#<arn>"`,
 * `sk = "<hour>"` the string set of the actions that count against the principal's hourly cap;
 * `pk = "followup#<findingId>"`, `sk = "followup"` the finding's follow-up message (FollowUpRecord);
 * `pk = "target#<accountId>#<kind>#<target>"`, `sk = "target"` the set of actions recorded done on it
 * (`pk = "target#listed"`: every action recorded done is in its target's set, see listEarlierActions).
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { STATE_TABLE_KEYS } from "../aws/contracts";
import type { PermissionDeclaration } from "../aws/permissions";
import { parseActionRecord } from "./record-schema";
import {
  type ActionRecord,
  type FollowUpRecord,
  furthestHonouredLease,
  type RecordStatus,
  type RemediationStore,
  type TargetOf,
} from "./store";

const { partitionKey: PK, sortKey: SK, ttlAttribute: TTL } = STATE_TABLE_KEYS;
/** Audit records are kept about 400 days; counters two days (TTL deletion may lag; the hour is in the key). */
const AUDIT_TTL_SECONDS = 400 * 24 * 3600;
const COUNTER_TTL_SECONDS = 2 * 24 * 3600;
const FINISHED: ReadonlySet<RecordStatus> = new Set(["ok", "already-done"]);

export const STORE_PERMISSIONS: PermissionDeclaration[] = [
  {
    actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
    resource: { kind: "state-table" },
    why: "remediation audit records (and the actions done per target), follow-up records, per-principal rate caps",
  },
  {
    actions: ["dynamodb:Scan"],
    resource: { kind: "state-table" },
    why:
      "undo, once per table: list the actions an earlier release recorded done (it kept no per-target lists), " +
      "so that undo sees every action relying on a target",
  },
];

/** An action item's id and target, read from its key and its record's raw fields; undefined when it names none. */
function targetOfItem(item: Record<string, AttributeValue>): (TargetOf & { actionId: string }) | undefined {
  const actionId = item[PK]?.S?.slice("action#".length);
  let body: unknown;
  try {
    body = JSON.parse(item.record?.S ?? "");
  } catch {
    return undefined;
  }
  const { accountId, kind, target } = (body ?? {}) as Record<string, unknown>;
  if (!actionId || typeof accountId !== "string" || typeof kind !== "string" || typeof target !== "string")
    return undefined;
  // The kind stays as written, known to this release or not: it is only a part of the target's key.
  return { actionId, accountId, kind: kind as TargetOf["kind"], target };
}

/** A conditional write that found its condition false: someone else holds it, not an error. */
function isConditionFailure(e: unknown): boolean {
  return (e as { name?: string } | undefined)?.name === "ConditionalCheckFailedException";
}

/** A claim's lease has ended: none, past, or too far ahead to hold (store.ts furthestHonouredLease). */
const LEASE_ENDED = "(attribute_not_exists(#lease) OR #lease < :now OR #lease > :furthest)";

export class DynamoDbStore implements RemediationStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private expires(seconds: number): string {
    return String(Math.floor(this.clock().getTime() / 1000) + seconds);
  }

  async getAction(actionId: string): Promise<ActionRecord | undefined> {
    const r = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [PK]: { S: `action#${actionId}` }, [SK]: { S: "action" } },
        ConsistentRead: true,
      }),
    );
    const body = r.Item?.record?.S;
    return body ? parseActionRecord(JSON.parse(body), `${this.tableName} action ${actionId}`) : undefined;
  }

  /** The item of an audit record; status and lease are top-level too, for claimAction's condition. */
  private actionItem(record: ActionRecord): Record<string, AttributeValue> {
    return {
      [PK]: { S: `action#${record.actionId}` },
      [SK]: { S: "action" },
      findingId: { S: record.findingId },
      status: { S: record.status },
      ...(record.leaseUntil ? { leaseUntil: { S: record.leaseUntil } } : {}),
      record: { S: JSON.stringify(record) },
      [TTL]: { N: this.expires(AUDIT_TTL_SECONDS) },
    };
  }

  async putAction(record: ActionRecord): Promise<void> {
    // The target's list first: a record that says done is always found by actionsOnTarget.
    if (FINISHED.has(record.status)) await this.listOnTarget(record);
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: this.actionItem(record) }));
  }

  private async listOnTarget(record: TargetOf & { actionId: string }): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.targetKey(record),
        UpdateExpression: "ADD #actions :action SET #ttl = :ttl",
        ExpressionAttributeNames: { "#actions": "actions", "#ttl": TTL },
        ExpressionAttributeValues: {
          ":action": { SS: [record.actionId] },
          ":ttl": { N: this.expires(AUDIT_TTL_SECONDS) },
        },
      }),
    );
  }

  private targetKey(of: TargetOf): Record<string, AttributeValue> {
    return { [PK]: { S: `target#${of.accountId}#${of.kind}#${of.target}` }, [SK]: { S: "target" } };
  }

  async actionsOnTarget(of: TargetOf): Promise<ActionRecord[]> {
    await this.listEarlierActions();
    const r = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: this.targetKey(of), ConsistentRead: true }),
    );
    const records: ActionRecord[] = [];
    for (const id of r.Item?.actions?.SS ?? []) {
      const rec = await this.getAction(id);
      if (rec && FINISHED.has(rec.status)) records.push(rec);
    }
    return records;
  }

  /**
   * Actions recorded done by a release from before the per-target lists are in no list, so undo would
   * not see them: the first undo on a table reads every action item (a paginated Scan; undo is rare and
   * manual), adds each one done to its target's list, then marks the table as listed, once.
   */
  private async listEarlierActions(): Promise<void> {
    if (this.listed) return;
    const marker = { [PK]: { S: "target#listed" }, [SK]: { S: "target" } };
    const got = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: marker, ConsistentRead: true }),
    );
    if (!got.Item) {
      for (const rec of await this.scanDoneActions()) await this.listOnTarget(rec);
      await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: marker }));
    }
    this.listed = true;
  }

  private listed = false;

  /**
   * Each action recorded done, by its id (from its key) and target (from its record's raw fields): no
   * record's full check here, so that one item this release cannot read (a kind a newer release added,
   * params it does not know) does not stop every undo on the table. An item naming no target is left
   * out: no undo could look it up by one. Those listed are checked in full when undo reads them.
   */
  private async scanDoneActions(): Promise<(TargetOf & { actionId: string })[]> {
    const done: (TargetOf & { actionId: string })[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          FilterExpression: "begins_with(#pk, :action) AND #sk = :sk AND #status IN (:ok, :done)",
          ExpressionAttributeNames: { "#pk": PK, "#sk": SK, "#status": "status" },
          ExpressionAttributeValues: {
            ":action": { S: "action#" },
            ":sk": { S: "action" },
            ":ok": { S: "ok" },
            ":done": { S: "already-done" },
          },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const listed = targetOfItem(item);
        if (listed) done.push(listed);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return done;
  }

  async claimAction(record: ActionRecord, now: Date): Promise<boolean> {
    // store.ts claimable(), evaluated by DynamoDB against the item as stored at this write.
    return this.putIfClaimable(
      this.actionItem(record),
      "attribute_not_exists(#pk) OR NOT (#status IN (:ok, :done, :progress)) OR " +
        `(#status = :progress AND ${LEASE_ENDED})`,
      { "#status": "status" },
      { ":ok": { S: "ok" }, ":done": { S: "already-done" }, ":progress": { S: "in-progress" } },
      now,
    );
  }

  /**
   * A PutItem under a claim's condition (`#pk`, and the lease's `#lease`, `:now` and `:furthest` in
   * LEASE_ENDED, are supplied here); false when the condition fails (the item is another's).
   */
  private async putIfClaimable(
    item: Record<string, AttributeValue>,
    condition: string,
    names: Record<string, string>,
    values: Record<string, AttributeValue>,
    now: Date,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: condition,
          ExpressionAttributeNames: { "#pk": PK, "#lease": "leaseUntil", ...names },
          ExpressionAttributeValues: {
            ":now": { S: now.toISOString() },
            ":furthest": { S: furthestHonouredLease(now) },
            ...values,
          },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  private followUpKey(findingId: string): Record<string, AttributeValue> {
    return { [PK]: { S: `followup#${findingId}` }, [SK]: { S: "followup" } };
  }

  private followUpItem(findingId: string, r: FollowUpRecord): Record<string, AttributeValue> {
    return {
      ...this.followUpKey(findingId),
      reported: { S: r.reported },
      state: { S: r.state },
      ...(r.leaseUntil ? { leaseUntil: { S: r.leaseUntil } } : {}),
      [TTL]: { N: this.expires(AUDIT_TTL_SECONDS) },
    };
  }

  async getFollowUp(findingId: string): Promise<FollowUpRecord | undefined> {
    const r = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: this.followUpKey(findingId), ConsistentRead: true }),
    );
    const item = r.Item;
    if (!item?.reported?.S || !item.state?.S) return undefined;
    return {
      reported: item.reported.S,
      state: item.state.S as FollowUpRecord["state"],
      ...(item.leaseUntil?.S ? { leaseUntil: item.leaseUntil.S } : {}),
    };
  }

  async claimFollowUp(findingId: string, reported: string, leaseUntil: string, now: Date): Promise<boolean> {
    // store.ts followUpClaimable(), evaluated by DynamoDB.
    return this.putIfClaimable(
      this.followUpItem(findingId, { reported, state: "sending", leaseUntil }),
      "attribute_not_exists(#pk) OR #reported <> :reported OR #state = :unsent OR " +
        `(#state = :sending AND ${LEASE_ENDED})`,
      { "#reported": "reported", "#state": "state" },
      { ":reported": { S: reported }, ":unsent": { S: "unsent" }, ":sending": { S: "sending" } },
      now,
    );
  }

  async putFollowUp(findingId: string, record: FollowUpRecord): Promise<void> {
    await this.client.send(
      new PutItemCommand({ TableName: this.tableName, Item: this.followUpItem(findingId, record) }),
    );
  }

  private counterKey(principalArn: string, hour: string): Record<string, AttributeValue> {
    return { [PK]: { S: `principal#${principalArn}` }, [SK]: { S: hour } };
  }

  async countPrincipalActions(principalArn: string, hour: string): Promise<number> {
    const r = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: this.counterKey(principalArn, hour),
        ConsistentRead: true,
      }),
    );
    return r.Item?.actions?.SS?.length ?? 0;
  }

  async reservePrincipalAction(principalArn: string, hour: string, actionId: string, cap: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.counterKey(principalArn, hour),
          // A string set: adding an action id twice counts it once.
          UpdateExpression: "ADD #actions :action SET #ttl = :ttl",
          ConditionExpression: "attribute_not_exists(#actions) OR size(#actions) < :cap OR contains(#actions, :id)",
          ExpressionAttributeNames: { "#actions": "actions", "#ttl": TTL },
          ExpressionAttributeValues: {
            ":action": { SS: [actionId] },
            ":id": { S: actionId },
            ":cap": { N: String(cap) },
            ":ttl": { N: this.expires(COUNTER_TTL_SECONDS) },
          },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async releasePrincipalAction(principalArn: string, hour: string, actionId: string): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.counterKey(principalArn, hour),
        UpdateExpression: "DELETE #actions :action",
        ExpressionAttributeNames: { "#actions": "actions" },
        ExpressionAttributeValues: { ":action": { SS: [actionId] } },
      }),
    );
  }
}
