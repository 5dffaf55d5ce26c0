/**
 * `bedrock-guardrail query --backend cloudtrail-lake|cloudwatch-logs|eventbridge|athena`: prints the rule
 * compiled for a backend (Lake SQL, Logs Insights query, EventBridge pattern, Athena SQL) on stdout, ready to
 * paste or pipe; hints (time range, log groups) go to stderr. Exit 2 on bad arguments or config.
 * `logs-insights`, the former name of cloudwatch-logs, still works with a warning.
 */
import type { Command } from "commander";
import { BACKEND_NAMES, BACKENDS, type BackendName, backendNamed } from "../../config/backends";
import { athenaWindowDays, buildAthenaCorrelationQuery, buildAthenaQuery } from "../../detection/backends/athena-sql";
import { buildLakeCorrelationQuery } from "../../detection/backends/correlation-sql";
import { buildEventPatterns } from "../../detection/backends/eventbridge-pattern";
import { BackendInputError, parseInstant, parseWindow, shown } from "../../detection/backends/input-error";
import { buildLakeQuery } from "../../detection/backends/lake-sql";
import { buildLogsInsightsQuery, logsInsightsTimeRange } from "../../detection/backends/logs-insights";
import {
  buildLogsInsightsThresholdQuery,
  logsInsightsCorrelationRange,
  logsInsightsCorrelationRules,
  logsInsightsRefusal,
} from "../../detection/backends/logs-insights-correlation";
import type { Guardrail } from "../../guardrail/guardrail";
import { scheduledWindowMinutes } from "../../runtime/window";
import { type ConfigIO, loadGuardrailFor, narrowToRules, type TextSink } from "../common";
import {
  addConfigOptions,
  addRuleOption,
  backendOption,
  commaList,
  type ConfigOption,
  inputProblemText,
  optionsOfAnotherBackend,
  type RuleOption,
} from "../options";
import { EXIT } from "../exit-codes";

const TRAIL_LOG_GROUP = " on the organization trail's log group";

export interface QueryOptions extends ConfigOption, RuleOption {
  /** A backend's name (or former name) as typed; default the config's monitor.backend. */
  backend?: string;
  eventDataStore?: string;
  start?: string;
  end?: string;
  limit?: string;
  /** Athena: `database.table` (default monitor.athena's), and the partitions to narrow to. */
  table?: string;
  accounts?: string;
  regions?: string;
}

export interface QueryIO extends ConfigIO {
  stdout: TextSink;
  /** The clock for the default window; injectable for tests. */
  now?: () => Date;
}

/** Longer windows get a warning: CloudTrail Lake bills by bytes scanned, Logs Insights by bytes too. */
export const LONG_WINDOW_DAYS = 31;

/**
 * --start/--end. --end defaults to now; --start to what one scheduled run of the backend queries
 * before the end (its interval, at least the rule's look-back, plus the lateness allowance). Given
 * alone, each keeps its own value and the other is defaulted.
 */
function window(
  opts: QueryOptions,
  guardrail: Guardrail,
  backend: BackendName,
  now: Date,
): { start: string; end: string } {
  const lookbackMs = scheduledWindowMinutes(guardrail, backend) * 60_000;
  const end = opts.end ?? new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString();
  if (opts.start !== undefined) return { start: opts.start, end };
  return { start: new Date(parseInstant(end, "--end") - lookbackMs).toISOString(), end };
}

/** One stderr line when the window is longer than LONG_WINDOW_DAYS, with its length in days. */
function longWindowWarning(start: string, end: string): string | undefined {
  const { startMs, endMs } = parseWindow(start, end);
  const days = (endMs - startMs) / 86_400_000;
  if (days <= LONG_WINDOW_DAYS) return undefined;
  return (
    `query: the window spans ${Math.round(days)} days: the backend scans (and bills) every event in it; ` +
    "narrow --start/--end unless you mean it\n"
  );
}

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new BackendInputError("--limit", `must be a positive integer, got ${shown(text)}`);
  return Number(text);
}

/** [start, end) widened back to the start of the threshold rules' windows containing start. */
function thresholdRange(guardrail: Guardrail, asked: { start: string; end: string }): { start: string; end: string } {
  const { startMs, endMs } = parseWindow(asked.start, asked.end);
  const rules = logsInsightsCorrelationRules(guardrail.correlationRules);
  const range = logsInsightsCorrelationRange(rules, { start: new Date(startMs), end: new Date(endMs) });
  return range.start.getTime() === startMs ? asked : { start: range.start.toISOString(), end: asked.end };
}

