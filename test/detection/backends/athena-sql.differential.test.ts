/**
 * Differential proof: the generated Athena SQL, run by DuckDB over the records laid out as AWS's
 * CloudTrail table (string JSON columns, partition columns from the S3 path), selects exactly the
 * event IDs the reference matcher (`matchingRule`) selects in the same window and partitions, over
 * the real samples, every rule's own examples, the edge cases and fast-check batches with random
 * delivery delays, for the whole rule set and for every rule alone; the rows, mapped back, give the
 * same findings as the original records.
 *
 * Records are in the archive's form: S3 log files carry CloudTrail's ISO-8601 eventTime, so the
 * Panther-style times of the shared edge cases are written as ISO here.
 *
 * @slow (runs generated SQL in DuckDB)
 */
import fc from "fast-check";
import { athenaRowToRecord, buildAthenaQuery } from "../../../src/detection/backends/athena-sql";
import { matchingRule } from "../../../src/detection/match";
import { asString, type CloudTrailRecord, normalizeEventTime } from "../../../src/detection/record";
import type { Guardrail } from "../../../src/guardrail/guardrail";
import { type ArchivedRecord, AthenaTable, deliveryDay } from "./support/athena-table";
import {
  expectActingForCovered,
  expectEachRuleAloneSelected,
  expectExtraRulesSelected,
  expectRuleExamplesSelected,
  expectSameFindings,
  matcherIds,
  type SqlBackendUnderTest,
} from "./support/differential";
import {
  batchArb,
  edgeCases,
  findingRecords,
  loadSamples,
  positives,
  record,
  testGuardrail,
  typedConditionRules,
  WINDOW,
} from "./support/records";

const TABLE = "bedrock_guardrail.cloudtrail";
/** DuckDB batches are slow on a loaded 2-core machine; a generous limit, not a timing assertion. */
const DUCKDB_BATCHES_MS = 180_000;
const FROM = '"bedrock_guardrail"."cloudtrail"';

const archived = (r: CloudTrailRecord): CloudTrailRecord => ({ ...r, eventTime: normalizeEventTime(r.eventTime) });

interface Narrowing {
  accounts?: string[];
  regions?: string[];
}

/** The matcher's selection, narrowed to the partitions the query is narrowed to. */
function expectedIds(
  guardrail: Guardrail,
  records: ArchivedRecord[],
  window: { start: string; end: string },
  narrowing: Narrowing = {},
): string[] {
  const inPartitions = records
    .map(({ record }) => record)
    .filter(
      (r) =>
        (!narrowing.accounts || narrowing.accounts.includes(r.recipientAccountId as string)) &&
        (!narrowing.regions || narrowing.regions.includes(r.awsRegion as string)),
    );
  return matcherIds(guardrail, inPartitions, window);
}

async function sqlIds(
  table: AthenaTable,
  guardrail: Guardrail,
  window: { start: string; end: string },
  narrowing: Narrowing = {},
): Promise<string[]> {
  const rows = await table.query(buildAthenaQuery(guardrail, { table: TABLE, ...window, ...narrowing }), FROM);
  return rows.map((row) => asString(athenaRowToRecord(row).eventID)!).sort();
}

