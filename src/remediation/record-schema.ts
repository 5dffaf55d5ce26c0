/**
 * What a remediation record read back must look like before anything acts on it: `undo` calls AWS
 * with a record's account, kind and params, so a state file damaged or edited by hand, or an audit
 * item from another release, is checked first: a bad one is one line naming where it is and what is
 * wrong, not a crash deep in an action. A check of shape, not of origin: a well-formed record someone
 * else wrote passes (the state file is as private as the operator's credentials; the SCP keeps the
 * audit table's writes to the tool's own roles and, for the responder's items, the operators in
 * remediation.operatorPrincipalArns, who are trusted to remediate: docs/remediation.md says what that
 * lets them do). Each action's params are its module's own
 * schema (ACTIONS[kind].params). Keys this version does not know are kept, not refused, so that a
 * record written by a newer release can still be read.
 */
import { z } from "zod";
import { safeParseDocument, zodProblems } from "../config/load";
import { RemediationModeSchema } from "../config/remediation-mode";
import { ACTIONS } from "./actions";
import type { ActionRecord, FollowUpRecord, RecordStatus, StoreData, UndoRecord } from "./store";

const text = z.string().min(1);

const UndoSchema: z.ZodType<UndoRecord> = z.looseObject({
  at: text,
  status: z.enum(["ok", "already-done", "not-reversible", "error"]),
  reason: z.string(),
  actor: z.string().optional(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});

const FollowUpSchema: z.ZodType<FollowUpRecord> = z.looseObject({
  reported: z.string(),
  state: z.enum(["sending", "sent", "unsent"]),
  leaseUntil: z.string().optional(),
});

const STATUSES = ["planned", "ok", "already-done", "skipped", "error", "manual", "in-progress"] as const;
const status: z.ZodType<RecordStatus> = z.enum(STATUSES);

const recordFields = {
  actionId: text,
  findingId: text,
  api: text,
  accountId: z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id"),
  region: z.string().optional(),
  target: z.string(),
  principalArn: z.string().optional(),
  mode: RemediationModeSchema,
  reason: z.string(),
  steps: z.array(z.string()).optional(),
  status,
  actor: z.string().optional(),
  plannedAt: text,
  startedAt: z.string().optional(),
  leaseUntil: z.string().optional(),
  finishedAt: z.string().optional(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  actedOn: z.looseObject({ arn: text, id: z.string().optional() }).optional(),
  undo: UndoSchema.optional(),
};

/** The fields every kind shares, checked against the record type by the compiler. */
const recordBase = z.looseObject(recordFields) satisfies z.ZodType<Omit<ActionRecord, "kind" | "params">>;

// One member per action module. Built from the registry, the union's type no longer pairs each kind
// with its params, so it is cast; each member's params are that kind's own schema.
const [first, ...rest] = Object.values(ACTIONS).map((action) =>
  recordBase.extend({ kind: z.literal(action.kind), params: action.params }),
);
const ActionRecordSchema = z.discriminatedUnion("kind", [first, ...rest]) as unknown as z.ZodType<ActionRecord>;

const StoreFileSchema: z.ZodType<StoreData> = z
  .strictObject({
    actions: z.record(z.string(), ActionRecordSchema).default({}),
    principals: z.record(z.string(), z.array(z.string())).default({}),
    followUps: z.record(z.string(), FollowUpSchema).default({}),
  })
  .superRefine((data, ctx) => {
    for (const [key, record] of Object.entries(data.actions))
      if (record.actionId !== key)
        ctx.addIssue({ code: "custom", path: ["actions", key], message: `holds action ${record.actionId}` });
  });

/** The record, or an Error naming `where` and each problem. */
export function parseActionRecord(value: unknown, where: string): ActionRecord {
  const result = safeParseDocument(ActionRecordSchema, value);
  if (!result.success) throw new Error(`${where}: not a remediation record: ${zodProblems(result.error).join("; ")}`);
  return result.data;
}

/** A state file's data (actions by id, per-principal counters), or an Error naming the file and each problem. */
export function parseStoreFile(value: unknown, file: string): StoreData {
  const result = safeParseDocument(StoreFileSchema, value);
  if (!result.success)
    throw new Error(`${file}: not a bedrock-guardrail state file: ${zodProblems(result.error).join("; ")}`);
  return result.data;
}
