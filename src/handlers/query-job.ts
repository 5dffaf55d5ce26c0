/**
 * Lambda entry of the scheduled query job (EventBridge Scheduler, every rule interval). Wiring
 * only: read the environment, load the bundled config, run the core, log one summary line (which
 * is also the EMF metrics), and fail the invocation when the run failed so Lambda's Errors metric
 * and the dead-letter queue see it. Scheduler may deliver twice: the core is idempotent.
 */
import { randomUUID } from "node:crypto";
import { type Guardrail, loadGuardrail } from "../guardrail/guardrail";
import { ENV, EnvError, type HandlerEnv, QUERY_JOB_TIMEOUT_SECONDS, readHandlerEnv } from "../runtime/env";
import { checksAlertSubscriptions } from "../runtime/alert-subscriptions";
import { type JobDeps, runJob } from "../runtime/job";
import type { RunSummary } from "../runtime/summary";
import {
  makeNotifier,
  makeOrganizationReader,
  makeSubscriptionReader,
  makeCorrelationSources,
  makeQuerySource,
  makeSecurityHubImporter,
  makeSourceLivenessCheck,
  makeStateStore,
} from "../wiring/adapters";
import { finishInvocation, initOrLog, responderPerRun, type RunResponder } from "./invocation";

interface Context {
  env: HandlerEnv;
  guardrail: Guardrail;
  deps: Omit<JobDeps, "runId" | "responder">;
  /** A fresh responder per invocation (see responderPerRun). */
  newResponder?: () => RunResponder;
}

let context: Context | undefined;

/**
 * Built once per container (cold start); an invalid environment or config fails every invocation with the same clear
 * error.
 */
function init(): Context {
  const env = readHandlerEnv("query-job");
  const guardrail = loadGuardrail({
    configPath: env.guardrailConfigPath,
    assembledDefinitionPath: env.guardrailDefinitionPath,
  });
  const timeoutMs = env.queryTimeoutSeconds * 1000;
  const notifier = makeNotifier(env.alertTopicArn);
  const securityHub = guardrail.config.monitor.securityHub.enabled;
  const spec = { backend: env.backend!, eventDataStoreArn: env.eventDataStoreArn, logGroups: env.logGroups };
  const poll = { initialDelayMs: 500, maxDelayMs: 5_000, timeoutMs };
  const driftCheck = guardrail.config.monitor.driftCheck && env.driftCheck;
  if (securityHub && !env.securityHubProductArn)
    throw new EnvError([`${ENV.securityHubProductArn} is not set (required when monitor.securityHub.enabled)`]);
  return {
    env,
    guardrail,
    deps: {
      guardrail,
      store: makeStateStore(env.stateTableName),
      source: makeQuerySource(guardrail, spec, {}, poll),
      ...makeCorrelationSources(guardrail, spec, {}, poll),
      notifier,
      securityHub: securityHub ? makeSecurityHubImporter(env.securityHubProductArn!) : undefined,
      readOrganization: driftCheck ? makeOrganizationReader(guardrail.partition) : undefined,
      readAlertSubscriptions:
        driftCheck && checksAlertSubscriptions(guardrail) ? makeSubscriptionReader(env.alertTopicArn) : undefined,
      checkSourceLiveness: driftCheck ? makeSourceLivenessCheck(guardrail, spec) : undefined,
    },
    newResponder: responderPerRun(guardrail, env, notifier),
  };
}

/** What the handler reads of Lambda's context object. */
interface LambdaContext {
  awsRequestId?: string;
  getRemainingTimeInMillis?: () => number;
}

export async function handler(_event?: unknown, lambdaContext?: LambdaContext): Promise<RunSummary> {
  const ctx = (context ??= initOrLog(init));
  // Read first: the run's one deadline, which its queries share and its alerts must fit before.
  const timeLimitMs = lambdaContext?.getRemainingTimeInMillis?.() ?? QUERY_JOB_TIMEOUT_SECONDS * 1000;
  const summary = await runJob(
    { ...ctx.deps, responder: ctx.newResponder?.().responder, runId: lambdaContext?.awsRequestId ?? randomUUID() },
    { jobName: ctx.env.jobName, timeLimitMs },
  );
  return finishInvocation(summary, "run");
}

/**
 * Test seam, on purpose: the wiring is cached for the container's life (cold start), and each test
 * starts from a cold container.
 */
export function resetForTests(): void {
  context = undefined;
}
