/**
 * CloudTrail Lake has no result cap like Logs Insights' `limit`: the job's SQL carries no LIMIT
 * and every GetQueryResults page is read. This pins both, so adding a LIMIT to the job's query
 * (which would silently drop rows past it) fails here.
 */
import {
  CancelQueryCommand,
  CloudTrailClient,
  DescribeQueryCommand,
  StartQueryCommand,
} from "@aws-sdk/client-cloudtrail";
import { mockClient } from "aws-sdk-client-mock";
import { LakeQuerySource } from "../../../src/runtime/query/lake";
import { guardrailWith, lakeSource, simEvent, simulateLake } from "../helpers";

describe("LakeQuerySource reads every row of a window", () => {
  it("sends SQL without LIMIT and follows NextToken through all pages", async () => {
    const sim = simulateLake();
    sim.pageSize = 7;
    const t0 = Date.parse("2025-06-01T10:00:00Z");
    sim.events = Array.from({ length: 1234 }, (_, i) => simEvent(`ev-${i}`, new Date(t0 + i * 100), 0));
    sim.clock.now = new Date(t0 + 3_600_000);
    const result = await lakeSource(sim, guardrailWith()).run({ start: new Date(t0), end: new Date(t0 + 1_800_000) });
    expect(sim.statements).toHaveLength(1);
    expect(sim.statements[0]).not.toMatch(/\bLIMIT\b/i);
    expect(result.rows).toBe(1234);
    expect(new Set(result.records.map((r) => r.eventID)).size).toBe(1234);
  });
});

/** A Lake source on `client` (mocked), whose waits between status checks take no time. */
const lakeSourceOn = (client: CloudTrailClient) =>
  new LakeQuerySource({
    client,
    guardrail: guardrailWith(),
    eventDataStoreArn: "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/eds-1",
    sleep: async () => undefined,
  });

describe("LakeQuerySource when a status check fails", () => {
  const client = new CloudTrailClient({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "s" } });
  const cloudtrail = mockClient(client);

  it("cancels the started query (throttled past retries, network, credentials), never leaves it scanning", async () => {
    cloudtrail.on(StartQueryCommand).resolves({ QueryId: "q-lake" });
    cloudtrail
      .on(DescribeQueryCommand)
      .resolvesOnce({ QueryStatus: "RUNNING" })
      .rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
    cloudtrail.on(CancelQueryCommand).resolves({});
    const source = lakeSourceOn(client);
    const t0 = Date.parse("2025-06-01T10:00:00Z");
    await expect(source.run({ start: new Date(t0), end: new Date(t0 + 3_600_000) })).rejects.toThrow(/Rate exceeded/);
    expect(cloudtrail.commandCalls(CancelQueryCommand).map((c) => c.args[0].input)).toEqual([{ QueryId: "q-lake" }]);
  });

  it("never says a query it could not cancel was cancelled: it says how to cancel it by hand", async () => {
    cloudtrail.reset();
    cloudtrail.on(StartQueryCommand).resolves({ QueryId: "q-lake" });
    cloudtrail
      .on(DescribeQueryCommand)
      .rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
    cloudtrail.on(CancelQueryCommand).rejects(Object.assign(new Error("denied"), { name: "AccessDeniedException" }));
    const source = lakeSourceOn(client);
    const t0 = Date.parse("2025-06-01T10:00:00Z");
    await expect(source.run({ start: new Date(t0), end: new Date(t0 + 3_600_000) })).rejects.toThrow(
      new RegExp(
        String.raw`Rate exceeded; cloudtrail-lake query q-lake: the query could not be cancelled \(.*denied\): ` +
          String.raw`cancel it by hand \(aws cloudtrail cancel-query --query-id q-lake\)`,
      ),
    );
  });
});
