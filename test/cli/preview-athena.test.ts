/**
 * `preview --backend athena` against mocked Athena whose answers are what the generated SQL selects
 * in DuckDB from a generated 90-day history laid out as AWS's CloudTrail table: the report equals the
 * local preview of the same records (the SQL selects every record that matters, the rows map back to
 * records preview decides alike), the cost goes to stderr, and a window over --max-scan-gb is refused.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AthenaClient, StartQueryExecutionCommand } from "@aws-sdk/client-athena";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { type PreviewOptions, runPreview } from "../../src/cli/commands/preview";
import { AthenaTable, answerAthenaFromDuckDb } from "../detection/backends/support/athena-table";
import { REALISTIC_CONFIG } from "../policy/helpers";
import { recordArb } from "../policy/history";

const athena = mockClient(AthenaClient);
const DAY0 = Date.UTC(2026, 8, 1);
const history = fc.sample(recordArb(DAY0, 90), { numRuns: 600, seed: 41 });
// Only September: the window leaves the rest out on both sides.
const WINDOW = { start: "2026-09-01T00:00:00Z", end: "2026-10-01T00:00:00Z", maxScanGb: "1000" };
/** The clock at the history's end: preview refuses a window that starts after now, so no real clock decides. */
const HISTORY_END = new Date(DAY0 + 90 * 86_400_000);
let tmp: string;
let config: string;
let table: AthenaTable;
let query: { statement: () => string };

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "preview-athena-"));
  config = path.join(tmp, "guardrail.config.json");
  fs.writeFileSync(config, JSON.stringify(REALISTIC_CONFIG));
  table = await AthenaTable.create();
  await table.load(history.map((record) => ({ record })));
});
afterAll(() => {
  table.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  athena.reset();
  query = answerAthenaFromDuckDb(athena, table, { pageSize: 50, scanned: 52_428_800, queryId: "q-preview" });
});

async function preview(paths: string[], opts: Partial<PreviewOptions>, stdin?: string) {
  let out = "";
  let err = "";
  const code = await runPreview(
    paths,
    { config, format: "json", ...opts },
    {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      cwd: tmp,
      env: {},
      client: new AthenaClient({ region: "us-east-1" }),
      sleep: async () => undefined,
      now: () => HISTORY_END,
      ...(stdin !== undefined
        ? {
            stdin: (async function* () {
              yield Buffer.from(stdin);
            })(),
          }
        : {}),
    },
  );
  return { code, out, err };
}

describe("preview --backend athena", () => {
  it("reports what the local preview reports for the same window's records, with the scan's cost", async () => {
    const queried = await preview([], { backend: "athena", ...WINDOW });
    expect(queried.code).toBe(0);
    expect(queried.err).toMatch(/Athena query q-preview scanned 52\.4 MB/);
    const inWindow = history.filter((r) => r.eventTime >= WINDOW.start && r.eventTime < WINDOW.end);
    const local = await preview(["-"], {}, inWindow.map((r) => JSON.stringify(r)).join("\n"));
    const [a, b] = [JSON.parse(queried.out), JSON.parse(local.out)];
    expect(a).toEqual(b);
    expect(a.counts.denied).toBeGreaterThan(10);
    expect(a.counts.undetermined).toBeGreaterThan(0);
    // Only the events the SCP can name (and API-key calls) are selected: fewer rows than records in the window.
    const rows = Number(/preview: (\d+) row\(s\)/.exec(queried.err)![1]);
    expect(rows).toBeLessThan(inWindow.length);
    expect(query.statement()).toContain("additionaleventdata");
  });

  it("refuses a window estimated over --max-scan-gb before anything runs, and PATHs with --backend", async () => {
    const refused = await preview([], { backend: "athena", ...WINDOW, maxScanGb: "5" });
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/^preview: --max-scan-gb: the window reads \d+ day folder\(s\)/);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
    const both = await preview(["x.json"], { backend: "athena", ...WINDOW });
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/give PATHs or --backend athena, not both/);
  });
});
