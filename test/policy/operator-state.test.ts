/**
 * The responder's store and the SCP agree: every item write the store makes (what an operator's
 * `undo --table` or `remediate --execute --table` makes from their own credentials) is an action and
 * a partition key ProtectGuardrailStateItems / ProtectGuardrailJobItems let operators write, proven
 * with the IAM simulator; a new key prefix or write API in the store fails here before it fails on call.
 */
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { OPERATOR_STATE_WRITE_ACTIONS } from "../../src/policy/action-lists";
import { evaluateScp } from "../../src/policy/evaluate";
import { suggestionFor } from "../../src/policy/preview";
import { SID } from "../../src/policy/statement-ids";
import { buildScpStatements } from "../../src/policy/statements";
import { RESPONDER_KEY_PREFIXES } from "../../src/policy/protect-guardrail";
import { DynamoDbStore } from "../../src/remediation/dynamodb-store";
import type { ActionRecord } from "../../src/remediation/store";
import { OPERATOR, STATE_TABLE, WITH_OPERATOR } from "./bypass-cases-guardrail";
import { guardrailFor } from "./helpers";
import { simulateScp } from "./simulator";

const ddb = mockClient(DynamoDBClient);
afterAll(() => ddb.restore());

const NOW = new Date("2026-11-20T09:20:00Z");
const record: ActionRecord = {
  actionId: "ra-1",
  findingId: "f-1",
  kind: "deactivate-key",
  api: "iam:UpdateAccessKey",
  accountId: "111122223333",
  target: "AKIAX",
  mode: "enforce",
  status: "ok",
  reason: "r",
  params: { userName: "u", accessKeyId: "AKIAX" },
  plannedAt: NOW.toISOString(),
};

/** Every item write the store's methods make: the IAM action and the item's partition key. */
async function storeWrites(): Promise<[action: string, pk: string][]> {
  ddb.reset();
  ddb.on(PutItemCommand).resolves({});
  ddb.on(UpdateItemCommand).resolves({});
  ddb.on(GetItemCommand).resolves({});
  const client = new DynamoDBClient({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
  const store = new DynamoDbStore(client, "bedrock-guardrail-state", () => NOW);
  await store.putAction(record);
  await store.claimAction({ ...record, status: "in-progress" } as ActionRecord, NOW);
  await store.claimFollowUp("f-1", "ra-1:ok", NOW.toISOString(), NOW);
  await store.putFollowUp("f-1", { reported: "ra-1:ok", state: "sent" });
  await store.reservePrincipalAction("arn:aws:iam::111122223333:user/u", "2026-11-20T09", "ra-1", 6);
  await store.releasePrincipalAction("arn:aws:iam::111122223333:user/u", "2026-11-20T09", "ra-1");
  const calls = ddb.calls().map((c) => c.args[0]);
  const unexpected = calls.filter(
    (c) => !(c instanceof PutItemCommand || c instanceof UpdateItemCommand || c instanceof GetItemCommand),
  );
  expect(unexpected.map((c) => c.constructor.name)).toEqual([]);
  return calls.flatMap((c): [string, string][] => {
    if (c instanceof PutItemCommand) return [["dynamodb:PutItem", (c.input as PutItemCommandInput).Item!.pk.S!]];
    if (c instanceof UpdateItemCommand)
      return [["dynamodb:UpdateItem", (c.input as UpdateItemCommandInput).Key!.pk.S!]];
    return [];
  });
}

test("every item write of the responder's store is one an operator may make, by the simulator", async () => {
  const writes = await storeWrites();
  // Each prefix is exercised (action, target, follow-up, principal), by both write APIs.
  for (const prefix of RESPONDER_KEY_PREFIXES) expect(writes.some(([, pk]) => pk.startsWith(prefix))).toBe(true);
  expect([...new Set(writes.map(([action]) => action))].sort()).toEqual([...OPERATOR_STATE_WRITE_ACTIONS].sort());
  const guardrail = guardrailFor(WITH_OPERATOR);
  for (const [action, pk] of writes) {
    const request = { action, resource: STATE_TABLE, context: { "dynamodb:LeadingKeys": [pk] } };
    expect([action, pk, await simulateScp(guardrail, request, OPERATOR)]).toEqual([action, pk, "Allowed"]);
  }
});

test("preview tells who is denied a responder item to list them as an operator, and nobody the job's items", () => {
  const guardrail = guardrailFor(WITH_OPERATOR);
  const statements = buildScpStatements(guardrail);
  const write = (principalArn: string, pk: string) => {
    const request = {
      action: "dynamodb:PutItem",
      resource: STATE_TABLE,
      principalArn,
      context: { "dynamodb:LeadingKeys": [pk] },
    };
    const { deniedBy } = evaluateScp(statements, request);
    return [deniedBy, suggestionFor(guardrail, request, deniedBy!)];
  };
  const admin = "arn:aws:iam::444455556666:role/SecurityAccountAdmin";
  expect(write(admin, "action#ra-1")).toEqual([
    SID.protectStateItems,
    `add "${admin}" to remediation.operatorPrincipalArns (an on-call operator writes the responder's items only)`,
  ]);
  expect(write(OPERATOR, "job#bedrock-guardrail-query-job")).toEqual([
    SID.protectJobItems,
    expect.stringMatching(/^none: only the guardrail's own monitor roles may/),
  ]);
});

test("one operator costs the 995 characters docs/scp.md states (statements 10 and 13)", () => {
  const size = (config: typeof WITH_OPERATOR) =>
    buildScpStatements(guardrailFor(config)).reduce((sum, s) => sum + JSON.stringify(s).length, 0);
  expect(size(WITH_OPERATOR) - size({ ...WITH_OPERATOR, remediation: { mode: "enforce" } })).toBe(995);
});
