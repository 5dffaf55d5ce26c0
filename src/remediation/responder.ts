/**
 * The FindingResponder the monitor calls after publishing each new finding (and the engine of
 * `remediate`): resolve modes and the management account, read the caps' counters, plan, then
 * for each action either report it or claim it, reserve its place under the caps and perform it,
 * recording before and after. Idempotent on the finding: action ids are deterministic and an action
 * recorded as done is never repeated.
 */
import type { Finding } from "../detection/finding";
import type { Guardrail } from "../guardrail/guardrail";
import type { ActionOutcome, FindingResponder, Notifier, ResponseReport } from "../aws/contracts";
import { isStepwise, observeBefore } from "./actions";
import { executeAction, type ExecutionResult } from "./executor";
import { checkFinding } from "./finding-input";
import type { MemberClientProvider } from "./member-clients";
import { needsOuChain, resolveMode } from "./mode";
import type { OrganizationLookup } from "./organization";
import { planRemediation } from "./planner";
import { realPrincipalRefusal, type SafetyContext } from "./safety";
import { notificationFor, type UndoStore } from "./report";
import {
  type ActionRecord,
  CLAIM_LEASE_MS,
  type FollowUpRecord,
  hourBucket,
  type RecordFields,
  type RecordStatus,
  type RemediationStore,
} from "./store";
import { changedBeforeFailing, type PlannedAction, type RemediationMode } from "./types";

export interface ResponderOptions {
  guardrail: Guardrail;
  store: RemediationStore;
  organization: OrganizationLookup;
  /** Needed only when execute is true. */
  clients?: MemberClientProvider;
  notifier?: Notifier;
  /** Where `undo` reads the recorded actions, named in the follow-up's undo commands. */
  undoStore?: UndoStore;
  /** false: plan only, nothing is called, recorded or sent (remediate without --execute). Default true. */
  execute?: boolean;
  clock?: () => Date;
  /** The identity running this (never remediated by itself; recorded as the actor). */
  selfArns?: string[];
  actor?: string;
}

/**
 * A plan that calls nothing has not asked Organizations whether the account is in the organization (the member-client
 * providers ask it before any call, member-clients.ts): it says so, rather than fail or pass for checked.
 */
const membershipUnchecked = (accountId: string) =>
  `whether account ${accountId} is in the organization is asked only before a call: unchecked`;
const withMembershipUnchecked = (action: PlannedAction): string =>
  action.disposition === "dry-run" ? `${action.reason}; ${membershipUnchecked(action.accountId)}` : action.reason;

/** Outcome status of an action that is not executed. */
const STATUS_OF: Record<Exclude<PlannedAction["disposition"], "execute">, ActionOutcome["status"]> = {
  "dry-run": "planned",
  off: "skipped",
  "alert-only": "skipped",
  manual: "manual",
  none: "skipped",
};

const DONE: ReadonlySet<RecordStatus> = new Set(["ok", "already-done"]);
/** An undo that left the target as this tool found it (undo.ts). */
const UNDONE: ReadonlySet<string | undefined> = new Set(["ok", "already-done"]);

type CapName = "maxActionsPerRun" | "maxActionsPerPrincipalPerHour";

export interface ResponseDetail extends ResponseReport {
  /**
   * Actions with their outcome, for the CLI's output and the alert. `heldElsewhere`: another responder
   * holds the action (in progress), so this one left it alone.
   */
  actions: { action: PlannedAction; outcome: ActionOutcome; fresh: boolean; heldElsewhere?: boolean }[];
  /** Another responder is publishing this finding's follow-up (with the same outcomes) right now. */
  followUpHeldElsewhere?: boolean;
  /**
   * Why the follow-up could not be sent (its publish or its record failed). The actions' outcomes stand
   * and are recorded; the next response to the finding sends it. respond() throws it, so the monitor
   * releases the finding.
   */
  followUpError?: unknown;
}

export class RemediationResponder implements FindingResponder {
  private mutationsThisRun = 0;
  private readonly execute: boolean;
  private readonly clock: () => Date;

  constructor(private readonly deps: ResponderOptions) {
    this.execute = deps.execute ?? true;
    this.clock = deps.clock ?? (() => new Date());
    if (this.execute && !deps.clients) throw new Error("RemediationResponder: clients are required to execute");
  }