describe("Athena SQL vs the in-process matcher (DuckDB over AWS's table layout)", () => {
  const guardrail = testGuardrail();
  let table: AthenaTable;
  beforeAll(async () => {
    table = await AthenaTable.create();
  });
  afterAll(() => table.close());
  const backend: SqlBackendUnderTest = {
    prepare: archived,
    load: (records) => table.load(records.map((record) => ({ record }))),
    ids: (g, window) => sqlIds(table, g, window),
  };

  it("selects the same real samples (all of 2024-10-17)", async () => {
    const records = loadSamples()
      .map((s) => ({ record: archived(s.record) }))
      .filter(({ record }) => (record.eventTime as string).startsWith("2024-10-17"));
    await table.load(records);
    const window = { start: "2024-10-17T00:00:00Z", end: "2024-10-18T00:00:00Z" };
    const ids = await sqlIds(table, guardrail, window);
    expect(ids).toEqual(expectedIds(guardrail, records, window));
    expect(ids).toEqual([
      "4031b2d2-5e47-4d71-9eda-4f22702c45f3",
      "8452e2fb-1252-460b-8f58-d3f5333c2630",
      "db9c43df-ae6f-4db3-8298-f5f779f74f4d",
    ]);
  });

  it(
    "selects every rule's own examples as the matcher does, for the rule set and for each rule alone",
    () => expectRuleExamplesSelected(backend, guardrail),
    DUCKDB_BATCHES_MS,
  );

  it(
    "selects what the matcher selects for every condition kind (is and exists, true and false, nested fields)",
    () => expectExtraRulesSelected(backend, guardrail, typedConditionRules(guardrail), 15),
    DUCKDB_BATCHES_MS,
  );

  it("selects the same edge cases, window bounds included", async () => {
    const cases = edgeCases();
    const records = cases.map((c) => ({ record: archived(c.record) }));
    await table.load(records);
    const ids = await sqlIds(table, guardrail, WINDOW);
    expect(ids).toEqual(expectedIds(guardrail, records, WINDOW));
    const names = new Map(cases.map((c) => [asString(c.record.eventID), c.name]));
    const selected = ids.map((id) => names.get(id));
    expect(selected).toEqual(
      expect.arrayContaining(["errorCode blank", "errorCode AccessDenied", "root", "at window start"]),
    );
    expect(selected).not.toContain("at window end (excluded)");
    expect(selected).not.toContain("other event source, same name");
  });

  it(
    "selects the same fast-check batches, with deliveries up to the allowance crossing midnight",
    async () => {
      let selected = 0;
      let total = 0;
      // The window ends at 23:30 so that deliveries after it land in the next day's folder.
      const shift = Date.parse("2024-10-17T23:30:00Z") - Date.parse(WINDOW.end);
      const moved = (iso: string) => new Date(Date.parse(iso) + shift).toISOString();
      const window = { start: moved(WINDOW.start), end: moved(WINDOW.end) };
      await fc.assert(
        fc.asyncProperty(
          batchArb(guardrail, false),
          fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 40, maxLength: 40 }),
          async (batch, delays) => {
            const records = [
              ...batch.map((r, i) => ({
                record: { ...archived(r), eventTime: moved(normalizeEventTime(r.eventTime)!) },
                delayMinutes: delays[i],
              })),
              ...positives(guardrail.rules, "2024-10-17T23:29:00Z").map((record) => ({ record, delayMinutes: 45 })),
            ];
            await table.load(records);
            const ids = await sqlIds(table, guardrail, window);
            expect(ids).toEqual(expectedIds(guardrail, records, window));
            selected += ids.length;
            total += records.length;
          },
        ),
        { numRuns: 60 },
      );
      // Both sides are exercised: the positives (delivered after midnight) are selected, most noise is not.
      const planted = 60 * positives(guardrail.rules, WINDOW.start).length;
      expect(selected).toBeGreaterThanOrEqual(planted);
      expect(selected - planted).toBeLessThan((total - planted) / 2);
    },
    DUCKDB_BATCHES_MS,
  );

  it(
    "selects the same fast-check batches for each rule alone",
    () => expectEachRuleAloneSelected(backend, guardrail, { numRuns: 15, positivesAt: "2024-10-17T20:30:00Z" }),
    DUCKDB_BATCHES_MS,
  );

  it(
    "narrowed to accounts and regions, selects the matches in those partitions only",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          batchArb(guardrail, false),
          fc.array(fc.constantFrom("494659789341", "210987654321"), { minLength: 40, maxLength: 40 }),
          fc.subarray(["us-east-1", "megov-northeast-1r"], { minLength: 1 }),
          async (batch, accounts, regions) => {
            const records = batch.map((r, i) => ({
              record: { ...archived(r), recipientAccountId: accounts[i] },
            }));
            await table.load(records);
            const narrowing = { accounts: ["494659789341"], regions: regions.filter((r) => r === "us-east-1") };
            const n = narrowing.regions.length ? narrowing : { accounts: narrowing.accounts };
            expect(await sqlIds(table, guardrail, WINDOW, n)).toEqual(expectedIds(guardrail, records, WINDOW, n));
          },
        ),
        { numRuns: 30 },
      );
    },
    DUCKDB_BATCHES_MS,
  );

  it("rows mapped back give the whole finding of the records", async () => {
    // Athena's JSON text keeps a string a string, even one that reads as the object a condition looks into
    // (Lake's map cannot tell them apart): read as the object, this Put would be kept-on-s3 (low), not high.
    const loggingConfigAsText = record({
      eventID: "logging-config-as-text",
      eventName: "PutModelInvocationLoggingConfiguration",
      requestParameters: {
        loggingConfig: JSON.stringify({ textDataDeliveryEnabled: true, s3Config: { bucketName: "logs" } }),
      },
    });
    expect(matchingRule(guardrail, loggingConfigAsText)?.id).toBe("bedrock-invocation-logging-tampering");
    const records = [...findingRecords(guardrail), loggingConfigAsText].map((r) => ({ record: archived(r) }));
    await table.load(records);
    const rows = await table.query(
      buildAthenaQuery(guardrail, { table: TABLE, start: "2000-01-01T00:00:00Z", end: "2100-01-01T00:00:00Z" }),
      FROM,
    );
    expect(rows.length).toBeGreaterThan(40);
    const findings = expectSameFindings(
      guardrail,
      rows,
      athenaRowToRecord,
      records.map(({ record }) => record),
    );
    expectActingForCovered(findings);
    let modelIds = 0;
    for (const row of rows) {
      // The modelid column (the mapper's fallback) is the request's modelId whenever that is a string.
      const cells = Object.assign({}, ...row) as Record<string, string>;
      const requested = (JSON.parse(cells.requestparameters ?? "null") as { modelId?: unknown } | null)?.modelId;
      if (typeof requested === "string" && requested !== "") {
        expect(cells.modelid).toBe(requested);
        modelIds++;
      }
    }
    expect(modelIds).toBeGreaterThan(10);
  });

  it("reads only the window's day folders: a file delivered past the allowance is not scanned", async () => {
    const [sample] = loadSamples().filter((s) => s.record.eventName === "CreateFoundationModelAgreement");
    const record = archived(sample.record);
    const lateByTwoDays = { record: { ...record, eventID: "late" }, delayMinutes: 2 * 24 * 60 };
    await table.load([{ record }, lateByTwoDays]);
    expect(deliveryDay(record.eventTime as string, 2 * 24 * 60)).toBe("2024/10/19");
    const window = { start: "2024-10-17T00:00:00Z", end: "2024-10-18T00:00:00Z" };
    expect(await sqlIds(table, guardrail, window)).toEqual([asString(record.eventID)]);
  });
});
