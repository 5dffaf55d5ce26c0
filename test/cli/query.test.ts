import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runQuery, type QueryOptions } from "../../src/cli/commands/query";
import { buildProgram } from "../../src/cli/index";
import { buildAthenaQuery } from "../../src/detection/backends/athena-sql";
import { buildEventPatterns } from "../../src/detection/backends/eventbridge-pattern";
import { buildLakeQuery } from "../../src/detection/backends/lake-sql";
import { buildLogsInsightsThresholdQuery } from "../../src/detection/backends/logs-insights-correlation";
import { testGuardrail } from "../detection/backends/support/records";

const EDS = "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE";

function run(opts: Partial<QueryOptions>, files: Record<string, unknown> = {}) {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "query-cli-"));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(cwd, name), JSON.stringify(content));
  let stdout = "";
  let stderr = "";
  const code = runQuery(opts, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    cwd,
    now: () => new Date("2024-10-17T20:06:30.700Z"),
  });
  fs.rmSync(cwd, { recursive: true, force: true });
  return { code, stdout, stderr };
}

describe("bedrock-guardrail query", () => {
  it("prints the Lake SQL for the given store and window", () => {
    const out = run({
      backend: "cloudtrail-lake",
      eventDataStore: EDS,
      start: "2024-10-17T20:00:00Z",
      end: "2024-10-17T21:00:00Z",
    });
    expect(out).toMatchObject({ code: 0, stderr: "" });
    expect(out.stdout).toBe(
      `${buildLakeQuery(testGuardrail(), {
        eventDataStore: EDS,
        start: "2024-10-17T20:00:00Z",
        end: "2024-10-17T21:00:00Z",
      })}\n`,
    );
  });

  it("compiles every rule by default and only the --rule ones when given", () => {
    const window = { eventDataStore: EDS, start: "2024-10-17T20:00:00Z", end: "2024-10-17T21:00:00Z" };
    const all = run({ backend: "cloudtrail-lake", ...window });
    expect(all.stdout.match(/\(eventsource = /g)).toHaveLength(testGuardrail().rules.length);
    const one = run({ backend: "cloudtrail-lake", ...window, rule: ["bedrock-api-key-created"] });
    expect(one).toMatchObject({ code: 0, stderr: "" });
    expect(one.stdout.match(/\(eventsource = /g)).toHaveLength(1);
    expect(one.stdout).toContain(
      "eventsource = 'iam.amazonaws.com' AND eventname IN ('CreateServiceSpecificCredential')",
    );
    const [pattern] = JSON.parse(run({ backend: "eventbridge", rule: ["bedrock-recon-by-long-term-key"] }).stdout);
    expect(pattern.source).toEqual(["aws.bedrock"]);
    expect(pattern.detail.userIdentity).toEqual({ accessKeyId: [{ prefix: "AKIA" }] });
    const insights = run({ backend: "cloudwatch-logs", rule: ["bedrock-guardrail-tampering"] }).stdout;
    expect(insights).toContain(
      '| filter (eventSource = "bedrock.amazonaws.com" and eventName in ["UpdateGuardrail", "DeleteGuardrail", ' +
        '"PutEnforcedGuardrailConfiguration", "DeleteEnforcedGuardrailConfiguration"]',
    );
    const unknown = run({ backend: "eventbridge", rule: ["nope"] });
    expect(unknown).toMatchObject({ code: 2, stdout: "" });
    expect(unknown.stderr).toMatch(/--rule is invalid:\n {2}- no rule "nope"/);
  });

  it("defaults the window to what a scheduled run queries (interval + lateness), the store to the config's", () => {
    const arn = `arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/${EDS}`;
    const out = run(
      { backend: "cloudtrail-lake" },
      {
        "guardrail.config.json": { approvedPrincipalArns: [], monitor: { cloudtrailLake: { eventDataStoreArn: arn } } },
      },
    );
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`FROM ${EDS}\n`);
    expect(out.stdout).toContain(
      // the rule's 6-minute look-back (over the 5-minute interval) + the 20-minute lateness allowance
      "eventtime >= TIMESTAMP '2024-10-17 19:40:30.000'\n  AND eventtime < TIMESTAMP '2024-10-17 20:06:30.000'",
    );
  });

  it("takes the backend from the config when --backend is not given; without a config it is required", () => {
    const config = {
      approvedPrincipalArns: [],
      monitor: { backend: "athena", athena: { bucket: "org-trail", scheduleMinutes: 60 } },
    };
    const out = run({}, { "guardrail.config.json": config });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/FROM "bedrock_guardrail"\."cloudtrail"|FROM bedrock_guardrail\.cloudtrail/);
    // Athena's runs are an hour apart: the default window is that hour + the lateness allowance
    expect(out.stdout).toContain(">= from_iso8601_timestamp('2024-10-17T18:46:30.000Z')");
    const none = run({});
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^query: --backend is required without a config \(one of /);
  });

  it("warns on an Athena window over 31 days, as for Lake and Logs Insights", () => {
    const long = { start: "2024-08-01T00:00:00Z", end: "2024-10-17T00:00:00Z" };
    for (const backend of ["athena", "cloudwatch-logs"])
      expect(run({ backend, ...long }).stderr).toMatch(/query: the window spans 77 days: the backend scans/);
    expect(run({ backend: "athena", start: "2024-10-01T00:00:00Z", end: "2024-10-17T00:00:00Z" }).stderr).not.toMatch(
      /window spans/,
    );
  });

  it("prints the Logs Insights query, with the window and log groups on stderr", () => {
    const out = run({ backend: "cloudwatch-logs", start: "2024-10-17T20:00:00Z", end: "2024-10-17T21:00:00Z" });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^fields @timestamp, @message/);
    expect(out.stderr).toContain("startTime=1729195200 endTime=1729198800");
    expect(out.stderr).not.toContain("now called");
  });

  it("still takes the former name logs-insights, with one warning", () => {
    const window = { start: "2024-10-17T20:00:00Z", end: "2024-10-17T21:00:00Z" };
    const out = run({ backend: "logs-insights", ...window });
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(run({ backend: "cloudwatch-logs", ...window }).stdout);
    expect(out.stderr.match(/query: backend "logs-insights" is now called "cloudwatch-logs"/g)).toHaveLength(1);
  });

  it("exits 2 on a backend it does not know", () => {
    const out = run({ backend: "bigquery" });
    expect(out).toMatchObject({ code: 2, stdout: "" });
    expect(out.stderr).toMatch(/--backend must be one of cloudtrail-lake, cloudwatch-logs, eventbridge, athena/);
  });

  it("prints the EventBridge patterns as the monitor deploys them: one rule each, within the config's quota", () => {
    const out = run({ backend: "eventbridge" });
    expect(out.code).toBe(0);
    const patterns = JSON.parse(out.stdout);
    expect(patterns).toEqual(buildEventPatterns(testGuardrail(), 2048));
    expect(out.stderr).toBe(
      `query: ${patterns.length} pattern(s), one EventBridge rule each, each at most 2048 characters ` +
        "(monitor.eventbridge.maxPatternChars); an event is delivered when it matches any of them\n",
    );
    const raised = run(
      { backend: "eventbridge" },
      { "guardrail.config.json": { approvedPrincipalArns: [], monitor: { eventbridge: { maxPatternChars: 4096 } } } },
    );
    const fewer = JSON.parse(raised.stdout);
    expect(fewer.length).toBeLessThan(patterns.length);
    for (const p of fewer) expect(JSON.stringify(p).length).toBeLessThanOrEqual(4096);
  });

  it.each([
    [{ backend: "cloudtrail-lake" }, /--event-data-store: is required/],
    [{ backend: "cloudtrail-lake", eventDataStore: "x'; --" }, /^query: --event-data-store: .* is neither/],
    [
      { backend: "cloudtrail-lake", eventDataStore: EDS, start: "x".repeat(100_000) },
      /^query: --start: "x{60,80}\.\.\. \(/,
    ],
    [
      { backend: "cloudtrail-lake", eventDataStore: EDS, start: "nope", end: "2024-10-17T21:00:00Z" },
      /^query: --start: "nope" is not an ISO-8601 time/,
    ],
    [{ backend: "cloudtrail-lake", eventDataStore: EDS, limit: "ten" }, /--limit: must be a positive integer/],
    [{ backend: "cloudwatch-logs", limit: "20000" }, /^query: --limit: must be an integer from 1 to 10000/],
    [{ backend: "athena", limit: "0" }, /^query: --limit: must be a positive integer/],
    [
      { backend: "cloudwatch-logs", start: "2024-10-18T00:00:00Z", end: "2024-10-17T00:00:00Z" },
      /^query: --start: must be before end/,
    ],
    [{ backend: "eventbridge", start: "2024-10-17T20:00:00Z" }, /takes no --event-data-store, --start/],
    // Another backend's options: the query printed would not hold them.
    [
      { backend: "cloudwatch-logs", accounts: "111122223333", table: "db.t" },
      /^query: --backend cloudwatch-logs: takes no --table, --accounts \(only athena reads them\)\n$/,
    ],
    [
      { backend: "athena", eventDataStore: EDS, regions: "us-east-1" },
      /^query: --backend athena: takes no --event-data-store \(only cloudtrail-lake reads it\)\n$/,
    ],
    [
      { backend: "cloudtrail-lake", eventDataStore: EDS, regions: "us-east-1" },
      /^query: --backend cloudtrail-lake: takes no --regions \(only athena reads it\)\n$/,
    ],
  ] as const)("exits 2 on bad arguments: %j", (opts, message) => {
    const out = run(opts as QueryOptions);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe("");
    expect(out.stderr).toMatch(message);
  });

  it("--start alone runs to now; fractional seconds of any length; a long window warns", () => {
    const alone = run({ backend: "cloudtrail-lake", eventDataStore: EDS, start: "2024-08-01T20:00:00.123456Z" });
    expect(alone.code).toBe(0);
    expect(alone.stdout).toContain("eventtime >= TIMESTAMP '2024-08-01 20:00:00.123'");
    expect(alone.stdout).toContain("eventtime < TIMESTAMP '2024-10-17 20:06:30.000'");
    expect(alone.stderr).toMatch(/^query: the window spans \d+ days: the backend scans \(and bills\) every event/);
    const week = run({
      backend: "cloudtrail-lake",
      eventDataStore: EDS,
      start: "2024-10-10T20:00:00Z",
      end: "2024-10-17T20:00:00Z",
    });
    expect(week.code).toBe(0);
    expect(week.stderr).toBe("");
  });

  it("exits 2 naming the key of a bad config", () => {
    const out = run({ backend: "eventbridge" }, { "guardrail.config.json": { approvedPrincipalArns: ["*"] } });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/approvedPrincipalArns\[0\]/);
  });

  it("is registered, and an unknown backend is a usage error", () => {
    const program = buildProgram();
    expect(program.commands.map((c) => c.name())).toContain("query");
    const write = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(() => program.parse(["node", "x", "query", "--backend", "bigquery"])).toThrow(
        /Allowed choices are cloudtrail-lake, cloudwatch-logs, eventbridge, athena/,
      );
    } finally {
      write.mockRestore();
    }
  });
});