  /**
   * For the monitor's pipeline: when another responder holds one of the actions or is sending the
   * follow-up, the report says so (heldElsewhere), so the finding is released and responded to again by a
   * later run (which finds the work done, or takes over the claim of a responder that died), rather than
   * marked complete unfinished; the monitor goes on with its other findings meanwhile.
   */
  async respond(finding: Finding): Promise<ResponseReport> {
    const d = await this.respondInDetail(finding);
    if (d.followUpError !== undefined) throw d.followUpError;
    const report: ResponseReport = { findingId: d.findingId, outcomes: d.outcomes };
    const held = d.actions.filter((a) => a.heldElsewhere);
    if (held.length > 0) report.heldElsewhere = held.map((a) => `${a.action.actionId}: ${a.outcome.reason}`).join("; ");
    else if (d.followUpHeldElsewhere) report.heldElsewhere = "another responder is sending its follow-up message";
    return report;
  }

  /** What `remediate` refuses in its input, the monitor's findings (read back from the state table) included. */
  unfitReason(finding: Finding): string | undefined {
    const checked = checkFinding(finding, this.deps.guardrail.partition);
    return typeof checked === "string" ? checked : undefined;
  }

  private async modeOf(accountId: string): Promise<RemediationMode> {
    const r = this.deps.guardrail.remediation;
    let chain: string[] | undefined;
    if (needsOuChain(r.overrides) && !r.overrides.some((x) => x.target === accountId)) {
      chain = await this.deps.organization.parentChain(accountId).catch(() => undefined);
    }
    return resolveMode(accountId, r.mode, r.overrides, chain).mode;
  }

  async respondInDetail(finding: Finding): Promise<ResponseDetail> {
    const g = this.deps.guardrail;
    const now = this.clock();
    const managementAccountId = await this.deps.organization.managementAccountId().catch(() => undefined);
    const accounts = [finding.cloud.account.id, finding.guardrail.principal_account_id].filter((a): a is string => !!a);
    const modes: Record<string, RemediationMode> = {};
    for (const a of new Set(accounts)) modes[a] = await this.modeOf(a);
    const principalArn = finding.guardrail.principal_arn;
    const usedByPrincipal = principalArn
      ? await this.deps.store.countPrincipalActions(principalArn, hourBucket(now))
      : 0;
    const safety: SafetyContext = { managementAccountId, selfArns: this.deps.selfArns, realArnChecked: this.execute };
    const plan = planRemediation(finding, g, {
      ...safety,
      now,
      modes,
      budget: {
        run: g.remediation.maxActionsPerRun - this.mutationsThisRun,
        principal: g.remediation.maxActionsPerPrincipalPerHour - usedByPrincipal,
      },
    });

    const actions: ResponseDetail["actions"] = [];
    for (const action of plan) {
      // Another responder holds an action of this finding: it goes on in plan order with the rest, and
      // sends the follow-up, so this one stops rather than race it action by action.
      const holder = actions.find((a) => a.heldElsewhere);
      actions.push(holder ? this.leftTo(action, holder.action) : await this.handle(action, now, safety));
    }
    const report: ResponseDetail = { findingId: finding.event.id, outcomes: actions.map((a) => a.outcome), actions };
    // While another responder holds an action, the follow-up is its to send (or a later response's).
    if (this.execute && this.deps.notifier && !actions.some((a) => a.heldElsewhere)) {
      try {
        report.followUpHeldElsewhere = !(await this.sendFollowUp(finding, actions, this.deps.notifier));
      } catch (e) {
        // What was done is reported all the same: the caller says the follow-up failed beside it.
        report.followUpError = e;
      }
    }
    return report;
  }

