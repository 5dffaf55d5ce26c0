/**
 * `bedrock-guardrail run-once`: the scheduled job's logic once, from a laptop with local
 * credentials: for a hunt over a chosen window, or to test a deployment. `--dry-run` queries and
 * prints the findings and the alerts that would be sent; it writes no state and publishes nothing.
 * Without --dry-run it uses the deployed state table and topic (flags or STATE_TABLE_NAME /
 * ALERT_TOPIC_ARN), so it dedupes against the deployed job. Exit codes: ../exit-codes.ts (1 a failed
 * run, 3 findings with --fail-on-findings).
 */
import { randomUUID } from "node:crypto";
import type { Command } from "commander";
import { backendNamed, isMonitorBackend, MONITOR_BACKENDS, type MonitorBackend } from "../../config/backends";
import { BackendInputError, parseInstant, shown } from "../../detection/backends/input-error";
import { eventDataStoreId } from "../../detection/backends/lake-sql";
import type { Guardrail } from "../../guardrail/guardrail";
import { findingBody, findingSubject } from "../../runtime/alert";
import { ENV } from "../../runtime/env";
import { runJob } from "../../runtime/job";
import { findingsOf } from "../../runtime/pipeline";
import type { QuerySource } from "../../runtime/query/source";
import { summaryLine } from "../../runtime/summary";
import { computeWindow, type QueryWindow } from "../../runtime/window";
import { makeNotifier, makeQuerySource, makeStateStore } from "../../wiring/adapters";
import type { ClientOverrides } from "../../aws/clients";
import type { SourceSpec } from "../../runtime/query/backends";
import type { Notifier } from "../../aws/contracts";
import type { StateStore } from "../../runtime/state/store";
import { loadGuardrailFor, type TextSink } from "../common";
import {
  addConfigOptions,
  backendOption,
  type ConfigOption,
  optionsOfAnotherBackend,
  refuseFutureStart,
  regionArgument,
  snsTopicArnProblem,
} from "../options";
import { EXIT, exitCodeFor } from "../exit-codes";
import { reportError } from "../report";

export interface RunOnceOptions extends ConfigOption {
  /** A scheduled backend's name (or former name) as typed; default monitor.backend. */
  backend?: string;
  eventDataStore?: string;
  logGroup?: string[];
  start?: string;
  end?: string;
  dryRun?: boolean;
  stateTable?: string;
  topicArn?: string;
  region?: string;
  json?: boolean;
  failOnFindings?: boolean;
}

export interface RunOnceIO {
  stdout: TextSink;
  stderr: TextSink;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** Tests inject adapters; by default they are built from the options. */
  source?: QuerySource;
  store?: StateStore;
  notifier?: Notifier;
}

class UsageError extends Error {}

/** A refused input of the shared option checks as this command's usage error (exit 2). */
function asUsage<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof BackendInputError) throw new UsageError(e.message);
    throw e;
  }
}

/** As query and hunt read --start/--end: seconds and a zone required, so that no time is read as local. */
const parseTime = (text: string, flag: string): Date => asUsage(() => new Date(parseInstant(text, flag)));

function chosenWindow(opts: RunOnceOptions, now: Date): QueryWindow | undefined {
  if ((opts.start === undefined) !== (opts.end === undefined)) throw new UsageError("--start and --end go together");
  if (opts.start === undefined) return undefined;
  const w = { start: parseTime(opts.start, "--start"), end: parseTime(opts.end!, "--end") };
  if (w.start >= w.end) throw new UsageError("--start must be before --end");
  // As hunt and preview: no event is there yet, so the run would find nothing and report the window clean.
  asUsage(() => refuseFutureStart(opts.start!, now));
  return w;
}

/** The options that name where one backend reads, with that backend. */
const SOURCE_OPTIONS = {
  eventDataStore: ["--event-data-store", "cloudtrail-lake"],
  logGroup: ["--log-group", "cloudwatch-logs"],
} as const satisfies Partial<Record<keyof RunOnceOptions, readonly [string, MonitorBackend]>>;

