/**
 * What one remediation action is, in one module per action (./<kind>.ts): how it is planned (its
 * draft function, called by the planner), what it calls in the member account, how that is undone
 * or what a person may do instead, and the permissions those calls need (the member role is
 * generated from them).
 */
import type { IAMClient } from "@aws-sdk/client-iam";
import type { z } from "zod";
import type { PermissionDeclaration } from "../../aws/permissions";
import type { MemberClients } from "../member-clients";
import type { AddressedPrincipal } from "../real-principal";
import type { ActionRecordOf, UndoRecord } from "../store";
import type { ActionKind, ActionOf, ActionParamsOf, ExecutionResult } from "../types";

export type UndoResult = Omit<UndoRecord, "at">;

interface ActionBase<K extends ActionKind> {
  kind: K;
  /** The API it calls, shown in plans ("manual" and "none" for the kinds that call nothing). */
  api: string;
  /** It changes something in an AWS account: dry-run, the caps and the safety gate are about these. */
  mutating: boolean;
  /**
   * It creates credentials: granted to the member role only with remediation.accessKey "rotate", since
   * whoever can assume that role could otherwise mint keys for any user in any account.
   */
  mintsCredentials?: boolean;
  /**
   * Every call execute and undo make with the member role, except the read of the real ARN of the principal
   * it addresses (`addresses`), which the member role gets once for each type addressed (../permissions.ts).
   */
  permissions: PermissionDeclaration[];
  /**
   * The IAM role or user its calls name (RoleName, UserName): before execute, the executor reads that
   * principal's real ARN (iam:GetRole / iam:GetUser) and the safety gate decides on it, path included
   * (../real-principal.ts). Required, so that a new kind decides it: null when its calls name no role or user (an
   * agreement, a manual step); a kind that named one without declaring it would skip the real-ARN check.
   */
  addresses: { type: AddressedPrincipal["type"]; nameOf(params: ActionParamsOf[K]): string } | null;
  /**
   * The shape of its params: a record read back (the CLI's state file, the audit table) is checked
   * against it before undo acts on it (record-schema.ts).
   */
  params: z.ZodType<ActionParamsOf[K]>;
  /**
   * Performs it in its member account. Reads the current state first, so running it again after a
   * crash changes nothing that is already done ("already-done"); records the state before and after.
   */
  execute(action: ActionOf<K>, clients: MemberClients): Promise<ExecutionResult>;
  /**
   * Reads, without changing anything, the state execute would record as `before` (same shape). The
   * responder stores it with its claim before the call, so a run that dies between the call and its
   * final record still leaves what undo needs. Declared by the kinds whose undo reads `before`.
   */
  observe?(action: ActionOf<K>, clients: MemberClients): Promise<unknown>;
  /**
   * The other targets (same account and kind) whose actions rely on what this recorded one changed,
   * besides its own `target`: undo checks the actions recorded on them too. Declared by the kinds
   * whose target names the same thing in more than one form.
   */
  targetsAlsoRelyingOn?(record: ActionRecordOf<K>): string[];
  /**
   * Its execute makes several calls, each a change of its own (one per credential): a run that dies between
   * them leaves part done, and the run that takes its claim over does the rest. That run's record then keeps
   * the claim's `before` (the state before the first run's calls), so undo restores what both changed.
   */
  stepwise?: boolean;
}

interface Reversible<K extends ActionKind> {
  /**
   * The record's `target` for these params (the key, credential or principal name its draft names): what the
   * actions relying on the same target are looked up by, so undo refuses a record whose target is not this.
   */
  targetOf(params: ActionParamsOf[K]): string;
  /** Reverses a recorded success, and only what this tool did. */
  undo(record: ActionRecordOf<K>, iam: IAMClient): Promise<UndoResult>;
  notReversible?: undefined;
}

interface NotReversible<K extends ActionKind> {
  undo?: undefined;
  targetOf?: undefined;
  /** Why it is not undone, and what a person may do instead. */
  notReversible(record: ActionRecordOf<K>): string;
}

/** One action: modules declare theirs with `satisfies ActionDefinition<"kind">`. */
export type ActionDefinition<K extends ActionKind> = ActionBase<K> & (Reversible<K> | NotReversible<K>);

/** For manual and none: they call nothing, so executing one is skipped. */
export const callsNothing = async (action: { kind: ActionKind }): Promise<ExecutionResult> => ({
  status: "skipped",
  reason: `${action.kind} actions are not executed`,
});