  /**
   * Publishes the follow-up unless these same outcomes were already reported, recording that it went
   * out only once it has: a publish that fails is sent by the next response. Mode off (and nothing to
   * do) means silence beyond the finding's own alert. False: another responder is sending it now.
   */
  private async sendFollowUp(finding: Finding, actions: ResponseDetail["actions"], notifier: Notifier) {
    const reportable = actions.filter((a) => a.action.disposition !== "off" && a.action.disposition !== "none");
    if (reportable.length === 0) return true;
    const reported = reportable.map((a) => `${a.action.actionId}:${a.outcome.status}`).join(" ");
    const store = this.deps.store;
    const id = finding.event.id;
    const sentAlready = (r: FollowUpRecord | undefined) => r?.reported === reported && r.state === "sent";
    if (sentAlready(await store.getFollowUp(id))) return true;
    const now = this.clock();
    const leaseUntil = new Date(now.getTime() + CLAIM_LEASE_MS).toISOString();
    if (!(await store.claimFollowUp(id, reported, leaseUntil, now))) return sentAlready(await store.getFollowUp(id));
    const n = notificationFor(finding, actions, this.deps.undoStore);
    try {
      await notifier.publish(n.subject, n.body, n.attributes);
    } catch (e) {
      await store.putFollowUp(id, { reported, state: "unsent" }).catch(() => undefined);
      throw e;
    }
    await store.putFollowUp(id, { reported, state: "sent" });
    return true;
  }

  private outcome(action: PlannedAction, status: ActionOutcome["status"], reason: string): ActionOutcome {
    return {
      actionId: action.actionId,
      findingId: action.findingId,
      accountId: action.accountId,
      region: action.region,
      api: action.api,
      target: action.target,
      mode: action.mode,
      status,
      reason,
    };
  }

  private record(
    action: PlannedAction,
    status: RecordStatus,
    reason: string,
    at: Date,
    extra: Partial<RecordFields> = {},
  ): ActionRecord {
    const { disposition: _d, capped: _c, ...rest } = action;
    void _d;
    void _c;
    return { ...rest, status, reason, actor: this.deps.actor, plannedAt: at.toISOString(), ...extra };
  }

  /** The outcome of an action another responder recorded as done: reported, not repeated. */
  private recorded(action: PlannedAction, rec: ActionRecord): ResponseDetail["actions"][number] {
    const status = rec.status as ActionOutcome["status"];
    const reason = `${rec.reason} (recorded ${rec.finishedAt ?? rec.plannedAt})`;
    return { action, outcome: this.outcome(action, status, reason), fresh: false };
  }

  /** The claim was lost: another responder finished the action, or is performing it now. */
  private async lostClaim(action: PlannedAction): Promise<ResponseDetail["actions"][number]> {
    const rec = await this.deps.store.getAction(action.actionId);
    if (rec && DONE.has(rec.status)) return this.recorded(action, rec);
    const until = rec?.leaseUntil ? ` until ${rec.leaseUntil}` : "";
    const reason = `another responder is performing this action (held${until}); not repeated here`;
    return { action, outcome: this.outcome(action, "skipped", reason), fresh: false, heldElsewhere: true };
  }

  private leftTo(action: PlannedAction, held: PlannedAction): ResponseDetail["actions"][number] {
    const reason = `not attempted: another responder is performing ${held.actionId} of this finding, then this`;
    return { action, outcome: this.outcome(action, "skipped", reason), fresh: false, heldElsewhere: true };
  }

  /**
   * Reserves the action's place under both caps before it runs (the plan's budget was read earlier, and
   * other responders may have acted since): undefined when reserved, else the cap that is reached.
   */
  private async reserve(action: PlannedAction, now: Date): Promise<CapName | undefined> {
    const r = this.deps.guardrail.remediation;
    if (this.mutationsThisRun >= r.maxActionsPerRun) return "maxActionsPerRun";
    // Taken before any await: findings this run responds to at once share the run's cap.
    this.mutationsThisRun++;
    const principal = action.principalArn;
    const cap = r.maxActionsPerPrincipalPerHour;
    if (
      principal &&
      !(await this.deps.store.reservePrincipalAction(principal, hourBucket(now), action.actionId, cap))
    ) {
      this.mutationsThisRun--;
      return "maxActionsPerPrincipalPerHour";
    }
    return undefined;
  }

  /** An action that changed nothing gives its reservation back. */
  private async giveBack(action: PlannedAction, now: Date): Promise<void> {
    this.mutationsThisRun--;
    if (action.principalArn)
      await this.deps.store.releasePrincipalAction(action.principalArn, hourBucket(now), action.actionId);
  }

