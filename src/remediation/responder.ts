/**
 * The FindingResponder the monitor calls after publishing each new finding (and the engine of
 * `remediate`): resolve modes and the management account, read the caps' counters, plan, then
 * for each action either report it or perform it, recording before and after. Idempotent on the
 * finding: action ids are deterministic and an action recorded as done is never repeated.
 */
import type { Finding } from "../detection/finding";
import type { Guardrail } from "../guardrail/guardrail";
import type { ActionOutcome, FindingResponder, Notifier, ResponseReport } from "../aws/contracts";
import { executeAction, type ExecutionResult } from "./executor";
import type { MemberClientProvider } from "./member-clients";
import { needsOuChain, resolveMode } from "./mode";
import type { OrganizationLookup } from "./organization";
import { planRemediation } from "./planner";
import { notificationFor } from "./report";
import { type ActionRecord, hourBucket, type RecordFields, type RecordStatus, type RemediationStore } from "./store";
import type { PlannedAction, RemediationMode } from "./types";

export interface ResponderOptions {
  guardrail: Guardrail;
  store: RemediationStore;
  organization: OrganizationLookup;
  /** Needed only when execute is true. */
  clients?: MemberClientProvider;
  notifier?: Notifier;
  /** false: plan only, nothing is called, recorded or sent (remediate without --execute). Default true. */
  execute?: boolean;
  clock?: () => Date;
  /** The identity running this (never remediated by itself; recorded as the actor). */
  selfArns?: string[];
  actor?: string;
}

/** Outcome status of an action that is not executed. */
const STATUS_OF: Record<Exclude<PlannedAction["disposition"], "execute">, ActionOutcome["status"]> = {
  "dry-run": "planned",
  off: "skipped",
  "alert-only": "skipped",
  manual: "manual",
  none: "skipped",
};

const DONE: ReadonlySet<RecordStatus> = new Set(["ok", "already-done"]);

export interface ResponseDetail extends ResponseReport {
  /** Actions with their outcome, for the CLI's output and the alert. */
  actions: { action: PlannedAction; outcome: ActionOutcome; fresh: boolean }[];
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

  async respond(finding: Finding): Promise<ResponseReport> {
    const d = await this.respondInDetail(finding);
    return { findingId: d.findingId, outcomes: d.outcomes };
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
    const plan = planRemediation(finding, g, {
      now,
      modes,
      managementAccountId,
      selfArns: this.deps.selfArns,
      budget: {
        run: g.remediation.maxActionsPerRun - this.mutationsThisRun,
        principal: g.remediation.maxActionsPerPrincipalPerHour - usedByPrincipal,
      },
    });

    const actions: ResponseDetail["actions"] = [];
    for (const action of plan) actions.push(await this.handle(action, now));
    const report: ResponseDetail = { findingId: finding.event.id, outcomes: actions.map((a) => a.outcome), actions };
    // Mode off means silence beyond the finding's own alert; otherwise report whatever is new.
    if (
      this.execute &&
      this.deps.notifier &&
      actions.some((a) => a.fresh && a.action.disposition !== "off" && a.action.disposition !== "none")
    ) {
      const n = notificationFor(finding, actions);
      await this.deps.notifier.publish(n.subject, n.body, n.attributes);
    }
    return report;
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
    const { disposition: _d, ...rest } = action;
    void _d;
    return { ...rest, status, reason, actor: this.deps.actor, plannedAt: at.toISOString(), ...extra };
  }

  private async handle(action: PlannedAction, now: Date): Promise<ResponseDetail["actions"][number]> {
    if (!this.execute) {
      const status = action.disposition === "execute" ? "planned" : STATUS_OF[action.disposition];
      const reason = action.disposition === "execute" ? `${action.reason} (runs with --execute)` : action.reason;
      return { action, outcome: this.outcome(action, status, reason), fresh: true };
    }
    const store = this.deps.store;
    const existing = await store.getAction(action.actionId);
    if (existing && DONE.has(existing.status)) {
      return {
        action,
        outcome: this.outcome(
          action,
          existing.status as ActionOutcome["status"],
          `${existing.reason} (recorded ${existing.finishedAt ?? existing.plannedAt})`,
        ),
        fresh: false,
      };
    }
    if (action.disposition !== "execute") {
      const status = STATUS_OF[action.disposition];
      // Same status as recorded: nothing new (the reason may differ only by the time it was planned).
      if (existing?.status === status)
        return { action, outcome: this.outcome(action, status, existing.reason), fresh: false };
      await store.putAction(this.record(action, status, action.reason, now, { finishedAt: now.toISOString() }));
      return { action, outcome: this.outcome(action, status, action.reason), fresh: true };
    }
    // Recorded before the call: a crash leaves "in-progress", and the re-run checks the real state first.
    const startedAt = this.clock().toISOString();
    await store.putAction(
      this.record(action, "in-progress", action.reason, now, {
        startedAt,
        plannedAt: existing?.plannedAt ?? now.toISOString(),
      }),
    );
    const result: ExecutionResult = await executeAction(action, () => this.deps.clients!.forAccount(action.accountId));
    const status: RecordStatus = result.status;
    await store.putAction(
      this.record(action, status, result.reason, now, {
        startedAt,
        finishedAt: this.clock().toISOString(),
        before: result.before,
        after: result.after,
        plannedAt: existing?.plannedAt ?? now.toISOString(),
      }),
    );
    if (result.status === "ok") {
      this.mutationsThisRun++;
      if (action.principalArn) await store.recordPrincipalAction(action.principalArn, hourBucket(now), action.actionId);
    }
    return { action, outcome: this.outcome(action, result.status, result.reason), fresh: true };
  }
}
