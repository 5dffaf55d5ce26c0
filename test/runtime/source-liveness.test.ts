/**
 * The drift check that the job's source is live: an event data store whose ingestion was stopped or whose selectors
 * were narrowed, an organization trail that stopped logging, logs less, or delivers elsewhere, blinds the job while its
 * runs still succeed. Each is reported as source-not-live drift (alerted once, resolved when it clears), through the
 * real CloudTrail adapters under aws-sdk-client-mock; a denied read is one read-failed problem, never a failed run.
 */
import {
  CloudTrailClient,
  type EventDataStoreStatus,
  GetEventDataStoreCommand,
  type GetEventDataStoreResponse,
  GetEventSelectorsCommand,
  type GetEventSelectorsResponse,
  GetTrailCommand,
  GetTrailStatusCommand,
  type GetTrailStatusResponse,
  type Trail,
} from "@aws-sdk/client-cloudtrail";
import { mockClient } from "aws-sdk-client-mock";
import { readEventDataStore, readTrail } from "../../src/aws/cloudtrail-sources";
import { MONITOR_SOURCES } from "../../src/runtime/query/backends";
import { eventDataStoreLiveness, trailLiveness, type TrailDestination } from "../../src/runtime/source-liveness";
import { guardrailWith as infraGuardrail, resources, synthMonitor } from "../infra/helpers";
import { MemoryStateStore } from "../support/memory-state-store";
import { at, EDS_ARN, guardrailWith, lakeJobEveryFiveMinutes, liveStore, simulateLake, simulateSns } from "./helpers";

const TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:999988887777:trail/org-trail";
const NOW = at("2026-07-01T12:00:00Z");
const g = guardrailWith();

function denied(): Error {
  const e = new Error("User is not authorized to perform: cloudtrail:GetEventDataStore");
  e.name = "AccessDeniedException";
  return e;
}

function lakeCheck(answer: () => GetEventDataStoreResponse) {
  const client = new CloudTrailClient({ region: "us-east-1" });
  mockClient(client).on(GetEventDataStoreCommand).callsFake(answer);
  return eventDataStoreLiveness(EDS_ARN, (arn) => readEventDataStore(client, arn), g);
}

describe("event data store liveness (GetEventDataStore)", () => {
  it("a live store that selects every management event: nothing to report", async () => {
    expect(await lakeCheck(() => liveStore())(NOW)).toEqual([]);
  });

  it("the store the monitor stack creates passes its own check", async () => {
    const [eds] = resources(synthMonitor(), "aws_cloudtrail_event_data_store");
    const selectors = eds.advanced_event_selector.map((s: { name: string; field_selector: any[] }) => ({
      Name: s.name,
      FieldSelectors: s.field_selector.map((f) => ({ Field: f.field, Equals: f.equals })),
    }));
    const check = lakeCheck(() => liveStore({ AdvancedEventSelectors: selectors }));
    expect(await check(NOW)).toEqual([]);
  });

  it.each<EventDataStoreStatus>(["STOPPED_INGESTION", "STOPPING_INGESTION", "PENDING_DELETION"])(
    "ingestion %s: names the store",
    async (s) => {
      const problems = await lakeCheck(() => liveStore({ Status: s }))(NOW);
      expect(problems).toEqual([
        { kind: "source-not-live", target: EDS_ARN, check: "status", detail: expect.stringContaining(`is ${s}`) },
      ]);
    },
  );

  it.each([
    ["a source excluded", [{ Field: "eventSource", NotEquals: ["bedrock.amazonaws.com"] }]],
    ["a principal left out", [{ Field: "userIdentity.arn", NotStartsWith: ["arn:aws:iam::1:role/x"] }]],
    ["write events only", [{ Field: "readOnly", Equals: ["false"] }]],
    ["data events only", []],
  ])("selectors narrowed (%s): names the events no longer selected", async (_, extra) => {
    const category = extra.length === 0 ? "Data" : "Management";
    const narrowed = [{ Name: "narrowed", FieldSelectors: [{ Field: "eventCategory", Equals: [category] }, ...extra] }];
    const problems = await lakeCheck(() => liveStore({ AdvancedEventSelectors: narrowed }))(NOW);
    expect(problems).toEqual([
      {
        kind: "source-not-live",
        target: EDS_ARN,
        check: "selectors",
        detail: expect.stringMatching(/no longer selects .*bedrock\.amazonaws\.com:/),
      },
    ]);
  });

  it("not multi-Region, not organization-wide: one problem each", async () => {
    const problems = await lakeCheck(() => liveStore({ MultiRegionEnabled: false, OrganizationEnabled: false }))(NOW);
    expect(problems.map((p) => p.check)).toEqual(["multi-region", "organization"]);
  });

  it("a denied read is one problem that says the check could not run, not a crash", async () => {
    const problems = await lakeCheck(() => {
      throw denied();
    })(NOW);
    expect(problems).toEqual([
      {
        kind: "read-failed",
        target: EDS_ARN,
        detail: expect.stringMatching(/could not read event data store .* cannot tell .*AccessDenied/),
      },
    ]);
  });
});

