/**
 * `bedrock-guardrail verify`: the monitor's drift check from a laptop with local credentials (an
 * Organizations reader in the management account or the delegated administrator): the SCP(s)
 * exist with the synthesized content, are attached to every configured target (or the root), and
 * SCPs are enabled on the root. With the alert topic (--topic-arn or ALERT_TOPIC_ARN) and monitor.alertEmails, also
 * the check the monitor makes of the topic's subscriptions: each address without one is drift, and one still awaiting
 * confirmation is named (SNS delivers it nothing yet). And the monitor's check that the scheduled job's source is live
 * (src/runtime/source-liveness.ts, the same function): the event data store (--event-data-store,
 * monitor.cloudtrailLake.eventDataStoreArn, or the one the monitor created, found by its name and the tool's tag) or
 * the organization trail (monitor.trailArn). verify is a gate: drift
 * always counts as failing findings (exit 3, as --fail-on-findings does for the other commands); 1 when the
 * organization, the subscriptions or the source cannot be read; 2 config.
 */
import type { Command } from "commander";
import type { Guardrail } from "../../guardrail/guardrail";
import { pendingConfirmation, type SubscriptionReader, subscriptionProblems } from "../../runtime/alert-subscriptions";
import { checkDrift, type DriftProblem, type DriftReport, type OrganizationReader } from "../../runtime/drift";
import { parseArn } from "../../arn/arn-like";
import { shown } from "../../detection/backends/input-error";
import { ENV } from "../../runtime/env";
import { MONITOR_SOURCES } from "../../runtime/query/backends";
import { type SourceLivenessCheck, sourceLivenessProblems } from "../../runtime/source-liveness";
import {
  makeEventDataStoreLookup,
  makeOrganizationReader,
  makeSourceLivenessCheck,
  makeSubscriptionReader,
} from "../../wiring/adapters";
import { TOOL_TAGS } from "../../config/aws-limits";
import { stackAccountOf } from "../../config/sections/aws";
import {
  EVENT_DATA_STORE_LOOKUP_PERMISSIONS,
  type NamedEventDataStore,
  toolEventDataStore,
} from "../../aws/tool-event-data-store";
import { eventDataStoreName } from "../../infra/naming";
import { loadGuardrailFor, type TextSink } from "../common";
import { addConfigOptions, type ConfigOption, snsTopicArnProblem } from "../options";
import { EXIT, exitCodeFor } from "../exit-codes";
import { errorKind, errorText } from "../../errors/error-text";
import { failureText, reportError } from "../report";

export interface VerifyIO {
  stdout: TextSink;
  stderr: TextSink;
  env?: NodeJS.ProcessEnv;
  readOrganization?: OrganizationReader;
  /** Lists the alert topic's subscriptions; default: SNS in the topic's region, with the local credentials. */
  readAlertSubscriptions?: SubscriptionReader;
  /** The time the source is checked at (a trail's delivery error counts after 30 minutes without a delivery). */
  now?: () => Date;
}

export interface VerifyOptions {
  json?: boolean;
  /** The monitor's alert topic (its stack's alert_topic_arn output); default $ALERT_TOPIC_ARN. */
  topicArn?: string;
  /**
   * The job's event data store (cloudtrail-lake) when the config names none: the monitor stack's output. Default: the
   * store the monitor created, found by its name and the tool's tag.
   */
  eventDataStore?: string;
}

/** The job's source as verify checks it: the store or trail, the calls the check makes, and the check. */
interface JobSource {
  target: string;
  permissions: string[];
  check: SourceLivenessCheck;
}

/**
 * What verify found of the job's source: its source-not-live drift, the reads that failed (read-failed), or why the
 * store the monitor created was not found.
 */
type SourceCheck =
  | { target: string; problems: DriftProblem[] }
  | { target: string; permissions: string[]; unreadable: string[] }
  | { target: string; unfound: string };

/** What verify found of the alert topic's subscriptions, for the configured addresses. */
type SubscriptionCheck =
  | { topicArn: string; problems: DriftProblem[]; pendingConfirmation: string[] }
  | { topicArn: string; error: unknown };

const errorJson = (e: unknown, env?: NodeJS.ProcessEnv) => ({ kind: errorKind(e), message: failureText(e, env) });

/** The subscriptions' drift: none when they were not checked or could not be listed. */
const subscriptionProblemsOf = (subscriptions: SubscriptionCheck | undefined): DriftProblem[] =>
  subscriptions && "problems" in subscriptions ? subscriptions.problems : [];

/** The source's drift: none when it was not checked or could not be read. */
const sourceProblemsOf = (source: SourceCheck | undefined): DriftProblem[] =>
  source && "problems" in source ? source.problems : [];

/** Every drift found: the SCP's (when the organization could be read), then the subscriptions' and the source's. */
const allProblems = (
  report: DriftReport | undefined,
  subscriptions: SubscriptionCheck | undefined,
  source: SourceCheck | undefined,
) => [...(report?.problems ?? []), ...subscriptionProblemsOf(subscriptions), ...sourceProblemsOf(source)];

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

