/**
 * The query job's correlation sources as the composition root builds them: each run's query reads
 * the window and the look-backs only (the first-use baseline is in the state table); the learning
 * source, built only where a new-term rule runs, also reads the rule's baseline days.
 */
import {
  CloudTrailClient,
  DescribeQueryCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
} from "@aws-sdk/client-cloudtrail";
import { mockClient } from "aws-sdk-client-mock";
import { selectRules } from "../../src/guardrail/guardrail";
import { makeCorrelationSources } from "../../src/wiring/adapters";
import { EDS_ARN, guardrailWith } from "../runtime/helpers";

const g = guardrailWith();
const overrides = { region: "us-east-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" } };
const poll = { initialDelayMs: 0, maxDelayMs: 0, timeoutMs: 60_000 };
const lakeSpec = { backend: "cloudtrail-lake" as const, eventDataStoreArn: EDS_ARN };
const window = { start: new Date("2026-01-15T10:00:00Z"), end: new Date("2026-01-15T10:30:00Z") };

test("on CloudTrail Lake: the run's query reads no baseline, the learning query reads the rule's 30 days", async () => {
  const lake = mockClient(CloudTrailClient);
  const statements: string[] = [];
  lake.on(StartQueryCommand).callsFake((input: { QueryStatement: string }) => {
    statements.push(input.QueryStatement);
    return { QueryId: `q-${statements.length}` };
  });
  lake.on(DescribeQueryCommand).resolves({ QueryStatus: "FINISHED", QueryStatistics: { BytesScanned: 0 } });
  lake.on(GetQueryResultsCommand).resolves({ QueryResultRows: [] });
  const { correlations, correlationBaseline } = makeCorrelationSources(g, lakeSpec, overrides, poll);
  await correlations!.run(window);
  await correlationBaseline!.run(window);
  lake.restore();
  expect(statements).toHaveLength(2);
  expect(statements[0]).not.toContain("row_number");
  expect(statements[1]).toContain("row_number");
  // The learning query reaches back 30 days before the window; the run's query one rule window (60 minutes).
  expect(statements[1]).toContain("2025-12-16 10:00:00");
  expect(statements[0]).not.toContain("2025-12-16");
});

test("no learning source without a new-term rule, nor where the source serves no new-term rule", () => {
  const noNewTerm = selectRules(g, ["bedrock-invocation-probing", "bedrock-enumeration-then-invocation"]);
  const lake = makeCorrelationSources(noNewTerm, lakeSpec, overrides, poll);
  expect(lake.correlations).toBeDefined();
  expect(lake.correlationBaseline).toBeUndefined();
  const logs = makeCorrelationSources(g, { backend: "cloudwatch-logs", logGroups: ["org-trail"] }, overrides, poll);
  expect(logs.correlations?.correlationRules?.map((r) => r.kind)).toEqual(["threshold"]);
  expect(logs.correlationBaseline).toBeUndefined();
});
