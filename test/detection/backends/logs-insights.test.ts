import {
  buildLogsInsightsQuery,
  INSIGHTS_FIELDS,
  insightsSelectorCondition,
  insightsString,
  logsInsightsRowToRecord,
  logsInsightsTimeRange,
} from "../../../src/detection/backends/logs-insights";
import fc from "fast-check";
import { evaluateRecord } from "../../../src/detection/finding";
import { matchingRule } from "../../../src/detection/match";
import type { CloudTrailRecord } from "../../../src/detection/record";
import type { Guardrail } from "../../../src/guardrail/guardrail";
import { runInsightsQuery } from "./support/insights-interpreter";
import { batchArb, edgeCases, loadSamples, testGuardrail, typedConditionRules } from "./support/records";

const guardrail = testGuardrail();

describe("buildLogsInsightsQuery", () => {
  it("filters each rule's source, names, outcome and conditions, oldest first, with a limit", () => {
    const lines = buildLogsInsightsQuery(guardrail).split("\n");
    const seedNames = '["PutUseCaseForModelAccess", "CreateFoundationModelAgreement", "PutFoundationModelEntitlement"]';
    expect(lines.slice(0, 3)).toEqual([
      `fields ${INSIGHTS_FIELDS.join(", ")}`,
      `| filter (eventSource = "bedrock.amazonaws.com" and eventName in ${seedNames} and isblank(errorCode))`,
      `    or (eventSource = "bedrock.amazonaws.com" and eventName in ${seedNames}` +
        ' and errorCode in ["AccessDenied", "AccessDeniedException"])',
    ]);
    // One line per distinct condition: the two kept-on rules differ only in an `exists`, which asks nothing here.
    const conditions = new Set(guardrail.rules.map((rule) => insightsSelectorCondition(rule, rule.id)));
    expect(conditions.size).toBe(guardrail.rules.length - 1);
    expect(lines).toHaveLength(conditions.size + 3);
    expect(lines.slice(-2)).toEqual(["| sort @timestamp asc", "| limit 10000"]);
    expect(lines).toContain(
      '    or (eventSource = "iam.amazonaws.com" and eventName in ["CreateServiceSpecificCredential"]' +
        " and isblank(errorCode) and requestParameters.serviceName like " +
        "/^([Bb][Ee][Dd][Rr][Oo][Cc][Kk]\\.[Aa][Mm][Aa][Zz][Oo][Nn][Aa][Ww][Ss]\\.[Cc][Oo][Mm])$/)",
    );
    expect(lines.find((l) => l.includes("GetFoundationModelAvailability"))).toMatch(
      /and userIdentity\.accessKeyId like \/\^AKIA\/\)$/,
    );
    expect(INSIGHTS_FIELDS).toEqual(
      expect.arrayContaining([
        "@message",
        "eventID",
        "userIdentity.sessionContext.sessionIssuer.arn",
        "requestParameters.modelId",
      ]),
    );
  });

  it("asks is only that the field be there, and exists nothing (a pre-filter)", () => {
    const keptOn = guardrail.rules.find((r) => r.id === "bedrock-invocation-logging-kept-on-s3")!;
    expect(buildLogsInsightsQuery({ rules: [keptOn] }).split("\n")[1]).toBe(
      '| filter (eventSource = "bedrock.amazonaws.com" and eventName in ["PutModelInvocationLoggingConfiguration"]' +
        " and isblank(errorCode) and ispresent(requestParameters.loggingConfig.textDataDeliveryEnabled))",
    );
    const absent = { ...keptOn, where: [{ field: "requestParameters.userName" as const, exists: false }] };
    expect(buildLogsInsightsQuery({ rules: [absent] }).split("\n")[1]).toMatch(/and isblank\(errorCode\)\)$/);
  });

  it("follows the definition and the limit", () => {
    const q = buildLogsInsightsQuery({ rules: [{ ...guardrail.primaryRule, eventNames: ["A"] }] }, { limit: 100 });
    expect(q).toContain(
      '| filter (eventSource = "bedrock.amazonaws.com" and eventName in ["A"] and isblank(errorCode))\n',
    );
    expect(q).toMatch(/\| limit 100$/);
    for (const limit of [0, 10_001, 2.5])
      expect(() => buildLogsInsightsQuery(guardrail, { limit })).toThrow(/limit: must be an integer from 1 to 10000/);
  });

  it.each(['x" or 1=1', "a\\b", "it's", "a\nb", "a`b", "a\u2028b", ""])(
    "refuses %j instead of guessing how to escape it",
    (value) => {
      expect(() => insightsString(value, "eventNames[0]")).toThrow(/eventNames\[0\]/);
      expect(() => buildLogsInsightsQuery({ rules: [{ ...guardrail.primaryRule, eventNames: [value] }] })).toThrow(
        /rule bedrock-model-access-enabled eventNames\[0\]/,
      );
      expect(() =>
        buildLogsInsightsQuery({ rules: [guardrail.primaryRule, { ...guardrail.rules[1], errorCodes: [value] }] }),
      ).toThrow(/errorCodes\[0\]/);
    },
  );

  it("carries a prefix with a slash (a log group name), keeping every record the prefix keeps", () => {
    const field = "requestParameters.loggingConfig.cloudWatchConfig.logGroupName" as const;
    const rule = { ...guardrail.primaryRule, outcome: "any" as const, where: [{ field, startsWith: "/aws/bedrock/" }] };
    const query = buildLogsInsightsQuery({ rules: [rule] });
    expect(query).toContain(`and ${field} like /^.aws.bedrock./)`);
    const withGroup = (eventID: string, logGroupName: string) => ({
      eventID,
      eventSource: rule.eventSource,
      eventName: rule.eventNames[0],
      requestParameters: { loggingConfig: { cloudWatchConfig: { logGroupName } } },
    });
    const records = [withGroup("kept", "/aws/bedrock/invocations"), withGroup("other", "/other/bedrock/x")];
    expect(runInsightsQuery(query, records).map((row) => row.get("eventID"))).toEqual(["kept"]);
  });

  it("gives StartQuery's window in epoch seconds, covering the whole [start, end)", () => {
    expect(logsInsightsTimeRange("2024-10-17T20:00:00Z", "2024-10-17T20:06:00.500Z")).toEqual({
      startTime: 1729195200,
      endTime: 1729195561,
    });
    expect(() => logsInsightsTimeRange("2024-10-17T20:06:00Z", "2024-10-17T20:00:00Z")).toThrow(
      /start: must be before end/,
    );
  });
});