/** Prints the query of one backend: the query itself on stdout, hints on stderr. */
type QueryPrinter = (guardrail: Guardrail, opts: QueryOptions, io: QueryIO, limit: number | undefined) => void;

const PRINTERS: Record<BackendName, QueryPrinter> = {
  "cloudtrail-lake": (guardrail, opts, io, limit) => {
    const BACKEND = "cloudtrail-lake";
    const eventDataStore = opts.eventDataStore ?? guardrail.config.monitor.cloudtrailLake.eventDataStoreArn;
    if (!eventDataStore)
      throw new BackendInputError(
        "--event-data-store",
        "is required (or set monitor.cloudtrailLake.eventDataStoreArn in the config)",
      );
    const { start, end } = window(opts, guardrail, BACKEND, (io.now ?? (() => new Date()))());
    if (guardrail.rules.length > 0)
      io.stdout.write(`${buildLakeQuery(guardrail, { eventDataStore, start, end, limit })}\n`);
    else io.stdout.write(`${buildLakeCorrelationQuery(guardrail.correlationRules, { eventDataStore, start, end })}\n`);
    io.stderr.write(longWindowWarning(start, end) ?? "");
  },
  "cloudwatch-logs": (guardrail, opts, io, limit) => {
    const BACKEND = "cloudwatch-logs";
    const asked = window(opts, guardrail, BACKEND, (io.now ?? (() => new Date()))());
    const events = guardrail.rules.length > 0;
    // Named alone, threshold rules print their own grouped query (one per rule, each headed by a
    // comment), over whole windows: from the start of the window containing --start.
    const { start, end } = events ? asked : thresholdRange(guardrail, asked);
    const range = logsInsightsTimeRange(start, end);
    io.stderr.write(longWindowWarning(start, end) ?? "");
    const queries = events
      ? [buildLogsInsightsQuery(guardrail, { limit })]
      : guardrail.correlationRules.map((r) => `# ${r.id}\n${buildLogsInsightsThresholdQuery(r, { limit })}`);
    io.stdout.write(`${queries.join("\n\n")}\n`);
    const groups = guardrail.config.monitor.cloudwatchLogs.logGroups;
    io.stderr.write(
      `query: run over ${start} .. ${end} (StartQuery startTime=${range.startTime} ` +
        `endTime=${range.endTime}, both inclusive)${groups.length ? ` on ${groups.join(", ")}` : TRAIL_LOG_GROUP}\n`,
    );
  },
  athena: (guardrail, opts, io, limit) => {
    const BACKEND = "athena";
    const { start, end } = window(opts, guardrail, BACKEND, (io.now ?? (() => new Date()))());
    const athena = guardrail.config.monitor.athena;
    const table = opts.table ?? `${athena.database}.${athena.table}`;
    const query = {
      table,
      start,
      end,
      accounts: commaList(opts.accounts, "--accounts") ?? [],
      regions: commaList(opts.regions, "--regions") ?? [],
      limit,
    };
    const sql =
      guardrail.rules.length > 0
        ? buildAthenaQuery(guardrail, query)
        : buildAthenaCorrelationQuery(guardrail.correlationRules, query);
    io.stdout.write(`${sql}\n`);
    const days = athenaWindowDays(query);
    io.stderr.write(longWindowWarning(start, end) ?? "");
    io.stderr.write(
      `query: reads the day folder(s) ${days[0]}${days.length > 1 ? ` .. ${days[days.length - 1]}` : ""} ` +
        `of ${table} (athena-ddl prints the table); run it with hunt --backend athena\n`,
    );
  },
  eventbridge: (guardrail, opts, io) => {
    if (opts.eventDataStore || opts.start || opts.end || opts.limit)
      throw new BackendInputError(
        "--backend eventbridge",
        "takes no --event-data-store, --start, --end or --limit (a pattern matches events as they happen)",
      );
    // As deployed: one EventBridge rule per pattern, each within the quota the config names.
    const maxChars = guardrail.config.monitor.eventbridge.maxPatternChars;
    const patterns = buildEventPatterns(guardrail, maxChars);
    io.stdout.write(`${JSON.stringify(patterns, null, 2)}\n`);
    io.stderr.write(
      `query: ${patterns.length} pattern(s), one EventBridge rule each, each at most ${maxChars} characters ` +
        "(monitor.eventbridge.maxPatternChars); an event is delivered when it matches any of them\n",
    );
  },
};

/**
 * Correlation rules have their own query: on CloudTrail Lake and Athena the rows the correlation
 * engine needs (src/detection/backends/correlation-sql.ts); on Logs Insights a grouped count for the
 * threshold rules it can express (src/detection/backends/logs-insights-correlation.ts); none on
 * EventBridge, which matches one event at a time. The event rules' query leaves them out; named alone
 * with --rule where they have no query, they are refused with the reason.
 */