/** CloudTrail's limit on an event data store ARN (GetEventDataStore's EventDataStore parameter). */
const MAX_EVENT_DATA_STORE_ARN = 256;

/** Why `value` of --event-data-store is no event data store ARN (its Region is where it is read), or undefined. */
function eventDataStoreArnProblem(value: string): string | undefined {
  const arn = parseArn(value);
  const isStore =
    value.length <= MAX_EVENT_DATA_STORE_ARN &&
    arn?.service === "cloudtrail" &&
    !!arn.region &&
    /^\d{12}$/.test(arn.account) &&
    /^eventdatastore\/[A-Za-z0-9]+(-[A-Za-z0-9]+)*$/.test(arn.resource);
  return isStore
    ? undefined
    : `--event-data-store ${shown(value)} is not an event data store ARN ` +
        `(arn:aws:cloudtrail:<region>:<account>:eventdatastore/<id>, at most ${MAX_EVENT_DATA_STORE_ARN} characters)`;
}

/** Why the --event-data-store given cannot be read (exit 2, before any AWS call), or undefined. */
function eventDataStoreUsage(g: Guardrail, opts: VerifyOptions): string | undefined {
  if (opts.eventDataStore === undefined) return undefined;
  const { backend } = g.config.monitor;
  if (backend !== "cloudtrail-lake")
    return `--event-data-store: the job reads ${backend} (monitor.backend), not an event data store`;
  return eventDataStoreArnProblem(opts.eventDataStore);
}

/**
 * The accounts the created store may be in: the security account's (aws.security), where the monitor stack creates
 * it, and the management account's, which owns an organization store a delegated administrator creates.
 */
function storeAccounts(g: Guardrail): { id: string; key: string }[] {
  const { security } = g.config.aws;
  const accounts = [
    {
      id: stackAccountOf(security),
      key: security.accountId ? "aws.security.accountId" : "the account of aws.security.assumeRoleArn",
    },
    { id: g.config.organization.managementAccountId, key: "organization.managementAccountId" },
  ];
  return accounts.flatMap((a) => (a.id === undefined ? [] : [{ id: a.id, key: a.key }]));
}

/**
 * The store the monitor created, found by its name and the tool's tag in aws.region: its ARN, or the source check
 * that says why none was taken (none, a look-alike, several) or what the look-up needs (exit 1 either way).
 */
async function createdEventDataStore(g: Guardrail): Promise<{ arn: string } | { failed: SourceCheck }> {
  const name = eventDataStoreName(g.rules[0].eventSource);
  const region = g.config.aws.region;
  const target = `the event data store named ${name} in ${region}`;
  let found: NamedEventDataStore[];
  try {
    found = await makeEventDataStoreLookup(region)(name);
  } catch (e) {
    const permissions = EVENT_DATA_STORE_LOOKUP_PERMISSIONS.flatMap((p) => p.actions);
    return { failed: { target, permissions, unreadable: [`cannot list the event data stores: ${errorText(e)}`] } };
  }
  const chosen = toolEventDataStore(found, { name, region, tags: TOOL_TAGS, accounts: storeAccounts(g) });
  if ("arn" in chosen) return chosen;
  const unfound = `${chosen.problem}: pass --event-data-store (the monitor stack's event_data_store_arn output)`;
  return { failed: { target, unfound } };
}

/**
 * The source the scheduled job reads, as its drift check checks it (makeSourceLivenessCheck): none without a monitor,
 * nor on a trail-fed backend without monitor.trailArn (the job checks nothing there either); on cloudtrail-lake the
 * store --event-data-store or the config names, else the one the monitor created (createdEventDataStore). Or why
 * that store could not be found.
 */
async function jobSource(g: Guardrail, opts: VerifyOptions): Promise<{ source?: JobSource; failed?: SourceCheck }> {
  const { monitor } = g.config;
  if (!monitor.enabled) return {};
  let eventDataStoreArn = opts.eventDataStore ?? monitor.cloudtrailLake.eventDataStoreArn;
  if (monitor.backend === "cloudtrail-lake" && !eventDataStoreArn) {
    const created = await createdEventDataStore(g);
    if ("failed" in created) return created;
    eventDataStoreArn = created.arn;
  }
  const spec = { backend: monitor.backend, eventDataStoreArn, logGroups: monitor.cloudwatchLogs.logGroups };
  const check = makeSourceLivenessCheck(g, spec);
  const target = monitor.backend === "cloudtrail-lake" ? eventDataStoreArn : monitor.trailArn;
  if (!check || !target) return {};
  const permissions = MONITOR_SOURCES[monitor.backend].livenessPermissions({ trail: true }).flatMap((p) => p.actions);
  return { source: { target, permissions, check } };
}

