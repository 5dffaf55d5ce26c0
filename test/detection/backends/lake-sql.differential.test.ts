/**
 * Differential proof: the generated CloudTrail Lake SQL, run by DuckDB over a table with Lake's
 * schema, selects exactly the event IDs the in-process matcher (`matchingRule`) selects in the same
 * window, over the real samples, every rule's own examples, the edge cases and fast-check-generated
 * records, for the whole rule set and for every rule alone. Then the rows, mapped back with
 * `lakeRowToRecord`, give the whole finding the original record gives, but for the request
 * parameters Lake's map keeps as text.
 *
 * @slow (runs generated SQL in DuckDB)
 */
import fc from "fast-check";
import { buildLakeQuery, lakeRowToRecord } from "../../../src/detection/backends/lake-sql";
import { evaluateRecord } from "../../../src/detection/finding";
import { asString, type CloudTrailRecord, normalizeEventTime } from "../../../src/detection/record";
import type { Guardrail } from "../../../src/guardrail/guardrail";
import {
  expectActingForCovered,
  expectEachRuleAloneSelected,
  expectExtraRulesSelected,
  expectRuleExamplesSelected,
  expectSameFindings,
  matcherIds,
  type SqlBackendUnderTest,
} from "./support/differential";
import { obj, text } from "./support/duckdb-table";
import { LakeTable } from "./support/lake-table";
import {
  batchArb,
  edgeCases,
  findingRecords,
  loadSamples,
  testGuardrail,
  typedConditionRules,
  WINDOW,
} from "./support/records";

const EDS = "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE";

/**
 * The record as Lake keeps it: requestparameters is a map<string,string>, so a request parameter
 * that is not a string (a number, a boolean, an object) comes back as its JSON text, except the
 * values whose type a rule condition reads (the loggingConfig object, the callWithBearerToken
 * boolean), which lakeRowToRecord types back. Nothing else of the record may be lost. The map cannot
 * tell the marker's text "true" from the boolean, so the text comes back as the boolean too.
 */
function asLakeKeepsIt(record: CloudTrailRecord): CloudTrailRecord {
  const params = obj(record.requestParameters);
  if (!params) return record;
  const typed = (key: string, value: unknown) =>
    (key === "loggingConfig" && typeof value === "object" && value !== null) ||
    (key === "callWithBearerToken" && typeof value === "boolean");
  const marker = (key: string, value: unknown) =>
    key === "callWithBearerToken" && (value === "true" || value === "false") ? value === "true" : value;
  const kept = (key: string, value: unknown) => (typed(key, marker(key, value)) ? marker(key, value) : text(value));
  return { ...record, requestParameters: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, kept(k, v)])) };
}
/** DuckDB batches are slow on a loaded 2-core machine; a generous limit, not a timing assertion. */
const DUCKDB_BATCHES_MS = 180_000;

async function sqlIds(table: LakeTable, guardrail: Guardrail, start: string, end: string): Promise<string[]> {
  const rows = await table.query(buildLakeQuery(guardrail, { eventDataStore: EDS, start, end }), EDS);
  return rows.map((row) => asString(lakeRowToRecord(row).eventID)!).sort();
}

const expectedIds = (guardrail: Guardrail, records: Parameters<typeof matcherIds>[1], start: string, end: string) =>
  matcherIds(guardrail, records, { start, end });