function correlationRulesApart(guardrail: Guardrail, backend: BackendName): void {
  if (guardrail.rules.length > 0 || guardrail.correlationRules.length === 0) return;
  if (backend === "cloudtrail-lake" || backend === "athena") return;
  const refused =
    backend === "cloudwatch-logs"
      ? guardrail.correlationRules.flatMap((r) => logsInsightsRefusal(r) ?? [])
      : [
          `${guardrail.correlationRules.map((r) => `${r.id} (${r.kind})`).join(", ")}: correlation rules do not ` +
            `run on ${backend}, which matches one event at a time; they run with detect and hunt, and as ` +
            "cloudtrail-lake or athena queries (threshold rules also on cloudwatch-logs)",
        ];
  if (refused.length > 0) throw new BackendInputError("--rule", refused.join("; "));
}

/**
 * The options one backend's query alone reads, with the backend: given for another, the printed query would not
 * hold what they ask for (an Athena partition filter on a Logs Insights query that reads every account).
 */
const BACKEND_OF_OPTION = {
  eventDataStore: ["--event-data-store", "cloudtrail-lake"],
  table: ["--table", "athena"],
  accounts: ["--accounts", "athena"],
  regions: ["--regions", "athena"],
} as const satisfies Partial<Record<keyof QueryOptions, readonly [string, BackendName]>>;

/** The whole command as a function of its options and streams; returns the exit code. */
export function runQuery(opts: QueryOptions, io: QueryIO): number {
  const named =
    opts.backend === undefined
      ? undefined
      : backendNamed(opts.backend, (warning) => io.stderr.write(`query: ${warning}\n`));
  if (opts.backend !== undefined && !named) {
    io.stderr.write(`query: --backend must be one of ${BACKEND_NAMES.join(", ")}, got ${shown(opts.backend)}\n`);
    return EXIT.USAGE;
  }
  // The queries do not depend on who is approved, so without a config file the definition is enough.
  let noConfig = false;
  const loaded = loadGuardrailFor(opts, io, { onNoConfig: () => (noConfig = true) });
  // Every rule by default; --rule ID compiles only those.
  const guardrail = loaded && narrowToRules(loaded, opts, io);
  if (!guardrail) return EXIT.USAGE;
  // Without --backend: the monitor's backend, from a config file (there is none to take it from without one).
  if (!named && noConfig) {
    io.stderr.write(`query: --backend is required without a config (one of ${BACKEND_NAMES.join(", ")})\n`);
    return EXIT.USAGE;
  }
  const backend = named ?? guardrail.config.monitor.backend;
  try {
    const another = optionsOfAnotherBackend(opts, BACKEND_OF_OPTION, backend);
    if (another) throw new BackendInputError(`--backend ${backend}`, another);
    correlationRulesApart(guardrail, backend);
    PRINTERS[backend](guardrail, opts, io, parseLimit(opts.limit));
    return EXIT.OK;
  } catch (e) {
    if (e instanceof BackendInputError) {
      io.stderr.write(`query: ${inputProblemText(e)}\n`);
      return EXIT.USAGE;
    }
    throw e;
  }
}

export function register(program: Command): void {
  addRuleOption(addConfigOptions(program.command("query")))
    .description(
      `Print the detection rule compiled for a backend: ${BACKEND_NAMES.map((name) => BACKENDS[name].compiledTo)
        .join(", ")
        .replace(/, ([^,]*)$/, ", or $1")}`,
    )
    .addOption(backendOption("where the rule runs (default: the config's monitor.backend)", BACKEND_NAMES))
    .option(
      "--event-data-store <id>",
      "CloudTrail Lake event data store ID or ARN (default: monitor.cloudtrailLake.eventDataStoreArn)",
    )
    .option(
      "--start <iso>",
      "window start, inclusive (ISO-8601 with zone; default: --end minus the schedule's look-back)",
    )
    .option("--end <iso>", "window end, exclusive (ISO-8601 with zone; default: now)")
    .option("--limit <n>", "maximum rows")
    .option("--table <database.table>", "Athena: the CloudTrail table (default: monitor.athena database.table)")
    .option("--accounts <ids>", "Athena: only these accounts (comma-separated; prunes the account partition)")
    .option("--regions <regions>", "Athena: only these regions (comma-separated; prunes the region partition)")
    .action((opts: QueryOptions) => {
      process.exitCode = runQuery(opts, { stdout: process.stdout, stderr: process.stderr });
    });
}