/** The check of the job's source at `now`: source-not-live drift, or the reads that failed. */
async function checkSource(source: JobSource, now: Date): Promise<SourceCheck> {
  const found = await sourceLivenessProblems(source.check, now);
  const unreadable = found.filter((p) => p.kind === "read-failed").map((p) => p.detail);
  return unreadable.length > 0
    ? { target: source.target, permissions: source.permissions, unreadable }
    : { target: source.target, problems: found };
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
function writeText(
  io: VerifyIO,
  report: DriftReport | undefined,
  subscriptions: SubscriptionCheck | undefined,
  source: SourceCheck | undefined,
): void {
  const problems = allProblems(report, subscriptions, source);
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
  if (source && "problems" in source)
    io.stdout.write(
      `job's source: ${source.target} is set to feed the job every event the rules read (no source-not-live drift)\n`,
    );
}

export async function verify(g: Guardrail, opts: VerifyOptions, io: VerifyIO): Promise<number> {
  const topic = alertTopic(g, opts, io);
  const usage = topic.usage ?? eventDataStoreUsage(g, opts);
  if (usage) {
    io.stderr.write(`verify: ${usage}\n`);
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
  // The monitor's own too, and the same check: a stopped or narrowed source leaves every run clean.
  const job = await jobSource(g, opts);
  const source = job.source ? await checkSource(job.source, (io.now ?? (() => new Date()))()) : job.failed;
  if (source && "unreadable" in source)
    for (const detail of source.unreadable)
      io.stderr.write(
        `verify: the job's source could not be checked (it needs ${source.permissions.join(", ")}): ${detail}\n`,
      );
  if (source && "unfound" in source)
    io.stderr.write(`verify: the job's source could not be checked: ${source.unfound}\n`);
  const incomplete =
    report === undefined ||
    (subscriptions !== undefined && "error" in subscriptions) ||
    (source !== undefined && !("problems" in source));
  if (opts.json)
    io.stdout.write(`${JSON.stringify(jsonReport(report, organizationError, subscriptions, source, io), null, 2)}\n`);
  else writeText(io, report, subscriptions, source);
  return exitCodeFor({
    incomplete,
    unapprovedFindings: allProblems(report, subscriptions, source).length,
    failOnFindings: true,
  });
}

/** The --json `source`: the store or trail checked, and whether it is live or what could not be read. */
function sourceJson(source: SourceCheck): object {
  if ("problems" in source) return { target: source.target, live: source.problems.length === 0 };
  if ("unfound" in source) return { target: source.target, error: { message: source.unfound } };
  return { target: source.target, error: { message: source.unreadable.join("; "), permissions: source.permissions } };
}

/**
 * The --json document: the drift report with the subscriptions' and the source's problems, or the organization's
 * error. `ok` only when every check ran and found no drift: subscriptions that could not be listed or a source that
 * could not be read are no all-clear, as an organization that could not be read is not. --json readers (a pipeline)
 * always get an answer on stdout, never an empty document.
 */
function jsonReport(
  report: DriftReport | undefined,
  organizationError: unknown,
  subscriptions: SubscriptionCheck | undefined,
  source: SourceCheck | undefined,
  io: VerifyIO,
): object {
  const problems = allProblems(report, subscriptions, source);
  const unread = (subscriptions && "error" in subscriptions) || (source && !("problems" in source));
  const alertSubscriptions = subscriptions && {
    topicArn: subscriptions.topicArn,
    ...("error" in subscriptions
      ? { error: errorJson(subscriptions.error, io.env) }
      : { pendingConfirmation: subscriptions.pendingConfirmation }),
  };
  const body = report
    ? { ...report, ok: report.ok && problems.length === 0 && !unread, problems }
    : { ok: false, error: errorJson(organizationError, io.env), ...(problems.length > 0 ? { problems } : {}) };
  return {
    ...body,
    ...(alertSubscriptions ? { alertSubscriptions } : {}),
    ...(source ? { source: sourceJson(source) } : {}),
  };
}

export function register(program: Command): void {
  addConfigOptions(program.command("verify"))
    .description(
      "Check the guardrail SCP for drift (content, attachments, SCPs enabled), the alert e-mails' subscriptions and " +
        "the job's event source with local credentials (exit 3 on drift)",
    )
    .option("--json", "print the drift report as JSON")
    .option(
      "--topic-arn <arn>",
      `also check the alert e-mails' subscriptions to this topic (default $${ENV.alertTopicArn})`,
    )
    .option(
      "--event-data-store <arn>",
      "cloudtrail-lake: the job's event data store, when the config names none (the monitor stack's output; " +
        "default: the one the monitor created, found by its name and tag)",
    )
    .action(async (opts: ConfigOption & VerifyOptions) => {
      const g = loadGuardrailFor(opts, { stderr: process.stderr });
      process.exitCode = g ? await verify(g, opts, { stdout: process.stdout, stderr: process.stderr }) : EXIT.USAGE;
    });
}
