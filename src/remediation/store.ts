/**
 * Where the responder keeps its audit trail and its per-principal rate counters. The monitor's
 * DynamoDB table in production (dynamodb-store.ts), memory in tests, a JSON file for the CLI so
 * that `undo` works after `remediate --execute` from a laptop.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ActionOutcome } from "../aws/contracts";
import { furthestHonouredLeaseEnd } from "../aws/lease";
import { displayPath } from "../config/load";
import { errorText, jsonErrorText } from "../errors/error-text";
import { parseStoreFile } from "./record-schema";
import type { ActionKind, ActionOf } from "./types";

export type RecordStatus = ActionOutcome["status"] | "in-progress";

export interface UndoRecord {
  at: string;
  status: "ok" | "already-done" | "not-reversible" | "error";
  reason: string;
  actor?: string;
  before?: unknown;
  after?: unknown;
}

export interface RecordFields {
  status: RecordStatus;
  /** The identity that performed it (the responder role, or the CLI user). */
  actor?: string;
  plannedAt: string;
  startedAt?: string;
  /**
   * While in-progress: until when the responder that claimed the action may still be calling AWS.
   * Another responder takes the action over only after it (claimAction).
   */
  leaseUntil?: string;
  finishedAt?: string;
  before?: unknown;
  after?: unknown;
  /** The role or user its calls named, as IAM gave it before them (ExecutionResult.actedOn); undo checks it again. */
  actedOn?: { arn: string; id?: string };
  undo?: UndoRecord;
}

/**
 * One action of kind K, as it was planned (less the disposition, which `status` replaces) and what
 * became of it: before/after state, who, why, which finding.
 */
export type ActionRecordOf<K extends ActionKind> = Omit<ActionOf<K>, "disposition"> & RecordFields;

export type ActionRecord = { [K in ActionKind]: ActionRecordOf<K> }[ActionKind];

/** The follow-up message of one finding: which outcomes it reported, and whether it went out. */
export interface FollowUpRecord {
  /** The outcomes reported, `<actionId>:<status>` joined by spaces (what a new message must differ in). */
  reported: string;
  /** sending: a responder claimed it (until leaseUntil); sent: published; unsent: its publish failed. */
  state: "sending" | "sent" | "unsent";
  leaseUntil?: string;
}

/** What identifies the thing an action changed: the same key, user or role in the same account. */
export type TargetOf = Pick<ActionRecord, "accountId" | "kind" | "target">;

const sameTarget = (a: TargetOf, b: TargetOf): boolean =>
  a.accountId === b.accountId && a.kind === b.kind && a.target === b.target;

export interface RemediationStore {
  getAction(actionId: string): Promise<ActionRecord | undefined>;
  /** Writes the record whatever is stored: for the holder of the action's claim, and for undo. */
  putAction(record: ActionRecord): Promise<void>;
  /**
   * Writes the record only when no other responder holds or finished the action (see claimable), in one
   * atomic step: of two responders claiming at once, exactly one gets true. False: do not act.
   */
  claimAction(record: ActionRecord, now: Date): Promise<boolean>;
  /**
   * Every action recorded done (ok or already-done) on the same target as `of` (account, kind and
   * target), `of` itself included: what undo checks before it takes away containment others rely on.
   */
  actionsOnTarget(of: TargetOf): Promise<ActionRecord[]>;
  getFollowUp(findingId: string): Promise<FollowUpRecord | undefined>;
  /**
   * Writes `sending` for these outcomes only when they are not already sent nor being sent by another
   * responder (its lease not ended), atomically like claimAction. False: do not publish.
   */
  claimFollowUp(findingId: string, reported: string, leaseUntil: string, now: Date): Promise<boolean>;
  /** Records what became of the claimed follow-up: sent, or unsent (a later response publishes it). */
  putFollowUp(findingId: string, record: FollowUpRecord): Promise<void>;
  /** Mutations reserved for this principal in the hour bucket (see hourBucket). */
  countPrincipalActions(principalArn: string, hour: string): Promise<number>;
  /**
   * Reserves one of the principal's `cap` mutations in the hour for this action, in one atomic step
   * (responders running at once never reserve more than `cap` between them). True when reserved, now
   * or before (an action counts once however often it is reserved); false when the cap is reached.
   */
  reservePrincipalAction(principalArn: string, hour: string, actionId: string, cap: number): Promise<boolean>;
  /** Gives the action's reservation back: it changed nothing. */
  releasePrincipalAction(principalArn: string, hour: string, actionId: string): Promise<void>;
}

