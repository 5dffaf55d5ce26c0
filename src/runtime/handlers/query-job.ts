/**
 * Lambda entry of the scheduled query job (EventBridge Scheduler, every rule interval). Wiring
 * only: read the environment, load the bundled config, run the core, log one summary line (which
 * is also the EMF metrics), and fail the invocation when the run failed so Lambda's Errors metric
 * and the dead-letter queue see it. Scheduler may deliver twice: the core is idempotent.
 */
import { randomUUID } from "node:crypto";
import { Guardrail, loadGuardrail } from "../../guardrail/guardrail";
import { actsAnywhere } from "../../remediation/mode";
import { FindingResponder } from "../contracts";
import { HandlerEnv, readHandlerEnv } from "../env";
import { JobDeps, runJob } from "../job";
import { errorText } from "../pipeline";
import { RunSummary, summaryLine } from "../summary";
import { makeNotifier, makeOrganizationReader, makeQuerySource, makeResponder, makeStateStore } from "../wiring";

interface Context {
  env: HandlerEnv;
  guardrail: Guardrail;
  deps: Omit<JobDeps, "runId" | "responder">;
  /**
   * A fresh responder per invocation: its maxActionsPerRun counter and its member-account
   * credentials (AssumeRole, 15 minutes) belong to one run, while the container lives for hours.
   */
  newResponder?: () => FindingResponder;
}

let context: Context | undefined;

/** Built once per container (cold start); an invalid environment or config fails every invocation with the same clear error. */
function init(): Context {
  const env = readHandlerEnv("query-job");
  const guardrail = loadGuardrail({ configPath: env.guardrailConfigPath });
  const timeoutMs = env.queryTimeoutSeconds * 1000;
  const notifier = makeNotifier(env.alertTopicArn);
  return {
    env,
    guardrail,
    deps: {
      guardrail,
      store: makeStateStore(env.stateTableName),
      source: makeQuerySource(guardrail, { backend: env.backend!, eventDataStoreArn: env.eventDataStoreArn, logGroups: env.logGroups }, {}, { initialDelayMs: 500, maxDelayMs: 5_000, timeoutMs }),
      notifier,
      readOrganization: guardrail.config.monitor.driftCheck && env.driftCheck ? makeOrganizationReader() : undefined,
    },
    newResponder: actsAnywhere(guardrail.remediation.mode, guardrail.remediation.overrides)
      ? () => makeResponder(guardrail, { stateTableName: env.stateTableName, memberRoleName: env.memberRoleName, memberRoleExternalId: env.memberRoleExternalId, notifier })
      : undefined,
  };
}

export async function handler(_event?: unknown, lambdaContext?: { awsRequestId?: string }): Promise<RunSummary> {
  let ctx: Context;
  try {
    ctx = context ??= init();
  } catch (e) {
    console.error(JSON.stringify({ type: "bedrock-guardrail.init-error", error: errorText(e) }));
    throw e;
  }
  const summary = await runJob({ ...ctx.deps, responder: ctx.newResponder?.(), runId: lambdaContext?.awsRequestId ?? randomUUID() }, { jobName: ctx.env.jobName });
  console.log(summaryLine(summary, Date.now()));
  if (summary.status === "failed") throw new Error(`bedrock-guardrail run failed at ${summary.failure?.step}: ${summary.failure?.error}`);
  return summary;
}

/** Tests: forget the cached wiring. */
export function resetForTests(): void {
  context = undefined;
}
