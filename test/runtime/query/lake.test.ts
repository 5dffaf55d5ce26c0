/**
 * CloudTrail Lake has no result cap like Logs Insights' `limit`: the job's SQL carries no LIMIT
 * and every GetQueryResults page is read. This pins both, so adding a LIMIT to the job's query
 * (which would silently drop rows past it) fails here.
 */
import {
  CancelQueryCommand,
  CloudTrailClient,
  DescribeQueryCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
} from "@aws-sdk/client-cloudtrail";
import { mockClient } from "aws-sdk-client-mock";
import { MONITOR_SOURCES } from "../../../src/runtime/query/backends";
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

describe("the monitor's Lake source queries the event data store in the store's Region", () => {
  // The query job's client has no Region of its own: its Lambda runs in aws.region, not where the store is.
  const credentials = { accessKeyId: "AKIDTEST", secretAccessKey: "secret" };
  const poll = { initialDelayMs: 0, maxDelayMs: 0, timeoutMs: 60_000 };

  /** The Region of the client each StartQuery was sent with, for a store in eu-west-1. */
  async function queriedRegions(region?: string): Promise<string[]> {
    const regions: string[] = [];
    const cloudtrail = mockClient(CloudTrailClient);
    cloudtrail.on(StartQueryCommand).callsFake(async (_input: unknown, getClient: () => CloudTrailClient) => {
      regions.push(await getClient().config.region());
      return { QueryId: "q" };
    });
    cloudtrail.on(DescribeQueryCommand).resolves({ QueryStatus: "FINISHED" });
    cloudtrail.on(GetQueryResultsCommand).resolves({ QueryResultRows: [] });
    const spec = {
      backend: "cloudtrail-lake" as const,
      eventDataStoreArn: "arn:aws:cloudtrail:eu-west-1:111122223333:eventdatastore/eds-1",
    };
    const g = guardrailWith();
    const window = { start: new Date("2025-06-01T10:00:00Z"), end: new Date("2025-06-01T10:10:00Z") };
    const overrides = { credentials, ...(region ? { region } : {}) };
    try {
      await MONITOR_SOURCES["cloudtrail-lake"].create(g, spec, overrides, poll).run(window);
      await MONITOR_SOURCES["cloudtrail-lake"].correlations!(g, spec, overrides, poll)!.run(window);
    } finally {
      cloudtrail.restore();
    }
    return regions;
  }

  it("the Region its ARN names, when the caller chose none (the query job in aws.region)", async () => {
    const previous = process.env.AWS_REGION;
    process.env.AWS_REGION = "us-east-1";
    try {
      expect(await queriedRegions()).toEqual(["eu-west-1", "eu-west-1"]);
    } finally {
      if (previous === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = previous;
    }
  });

  it("the Region the caller chose (run-once --region)", async () => {
    expect(await queriedRegions("eu-central-1")).toEqual(["eu-central-1", "eu-central-1"]);
  });
});
