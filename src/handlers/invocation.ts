/**
 * What the two Lambda entries share: the per-invocation responder, the init-error line, and the
 * end of an invocation (the summary line, which is also the EMF metrics, then failing the
 * invocation when the run failed so Lambda's Errors metric, retries and dead-letter queue see it).
 */
import { errorText } from "../errors/error-text";
import type { Guardrail } from "../guardrail/guardrail";
import { actsAnywhere } from "../remediation/mode";
import { OrganizationMembership } from "../remediation/organization";
import type { FindingResponder, Notifier } from "../aws/contracts";
import type { HandlerEnv } from "../runtime/env";
import { type RunSummary, summaryLine } from "../runtime/summary";
import { makeOrganizationLookup, makeResponder } from "../wiring/adapters";

/** One invocation's responder, and the membership checks of the same run's Organizations lookup. */
export interface RunResponder {
  responder: FindingResponder;
  membership: OrganizationMembership;
}

/**
 * A factory called once per invocation: the responder's maxActionsPerRun counter, its member-account credentials
 * (AssumeRole, 15 minutes) and its Organizations answers belong to one run, while a warm container lives for hours.
 * The run's one Organizations lookup serves the responder (modes, the check before AssumeRole) and the caller's own
 * membership checks (the realtime path's), so an account is looked up once per invocation. Undefined when no account
 * can be in a mode other than off.
 */
export function responderPerRun(
  guardrail: Guardrail,
  env: HandlerEnv,
  notifier: Notifier,
): (() => RunResponder) | undefined {
  if (!actsAnywhere(guardrail.remediation.mode, guardrail.remediation.overrides)) return undefined;
  return () => {
    const organization = makeOrganizationLookup(guardrail);
    const responder = makeResponder(guardrail, {
      stateTableName: env.stateTableName,
      memberRoleName: env.memberRoleName,
      memberRoleExternalId: env.memberRoleExternalId,
      notifier,
      organization,
    });
    return { responder, membership: OrganizationMembership.of(organization) };
  };
}

/**
 * Builds the container's wiring once; an invalid environment or config fails every invocation with the same clear line.
 */
export function initOrLog<T>(init: () => T): T {
  try {
    return init();
  } catch (e) {
    console.error(JSON.stringify({ type: "bedrock-guardrail.init-error", error: errorText(e) }));
    throw e;
  }
}

/**
 * Writes the summary as one bare JSON line on stdout (not console.log, which Lambda prefixes with
 * time, request id and level in the Text log format and wraps in a "message" string in the JSON
 * format: either way the line would no longer be an EMF document), then throws if the run failed.
 */
export function finishInvocation(summary: RunSummary, what: string): RunSummary {
  process.stdout.write(`${summaryLine(summary, Date.now())}\n`);
  if (summary.status === "failed")
    throw new Error(`bedrock-guardrail ${what} failed at ${summary.failure?.step}: ${summary.failure?.error}`);
  return summary;
}