/** Where a backend reads and in which region, from the flags and then the config. */
const SOURCE_SPECS: Record<
  MonitorBackend,
  (opts: RunOnceOptions, g: Guardrail) => { spec: Omit<SourceSpec, "backend">; overrides: ClientOverrides }
> = {
  "cloudtrail-lake": (opts, g) => {
    const eds = opts.eventDataStore ?? g.config.monitor.cloudtrailLake.eventDataStoreArn;
    // Not "set monitor.cloudtrailLake.eventDataStoreArn": a config naming a store creates none, so the next apply
    // would destroy the store this one created.
    if (!eds)
      throw new UsageError(
        "--event-data-store is required for cloudtrail-lake: the store this config creates is the monitor stack's " +
          "output (terraform -chdir=cdktf.out/stacks/monitor output -raw event_data_store_arn)",
      );
    // An ARN names its region; a bare id does not, and the SDK would only say "Region is missing".
    try {
      eventDataStoreId(eds);
    } catch (e) {
      if (e instanceof BackendInputError) throw new UsageError(`--event-data-store: ${e.problem}`);
      throw e;
    }
    const region = opts.region ?? (eds.startsWith("arn:") ? eds.split(":")[3] : undefined);
    if (!region)
      throw new UsageError(
        `--event-data-store ${shown(eds)} is an id, which names no region: pass --region, or give the ` +
          "event data store ARN",
      );
    return { spec: { eventDataStoreArn: eds }, overrides: { region } };
  },
  "cloudwatch-logs": (opts, g) => {
    const groups = opts.logGroup?.length ? opts.logGroup : g.config.monitor.cloudwatchLogs.logGroups;
    if (groups.length === 0)
      throw new UsageError(
        "--log-group is required for cloudwatch-logs (or monitor.cloudwatchLogs.logGroups in the config)",
      );
    return { spec: { logGroups: groups }, overrides: { region: opts.region ?? g.config.aws.region } };
  },
  // Athena's table, database and workgroup are monitor.athena of the config.
  athena: (opts, g) => ({ spec: {}, overrides: { region: opts.region ?? g.config.aws.region } }),
};

function sourceFor(opts: RunOnceOptions, g: Guardrail, io: RunOnceIO): QuerySource {
  if (io.source) return io.source;
  const named = opts.backend
    ? backendNamed(opts.backend, (warning) => io.stderr.write(`run-once: ${warning}\n`))
    : g.config.monitor.backend;
  if (!named || !isMonitorBackend(named))
    throw new UsageError(`--backend must be one of ${MONITOR_BACKENDS.join(", ")}, got ${shown(opts.backend ?? "")}`);
  // The other backends' sources: given for this one they would be ignored, and the run would read elsewhere.
  const another = optionsOfAnotherBackend(opts, SOURCE_OPTIONS, named);
  if (another) throw new UsageError(`--backend ${named}: ${another}`);
  const { spec, overrides } = SOURCE_SPECS[named](opts, g);
  return makeQuerySource(g, { backend: named, ...spec }, overrides);
}

