import fc from "fast-check";
import { BackendInputError } from "../../../src/detection/backends/input-error";
import { athenaRowToRecord } from "../../../src/detection/backends/athena-sql";
import { buildLakeQuery, eventDataStoreId, lakeRowToRecord } from "../../../src/detection/backends/lake-sql";
import { sqlString } from "../../../src/detection/backends/sql-literal";
import type { Guardrail } from "../../../src/guardrail/guardrail";
import { LakeTable } from "./support/lake-table";
import { record, testGuardrail, WINDOW } from "./support/records";

const EDS = "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE";
const guardrail = testGuardrail();
const query = (g: Pick<Guardrail, "rules"> = guardrail, extra: object = {}) =>
  buildLakeQuery(g, { eventDataStore: EDS, ...WINDOW, ...extra });

describe("buildLakeQuery", () => {
  it("is one SELECT, bounded on both sides of eventtime, over the guardrail's events and outcomes", () => {
    const sql = query();
    expect(sql.startsWith("SELECT\n")).toBe(true);
    expect(sql).not.toMatch(/;/);
    expect(sql).toContain(`FROM ${EDS}\n`);
    expect(sql).toContain(
      "WHERE eventtime >= TIMESTAMP '2024-10-17 20:00:00.000'\n  AND eventtime < TIMESTAMP '2024-10-17 21:00:00.000'",
    );
    expect(sql).toContain("eventsource = 'bedrock.amazonaws.com'");
    expect(sql).toContain(
      "eventname IN ('PutUseCaseForModelAccess', 'CreateFoundationModelAgreement', 'PutFoundationModelEntitlement')",
    );
    expect(sql).toContain("errorcode IS NULL OR trim(errorcode, chr(9) || ");
    expect(sql).toContain(
      "'PutFoundationModelEntitlement') AND errorcode IN ('AccessDenied', 'AccessDeniedException')",
    );
    // Every rule is one disjunct: its source, names, outcome and conditions.
    expect(sql.match(/\(eventsource = /g)).toHaveLength(guardrail.rules.length);
    expect(sql).toContain("eventsource = 'iam.amazonaws.com' AND eventname IN ('CreateServiceSpecificCredential')");
    expect(sql).toContain(
      "lower(CASE WHEN contains(map_keys(requestparameters), 'serviceName') THEN requestparameters['serviceName'] " +
        "END) IN ('bedrock.amazonaws.com')",
    );
    expect(sql).toContain("AND starts_with(useridentity.accesskeyid, 'AKIA')");
    expect(sql).toContain("requestparameters['modelId']");
    expect(sql).toContain("useridentity.sessioncontext.sessionissuer.arn AS sessionissuer_arn");
    expect(sql).toMatch(/ORDER BY eventtime ASC, eventid ASC$/);
    // Lower-case columns only (Lake's schema); the only capitals are SQL keywords, literals and the FROM id.
    const identifiers =
      sql
        .replace(/'(?:[^']|'')*'/g, "")
        .replace(EDS, "")
        .match(/\b[a-z_]*[A-Z][A-Za-z_]*\b/g) ?? [];
    expect(new Set(identifiers)).toEqual(
      new Set([
        "SELECT",
        "CASE",
        "WHEN",
        "THEN",
        "END",
        "AS",
        "CAST",
        "JSON",
        "FROM",
        "WHERE",
        "TIMESTAMP",
        "AND",
        "IN",
        "OR",
        "IS",
        "NULL",
        "ORDER",
        "BY",
        "ASC",
      ]),
    );
  });

  it("derives everything from the Guardrail: a changed definition changes the query", () => {
    const g = { rules: [{ ...guardrail.primaryRule, eventNames: ["OnlyThis"] }] };
    const sql = query(g);
    expect(sql).toContain("eventname IN ('OnlyThis')");
    expect(sql).not.toContain("AccessDenied");
  });

  it("accepts the event data store ARN and uses its ID", () => {
    expect(eventDataStoreId(`arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/${EDS}`)).toBe(EDS);
    expect(
      query(guardrail, { eventDataStore: `arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/${EDS}` }),
    ).toContain(`FROM ${EDS}\n`);
  });

  it("adds LIMIT only when asked, and refuses a bad one", () => {
    expect(query()).not.toContain("LIMIT");
    expect(query(guardrail, { limit: 100 })).toMatch(/\nLIMIT 100$/);
    for (const limit of [0, -1, 1.5, Number.NaN])
      expect(() => query(guardrail, { limit })).toThrow(/limit: must be a positive integer/);
  });

  it.each([
    ["", /event data store: is required/],
    ["eds; DROP TABLE x", /event data store: .* is neither an event data store ID/],
    ["eds -- comment", /neither/],
    // Unquoted after FROM, `--` starts a comment and a hyphen at either end is an operator.
    ["eds--comment", /neither/],
    ["eds-", /neither/],
    ["-eds", /neither/],
    ["arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/eds--comment", /neither/],
    ["arn:aws:cloudtrail:us-east-1:123456789012:trail/x", /neither/],
    ["a/b", /neither/],
  ])("refuses event data store %j", (eds, message) => {
    expect(() => query(guardrail, { eventDataStore: eds })).toThrow(BackendInputError);
    expect(() => query(guardrail, { eventDataStore: eds })).toThrow(message);
  });

  it.each([
    [{ start: "2024-10-17" }, /start: "2024-10-17" is not an ISO-8601 time/],
    [{ start: "2024-10-17T20:00:00" }, /start: .*\(seconds and a zone are required\)/],
    [{ end: "yesterday" }, /end: "yesterday" is not an ISO-8601 time/],
    [{ start: "2024-02-30T00:00:00Z" }, /start: .* is not a real calendar time/],
    [
      { start: "2024-10-17T20:00:00+25:00" },
      /^start: "2024-10-17T20:00:00\+25:00" has no real zone offset \(\+25:00: /,
    ],
    [{ end: "2024-10-17T20:00:00-03:60" }, /^end: .* has no real zone offset \(-03:60: at most 23:59\)$/],
    [{ start: "2024-10-17T20:00:00Z' OR 1=1 --" }, /start: .* is not an ISO-8601 time/],
    [{ start: "2024-10-17T21:00:00Z", end: "2024-10-17T20:00:00Z" }, /start: must be before end/],
    [{ start: "2024-10-17T20:00:00Z", end: "2024-10-17T20:00:00Z" }, /start: must be before end/],
    [{ start: new Date(Number.NaN) }, /start: is an invalid Date/],
  ])("refuses window %j", (window, message) => {
    expect(() => query(guardrail, window)).toThrow(message);
  });

  it("converts zoned times to UTC and accepts Dates", () => {
    expect(
      query(guardrail, { start: "2024-10-17T22:00:00+02:00", end: new Date("2024-10-17T21:00:00.250Z") }),
    ).toContain(
      "eventtime >= TIMESTAMP '2024-10-17 20:00:00.000'\n  AND eventtime < TIMESTAMP '2024-10-17 21:00:00.250'",
    );
  });
});

describe("string literals: no value can change the query's structure", () => {
  const HOSTILE = [
    "'",
    "''",
    "x' OR '1'='1",
    "x'; DROP TABLE t; --",
    "\\'",
    "\\",
    "a\\' OR 1=1 --",
    "-- comment",
    "/* open comment",
    "*/",
    "a\nb\r\nc",
    "é☃𝄞 ٠١٢ \u202e\u200b",
    "U&'\\0041'",
    "$$",
    '"double"',
  ];

  it("sqlString is a single literal that DuckDB reads back as the same string", async () => {
    const table = await LakeTable.create();
    try {
      for (const value of HOSTILE) {
        const rows = await table.run(`SELECT ${sqlString(value, "v")} AS v`);
        expect(rows).toEqual([[{ v: value }]]);
      }
      await fc.assert(
        fc.asyncProperty(
          fc.string({ unit: "binary", maxLength: 30 }).filter((s) => !s.includes("\u0000")),
          async (value) => {
            const rows = await table.run(`SELECT ${sqlString(value, "v")} AS v`);
            expect(rows).toEqual([[{ v: value }]]);
          },
        ),
        { numRuns: 300 },
      );
    } finally {
      table.close();
    }
  });

  /** The seed's two rules with one value as their source, first event name and error code. */
  const hostileRules = (value: string, names = [value, "PutUseCaseForModelAccess"]) => ({
    rules: [
      { ...guardrail.primaryRule, eventSource: value, eventNames: names },
      { ...guardrail.rules[1], eventSource: value, eventNames: names, errorCodes: [value] },
    ],
  });

  it("hostile event names, sources and error codes stay inside their literals", () => {
    for (const value of HOSTILE) {
      const sql = query(hostileRules(value));
      const literal = sqlString(value, "v");
      expect(sql).toContain(`eventsource = ${literal} AND`);
      expect(sql).toContain(`eventname IN (${literal}, 'PutUseCaseForModelAccess')`);
      expect(sql).toContain(`AND errorcode IN (${literal})`);
      // Removing every well-formed literal leaves the same skeleton as for a harmless value.
      const skeleton = (s: string) => s.replace(/'(?:[^']|'')*'/g, "''");
      expect(skeleton(sql)).toBe(skeleton(query(hostileRules("x"))));
    }
  });

  it("hostile values still select exactly the records that carry them (run in DuckDB)", async () => {
    const table = await LakeTable.create();
    try {
      for (const value of HOSTILE) {
        const records = [
          record({ eventSource: value, eventName: value }),
          record({ eventSource: value, eventName: value, errorCode: value }),
          record({ eventSource: value, eventName: "x" }),
          record({ eventName: value }),
          record({ eventSource: value, eventName: value, errorCode: "Other" }),
        ];
        await table.load(records);
        const rows = await table.query(query(hostileRules(value, [value])), EDS);
        expect(rows.map((r) => lakeRowToRecord(r).eventID)).toEqual([records[0].eventID, records[1].eventID]);
      }
    } finally {
      table.close();
    }
  });

  it("refuses NUL and unpaired surrogates, naming the input", () => {
    const withNul = { rules: [{ ...guardrail.primaryRule, eventNames: ["a\u0000b"] }] };
    expect(() => query(withNul)).toThrow("rule bedrock-model-access-enabled eventNames[0]: contains a NUL character");
    const withSurrogate = { rules: [guardrail.primaryRule, { ...guardrail.rules[1], errorCodes: ["x\ud800"] }] };
    expect(() => query(withSurrogate)).toThrow(
      /rule bedrock-model-access-denied errorCodes\[0\]: contains an unpaired UTF-16 surrogate/,
    );
  });
});

