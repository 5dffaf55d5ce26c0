/**
 * Guardrail drift: is the SCP still what we synthesize, still attached where configured, and are
 * SCPs still enabled on the root? Pure comparison of what the organization shows (OrgView, read by
 * aws/organizations.ts) with the documents the policy builder produces for the same Guardrail.
 */
import { createHash } from "node:crypto";
import type { Guardrail } from "../guardrail/guardrail";
import { buildScpDocuments } from "../policy/documents";
import type { ScpDocument } from "../policy/types";
import type { CoverageRequest, OrgView, SlotTargets } from "../aws/organizations";
import { SCP_QUOTAS } from "../config/aws-limits";
import { targetSlots } from "../policy/slots";
import { cleanSubject } from "./alert";
import type { CoverageMemory } from "./state/store";

export type { OrgView };

/**
 * Reads the organization: the named policies, the SCPs at the targets `slotsAt` picks and, with `coverage`, the
 * accounts under the OU and account targets.
 */
export type OrganizationReader = (
  policyNames: string[],
  slotsAt?: SlotTargets,
  coverage?: CoverageRequest,
) => Promise<OrgView>;

/** The accounts the monitor saw under the targets, with the target each was under (kept between runs). */
type RememberedCoverage = CoverageMemory["accounts"];

/**
 * How often the OU targets' accounts are listed: two Organizations calls per OU under them, which a run every 5
 * minutes would spend on a rate the realtime function shares. Between listings the memory's departures stay
 * reported, so an account moved out is reported at most this late.
 */
const COVERAGE_LISTING_INTERVAL_MS = 60 * 60_000;

type DriftKind =
  | "scp-type-disabled"
  | "no-root"
  /** Organizations could not be read (access denied, throttled, network): nothing could be confirmed. */
  | "read-failed"
  | "policy-missing"
  | "content-changed"
  | "not-attached"
  | "ambiguous-name"
  /** The guardrail is still to be attached to a target that has no free slot for it. */
  | "attach-would-fail"
  /** An account the targets covered is no longer under any of them (moved, or out of the organization). */
  | "left-coverage"
  /** A configured target the organization does not have (a deleted OU, a typo): the SCP covers nothing there. */
  | "target-missing"
  /** A monitor.alertEmails address without a subscription to the alert topic (alert-subscriptions.ts). */
  | "subscription-missing"
  /** The job's event data store or organization trail no longer feeds it the rules' events (source-liveness.ts). */
  | "source-not-live";

export interface DriftProblem {
  kind: DriftKind;
  policy?: string;
  target?: string;
  /** source-not-live: what about the source (status, selectors, ...), so each aspect alerts on its own. */
  check?: string;
  detail: string;
  /** content-changed: SHA-256 of the differing copies as IAM reads them, so a further edit is a new drift. */
  contentSha256?: string;
}

export interface DriftReport {
  ok: boolean;
  problems: DriftProblem[];
  expectedPolicies: string[];
  expectedTargets: string[];
  /** The coverage memory to keep, when this check listed the accounts under the targets (the monitor's check). */
  coverage?: CoverageMemory;
}

/**
 * A policy in a canonical form, so what IAM treats as the same policy compares equal: object keys sorted
 * (whitespace and key order), and every list (Statement, Action, Resource, condition values) as a sorted set
 * with a one-element list the same as its element, since policy grammar gives list order no meaning and
 * accepts a single value for a list.
 */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = [...new Set(value.map((v) => JSON.stringify(canonical(v))))].sort();
    return items.length === 1 ? JSON.parse(items[0]) : items.map((i) => JSON.parse(i));
  }
  if (value === null || typeof value !== "object") return value;
  const keys = Object.keys(value).sort();
  return Object.fromEntries(keys.map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
}