describe("bedrock-guardrail query --backend athena", () => {
  it("prints the Athena SQL for the table and window, narrowed partitions included; the days on stderr", () => {
    const out = run({
      backend: "athena",
      table: "security.org_trail",
      start: "2024-10-17T23:00:00Z",
      end: "2024-10-17T23:30:00Z",
      accounts: "111122223333",
      regions: "us-east-1,eu-west-1",
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(
      `${buildAthenaQuery(testGuardrail(), {
        table: "security.org_trail",
        start: "2024-10-17T23:00:00Z",
        end: "2024-10-17T23:30:00Z",
        accounts: ["111122223333"],
        regions: ["us-east-1", "eu-west-1"],
      })}\n`,
    );
    expect(out.stdout).toContain(`"region" IN ('us-east-1', 'eu-west-1')`);
    expect(out.stderr).toBe(
      "query: reads the day folder(s) 2024/10/17 .. 2024/10/18 of security.org_trail (athena-ddl prints the table); " +
        "run it with hunt --backend athena\n",
    );
  });

  it("defaults to the config's table and the schedule's look-back; bad input is one line, exit 2", () => {
    const out = run({ backend: "athena" });
    expect(out.stdout).toContain('FROM "bedrock_guardrail"."cloudtrail"\n');
    expect(out.stdout).toContain("from_iso8601_timestamp('2024-10-17T20:06:30.000Z')");
    expect(run({ backend: "athena", table: "x" })).toMatchObject({ code: 2, stdout: "" });
    expect(run({ backend: "athena", accounts: "12" }).stderr).toBe('query: --accounts[0]: "12" is not an account ID\n');
  });
});

describe("bedrock-guardrail query with correlation rules", () => {
  it("prints a correlation rule's own Lake and Athena query; refuses it on Logs Insights and EventBridge", () => {
    const window = { start: "2024-10-17T20:00:00Z", end: "2024-10-17T21:00:00Z" };
    const lake = run({
      backend: "cloudtrail-lake",
      eventDataStore: "00000000-0000-4000-8000-0000000eds01",
      rule: ["bedrock-model-first-use"],
      ...window,
    });
    expect(lake.code).toBe(0);
    expect(lake.stdout).toContain("row_number() OVER (PARTITION BY");
    expect(lake.stdout).toContain("eventtime >= TIMESTAMP '2024-09-17 20:00:00.000'");
    const athena = run({ backend: "athena", rule: ["bedrock-enumeration-then-invocation"], ...window });
    expect(athena.code).toBe(0);
    // The sequence rule reads one window (60 minutes) back.
    expect(athena.stdout).toContain("from_iso8601_timestamp('2024-10-17T19:00:00.000Z')");
    const refused = run({ backend: "eventbridge", rule: ["bedrock-invocation-probing"] });
    expect(refused).toMatchObject({ code: 2, stdout: "" });
    expect(refused.stderr).toMatch(
      /^query: --rule: bedrock-invocation-probing \(threshold\): correlation rules do not run on eventbridge, /,
    );
    expect(refused.stderr).toContain("as cloudtrail-lake or athena queries (threshold rules also on cloudwatch-logs)");
  });

  it("prints a threshold rule's grouped Logs Insights query over whole windows; refuses the other kinds", () => {
    const probing = testGuardrail().correlationRules.find((r) => r.id === "bedrock-invocation-probing")!;
    const out = run({
      backend: "cloudwatch-logs",
      rule: ["bedrock-invocation-probing"],
      start: "2024-10-17T20:04:00Z",
      end: "2024-10-17T21:00:00Z",
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`# bedrock-invocation-probing\n${buildLogsInsightsThresholdQuery(probing)}\n`);
    // From the start of the 10-minute window that holds --start.
    expect(out.stderr).toBe(
      "query: run over 2024-10-17T20:00:00.000Z .. 2024-10-17T21:00:00Z (StartQuery startTime=1729195200 " +
        "endTime=1729198800, both inclusive) on the organization trail's log group\n",
    );
    const refused = run({
      backend: "cloudwatch-logs",
      rule: ["bedrock-invocation-probing", "bedrock-multi-region-invocation", "bedrock-model-first-use"],
    });
    expect(refused).toMatchObject({ code: 2, stdout: "" });
    expect(refused.stderr).toMatch(
      /^query: --rule: bedrock-multi-region-invocation \(value-count\): Logs Insights' count_distinct [^;]*; it runs /,
    );
    expect(refused.stderr).toContain("; bedrock-model-first-use (new-term): it compares each principal");
    expect(refused.stderr.split("\n")).toHaveLength(2);
  });
});