describe("lakeRowToRecord", () => {
  it("rebuilds a CloudTrail record from a GetQueryResults row", () => {
    const row = [
      { eventid: "e1" },
      { eventtime: "2024-10-17 20:09:51.000" },
      { eventsource: "bedrock.amazonaws.com" },
      { eventname: "CreateFoundationModelAgreement" },
      { errorcode: "" },
      { useridentity_type: "AssumedRole" },
      { useridentity_arn: "arn:aws:sts::494659789341:assumed-role/test-role/cli" },
      { sessionissuer_arn: "arn:aws:iam::494659789341:role/test-role" },
      { modelid: "m1" },
      { requestparameters: '{"modelId":"m1","offerToken":"t"}' },
    ];
    expect(lakeRowToRecord(row)).toEqual({
      eventID: "e1",
      eventTime: "2024-10-17T20:09:51Z",
      eventSource: "bedrock.amazonaws.com",
      eventName: "CreateFoundationModelAgreement",
      userIdentity: {
        type: "AssumedRole",
        arn: "arn:aws:sts::494659789341:assumed-role/test-role/cli",
        sessionContext: { sessionIssuer: { arn: "arn:aws:iam::494659789341:role/test-role" } },
      },
      requestParameters: { modelId: "m1", offerToken: "t" },
    });
  });

  it("types the bearer-token marker back to a boolean from Lake's text, not from Athena's JSON text", () => {
    const row = [
      { requestparameters: '{"callWithBearerToken":"true","enabled":"true"}' },
      { additionaleventdata: '{"callWithBearerToken":"false"}' },
    ];
    expect(lakeRowToRecord(row)).toEqual({
      requestParameters: { callWithBearerToken: true, enabled: "true" },
      additionalEventData: { callWithBearerToken: false },
    });
    expect(athenaRowToRecord(row)).toEqual({
      requestParameters: { callWithBearerToken: "true", enabled: "true" },
      additionalEventData: { callWithBearerToken: "false" },
    });
  });

  it("falls back to the modelid column when the map is missing or not JSON, and never throws", () => {
    expect(lakeRowToRecord([{ modelid: "m" }, { requestparameters: "{modelId=m}" }]).requestParameters).toEqual({
      modelId: "m",
    });
    expect(lakeRowToRecord([{ requestparameters: "[1]" }]).requestParameters).toBeUndefined();
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 })),
        (row) => void lakeRowToRecord(row),
      ),
    );
  });
});