interface TrailAnswer {
  trail: Trail;
  status: GetTrailStatusResponse;
  selectors: GetEventSelectorsResponse;
  fail?: Error;
}

const liveTrail = (): TrailAnswer => ({
  trail: {
    TrailARN: TRAIL_ARN,
    IsMultiRegionTrail: true,
    IsOrganizationTrail: true,
    S3BucketName: "org-trail-archive",
    CloudWatchLogsLogGroupArn: "arn:aws:logs:us-east-1:999988887777:log-group:aws-cloudtrail-logs-org:*",
  },
  status: { IsLogging: true, LatestDeliveryTime: at("2026-07-01T11:58:00Z") },
  selectors: { EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: "All" }] },
});

function trailCheck(answer: TrailAnswer, where: TrailDestination) {
  const client = new CloudTrailClient({ region: "us-east-1" });
  const mock = mockClient(client);
  const named = (input: { Name?: string; TrailName?: string }) => {
    // An organization trail is named by its ARN from a member account.
    expect(input.Name ?? input.TrailName).toBe(TRAIL_ARN);
    if (answer.fail) throw answer.fail;
  };
  mock.on(GetTrailCommand).callsFake((i) => {
    named(i);
    return { Trail: answer.trail };
  });
  mock.on(GetTrailStatusCommand).callsFake((i) => {
    named(i);
    return answer.status;
  });
  mock.on(GetEventSelectorsCommand).callsFake((i) => {
    named(i);
    return answer.selectors;
  });
  return trailLiveness(TRAIL_ARN, (arn) => readTrail(client, arn), where, g);
}

const S3: TrailDestination = { kind: "s3", bucket: "org-trail-archive" };
const LOGS: TrailDestination = { kind: "logs", logGroups: ["aws-cloudtrail-logs-org"] };

describe("organization trail liveness (GetTrail, GetTrailStatus, GetEventSelectors)", () => {
  it("a live trail delivering where the job reads: nothing to report", async () => {
    expect(await trailCheck(liveTrail(), S3)(NOW)).toEqual([]);
    expect(await trailCheck(liveTrail(), LOGS)(NOW)).toEqual([]);
    const byArn: TrailDestination = {
      kind: "logs",
      logGroups: ["arn:aws:logs:us-east-1:999988887777:log-group:aws-cloudtrail-logs-org:*"],
    };
    expect(await trailCheck(liveTrail(), byArn)(NOW)).toEqual([]);
  });

  it("StopLogging: names the trail", async () => {
    const answer = liveTrail();
    answer.status.IsLogging = false;
    expect(await trailCheck(answer, S3)(NOW)).toEqual([
      { kind: "source-not-live", target: TRAIL_ARN, check: "logging", detail: expect.stringContaining("not logging") },
    ]);
  });

  it.each<[string, GetEventSelectorsResponse]>([
    [
      "Bedrock excluded",
      { EventSelectors: [{ IncludeManagementEvents: true, ExcludeManagementEventSources: ["bedrock.amazonaws.com"] }] },
    ],
    ["write-only", { EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: "WriteOnly" }] }],
    ["no management events", { EventSelectors: [{ IncludeManagementEvents: false, ReadWriteType: "All" }] }],
    [
      "advanced, IAM left out",
      {
        AdvancedEventSelectors: [
          {
            FieldSelectors: [
              { Field: "eventCategory", Equals: ["Management"] },
              { Field: "eventSource", NotEquals: ["iam.amazonaws.com"] },
            ],
          },
        ],
      },
    ],
  ])("PutEventSelectors narrowed (%s)", async (_, selectors) => {
    const problems = await trailCheck({ ...liveTrail(), selectors }, LOGS)(NOW);
    expect(problems).toEqual([
      {
        kind: "source-not-live",
        target: TRAIL_ARN,
        check: "selectors",
        detail: expect.stringContaining("no longer logs every management event the rules read"),
      },
    ]);
  });

  it("delivering to another log group or bucket, or no longer an organization trail", async () => {
    const moved = liveTrail();
    moved.trail.CloudWatchLogsLogGroupArn = "arn:aws:logs:us-east-1:999988887777:log-group:elsewhere:*";
    moved.trail.S3BucketName = "elsewhere";
    moved.trail.IsOrganizationTrail = false;
    expect((await trailCheck(moved, LOGS)(NOW)).map((p) => p.check)).toEqual(["organization", "destination"]);
    expect((await trailCheck(moved, S3)(NOW)).map((p) => p.detail)).toEqual([
      expect.stringContaining("not an organization trail"),
      expect.stringContaining("delivers to s3://elsewhere/, not to s3://org-trail-archive/"),
    ]);
  });

  it("a delivery error counts once nothing was delivered for 30 minutes", async () => {
    const failing = liveTrail();
    failing.status.LatestDeliveryError = "AccessDenied";
    expect(await trailCheck(failing, S3)(NOW)).toEqual([]);
    failing.status.LatestDeliveryTime = at("2026-07-01T11:25:00Z");
    expect(await trailCheck(failing, S3)(NOW)).toEqual([
      expect.objectContaining({ check: "delivery", detail: expect.stringContaining("error is AccessDenied") }),
    ]);
    // The log group's delivery is read for the cloudwatch-logs backend, the bucket's for athena.
    expect(await trailCheck(failing, LOGS)(NOW)).toEqual([]);
  });

  it("a denied read is one problem that says the check could not run", async () => {
    expect(await trailCheck({ ...liveTrail(), fail: denied() }, S3)(NOW)).toEqual([
      { kind: "read-failed", target: TRAIL_ARN, detail: expect.stringContaining("could not read trail") },
    ]);
  });
});

