import fc from "fast-check";
import {
  athenaDays,
  athenaTableRef,
  athenaWindowDays,
  buildAthenaQuery,
} from "../../../src/detection/backends/athena-sql";
import { BackendInputError } from "../../../src/detection/backends/input-error";
import { testGuardrail, WINDOW } from "./support/records";

const guardrail = testGuardrail();
const TABLE = "bedrock_guardrail.cloudtrail";

describe("buildAthenaQuery", () => {
  it("prunes every partition of the window and bounds eventtime on both sides", () => {
    const sql = buildAthenaQuery(guardrail, {
      table: TABLE,
      ...WINDOW,
      accounts: ["111122223333"],
      regions: ["us-east-1"],
    });
    expect(sql).toContain('FROM "bedrock_guardrail"."cloudtrail"\n');
    expect(sql).toContain(
      `WHERE "timestamp" IN ('2024/10/17')\n  AND "account" IN ('111122223333')\n  AND "region" IN ('us-east-1')\n`,
    );
    expect(sql).toContain(
      "AND try(from_iso8601_timestamp(eventtime)) >= from_iso8601_timestamp('2024-10-17T20:00:00.000Z')\n" +
        "  AND try(from_iso8601_timestamp(eventtime)) < from_iso8601_timestamp('2024-10-17T21:00:00.000Z')",
    );
    expect(sql).toContain("json_extract_scalar(requestparameters, '$.modelId') AS modelid");
    expect(sql).toContain("eventsource = 'bedrock.amazonaws.com'");
    // Rule conditions on request parameters read the JSON text, and only its string values.
    expect(sql).toContain(
      `CASE WHEN starts_with(json_format(json_extract(requestparameters, '$.bearerTokenType')), '"') ` +
        "THEN json_extract_scalar(requestparameters, '$.bearerTokenType') END IN ('LONG_TERM', 'ABSK')",
    );
    expect(sql).not.toContain("map_keys");
    expect(sql).toMatch(/ORDER BY eventtime ASC, eventid ASC$/);
    expect(sql).not.toMatch(/;/);
  });

  it("reads a 5-minute window from one or two day folders, never the whole bucket", () => {
    const day = (start: string, end: string) => buildAthenaQuery(guardrail, { table: TABLE, start, end });
    expect(day("2024-10-17T12:00:00Z", "2024-10-17T12:05:00Z")).toContain(`"timestamp" IN ('2024/10/17')\n`);
    // Files of events just before midnight are delivered into the next day's folder.
    expect(day("2024-10-17T23:55:00Z", "2024-10-18T00:00:00Z")).toContain(
      `"timestamp" IN ('2024/10/17', '2024/10/18')`,
    );
    // A long hunt is a range, not a list of hundreds of days.
    expect(day("2024-01-01T00:00:00Z", "2024-12-31T00:00:00Z")).toContain(
      `"timestamp" BETWEEN '2024/01/01' AND '2024/12/31'`,
    );
  });

  it("lists the day folders a window reads, delivery allowance included", () => {
    expect(athenaDays(Date.parse("2024-02-28T10:00:00Z"), Date.parse("2024-03-01T00:00:00Z"))).toEqual([
      "2024/02/28",
      "2024/02/29",
      "2024/03/01",
    ]);
    expect(athenaWindowDays({ start: "2024-10-17T20:00:00Z", end: "2024-10-17T23:30:00Z" })).toEqual([
      "2024/10/17",
      "2024/10/18",
    ]);
    expect(
      athenaWindowDays({ start: "2024-10-17T20:00:00Z", end: "2024-10-17T23:30:00Z", deliveryAllowanceMinutes: 0 }),
    ).toEqual(["2024/10/17"]);
  });

  it.each([
    [{ table: "cloudtrail" }, "--table"],
    [{ table: 'db.x"; DROP TABLE y' }, "--table table"],
    [{ table: "Db.t" }, "--table database"],
    [{ accounts: ["1111'22223333"] }, "--accounts[0]"],
    [{ regions: ["us-east-1' OR 1=1 --"] }, "--regions[0]"],
    [{ start: "2024-10-17" }, "start"],
    [{ limit: 0 }, "limit"],
    [{ deliveryAllowanceMinutes: -1 }, "delivery allowance"],
  ])("refuses %j naming %s", (bad, input) => {
    const build = () => buildAthenaQuery(guardrail, { table: TABLE, ...WINDOW, ...bad });
    expect(build).toThrow(BackendInputError);
    expect(() => build()).toThrow(expect.objectContaining({ input }));
  });

  it("keeps hostile definition values inside one string literal (the Lake literal rules)", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("'", "\\", "-", ";", "/", "*", "a", "\n", '"') }), (name) => {
        const named = (n: string) => ({ rules: guardrail.rules.map((r) => ({ ...r, eventNames: [n] })) });
        const sql = buildAthenaQuery(named(`Create${name}`), { table: TABLE, ...WINDOW });
        const outside = sql.replace(/'(?:[^']|'')*'/g, "''");
        const reference = buildAthenaQuery(named("Create"), { table: TABLE, ...WINDOW });
        expect(outside).toBe(reference.replace(/'(?:[^']|'')*'/g, "''"));
      }),
    );
  });

  it("names the table parts", () => {
    expect(athenaTableRef("security_lake.org_trail")).toEqual({
      database: "security_lake",
      table: "org_trail",
      sql: '"security_lake"."org_trail"',
    });
  });
});
