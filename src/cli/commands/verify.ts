/**
 * `bedrock-guardrail verify`: the monitor's drift check from a laptop with local credentials (an
 * Organizations reader in the management account or the delegated administrator): the SCP(s)
 * exist with the synthesized content, are attached to every configured target (or the root), and
 * SCPs are enabled on the root. With the alert topic (--topic-arn or ALERT_TOPIC_ARN) and monitor.alertEmails, also
 * the check the monitor makes of the topic's subscriptions: each address without one is drift, and one still awaiting
 * confirmation is named (SNS delivers it nothing yet). verify is a gate: drift always counts as failing findings
 * (exit 3, as --fail-on-findings does for the other commands); 1 when the organization or the subscriptions cannot be
 * read; 2 config.
 */
import type { Command } from "commander";
import type { Guardrail } from "../../guardrail/guardrail";
import { pendingConfirmation, type SubscriptionReader, subscriptionProblems } from "../../runtime/alert-subscriptions";
import { checkDrift, type DriftProblem, type DriftReport, type OrganizationReader } from "../../runtime/drift";
import { parseArn } from "../../arn/arn-like";
import { ENV } from "../../runtime/env";
import { makeOrganizationReader, makeSubscriptionReader } from "../../wiring/adapters";
import { loadGuardrailFor, type TextSink } from "../common";
import { addConfigOptions, type ConfigOption, snsTopicArnProblem } from "../options";
import { EXIT, exitCodeFor } from "../exit-codes";
import { errorKind } from "../../errors/error-text";
import { failureText, reportError } from "../report";

export interface VerifyIO {
  stdout: TextSink;
  stderr: TextSink;
  env?: NodeJS.ProcessEnv;
  readOrganization?: OrganizationReader;
  /** Lists the alert topic's subscriptions; default: SNS in the topic's region, with the local credentials. */
  readAlertSubscriptions?: SubscriptionReader;
}

export interface VerifyOptions {
  json?: boolean;
  /** The monitor's alert topic (its stack's alert_topic_arn output); default $ALERT_TOPIC_ARN. */
  topicArn?: string;
}

/** What verify found of the alert topic's subscriptions, for the configured addresses. */
type SubscriptionCheck =
  | { topicArn: string; problems: DriftProblem[]; pendingConfirmation: string[] }
  | { topicArn: string; error: unknown };

const errorJson = (e: unknown, env?: NodeJS.ProcessEnv) => ({ kind: errorKind(e), message: failureText(e, env) });

/** The subscriptions' drift: none when they were not checked or could not be listed. */
const subscriptionProblemsOf = (subscriptions: SubscriptionCheck | undefined): DriftProblem[] =>
  subscriptions && "problems" in subscriptions ? subscriptions.problems : [];

/** Every drift found: the SCP's (when the organization could be read), then the subscriptions'. */
const allProblems = (report: DriftReport | undefined, subscriptions: SubscriptionCheck | undefined) => [
  ...(report?.problems ?? []),
  ...subscriptionProblemsOf(subscriptions),
];

/**
 * The topic the subscriptions are checked on, when there are addresses to check: undefined without one (a warning
 * says so), or the problem with the one given (exit 2, before any AWS call).
 */
function alertTopic(g: Guardrail, opts: VerifyOptions, io: VerifyIO): { topicArn?: string; usage?: string } {
  // A --topic-arn typed is checked even with no address to check on it: a typo is never silently passed over.
  const typed = opts.topicArn === undefined ? undefined : snsTopicArnProblem("--topic-arn", opts.topicArn);
  if (typed) return { usage: typed };
  if (g.config.monitor.alertEmails.length === 0) return {};
  const given = opts.topicArn ?? (io.env ?? process.env)[ENV.alertTopicArn];
  const input = opts.topicArn !== undefined ? "--topic-arn" : ENV.alertTopicArn;
  if (!given) {
    io.stderr.write(
      "verify: warning: the subscriptions of monitor.alertEmails are not checked: pass --topic-arn (the monitor " +
        `stack's alert_topic_arn output) or set ${ENV.alertTopicArn}\n`,
    );
    return {};
  }
  const usage = snsTopicArnProblem(input, given);
  return usage ? { usage } : { topicArn: given };
}

/** The subscription check of the configured addresses on the topic. */
async function checkSubscriptions(g: Guardrail, topicArn: string, io: VerifyIO): Promise<SubscriptionCheck> {
  const emails = g.config.monitor.alertEmails;
  try {
    const read = io.readAlertSubscriptions ?? makeSubscriptionReader(topicArn, { region: parseArn(topicArn)?.region });
    const subscriptions = await read();
    return {
      topicArn,
      problems: subscriptionProblems(emails, subscriptions),
      pendingConfirmation: pendingConfirmation(emails, subscriptions),
    };
  } catch (error) {
    return { topicArn, error };
  }
}

