/**
 * The detection backends, by the one name each goes by in the config, the CLI and the Lambda
 * environment. This is the pure part of the backend registry: every layer that does something per
 * backend keeps a table typed `Record<BackendName, …>` (or `Record<MonitorBackend, …>`), so adding a
 * backend here makes the compiler name each place that has to learn it:
 *   config/sections/monitor.ts        the settings a scheduled backend requires
 *   runtime/env.ts                    the Lambda variables it requires
 *   runtime/query/backends.ts         its query source and the permissions that source declares
 *   infra/monitor/query-backends.ts   what the monitor stack deploys for it
 *   cli/commands/query.ts             the query the `query` command prints
 *   cli/commands/run-once.ts          the flags `run-once` reads it from
 */

interface BackendEntry {
  /** The key of its settings under `monitor` in the config. */
  readonly section: "cloudtrailLake" | "cloudwatchLogs" | "athena" | "eventbridge";
  /** The scheduled query job can read from it (monitor.backend); eventbridge matches events as they happen. */
  readonly scheduled: boolean;
  /** What `query --backend <name>` prints. */
  readonly compiledTo: string;
  /** Earlier names still accepted on the command line, with a warning. */
  readonly formerNames: readonly string[];
}

export const BACKENDS = {
  "cloudtrail-lake": {
    section: "cloudtrailLake",
    scheduled: true,
    compiledTo: "CloudTrail Lake SQL",
    formerNames: [],
  },
  "cloudwatch-logs": {
    section: "cloudwatchLogs",
    scheduled: true,
    compiledTo: "CloudWatch Logs Insights query",
    formerNames: ["logs-insights"],
  },
  eventbridge: {
    section: "eventbridge",
    scheduled: false,
    compiledTo: "EventBridge event pattern",
    formerNames: [],
  },
  athena: {
    section: "athena",
    scheduled: true,
    compiledTo: "Athena SQL over the trail's S3 archive",
    formerNames: [],
  },
} as const satisfies Record<string, BackendEntry>;

export type BackendName = keyof typeof BACKENDS;
/** The backends the scheduled job can read from (monitor.backend). */
export type MonitorBackend = {
  [K in BackendName]: (typeof BACKENDS)[K]["scheduled"] extends true ? K : never;
}[BackendName];

export const BACKEND_NAMES = Object.keys(BACKENDS) as BackendName[];
export const MONITOR_BACKENDS = BACKEND_NAMES.filter((name) => BACKENDS[name].scheduled) as [
  MonitorBackend,
  ...MonitorBackend[],
];

/**
 * The backend a name stands for: its own name, or a former name, which is accepted and reported
 * through `warn` (once per call: callers resolve a name once per run). Undefined for an unknown name.
 */
export function backendNamed(text: string, warn: (message: string) => void): BackendName | undefined {
  if (text in BACKENDS) return text as BackendName;
  const renamed = BACKEND_NAMES.find((name) => (BACKENDS[name].formerNames as readonly string[]).includes(text));
  if (renamed) warn(`backend "${text}" is now called "${renamed}" (the old name still works)`);
  return renamed;
}

export function isMonitorBackend(name: BackendName): name is MonitorBackend {
  return BACKENDS[name].scheduled;
}