describe("which backend checks what", () => {
  // Every CloudTrailClient the backends build; mocked only here, after the tests that mock their own clients.
  let trailMock: ReturnType<typeof mockClient>;
  beforeAll(() => {
    trailMock = mockClient(CloudTrailClient);
  });
  afterAll(() => trailMock.restore());

  it("athena and cloudwatch-logs read monitor.trailArn's trail; without it nothing is checked", async () => {
    const answer = liveTrail();
    answer.status.IsLogging = false;
    trailMock.on(GetTrailCommand).resolves({ Trail: answer.trail });
    trailMock.on(GetTrailStatusCommand).resolves(answer.status);
    trailMock.on(GetEventSelectorsCommand).resolves(answer.selectors);
    const athena = infraGuardrail({
      monitor: { backend: "athena", athena: { bucket: "org-trail-archive" }, trailArn: TRAIL_ARN },
    });
    const check = MONITOR_SOURCES.athena.liveness(athena, { backend: "athena" }, {});
    const found = await check!(NOW);
    expect(found.map((p) => [p.kind, p.target, p.check])).toEqual([["source-not-live", TRAIL_ARN, "logging"]]);
    const spec = { backend: "cloudwatch-logs" as const, logGroups: ["aws-cloudtrail-logs-org"] };
    const logs = infraGuardrail({
      monitor: { backend: "cloudwatch-logs", cloudwatchLogs: { logGroups: spec.logGroups } },
    });
    expect(MONITOR_SOURCES["cloudwatch-logs"].liveness(logs, spec, {})).toBeUndefined();
  });

  it("cloudtrail-lake reads the store the job queries", async () => {
    trailMock
      .on(GetEventDataStoreCommand, { EventDataStore: EDS_ARN })
      .resolves(liveStore({ Status: "STOPPED_INGESTION" }));
    const check = MONITOR_SOURCES["cloudtrail-lake"].liveness(
      g,
      { backend: "cloudtrail-lake", eventDataStoreArn: EDS_ARN },
      {},
    );
    expect((await check!(NOW)).map((p) => p.check)).toEqual(["status"]);
  });
});

describe("the monitor's drift check with the source stopped", () => {
  it("alerts once while it lasts, resolves when it clears; every run succeeds and moves the watermark", async () => {
    const lake = simulateLake();
    const sns = simulateSns();
    const store = new MemoryStateStore();
    let status: EventDataStoreStatus = "ENABLED";
    lake.mock.on(GetEventDataStoreCommand).callsFake(() => liveStore({ Status: status }));
    lake.clock.now = NOW;
    const { run, driftAlerts } = lakeJobEveryFiveMinutes(lake, sns, store, g, {
      checkSourceLiveness: eventDataStoreLiveness(EDS_ARN, (arn) => readEventDataStore(lake.client, arn), g),
    });

    expect((await run()).drift).toEqual({ ok: true, problems: [], alerted: false });
    status = "STOPPED_INGESTION";
    const stopped = await run();
    expect(stopped.status).toBe("ok");
    expect(stopped.watermark.after).toBe(stopped.window!.end);
    expect(stopped.drift).toMatchObject({ ok: false, alerted: true, problems: [{ kind: "source-not-live" }] });
    // The subject is cut to SNS's 100 characters; the body names the store and what changed.
    expect(driftAlerts().map((a) => a.subject)).toEqual([expect.stringContaining("source-not-live on arn:aws:")]);
    expect(driftAlerts()[0].body.problems).toEqual([
      expect.objectContaining({
        target: EDS_ARN,
        check: "status",
        detail: expect.stringContaining("STOPPED_INGESTION"),
      }),
    ]);
    expect(await run()).toMatchObject({ status: "ok", drift: { ok: false, alerted: false } });
    expect(driftAlerts()).toHaveLength(1);

    // Denied next: what is wrong changed (the check cannot run), so once more.
    lake.mock.on(GetEventDataStoreCommand).rejects(denied());
    expect(await run()).toMatchObject({
      status: "ok",
      drift: { alerted: true, problems: [{ kind: "read-failed" }] },
    });

    status = "ENABLED";
    lake.mock.on(GetEventDataStoreCommand).callsFake(() => liveStore({ Status: status }));
    expect(await run()).toMatchObject({ status: "ok", drift: { ok: true, alerted: true } });
    expect(driftAlerts().map((a) => a.subject)).toEqual([
      expect.stringContaining("source-not-live"),
      expect.stringContaining("read-failed"),
      expect.stringContaining("[resolved]"),
    ]);
  });
});