describe("the Logs Insights query vs the in-process matcher (a pre-filter: it drops no match)", () => {
  /** The records the matcher selects that the query does not return (none, for a pre-filter), and the rows. */
  function missed(rules: Guardrail["rules"], records: CloudTrailRecord[]): { missed: unknown[]; rows: number } {
    const rows = runInsightsQuery(buildLogsInsightsQuery({ rules }), records).map((row) => row.record);
    return { missed: records.filter((r) => matchingRule({ rules }, r) && !rows.includes(r)), rows: rows.length };
  }
  const extraRules = typedConditionRules(guardrail);

  it("keeps every match of the edge cases and the rules' examples, for the rule set and each rule alone", () => {
    const records = [
      ...edgeCases().map((c) => c.record),
      ...[...guardrail.rules, ...extraRules].flatMap((rule) => rule.tests.map((t) => t.record as CloudTrailRecord)),
    ];
    for (const rules of [guardrail.rules, ...[...guardrail.rules, ...extraRules].map((rule) => [rule])])
      expect([rules.map((r) => r.id), missed(rules, records).missed]).toEqual([rules.map((r) => r.id), []]);
  });

  it("keeps every match of generated records (odd types, objects where strings are written), and drops others", () => {
    let [rows, total] = [0, 0];
    for (const rule of [...guardrail.rules, ...extraRules])
      fc.assert(
        fc.property(batchArb(guardrail, false, rule), (batch) => {
          const result = missed([rule], batch);
          expect([rule.id, result.missed]).toEqual([rule.id, []]);
          [rows, total] = [rows + result.rows, total + batch.length];
        }),
        { numRuns: 30 },
      );
    fc.assert(
      fc.property(batchArb(guardrail, false), (batch) => expect(missed(guardrail.rules, batch).missed).toEqual([])),
      { numRuns: 60 },
    );
    // A filter, not everything: most generated records are not returned.
    expect(rows).toBeLessThan(total / 2);
  });
});

describe("logsInsightsRowToRecord", () => {
  const sample = loadSamples().find((s) => s.record.eventName === "CreateFoundationModelAgreement")!.record;

  it("uses @message, the event as CloudTrail wrote it, so findings equal detect's", () => {
    const row = [
      { field: "@timestamp", value: "2024-10-17 20:09:53.000" },
      { field: "@message", value: JSON.stringify(sample) },
      { field: "eventID", value: String(sample.eventID) },
      { field: "@ptr", value: "Cm4KNQox..." },
    ];
    expect(logsInsightsRowToRecord(row)).toEqual(sample);
    expect(evaluateRecord(guardrail, logsInsightsRowToRecord(row))).toEqual(evaluateRecord(guardrail, sample));
  });

  it("rebuilds from the dotted fields when @message is missing or not JSON", () => {
    const row = [
      { field: "@message", value: "{truncated" },
      { field: "eventID", value: "e1" },
      { field: "eventTime", value: "2024-10-17T20:09:51Z" },
      { field: "eventSource", value: "bedrock.amazonaws.com" },
      { field: "eventName", value: "CreateFoundationModelAgreement" },
      { field: "errorCode", value: "" },
      { field: "userIdentity.type", value: "AssumedRole" },
      { field: "userIdentity.sessionContext.sessionIssuer.arn", value: "arn:aws:iam::494659789341:role/test-role" },
      { field: "requestParameters.modelId", value: "m1" },
    ];
    const r = logsInsightsRowToRecord(row);
    expect(r).toEqual({
      eventID: "e1",
      eventTime: "2024-10-17T20:09:51Z",
      eventSource: "bedrock.amazonaws.com",
      eventName: "CreateFoundationModelAgreement",
      userIdentity: {
        type: "AssumedRole",
        sessionContext: { sessionIssuer: { arn: "arn:aws:iam::494659789341:role/test-role" } },
      },
      requestParameters: { modelId: "m1" },
    });
    const finding = evaluateRecord(guardrail, r);
    expect("finding" in finding && finding.finding.guardrail).toMatchObject({
      principal_arn: "arn:aws:iam::494659789341:role/test-role",
      model_id: "m1",
      approved: false,
    });
  });

  it("never throws on odd rows", () => {
    expect(logsInsightsRowToRecord([])).toEqual({});
    expect(logsInsightsRowToRecord([{ field: "a.b", value: "1" }, { field: "a.b.c", value: "2" }, {}])).toEqual({
      a: { b: { c: "2" } },
    });
  });
});
