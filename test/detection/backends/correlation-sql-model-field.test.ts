/**
 * The new-term baseline on the SQL backends keeps each principal's latest use of each model: on bedrock-mantle the
 * model is requestParameters.model (modelIdOf), so the baseline's value must read it there too, or every mantle model
 * of a principal falls into one partition and only the latest survives (the others come back as first uses).
 *
 * @slow (runs generated SQL in DuckDB)
 */
import { athenaRowToRecord, buildAthenaCorrelationQuery } from "../../../src/detection/backends/athena-sql";
import { buildLakeCorrelationQuery } from "../../../src/detection/backends/correlation-sql";
import { lakeRowToRecord } from "../../../src/detection/backends/lake-sql";
import { type Correlation, correlate } from "../../../src/detection/correlation/engine";
import { guardrailFrom, MINIMAL_CONFIG } from "../../support/fixtures";
import { sqlTablesForSuite } from "./support/sql-tables";

const EDS = "00000000-0000-4000-8000-0000000eds01";
const rule = guardrailFrom(MINIMAL_CONFIG).correlationRules.find((r) => r.id === "bedrock-model-first-use")!;
const summary = (cs: Correlation[]) => cs.map((c) => `${c.id} ${c.events.map((e) => e.id).join(",")}`).sort();
const mantleExamples = rule.tests.filter((t) =>
  t.history.some((r) => r.eventSource === "bedrock-mantle.amazonaws.com"),
);

describe("bedrock-model-first-use on CloudTrail Lake SQL and Athena SQL: a mantle call's model", () => {
  const tables = sqlTablesForSuite();

  it.each(mantleExamples.map((t) => [t.name, t] as const))(
    "a run over the last event of '%s' finds what the engine finds",
    async (_name, example) => {
      expect(example.learnUntil).toBeDefined();
      const history = example.history;
      const startMs = Date.parse(String(history[history.length - 1].eventTime));
      const window = { start: new Date(startMs).toISOString(), end: new Date(startMs + 3_600_000).toISOString() };
      const options = { reportFromMs: startMs, learnUntilMs: Date.parse(example.learnUntil!) };
      const want = summary(correlate([rule], history, options));
      expect(want.length > 0).toBe(example.expect);

      await tables.lake().load(history);
      const lakeRows = await tables
        .lake()
        .queryAll(buildLakeCorrelationQuery([rule], { eventDataStore: EDS, ...window }), EDS);
      expect(summary(correlate([rule], lakeRows.map(lakeRowToRecord), options))).toEqual(want);

      await tables.athena().load(history.map((record) => ({ record, delayMinutes: 5 })));
      const sql = buildAthenaCorrelationQuery([rule], { table: "bedrock_guardrail.cloudtrail", ...window });
      const athenaRows = await tables.athena().queryAll(sql, '"bedrock_guardrail"."cloudtrail"');
      expect(summary(correlate([rule], athenaRows.map(athenaRowToRecord), options))).toEqual(want);
    },
    240_000,
  );
});