const FINISHED: ReadonlySet<RecordStatus> = new Set(["ok", "already-done"]);

/**
 * How long a claimed action is held by its responder: 15 minutes, the longest a monitor function runs
 * (the scheduled job's timeout; realtime's is shorter) and the life of the member-account credentials
 * a run assumes. Past it, the claimant is taken for dead and another responder may finish the action.
 */
export const CLAIM_LEASE_MS = 15 * 60 * 1000;

/**
 * The furthest claim lease end honoured at `now`, by the rule the monitor's event leases follow too
 * (furthestHonouredLeaseEnd): a lease further ahead (an operator may write action# items, a CLI's clock may run
 * ahead) is taken as ended, else it would hold the action, its finding and its undo forever. Bounded ahead of now,
 * not past startedAt + CLAIM_LEASE_MS: startedAt comes from the same writer as the lease.
 */
export const furthestHonouredLease = (now: Date): string => furthestHonouredLeaseEnd(now, CLAIM_LEASE_MS);

/** Whether a claim's lease (an action's or a follow-up's) no longer holds at `now`: none, past, or too far ahead. */
export function leaseEnded(leaseUntil: string | undefined, now: Date): boolean {
  return leaseUntil === undefined || leaseUntil < now.toISOString() || leaseUntil > furthestHonouredLease(now);
}

/**
 * Whether a responder may write over what is stored for an action: nothing is, or a status that
 * changed nothing for good (planned, skipped, manual, error), or an in-progress claim whose lease ended
 * before `now` (its responder died) or lies too far ahead to be honoured (leaseEnded). The DynamoDB store
 * says the same in a ConditionExpression.
 */
function claimable(stored: ActionRecord | undefined, now: Date): boolean {
  if (!stored) return true;
  if (FINISHED.has(stored.status)) return false;
  if (stored.status !== "in-progress") return true;
  return leaseEnded(stored.leaseUntil, now);
}

/** Whether a follow-up reporting `reported` may be claimed over what is stored (the DynamoDB condition too). */
function followUpClaimable(stored: FollowUpRecord | undefined, reported: string, now: Date): boolean {
  if (!stored || stored.reported !== reported || stored.state === "unsent") return true;
  return stored.state === "sending" && leaseEnded(stored.leaseUntil, now);
}

/** `2024-10-17T20`: the UTC hour a mutation counts against for maxActionsPerPrincipalPerHour. */
export const hourBucket = (d: Date): string => d.toISOString().slice(0, 13);

/** What the CLI's state file holds (record-schema.ts checks it when read). */
export interface StoreData {
  actions: Record<string, ActionRecord>;
  principals: Record<string, string[]>;
  /** By finding id. */
  followUps: Record<string, FollowUpRecord>;
}

export class InMemoryStore implements RemediationStore {
  protected data: StoreData = { actions: {}, principals: {}, followUps: {} };

  async getAction(actionId: string): Promise<ActionRecord | undefined> {
    const r = this.data.actions[actionId];
    return r ? structuredClone(r) : undefined;
  }
  async putAction(record: ActionRecord): Promise<void> {
    this.data.actions[record.actionId] = structuredClone(record);
    this.changed();
  }
  async claimAction(record: ActionRecord, now: Date): Promise<boolean> {
    // No await between the check and the write: one claim at a time, as the table's condition does.
    if (!claimable(this.data.actions[record.actionId], now)) return false;
    this.data.actions[record.actionId] = structuredClone(record);
    this.changed();
    return true;
  }
  async actionsOnTarget(of: TargetOf): Promise<ActionRecord[]> {
    return this.allActions().filter((r) => FINISHED.has(r.status) && sameTarget(r, of));
  }
  async getFollowUp(findingId: string): Promise<FollowUpRecord | undefined> {
    const r = this.data.followUps[findingId];
    return r ? structuredClone(r) : undefined;
  }
  async claimFollowUp(findingId: string, reported: string, leaseUntil: string, now: Date): Promise<boolean> {
    if (!followUpClaimable(this.data.followUps[findingId], reported, now)) return false;
    this.data.followUps[findingId] = { reported, state: "sending", leaseUntil };
    this.changed();
    return true;
  }
  async putFollowUp(findingId: string, record: FollowUpRecord): Promise<void> {
    this.data.followUps[findingId] = structuredClone(record);
    this.changed();
  }
  async countPrincipalActions(principalArn: string, hour: string): Promise<number> {
    return (this.data.principals[`${principalArn}\n${hour}`] ?? []).length;
  }
  async reservePrincipalAction(principalArn: string, hour: string, actionId: string, cap: number): Promise<boolean> {
    const ids = (this.data.principals[`${principalArn}\n${hour}`] ??= []);
    if (ids.includes(actionId)) return true;
    if (ids.length >= cap) return false;
    ids.push(actionId);
    this.changed();
    return true;
  }
  async releasePrincipalAction(principalArn: string, hour: string, actionId: string): Promise<void> {
    const key = `${principalArn}\n${hour}`;
    const ids = this.data.principals[key] ?? [];
    if (!ids.includes(actionId)) return;
    this.data.principals[key] = ids.filter((id) => id !== actionId);
    this.changed();
  }
  /** Every action record, for tests and the CLI. */
  allActions(): ActionRecord[] {
    return Object.values(this.data.actions).map((r) => structuredClone(r));
  }
  protected changed(): void {}
}