export async function runOnce(g: Guardrail, opts: RunOnceOptions, io: RunOnceIO): Promise<number> {
  const now = (io.now ?? (() => new Date()))();
  const env = io.env ?? process.env;
  try {
    // A real run prints its summary line; a --json the user expects there would be left out unsaid.
    if (opts.json && !opts.dryRun)
      throw new UsageError("--json prints the findings of --dry-run; a real run prints its summary line only");
    // Before any AWS call: a topic that cannot exist would fail only at the publish, after the run's state is written.
    const topicInput = opts.topicArn !== undefined ? "--topic-arn" : ENV.alertTopicArn;
    const topicGiven = opts.topicArn ?? (opts.dryRun ? undefined : env[ENV.alertTopicArn]);
    const topicProblem = topicGiven === undefined ? undefined : snsTopicArnProblem(topicInput, topicGiven);
    if (topicProblem) throw new UsageError(topicProblem);
    const source = sourceFor(opts, g, io);
    const window = chosenWindow(opts, now);
    if (opts.dryRun) {
      const w =
        window ??
        computeWindow({
          now,
          latenessAllowanceMinutes: g.config.monitor.latenessAllowanceMinutes,
          lookbackMinutes: g.definition.detection.schedule.lookbackMinutes,
        });
      const result = await source.run(w);
      for (const u of result.unreadable) io.stderr.write(`run-once: row ${u.row}: ${u.reason}\n`);
      const { findings, counts } = findingsOf(g, result.records);
      const max = g.definition.detection.schedule.maxAlertsPerRun;
      for (const [i, f] of findings.entries()) {
        if (opts.json) io.stdout.write(`${JSON.stringify(f)}\n`);
        else
          io.stdout.write(`${i < max ? "would alert" : "would carry over"}: ${findingSubject(f)}\n${findingBody(f)}\n`);
      }
      io.stderr.write(
        `run-once --dry-run: ${w.start.toISOString()} .. ${w.end.toISOString()}, ${result.rows} row(s), ` +
          `${result.bytesScanned} bytes scanned, ${counts.matched} matched, ${counts.suppressedApproved} approved ` +
          `(suppressed), ${findings.length} finding(s), ${Math.min(findings.length, max)} alert(s) would be sent; ` +
          `no state written, nothing published\n`,
      );
      return exitCodeFor({
        incomplete: result.unreadable.length > 0,
        unapprovedFindings: findings.length,
        failOnFindings: opts.failOnFindings ?? false,
      });
    }
    const table = opts.stateTable ?? env[ENV.stateTableName];
    const topic = opts.topicArn ?? env[ENV.alertTopicArn];
    if (!io.store && !table)
      throw new UsageError(`--state-table (or ${ENV.stateTableName}) is required without --dry-run`);
    if (!io.notifier && !topic)
      throw new UsageError(`--topic-arn (or ${ENV.alertTopicArn}) is required without --dry-run`);
    const region = opts.region ?? g.config.aws.region;
    const summary = await runJob(
      {
        guardrail: g,
        source,
        store: io.store ?? makeStateStore(table!, { region }),
        notifier: io.notifier ?? makeNotifier(topic!, { region: topic!.split(":")[3] }),
        runId: `run-once-${randomUUID()}`,
        now: io.now,
      },
      { jobName: env[ENV.jobName] ?? "query-job", window },
    );
    io.stdout.write(`${summaryLine(summary, now.getTime())}\n`);
    if (summary.status === "failed")
      io.stderr.write(`run-once: failed at ${summary.failure?.step}: ${summary.failure?.error}\n`);
    return exitCodeFor({
      incomplete: summary.status === "failed",
      unapprovedFindings: summary.findings - summary.suppressedApproved,
      failOnFindings: opts.failOnFindings ?? false,
    });
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`run-once: ${e.message}\n`);
      return EXIT.USAGE;
    }
    reportError(io.stderr, "run-once", e, env);
    return EXIT.INCOMPLETE;
  }
}

export function register(program: Command): void {
  addConfigOptions(program.command("run-once"))
    .description("Run the monitor's query job once with local credentials (a hunt, or a deployment test)")
    .addOption(backendOption("where to read CloudTrail from", MONITOR_BACKENDS))
    .option("--event-data-store <arn>", "CloudTrail Lake event data store ARN")
    .option(
      "--log-group <name>",
      "log group of the organization trail (repeatable)",
      (v: string, acc: string[] = []) => [...acc, v],
    )
    .option("--start <iso>", "window start (with --end); default: the look-back plus the lateness allowance")
    .option("--end <iso>", "window end (exclusive)")
    .option("--dry-run", "print findings and would-be alerts; write no state, publish nothing")
    .option("--state-table <name>", `DynamoDB state table (default $${ENV.stateTableName})`)
    .option("--topic-arn <arn>", `SNS alert topic (default $${ENV.alertTopicArn})`)
    .option("--region <region>", "region of the query backend and state table", regionArgument)
    .option("--json", "with --dry-run: one finding JSON per line")
    .option("--fail-on-findings", "exit 3 when a finding by a non-approved principal exists")
    .action(async (opts: RunOnceOptions) => {
      const g = loadGuardrailFor(opts, { stderr: process.stderr });
      process.exitCode = g ? await runOnce(g, opts, { stdout: process.stdout, stderr: process.stderr }) : EXIT.USAGE;
    });
}