  private async handle(
    action: PlannedAction,
    now: Date,
    safety: SafetyContext,
  ): Promise<ResponseDetail["actions"][number]> {
    if (!this.execute) {
      const status = action.disposition === "execute" ? "planned" : STATUS_OF[action.disposition];
      const reason =
        action.disposition === "execute"
          ? `${action.reason} (runs with --execute; ${membershipUnchecked(action.accountId)})`
          : withMembershipUnchecked(action);
      return { action, outcome: this.outcome(action, status, reason), fresh: true };
    }
    const store = this.deps.store;
    const existing = await store.getAction(action.actionId);
    if (existing && DONE.has(existing.status)) return this.recorded(action, existing);
    // A claim in progress proves its run had reserved under the caps and may have made its call: it is
    // finished as a takeover when the plan would execute it, or would but for a cap its own findings since
    // filled, never overwritten with a status that says this tool changed nothing. When the plan forbids it
    // now (the mode changed to dry-run or off, the principal became protected), the claim is left as it is:
    // nothing is called, and undo explains the action in progress. An error recorded after the action had
    // changed something (it failed partway) and was not undone is the same: that record alone says what this
    // tool changed.
    const inProgress = existing?.status === "in-progress" ? existing : undefined;
    const partial =
      existing && changedBeforeFailing(existing) && !UNDONE.has(existing.undo?.status) ? existing : undefined;
    const interrupted = inProgress ?? partial;
    if (interrupted && action.disposition !== "execute" && !action.capped) {
      const left = inProgress ? "an interrupted run's claim on it" : "the record of a run that failed partway";
      const reason = `${action.reason}; ${left} is left (this plan does not execute it)`;
      return { action, outcome: this.outcome(action, STATUS_OF[action.disposition], reason), fresh: false };
    }
    if (action.disposition !== "execute" && !interrupted) {
      const status = STATUS_OF[action.disposition];
      const reason = withMembershipUnchecked(action);
      // Same status as recorded: nothing new (the reason may differ only by the time it was planned).
      if (existing?.status === status)
        return { action, outcome: this.outcome(action, status, existing.reason), fresh: false };
      const written = await store.claimAction(
        this.record(action, status, reason, now, { finishedAt: now.toISOString() }),
        this.clock(),
      );
      if (!written) return this.lostClaim(action);
      return { action, outcome: this.outcome(action, status, reason), fresh: true };
    }
    const clients = () => this.deps.clients!.forAccount(action.accountId);
    // A run that claimed this action and died may have made its call, and one that failed partway made
    // some: what it saw before is the state undo must restore (none when its kind has no observe or its
    // read failed: the state now may be its change, so none is read). Otherwise the state now, read before
    // the claim and stored with it. A failed read records nothing: the call meets the same failure and
    // records it.
    const before = interrupted
      ? interrupted.before
      : await clients()
          .then((c) => observeBefore(action, c))
          .catch(() => undefined);
    // Reserved before the claim, so an in-progress claim proves its run had reserved (and a run that failed
    // partway kept its reservation): the run that takes it over need not (that run may have made its call,
    // and a refusal now would lose the record of it). A run that failed before its claim made no call, and
    // the next one reserves, or is refused, afresh.
    const cap = interrupted ? undefined : await this.reserve(action, now);
    const started = this.clock();
    const plannedAt = existing?.plannedAt ?? now.toISOString();
    if (cap) {
      const reason = `${action.reason}; not executed: ${cap} reached (alert only)`;
      const finished = { startedAt: started.toISOString(), finishedAt: started.toISOString(), plannedAt };
      if (!(await store.claimAction(this.record(action, "skipped", reason, now, finished), started)))
        return this.lostClaim(action);
      return { action, outcome: this.outcome(action, "skipped", reason), fresh: true };
    }
    const claimed = await store.claimAction(
      this.record(action, "in-progress", action.reason, now, {
        startedAt: started.toISOString(),
        leaseUntil: new Date(started.getTime() + CLAIM_LEASE_MS).toISOString(),
        plannedAt,
        ...(before === undefined ? {} : { before }),
        // What a run that failed partway changed: kept should this run die too.
        ...(interrupted?.after === undefined ? {} : { after: interrupted.after }),
      }),
      started,
    );
    if (!claimed) {
      // The holder performs this same action id, under the reservation it made for it: only this run's
      // own count is given back.
      if (!interrupted) this.mutationsThisRun--;
      return this.lostClaim(action);
    }
    return this.executeClaimed(action, now, safety, interrupted, { started, plannedAt });
  }

