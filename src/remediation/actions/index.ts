/**
 * The remediation actions, registered by kind: one module each (./<kind>.ts) with its plan, its
 * execution, its undo and its permissions. The record is typed by ActionKind, so a new kind in
 * ../types.ts does not compile until it has a module here.
 */
import type { IAMClient } from "@aws-sdk/client-iam";
import type { MemberClients } from "../member-clients";
import type { AddressedPrincipal } from "../real-principal";
import type { ActionRecord } from "../store";
import { type ActionKind, type ExecutionResult, type PlannedAction, unhandledKind } from "../types";
import type { ActionDefinition, UndoResult } from "./action";
import { deactivateKey } from "./deactivate-key";
import { deactivateServiceCredentials } from "./deactivate-service-credentials";
import { deleteAgreement } from "./delete-agreement";
import { manual } from "./manual";
import { none } from "./none";
import { revokeRoleSessions } from "./revoke-role-sessions";
import { revokeUserSessions } from "./revoke-user-sessions";
import { rotateKey } from "./rotate-key";

/** In this order the member role lists their permissions. */
export const ACTIONS: { [K in ActionKind]: ActionDefinition<K> } = {
  "deactivate-key": deactivateKey,
  "deactivate-service-credentials": deactivateServiceCredentials,
  "revoke-user-sessions": revokeUserSessions,
  "revoke-role-sessions": revokeRoleSessions,
  "delete-agreement": deleteAgreement,
  "rotate-key": rotateKey,
  manual,
  none,
};

/** Kinds that change something in an AWS account. Dry-run and caps are about exactly these. */
export const isMutating = (a: Pick<PlannedAction, "kind">): boolean => ACTIONS[a.kind].mutating;

/** The kinds undo can reverse. */
export const isReversible = (kind: ActionKind): boolean => ACTIONS[kind].undo !== undefined;

/** Runs one action with its module (the switch narrows `action` to the module's kind). */
export function perform(action: PlannedAction, clients: MemberClients): Promise<ExecutionResult> {
  switch (action.kind) {
    case "deactivate-key":
      return ACTIONS[action.kind].execute(action, clients);
    case "deactivate-service-credentials":
      return ACTIONS[action.kind].execute(action, clients);
    case "revoke-user-sessions":
      return ACTIONS[action.kind].execute(action, clients);
    case "revoke-role-sessions":
      return ACTIONS[action.kind].execute(action, clients);
    case "delete-agreement":
      return ACTIONS[action.kind].execute(action, clients);
    case "rotate-key":
      return ACTIONS[action.kind].execute(action, clients);
    case "manual":
      return ACTIONS[action.kind].execute(action, clients);
    case "none":
      return ACTIONS[action.kind].execute(action, clients);
    default:
      return unhandledKind(action);
  }
}

/** The IAM role or user the action's calls name (ActionBase.addresses), or undefined for kinds that name none. */
export function addressedPrincipal(action: Pick<PlannedAction, "kind" | "params">): AddressedPrincipal | undefined {
  // Each module's nameOf takes its own kind's params, which TypeScript cannot follow through the union.
  const addresses = ACTIONS[action.kind].addresses as {
    type: AddressedPrincipal["type"];
    nameOf(params: PlannedAction["params"]): string;
  } | null;
  return addresses ? { type: addresses.type, name: addresses.nameOf(action.params) } : undefined;
}

/** The target a reversible record's params name (ActionDefinition targetOf), or undefined for the other kinds. */
export function targetNamedBy(rec: ActionRecord): string | undefined {
  // Each module's targetOf takes its own kind's params, which TypeScript cannot follow through the union.
  const targetOf = ACTIONS[rec.kind].targetOf as ((params: ActionRecord["params"]) => string) | undefined;
  return targetOf?.(rec.params);
}

/** Whether a kind's execute makes several calls, each a change of its own (ActionBase.stepwise). */
export const isStepwise = (kind: ActionKind): boolean => ACTIONS[kind].stepwise === true;

/** The state the action would change, read only; undefined for kinds that declare no observe. */
export function observeBefore(action: PlannedAction, clients: MemberClients): Promise<unknown> {
  // Each module's observe takes its own kind, which TypeScript cannot follow through the union.
  const observe = ACTIONS[action.kind].observe as
    | ((a: PlannedAction, c: MemberClients) => Promise<unknown>)
    | undefined;
  return observe ? observe(action, clients) : Promise.resolve(undefined);
}

/** The targets besides the record's own whose actions undo must check (see targetsAlsoRelyingOn). */
export function targetsAlsoRelyingOn(rec: ActionRecord): string[] {
  // Each module's function takes its own kind, which TypeScript cannot follow through the union.
  const also = ACTIONS[rec.kind].targetsAlsoRelyingOn as ((r: ActionRecord) => string[]) | undefined;
  return also ? also(rec) : [];
}

/**
 * How one recorded action is reversed with its module, or why it cannot be (and what a person may
 * do instead).
 */
export function undoOf(rec: ActionRecord): ((iam: IAMClient) => Promise<UndoResult>) | string {
  switch (rec.kind) {
    case "deactivate-key":
      return (iam) => deactivateKey.undo(rec, iam);
    case "deactivate-service-credentials":
      return (iam) => deactivateServiceCredentials.undo(rec, iam);
    case "revoke-user-sessions":
      return (iam) => revokeUserSessions.undo(rec, iam);
    case "revoke-role-sessions":
      return (iam) => revokeRoleSessions.undo(rec, iam);
    case "delete-agreement":
      return deleteAgreement.notReversible();
    case "rotate-key":
      return rotateKey.notReversible(rec);
    case "manual":
      return manual.notReversible();
    case "none":
      return none.notReversible();
    default:
      return unhandledKind(rec);
  }
}