/** The lock files this process holds (one per state file), removed when it exits. */
const heldLocks = new Set<string>();

const releaseLocks = (): void => {
  for (const lock of heldLocks) fs.rmSync(lock, { force: true });
};
/** The signals a responder's terminal or scheduler ends a command with; Node runs no exit handler on them. */
const ENDING_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
/** Releases the locks, then ends as the signal would have (its default action, exit status 128 + its number). */
const releaseOnSignal = (signal: NodeJS.Signals): void => {
  releaseLocks();
  for (const s of ENDING_SIGNALS) process.removeListener(s, releaseOnSignal);
  process.kill(process.pid, signal);
};

/** Whether a process of that id runs (EPERM: it does, as another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Holds `<file>.lock` for this process's life. A FileStore works on the copy it read when it was made,
 * so two processes on one state file (two responders, or undo beside remediate --execute) would each
 * write their own copy and drop the other's records, and both would claim the same action. Ctrl-C and other
 * ending signals remove it; a lock whose process has ended otherwise (a crash, SIGKILL) is taken over.
 */
function lockStateFile(file: string): void {
  const lock = `${file}.lock`;
  if (heldLocks.has(lock)) return;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx", mode: 0o600 });
      if (heldLocks.size === 0) {
        process.once("exit", releaseLocks);
        for (const signal of ENDING_SIGNALS) process.once(signal, releaseOnSignal);
      }
      heldLocks.add(lock);
      return;
    } catch (e) {
      // The state file's folder, not the lock's name, is what the user typed and can fix.
      if ((e as NodeJS.ErrnoException).code === "ENOENT")
        throw new Error(`${displayPath(file)}: its folder ${displayPath(path.dirname(file))} does not exist`);
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw new Error(`${displayPath(lock)}: ${errorText(e)}`);
    }
    let holder = Number.NaN;
    try {
      holder = Number(fs.readFileSync(lock, "utf8").trim());
    } catch {
      // Removed meanwhile: try again.
    }
    if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && running(holder))
      throw new Error(
        `${displayPath(file)} is in use by another bedrock-guardrail process (pid ${holder}): run one remediate ` +
          `or undo at a time on it, or delete ${path.basename(lock)} beside it if that process has ended`,
      );
    fs.rmSync(lock, { force: true });
  }
  throw new Error(`${displayPath(file)}: its lock ${displayPath(lock)} cannot be taken; remove it and run again`);
}

/** The in-memory store persisted to a JSON file after every write; one process at a time holds it (a lock file). */
export class FileStore extends InMemoryStore {
  constructor(readonly file: string) {
    super();
    lockStateFile(file);
    if (fs.existsSync(file)) {
      let text: string;
      try {
        text = fs.readFileSync(file, "utf8");
      } catch (e) {
        // Unreadable (a directory, no permission): the reason in words, not EISDIR.
        throw new Error(`${displayPath(file)}: ${errorText(e)}`);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new Error(
          `${displayPath(file)}: not a bedrock-guardrail state file (not valid JSON at ${jsonErrorText(text, e)})`,
        );
      }
      this.data = parseStoreFile(parsed, file);
    }
  }
  protected changed(): void {
    // A fresh name, created exclusively: a file or link someone left at a predictable name beside the
    // state file is neither followed nor overwritten.
    const tmp = `${this.file}.${process.pid}.${crypto.randomBytes(6).toString("hex")}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.data, null, 2), { flag: "wx", mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}