/** Whether two parsed policies are the same policy to IAM (see canonical). */
function samePolicy(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function parsed(content: string): unknown {
  try {
    return JSON.parse(content);
  } catch {
    return undefined;
  }
}

/** Where the SCP must be attached: the configured targets, or every root when none are configured. */
function expectedTargets(guardrail: Guardrail, view: Pick<OrgView, "roots">): string[] {
  return guardrail.config.targets.length > 0 ? guardrail.config.targets : view.roots.map((r) => r.id);
}

/** The guardrail's policies (by name) attached to a target, reading the same copies compareOrganization accepts. */
function attachedNames(view: Pick<OrgView, "policies" | "targets">, target: string): Set<string> {
  return new Set(view.policies.filter((p) => (view.targets[p.id] ?? []).includes(target)).map((p) => p.name));
}

/**
 * Where a guardrail document is still to be attached, the SCPs already there plus the missing
 * documents must fit the quota (FullAWSAccess counts), or the attach fails.
 */
function slotProblems(expected: ScpDocument[], view: OrgView, maxPolicies: number): DriftProblem[] {
  return Object.entries(view.attachedAt ?? {}).flatMap(([target, attached]) => {
    const present = attachedNames(view, target);
    const missing = expected.filter((d) => !present.has(d.name)).length;
    const slots = targetSlots(target, attached.length, missing, maxPolicies);
    if (missing === 0 || slots.fits) return [];
    return [
      {
        kind: "attach-would-fail" as const,
        target,
        detail:
          `${target} holds ${attached.length} SCP(s) of ${maxPolicies}: attaching the ${missing} missing guardrail ` +
          `document(s) would make ${slots.uses} and fail; detach a policy there first`,
      },
    ];
  });
}

export function compareOrganization(
  expected: ScpDocument[],
  targets: string[],
  view: OrgView,
  maxPolicies: number = SCP_QUOTAS.maxPoliciesPerTarget,
): DriftReport {
  const problems: DriftProblem[] = [];
  if (view.roots.length === 0)
    problems.push({ kind: "no-root", detail: "ListRoots returned no root: cannot confirm SCPs are enabled" });
  for (const root of view.roots) {
    if (!root.scpEnabled)
      problems.push({
        kind: "scp-type-disabled",
        target: root.id,
        detail: `policy type SERVICE_CONTROL_POLICY is not ENABLED on root ${root.id}: no SCP applies anywhere`,
      });
  }
  for (const doc of expected) {
    const found = view.policies.filter((p) => p.name === doc.name);
    if (found.length === 0) {
      problems.push({
        kind: "policy-missing",
        policy: doc.name,
        detail: `no service control policy named "${doc.name}"`,
      });
      continue;
    }
    if (found.length > 1)
      problems.push({
        kind: "ambiguous-name",
        policy: doc.name,
        detail:
          `${found.length} service control policies are named "${doc.name}" ` +
          `(${found.map((p) => p.id).join(", ")})`,
      });
    // With duplicates, the policy is in place if any copy is intact and attached everywhere.
    const intact = found.filter((p) => samePolicy(parsed(p.content), doc.policy));
    if (intact.length === 0) {
      problems.push({
        kind: "content-changed",
        policy: doc.name,
        detail: `"${doc.name}" (${found.map((p) => p.id).join(", ")}) differs from the synthesized document`,
        contentSha256: createHash("sha256")
          .update(found.map((p) => JSON.stringify(canonical(parsed(p.content))) ?? p.content).join("\n"))
          .digest("hex"),
      });
    }
    const candidates = intact.length > 0 ? intact : found;
    for (const target of targets.filter((t) => !view.missingTargets?.includes(t))) {
      if (!candidates.some((p) => (view.targets[p.id] ?? []).includes(target))) {
        problems.push({
          kind: "not-attached",
          policy: doc.name,
          target,
          detail: `"${doc.name}" is not attached to ${target}`,
        });
      }
    }
  }
  for (const target of targets.filter((t) => view.missingTargets?.includes(t)))
    problems.push({
      kind: "target-missing",
      target,
      detail: `${target} is in targets but not in the organization (deleted, or mistyped): the SCP covers nothing`,
    });
  problems.push(...slotProblems(expected, view, maxPolicies));
  return {
    ok: problems.length === 0,
    problems,
    expectedPolicies: expected.map((d) => d.name),
    expectedTargets: targets,
  };
}

/**
 * The full check for a guardrail, given a reader of the organization. With `coverage` (the monitor's memory of the
 * accounts its OU targets covered, and the time), it also reports each such account no longer under them: an SCP
 * on an OU does not follow an account moved out of it.
 */
export async function checkDrift(
  guardrail: Guardrail,
  read: OrganizationReader,
  coverage?: { memory?: CoverageMemory; now: Date },
): Promise<DriftReport> {
  const expected = buildScpDocuments(guardrail);
  // Only targets still missing a document are counted: where everything is attached nothing can fail.
  const slotsAt: SlotTargets = (roots, policies, attachments) =>
    expectedTargets(guardrail, { roots: roots.map((id) => ({ id, scpEnabled: true })) }).filter(
      (t) => attachedNames({ policies, targets: attachments }, t).size < expected.length,
    );
  const watches = coverage !== undefined && watchesCoverage(guardrail);
  const memory = coverage?.memory;
  const listedAgo = memory && coverage ? coverage.now.getTime() - Date.parse(memory.listedAt) : Number.NaN;
  const listNow = watches && !(listedAgo >= 0 && listedAgo < COVERAGE_LISTING_INTERVAL_MS);
  const remembered = stillWatched(guardrail, memory?.accounts ?? {});
  const view = await read(
    expected.map((d) => d.name),
    slotsAt,
    ...(listNow ? [{ targets: guardrail.config.targets, remembered: Object.keys(remembered) }] : []),
  );
  const report = compareOrganization(
    expected,
    expectedTargets(guardrail, view),
    view,
    guardrail.config.scp.maxPoliciesPerTarget,
  );
  if (!watches) return report;
  const departed = view.coverage?.departed ?? memory?.departed ?? {};
  const problems = [...report.problems, ...coverageProblems(remembered, departed)];
  const next: CoverageMemory | undefined = view.coverage && {
    accounts: { ...remembered, ...withoutReleased(guardrail, view.coverage.covered) },
    departed: view.coverage.departed,
    listedAt: coverage.now.toISOString(),
  };
  return { ...report, ok: problems.length === 0, problems, ...(next ? { coverage: next } : {}) };
}

/** Whether accounts can leave the targets: not when a root is one (every account is under it), nor with none. */
function watchesCoverage(guardrail: Guardrail): boolean {
  const targets = guardrail.config.targets;
  return targets.length > 0 && !targets.some((t) => t.startsWith("r-"));
}

/** The remembered accounts still watched: under a target still configured, and not in monitor.releasedAccounts. */
function stillWatched(guardrail: Guardrail, remembered: RememberedCoverage): RememberedCoverage {
  const targets = new Set(guardrail.config.targets);
  return Object.fromEntries(
    Object.entries(withoutReleased(guardrail, remembered)).filter(([, target]) => targets.has(target)),
  );
}

function withoutReleased(guardrail: Guardrail, accounts: RememberedCoverage): RememberedCoverage {
  const released = new Set(guardrail.config.monitor.releasedAccounts);
  return Object.fromEntries(Object.entries(accounts).filter(([account]) => !released.has(account)));
}

/** A problem for each watched account that left (taking a target out of the config or releasing it is the decision). */
function coverageProblems(watched: RememberedCoverage, departed: CoverageMemory["departed"]): DriftProblem[] {
  return Object.entries(departed)
    .filter(([account]) => watched[account] !== undefined)
    .map(([account, parent]) => ({
      kind: "left-coverage" as const,
      target: account,
      detail:
        `account ${account} was under ${watched[account]} and is now ` +
        `${parent ? `in ${parent}, outside every target` : "out of the organization"}: the guardrail SCP no ` +
        "longer applies to it; move it back, or list it in monitor.releasedAccounts if it was meant to leave",
    }));
}

/** Stable identity of a set of problems: a drift that persists alerts once, a changed one again. */
export function driftFingerprint(report: DriftReport): string {
  if (report.ok) return "";
  const lines = report.problems
    .map(
      (p) =>
        `${p.kind}|${p.policy ?? ""}|${p.target ?? ""}${p.contentSha256 ? `|${p.contentSha256}` : ""}` +
        `${p.check ? `|${p.check}` : ""}`,
    )
    .sort();
  return createHash("sha256").update(lines.join("\n")).digest("hex");
}

export function driftSubject(report: DriftReport): string {
  if (report.ok) return cleanSubject("[resolved] Bedrock guardrail drift resolved");
  const first = report.problems[0];
  const more = report.problems.length > 1 ? ` (+${report.problems.length - 1} more)` : "";
  return cleanSubject(
    `[high] Bedrock guardrail drift: ` +
      `${first.kind}${first.policy ? ` ${first.policy}` : ""}${first.target ? ` on ${first.target}` : ""}${more}`,
  );
}

export function driftBody(report: DriftReport, checkedAt: string): string {
  // The coverage memory is the check's, not news: the problems name the accounts that left.
  const { coverage, ...news } = report;
  return JSON.stringify({
    kind: "bedrock-guardrail.drift",
    checkedAt,
    ...news,
    ...(coverage ? { coveredAccountCount: Object.keys(coverage.accounts).length } : {}),
  });
}