  /**
   * Performs an action this run has claimed and records what became of it, with the principal its calls named as
   * IAM gave it (what undo checks again).
   */
  private async executeClaimed(
    action: PlannedAction,
    now: Date,
    safety: SafetyContext,
    interrupted: ActionRecord | undefined,
    { started, plannedAt }: { started: Date; plannedAt: string },
  ): Promise<ResponseDetail["actions"][number]> {
    const store = this.deps.store;
    const clients = () => this.deps.clients!.forAccount(action.accountId);
    // The name the action's calls take may be a protected principal's at another path: decided on its real ARN.
    const gate = (realArn: string) => realPrincipalRefusal(this.deps.guardrail, realArn, action.accountId, safety);
    const executed = await executeAction(action, clients, gate);
    const result = finishInterrupted(interrupted, executed, isStepwise(action.kind));
    if (!interrupted && result.status !== "ok" && !changedBeforeFailing(result)) await this.giveBack(action, now);
    await store.putAction(
      this.record(action, result.status, result.reason, now, {
        startedAt: started.toISOString(),
        finishedAt: this.clock().toISOString(),
        before: result.before,
        after: result.after,
        ...(executed.actedOn ? { actedOn: executed.actedOn } : {}),
        plannedAt,
      }),
    );
    const outcome = this.outcome(action, result.status, result.reason);
    if (result.status === "error" && changedBeforeFailing(result)) outcome.changed = true;
    return { action, outcome, fresh: true };
  }
}

/**
 * An action taken over from a run that died after its call: execute now finds it done, but the change
 * is that run's, so the record says ok with the state that run saw before (what undo restores), never
 * already-done, which would tell undo this tool changed nothing. When that run recorded no state before,
 * the change may be its own or someone else's: ok, saying so, with no before (undo restores nothing it
 * cannot name). An action retried after it failed partway is continued: whatever this run finds or does,
 * the record keeps the state before the first run's calls, so undo restores what both changed. So does a
 * `stepwise` action whose run died between its calls (ActionBase.stepwise).
 */
function finishInterrupted(
  interrupted: ActionRecord | undefined,
  result: ExecutionResult,
  stepwise: boolean,
): ExecutionResult {
  // The record of a run that failed partway, or the claim of a run that continued it (which carries its after).
  if (interrupted?.after !== undefined && interrupted.before !== undefined) {
    const continued = `continuing the run that failed partway (started ${interrupted.startedAt})`;
    const { before, after } = interrupted;
    if (result.status === "ok" || result.status === "already-done")
      return { status: "ok", reason: `${result.reason}; ${continued}`, before, after: result.after };
    if (changedBeforeFailing(result)) return { ...result, reason: `${result.reason}; ${continued}`, before };
    // Nothing more changed (a failure at the first call, its target gone): what the first run changed stays.
    return { status: "error", reason: `${result.reason}; ${continued}`, before, after };
  }
  // A stepwise action's run died between its calls, and this run did the rest: what undo restores is the state
  // before the first run's calls, which the claim kept.
  if (stepwise && interrupted?.before !== undefined && (result.status === "ok" || changedBeforeFailing(result)))
    return {
      ...result,
      reason: `${result.reason}; continuing an interrupted run (started ${interrupted.startedAt})`,
      before: interrupted.before,
    };
  if (!interrupted || result.status !== "already-done") return result;
  if (interrupted.before === undefined)
    return {
      status: "ok",
      reason:
        `${result.reason}: possibly done by an interrupted run (started ${interrupted.startedAt}, its state ` +
        "before not recorded), recorded now",
      after: result.after,
    };
  if (JSON.stringify(interrupted.before) === JSON.stringify(result.after)) return result;
  return {
    status: "ok",
    reason: `${result.reason}: done by an interrupted run (started ${interrupted.startedAt}), recorded now`,
    before: interrupted.before,
    after: result.after,
  };
}