/** The report's text: one line per problem and per address awaiting confirmation, or the all-clear. */
function writeText(io: VerifyIO, report: DriftReport | undefined, subscriptions: SubscriptionCheck | undefined): void {
  const problems = allProblems(report, subscriptions);
  for (const p of problems) io.stdout.write(`DRIFT ${p.kind}: ${p.detail}\n`);
  if (subscriptions && "pendingConfirmation" in subscriptions)
    for (const address of subscriptions.pendingConfirmation)
      io.stdout.write(
        `PENDING confirmation: ${address} (monitor.alertEmails) has not confirmed its subscription to the alert ` +
          "topic, so it receives no findings until it does: confirm with the token of the confirmation e-mail " +
          "(aws sns confirm-subscription ... --authenticate-on-unsubscribe true, docs/monitor.md)\n",
      );
  if (problems.length > 0) return;
  if (report?.ok)
    io.stdout.write(
      `no drift: ${report.expectedPolicies.join(", ")} intact and attached to ` +
        `${report.expectedTargets.join(", ")}; SCPs enabled on the root\n`,
    );
  if (subscriptions && "problems" in subscriptions)
    io.stdout.write(`alert e-mails: every address of monitor.alertEmails is subscribed to ${subscriptions.topicArn}\n`);
}

export async function verify(g: Guardrail, opts: VerifyOptions, io: VerifyIO): Promise<number> {
  const topic = alertTopic(g, opts, io);
  if (topic.usage) {
    io.stderr.write(`verify: ${topic.usage}\n`);
    return EXIT.USAGE;
  }
  let report: DriftReport | undefined;
  let organizationError: unknown;
  try {
    report = await checkDrift(g, io.readOrganization ?? makeOrganizationReader(g.partition));
  } catch (e) {
    organizationError = e;
    reportError(io.stderr, "verify: cannot read the organization", e, io.env);
  }
  // The monitor's own: checked whether or not the organization could be read, as the monitor does.
  const subscriptions = topic.topicArn ? await checkSubscriptions(g, topic.topicArn, io) : undefined;
  if (subscriptions && "error" in subscriptions) {
    // The topic's policy grants its own account only (SNS's default statement): the usual cause of a refusal.
    const owner =
      errorKind(subscriptions.error) === "access-denied"
        ? " (only principals of the topic's account may: run verify with the monitor account's credentials)"
        : "";
    reportError(
      io.stderr,
      `verify: cannot list the subscriptions of ${subscriptions.topicArn}${owner}`,
      subscriptions.error,
      io.env,
    );
  }
  const incomplete = report === undefined || (subscriptions !== undefined && "error" in subscriptions);
  if (opts.json)
    io.stdout.write(`${JSON.stringify(jsonReport(report, organizationError, subscriptions, io), null, 2)}\n`);
  else writeText(io, report, subscriptions);
  return exitCodeFor({
    incomplete,
    unapprovedFindings: allProblems(report, subscriptions).length,
    failOnFindings: true,
  });
}

/**
 * The --json document: the drift report with the subscriptions' problems, or the organization's error. `ok` only when
 * every check ran and found no drift: subscriptions that could not be listed are no all-clear, as an organization
 * that could not be read is not. --json readers (a pipeline) always get an answer on stdout, never an empty document.
 */
function jsonReport(
  report: DriftReport | undefined,
  organizationError: unknown,
  subscriptions: SubscriptionCheck | undefined,
  io: VerifyIO,
): object {
  const subscriptionProblemsFound = subscriptionProblemsOf(subscriptions);
  const problems = allProblems(report, subscriptions);
  const alertSubscriptions = subscriptions && {
    topicArn: subscriptions.topicArn,
    ...("error" in subscriptions
      ? { error: errorJson(subscriptions.error, io.env) }
      : { pendingConfirmation: subscriptions.pendingConfirmation }),
  };
  const body = report
    ? {
        ...report,
        ok: report.ok && subscriptionProblemsFound.length === 0 && !(subscriptions && "error" in subscriptions),
        problems,
      }
    : {
        ok: false,
        error: errorJson(organizationError, io.env),
        ...(subscriptionProblemsFound.length > 0 ? { problems } : {}),
      };
  return { ...body, ...(alertSubscriptions ? { alertSubscriptions } : {}) };
}

export function register(program: Command): void {
  addConfigOptions(program.command("verify"))
    .description(
      "Check the guardrail SCP for drift (content, attachments, SCPs enabled) and the alert e-mails' subscriptions " +
        "with local credentials (exit 3 on drift)",
    )
    .option("--json", "print the drift report as JSON")
    .option(
      "--topic-arn <arn>",
      `also check the alert e-mails' subscriptions to this topic (default $${ENV.alertTopicArn})`,
    )
    .action(async (opts: ConfigOption & VerifyOptions) => {
      const g = loadGuardrailFor(opts, { stderr: process.stderr });
      process.exitCode = g ? await verify(g, opts, { stdout: process.stdout, stderr: process.stderr }) : EXIT.USAGE;
    });
}
