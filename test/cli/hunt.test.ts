/**
 * `hunt --backend athena` end to end against mocked Athena. The rows Athena returns are the ones
 * the generated SQL selects from the real samples laid out as AWS's table (run in DuckDB), paged as
 * GetQueryResults pages; hunt must then print exactly the findings `detect` prints for the same
 * samples, report bytes and list-price cost, and refuse windows estimated over --max-scan-gb.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { mockClient } from "aws-sdk-client-mock";
import { runDetect } from "../../src/cli/commands/detect";
import { type HuntOptions, runHunt } from "../../src/cli/commands/hunt";
import { buildProgram } from "../../src/cli/index";
import { normalizeEventTime } from "../../src/detection/record";
import { AthenaTable, answerAthenaFromDuckDb } from "../detection/backends/support/athena-table";
import { loadSamples, SAMPLES_DIR } from "../detection/backends/support/records";
import { MINIMAL_CONFIG } from "../support/fixtures";

const athena = mockClient(AthenaClient);
let tmp: string;
let config: string;
let table: AthenaTable;
// Every sample's time, so that hunt and detect look at the same records (a wide hunt: the limit is raised).
const WINDOW = { start: "2024-01-01T00:00:00Z", end: "2026-01-01T00:00:00Z", maxScanGb: "1000" };

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hunt-cli-"));
  config = path.join(tmp, "guardrail.config.json");
  fs.writeFileSync(config, JSON.stringify(MINIMAL_CONFIG));
  table = await AthenaTable.create();
  await table.load(
    loadSamples().map((s) => ({ record: { ...s.record, eventTime: normalizeEventTime(s.record.eventTime) } })),
  );
});
afterAll(() => {
  table.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => athena.reset());

/** Athena answering with what the statement selects in DuckDB, `pageSize` rows per page. */
function answerFromDuckDb(pageSize: number, scanned = 734_003_200) {
  answerAthenaFromDuckDb(athena, table, { pageSize, scanned, queryId: "q-hunt" });
}

async function hunt(opts: Partial<HuntOptions>, now?: () => Date) {
  let out = "";
  let err = "";
  const code = await runHunt(
    { backend: "athena", config, format: "ndjson", ...WINDOW, ...opts },
    {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      cwd: tmp,
      env: {},
      client: new AthenaClient({ region: "us-east-1" }),
      sleep: async () => undefined,
      ...(now ? { now } : {}),
    },
  );
  return { code, out, err };
}