describe("CloudTrail Lake SQL vs the in-process matcher (DuckDB)", () => {
  const guardrail = testGuardrail();
  let table: LakeTable;
  beforeAll(async () => {
    table = await LakeTable.create();
  });
  afterAll(() => table.close());
  const backend: SqlBackendUnderTest = {
    prepare: (record) => record,
    load: (records) => table.load(records),
    ids: (g, window) => sqlIds(table, g, window.start, window.end),
  };

  it("selects the same real samples (all of 2024-10-17)", async () => {
    const records = loadSamples()
      .map((s) => s.record)
      .filter((r) => normalizeEventTime(r.eventTime)?.startsWith("2024-10-17"));
    await table.load(records);
    const window = { start: "2024-10-17T00:00:00Z", end: "2024-10-18T00:00:00Z" };
    const ids = await sqlIds(table, guardrail, window.start, window.end);
    expect(ids).toEqual(expectedIds(guardrail, records, window.start, window.end));
    // The three seed actions by stratus-red-team succeed; recon, invoke and the 2025 Panther record do not match.
    expect(ids).toEqual([
      "4031b2d2-5e47-4d71-9eda-4f22702c45f3",
      "8452e2fb-1252-460b-8f58-d3f5333c2630",
      "db9c43df-ae6f-4db3-8298-f5f779f74f4d",
    ]);
  });

  it("selects every rule's own examples as the matcher does, for the rule set and for each rule alone", () =>
    expectRuleExamplesSelected(backend, guardrail));

  it(
    "selects what the matcher selects for every condition kind (is and exists, true and false, nested fields)",
    () => expectExtraRulesSelected(backend, guardrail, typedConditionRules(guardrail), 15),
    DUCKDB_BATCHES_MS,
  );

  it("selects the same edge cases, window bounds included", async () => {
    const cases = edgeCases();
    const records = cases.map((e) => e.record);
    await table.load(records);
    const ids = await sqlIds(table, guardrail, WINDOW.start, WINDOW.end);
    expect(ids).toEqual(expectedIds(guardrail, records, WINDOW.start, WINDOW.end));
    const names = new Map(cases.map((e) => [asString(e.record.eventID), e.name]));
    const selected = ids.map((id) => names.get(id));
    expect(selected).toEqual(
      expect.arrayContaining([
        "errorCode empty string",
        "errorCode blank",
        "errorCode AccessDenied",
        "Identity Center role with path",
        "root",
        "at window start",
        "mantle long-term key type, marker as text",
      ]),
    );
    expect(selected).not.toContain("mantle long-term key type, no marker");
    expect(selected).not.toContain("mantle long-term key type, marker false");
    expect(selected).not.toContain("at window end (excluded)");
    expect(selected).not.toContain("InvokeModel noise");
    expect(selected).not.toContain("other event source, same name");
    expect(selected).not.toContain("errorCode padded AccessDenied");
  });

  it(
    "selects the same fast-check-generated records",
    async () => {
      let selected = 0;
      let total = 0;
      await fc.assert(
        fc.asyncProperty(batchArb(guardrail, false), async (records) => {
          await table.load(records);
          const ids = await sqlIds(table, guardrail, WINDOW.start, WINDOW.end);
          expect(ids).toEqual(expectedIds(guardrail, records, WINDOW.start, WINDOW.end));
          selected += ids.length;
          total += records.length;
        }),
        { numRuns: 60 },
      );
      // The generator must exercise both sides, or equality would prove little (per rule: below).
      expect(selected).toBeGreaterThan(total / 100);
      expect(selected).toBeLessThan(total / 2);
    },
    DUCKDB_BATCHES_MS,
  );

  it(
    "selects the same fast-check-generated records for each rule alone",
    () => expectEachRuleAloneSelected(backend, guardrail, { numRuns: 20, positivesAt: WINDOW.start }),
    DUCKDB_BATCHES_MS,
  );

  it("rows mapped back with lakeRowToRecord give the whole finding of the record as Lake keeps it", async () => {
    const records = findingRecords(guardrail);
    await table.load(records);
    const rows = await table.query(
      buildLakeQuery(guardrail, { eventDataStore: EDS, start: "2000-01-01T00:00:00Z", end: "2100-01-01T00:00:00Z" }),
      EDS,
    );
    expect(rows.length).toBeGreaterThan(40);
    const findings = expectSameFindings(guardrail, rows, lakeRowToRecord, records.map(asLakeKeepsIt));
    expectActingForCovered(findings);
  });

  it("a request parameter Lake keeps as text is text in the finding; the rest is detect's", async () => {
    const nested = edgeCases().find((e) => e.name === "requestParameters nested")!.record;
    await table.load([nested]);
    const [row] = await table.query(
      buildLakeQuery(guardrail, { eventDataStore: EDS, start: WINDOW.start, end: WINDOW.end }),
      EDS,
    );
    const fromLake = evaluateRecord(guardrail, lakeRowToRecord(row));
    const fromDetect = evaluateRecord(guardrail, nested);
    if (!("finding" in fromLake && "finding" in fromDetect)) throw new Error("test: the record must make a finding");
    expect(fromLake.finding.aws.cloudtrail.request_parameters?.extra).toBe('{"a":1}');
    expect(fromDetect.finding.aws.cloudtrail.request_parameters?.extra).toEqual({ a: 1 });
    fromDetect.finding.aws.cloudtrail.request_parameters!.extra = '{"a":1}';
    expect(fromLake).toEqual(fromDetect);
  });

  it("the bearer-token marker, which Lake's map holds as text, comes back as the JSON boolean", async () => {
    const mantle = edgeCases().find((e) => e.name === "long-term Bedrock API key on bedrock-mantle")!.record;
    const asText = { ...mantle, eventID: "as-text", requestParameters: { ...mantle.requestParameters } };
    asText.requestParameters!.callWithBearerToken = "true";
    await table.load([mantle, asText]);
    const rows = await table.query(
      buildLakeQuery(guardrail, { eventDataStore: EDS, start: WINDOW.start, end: WINDOW.end }),
      EDS,
    );
    const findings = rows.map((row) => evaluateRecord(guardrail, lakeRowToRecord(row)));
    expect(findings.map((e) => "finding" in e && e.finding.aws.cloudtrail.request_parameters)).toEqual([
      { model: "example-model-id", callWithBearerToken: true, bearerTokenType: "LONG_TERM" },
      // CloudTrail writes a boolean; Lake keeps the string "true" as it keeps true, so it comes back as true too.
      { model: "example-model-id", callWithBearerToken: true, bearerTokenType: "LONG_TERM" },
    ]);
    expect(findings[0]).toEqual(evaluateRecord(guardrail, mantle));
  });

  it("selects as the matcher does on a string inside a nested request parameter (equals, startsWith)", async () => {
    const base = guardrail.rules.find((r) => r.id === "bedrock-invocation-logging-kept-on-s3")!;
    const logGroupName = "requestParameters.loggingConfig.cloudWatchConfig.logGroupName" as const;
    const bucketName = "requestParameters.loggingConfig.s3Config.bucketName" as const;
    const rule = {
      ...base,
      outcome: "any" as const,
      where: [
        { field: logGroupName, startsWith: "/aws/b_d." },
        { field: bucketName, equals: ["logs-1", "logs-2"] },
      ],
    };
    const alone = { ...guardrail, rules: [rule] };
    const put = (eventID: string, group: unknown, bucket: unknown) => ({
      eventID,
      eventTime: "2024-10-17T12:00:00Z",
      eventSource: rule.eventSource,
      eventName: rule.eventNames[0],
      requestParameters: {
        loggingConfig: { cloudWatchConfig: { logGroupName: group }, s3Config: { bucketName: bucket } },
      },
    });
    const records = [
      put("kept", "/aws/b_d.x", "logs-2"),
      put("kept-bare-prefix", "/aws/b_d.", "logs-1"),
      put("underscore-is-not-a-wildcard", "/aws/bXd.x", "logs-1"),
      put("dot-is-not-a-wildcard", "/aws/b_dXx", "logs-1"),
      put("other-bucket", "/aws/b_d.x", "logs-3"),
      put("group-not-a-string", ["/aws/b_d.x"], "logs-1"),
      put("bucket-not-a-string", "/aws/b_d.x", 1),
    ];
    await table.load(records);
    const window = { start: "2024-10-17T00:00:00Z", end: "2024-10-18T00:00:00Z" };
    const ids = await sqlIds(table, alone, window.start, window.end);
    expect(ids).toEqual(["kept", "kept-bare-prefix"]);
    expect(ids).toEqual(expectedIds(alone, records, window.start, window.end));
  });

  it(
    "returns a record CloudTrail delivered twice twice; the finding is identical, so callers dedupe on " + "event.id",
    async () => {
      const [sample] = loadSamples().filter((s) => s.record.eventName === "CreateFoundationModelAgreement");
      await table.load([sample.record, sample.record]);
      const rows = await table.query(
        buildLakeQuery(guardrail, { eventDataStore: EDS, start: "2024-10-17T00:00:00Z", end: "2024-10-18T00:00:00Z" }),
        EDS,
      );
      expect(rows).toHaveLength(2);
      const [a, b] = rows.map((row) => evaluateRecord(guardrail, lakeRowToRecord(row)));
      expect(a).toEqual(b);
    },
  );
});