describe("bedrock-guardrail hunt --backend athena", () => {
  it("prints the same findings as detect over the same records, and the scan's bytes and cost", async () => {
    answerFromDuckDb(2);
    const h = await hunt({ failOnFindings: true });
    let detected = "";
    await runDetect(
      [SAMPLES_DIR],
      { config, format: "ndjson" },
      { stdout: { write: (s: string) => (detected += s) }, stderr: { write: () => true }, cwd: tmp, env: {} },
    );
    const sorted = (ndjson: string) => ndjson.trim().split("\n").sort();
    expect(sorted(h.out)).toEqual(sorted(detected));
    expect(sorted(h.out).length).toBeGreaterThanOrEqual(3);
    expect(h.code).toBe(3);
    expect(h.err).toMatch(/^hunt: \d+ row\(s\), \d+ finding\(s\), 0 approved suppressed, 0 invalid record\(s\); /);
    expect(h.err).toContain("Athena query q-hunt scanned 734.0 MB ($0.00367 at the $5/TB list price, 10 MB minimum)");
    const start = athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input;
    expect(start.WorkGroup).toBe("bedrock-guardrail");
    expect(start.QueryString).toContain('FROM "bedrock_guardrail"."cloudtrail"');
    expect(athena.commandCalls(GetQueryResultsCommand).length).toBeGreaterThan(1);
  });

  it("refuses a window estimated over --max-scan-gb before starting anything", async () => {
    answerFromDuckDb(10);
    const year = { start: "2024-01-01T00:00:00Z", end: "2025-01-01T00:00:00Z", maxScanGb: undefined };
    const refused = await hunt(year);
    expect(refused.code).toBe(2);
    expect(refused.err).toBe(
      // 366 days, the delivery allowance's day after, and the day before (the correlation rules' look-back).
      "hunt: --max-scan-gb: the window reads 368 day folder(s), estimated 368 GB at --gb-per-day 1 ($1.84 at list " +
        "price), over the limit of 10 GB: narrow the window, --accounts or --regions, or raise --max-scan-gb\n",
    );
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
    for (const raised of [{ maxScanGb: "400" }, { gbPerDay: "0.01" }]) {
      const ran = await hunt({ ...year, ...raised, failOnFindings: true });
      expect(ran.code).toBe(3);
      // 2024 holds stratus's three model-access events and its enumeration-then-invocation sequence.
      expect(ran.out.trim().split("\n")).toHaveLength(4);
    }
  });

  it("refuses a window that starts in the future (no event is there yet), not reports it clean", async () => {
    answerFromDuckDb(10);
    const now = () => new Date("2025-06-01T00:00:00Z");
    const future = await hunt({ start: "2025-06-02T00:00:00Z", end: "2025-06-03T00:00:00Z" }, now);
    expect(future.code).toBe(2);
    expect(future.err).toBe(
      'hunt: --start: "2025-06-02T00:00:00Z" is in the future (it is 2025-06-01T00:00:00.000Z now): ' +
        "no event is there yet\n",
    );
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
    // Ending in the future is fine: the window reads up to now.
    expect((await hunt({ start: "2025-05-31T00:00:00Z", end: "2025-06-03T00:00:00Z" }, now)).code).toBe(0);
  });

  it("reports no correlation that completed before --start: the rows before it are the look-back only", async () => {
    answerFromDuckDb(10);
    // stratus's GetFoundationModelAvailability (20:11:22) then InvokeModel (20:11:24): a sequence that completed
    // before this window, whose rows the query still reads (one window of the sequence rule back).
    const after = await hunt({ start: "2024-10-17T20:12:00Z", end: "2024-10-17T21:00:00Z", includeApproved: true });
    expect(after).toMatchObject({ code: 0, out: "" });
    expect(after.err).toMatch(/^hunt: [1-9]\d* row\(s\), 0 finding\(s\)/);
    const around = await hunt({ start: "2024-10-17T20:11:00Z", end: "2024-10-17T21:00:00Z", includeApproved: true });
    const rules = around.out
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line).rule.id);
    expect(rules).toEqual(["bedrock-enumeration-then-invocation"]);
  });

  it("reports a failed query in one line and exits 1", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "q-bad" });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: { State: "FAILED", AthenaError: { ErrorMessage: "TABLE_NOT_FOUND: Table does not exist" } },
      },
    });
    const h = await hunt({});
    expect(h).toMatchObject({ code: 1, out: "" });
    expect(h.err).toBe("hunt: athena query q-bad ended FAILED: TABLE_NOT_FOUND: Table does not exist.\n");
  });

  it.each([
    [{ start: undefined }, "hunt: --start: is required (a hunt names its window)\n"],
    [
      { start: "x" },
      'hunt: --start: "x" is not an ISO-8601 time such as 2024-10-17T20:00:00Z (seconds and a zone are required)\n',
    ],
    [
      { table: "cloudtrail" },
      'hunt: --table: "cloudtrail" is not database.table (e.g. bedrock_guardrail.cloudtrail)\n',
    ],
    [{ workgroup: "wg;x" }, 'hunt: --workgroup: "wg;x" is not an Athena workgroup name\n'],
    [{ maxScanGb: "lots" }, 'hunt: --max-scan-gb: must be a positive number, got "lots"\n'],
    // a value is quoted and cut, never echoed in full nor split over lines
    [{ workgroup: "wg\nforged: line" }, 'hunt: --workgroup: "wg\\nforged: line" is not an Athena workgroup name\n'],
    [
      { workgroup: "w".repeat(5000) },
      `hunt: --workgroup: "${"w".repeat(79)}... (4922 more characters) is not an Athena workgroup name\n`,
    ],
    [{ maxScanGb: "1\n2" }, 'hunt: --max-scan-gb: must be a positive number, got "1\\n2"\n'],
  ])("refuses %j with one line, exit 2", async (bad, message) => {
    const h = await hunt(bad);
    expect(h).toEqual({ code: 2, out: "", err: message });
  });

  it("is a registered command, --backend athena by default (the one backend a hunt runs on)", () => {
    const command = buildProgram().commands.find((c) => c.name() === "hunt")!;
    expect(command.options.find((o) => o.long === "--backend")).toMatchObject({
      defaultValue: "athena",
      mandatory: false,
    });
  });
});
