/**
 * `verify` makes the monitor's check that the scheduled job's source is live, with the same function the job's drift
 * step calls (makeSourceLivenessCheck): a stopped or narrowed event data store or organization trail is drift (exit 3,
 * one `DRIFT source-not-live` line each, in the alert's words), a read it is denied is one line saying the check could
 * not run and what it needs (exit 1), and --json carries both. Through the real CloudTrail adapters
 * (aws-sdk-client-mock).
 */
import {
  CloudTrailClient,
  type EventDataStoreStatus,
  GetEventDataStoreCommand,
  type GetEventDataStoreResponse,
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  ListEventDataStoresCommand,
  ListTagsCommand,
} from "@aws-sdk/client-cloudtrail";
import { mockClient } from "aws-sdk-client-mock";
import { verify, type VerifyIO, type VerifyOptions } from "../../src/cli/commands/verify";
import { TOOL_TAGS } from "../../src/config/aws-limits";
import { errorText } from "../../src/errors/error-text";
import { eventDataStoreName } from "../../src/infra/naming";
import type { Guardrail } from "../../src/guardrail/guardrail";
import { buildScpDocuments } from "../../src/policy/documents";
import type { SourceSpec } from "../../src/runtime/query/backends";
import { makeSourceLivenessCheck } from "../../src/wiring/adapters";
import { at, EDS_ARN, guardrailWith, liveStore } from "../runtime/helpers";

const TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:999988887777:trail/org-trail";
const NOW = at("2026-07-01T12:00:00Z");
const NARROWED = [
  {
    Name: "narrowed",
    FieldSelectors: [
      { Field: "eventCategory", Equals: ["Management"] },
      { Field: "eventSource", NotEquals: ["bedrock.amazonaws.com"] },
    ],
  },
];

/** The config names the store the job queries (an existing one). */
const lake = guardrailWith({ monitor: { cloudtrailLake: { eventDataStoreArn: EDS_ARN } } });
const athena = guardrailWith({
  monitor: { backend: "athena", athena: { bucket: "org-trail-archive" }, trailArn: TRAIL_ARN },
});

const cloudTrail = mockClient(CloudTrailClient);
afterEach(() => cloudTrail.reset());
afterAll(() => cloudTrail.restore());

function storeAnswers(store: GetEventDataStoreResponse): void {
  cloudTrail.on(GetEventDataStoreCommand, { EventDataStore: EDS_ARN }).resolves(store);
}

function trailAnswers({ logging }: { logging: boolean }): void {
  cloudTrail.on(GetTrailCommand, { Name: TRAIL_ARN }).resolves({
    Trail: {
      TrailARN: TRAIL_ARN,
      IsMultiRegionTrail: true,
      IsOrganizationTrail: true,
      S3BucketName: "org-trail-archive",
    },
  });
  cloudTrail
    .on(GetTrailStatusCommand, { Name: TRAIL_ARN })
    .resolves({ IsLogging: logging, LatestDeliveryTime: at("2026-07-01T11:58:00Z") });
  cloudTrail
    .on(GetEventSelectorsCommand, { TrailName: TRAIL_ARN })
    .resolves({ EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: "All" }] });
}

function denied(action: string): Error {
  return Object.assign(new Error(`User: arn:aws:iam::111122223333:user/ci is not authorized to perform: ${action}`), {
    name: "AccessDeniedException",
    $metadata: { httpStatusCode: 400 },
  });
}

/** The organization as the synthesized SCPs expect it: no SCP drift, so what is found is the source's. */
function intactFor(g: Guardrail) {
  const documents = buildScpDocuments(g);
  return async () => ({
    roots: [{ id: "r-ab12", scpEnabled: true }],
    policies: documents.map((d, i) => ({ id: `p-${i}`, name: d.name, content: d.content })),
    targets: Object.fromEntries(documents.map((_, i) => [`p-${i}`, ["r-ab12"]])),
  });
}

async function run(g: Guardrail, opts: VerifyOptions = {}, extra: Partial<VerifyIO> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await verify(g, opts, {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    env: {},
    readOrganization: intactFor(g),
    now: () => NOW,
    ...extra,
  });
  return { code, out: out.join(""), err: err.join("") };
}

/** The problems the job's drift step finds with the same answers: what it alerts. */
async function jobFinds(g: Guardrail, spec: SourceSpec) {
  return makeSourceLivenessCheck(g, spec)!(NOW);
}

describe("cloudtrail-lake: the event data store the job queries", () => {
  it("live: no drift, a line says the source is checked, one GetEventDataStore on the store", async () => {
    storeAnswers(liveStore());
    const r = await run(lake);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^no drift: .*\n/);
    expect(r.out).toContain(`job's source: ${EDS_ARN} is set to feed the job every event the rules read`);
    expect(r.err).toBe("");
    expect(cloudTrail.commandCalls(GetEventDataStoreCommand)).toHaveLength(1);
  });

  it.each<EventDataStoreStatus>(["STOPPED_INGESTION", "PENDING_DELETION"])(
    "%s: drift (exit 3), one line in the alert's words",
    async (status) => {
      storeAnswers(liveStore({ Status: status }));
      const alerted = await jobFinds(lake, { backend: "cloudtrail-lake", eventDataStoreArn: EDS_ARN });
      expect(alerted.map((p) => p.check)).toEqual(["status"]);
      const r = await run(lake);
      expect(r.code).toBe(3);
      expect(r.out).toBe(`DRIFT source-not-live: ${alerted[0].detail}\n`);
      expect(r.out).toContain(`event data store ${EDS_ARN} is ${status}, not ENABLED`);
      expect(r.err).toBe("");
    },
  );

  it("selectors narrowed, not organization-wide: one line per aspect, exit 3", async () => {
    storeAnswers(liveStore({ AdvancedEventSelectors: NARROWED, OrganizationEnabled: false }));
    const alerted = await jobFinds(lake, { backend: "cloudtrail-lake", eventDataStoreArn: EDS_ARN });
    const r = await run(lake);
    expect(r.code).toBe(3);
    expect(r.out).toBe(alerted.map((p) => `DRIFT source-not-live: ${p.detail}\n`).join(""));
    expect(r.out).toMatch(/^DRIFT source-not-live: event data store .* no longer selects .*bedrock\.amazonaws\.com:/);
    expect(r.out).toMatch(/\nDRIFT source-not-live: event data store .* is not organization-wide/);
  });

  it("denied: one line saying the check could not run and what it needs, exit 1; the SCP part reported", async () => {
    const refusal = denied("cloudtrail:GetEventDataStore");
    cloudTrail.on(GetEventDataStoreCommand).rejects(refusal);
    const r = await run(lake);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "verify: the job's source could not be checked (it needs cloudtrail:GetEventDataStore): drift check could " +
        `not read event data store ${EDS_ARN}, so it cannot tell whether the job's source is live: ` +
        `${errorText(refusal)}\n`,
    );
    expect(errorText(refusal)).toMatch(/^access denied \(AccessDeniedException\)/);
    expect(r.out).toMatch(/^no drift: /);
    expect(r.out).not.toContain("job's source:");
  });

  it("an unreadable organization: the source is still checked, and its drift exits 3", async () => {
    storeAnswers(liveStore({ Status: "STOPPED_INGESTION" }));
    const noOrganization = () => Promise.reject(denied("organizations:ListRoots"));
    const r = await run(lake, {}, { readOrganization: noOrganization });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/^verify: cannot read the organization: access denied/);
    expect(r.out).toMatch(/^DRIFT source-not-live: event data store .* is STOPPED_INGESTION/);
  });
});

describe("--json", () => {
  it("live: ok, and `source` names the store", async () => {
    storeAnswers(liveStore());
    const r = await run(lake, { json: true });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, problems: [], source: { target: EDS_ARN, live: true } });
  });

  it("stopped: the problems carry it with its check, ok false, exit 3", async () => {
    storeAnswers(liveStore({ Status: "STOPPED_INGESTION" }));
    const r = await run(lake, { json: true });
    expect(r.code).toBe(3);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ ok: false, source: { target: EDS_ARN, live: false } });
    expect(report.problems).toEqual([
      { kind: "source-not-live", target: EDS_ARN, check: "status", detail: expect.stringContaining("STOPPED") },
    ]);
  });

  it("denied: `source.error` with the message and the permissions, ok false, exit 1", async () => {
    cloudTrail.on(GetEventDataStoreCommand).rejects(denied("cloudtrail:GetEventDataStore"));
    const r = await run(lake, { json: true });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ ok: false, problems: [] });
    expect(report.source).toEqual({
      target: EDS_ARN,
      error: {
        message: expect.stringMatching(/^drift check could not read event data store .*not authorized/),
        permissions: ["cloudtrail:GetEventDataStore"],
      },
    });
  });

  it("the organization unreadable too: the source's problems are still there", async () => {
    storeAnswers(liveStore({ MultiRegionEnabled: false }));
    const noOrganization = () => Promise.reject(denied("organizations:ListRoots"));
    const r = await run(lake, { json: true }, { readOrganization: noOrganization });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.out)).toMatchObject({
      ok: false,
      error: { kind: "access-denied" },
      problems: [{ kind: "source-not-live", check: "multi-region" }],
      source: { target: EDS_ARN, live: false },
    });
  });
});

describe("the organization trail (athena, cloudwatch-logs with monitor.trailArn)", () => {
  it("live, then StopLogging: the same three reads as the job, drift exit 3", async () => {
    trailAnswers({ logging: true });
    const live = await run(athena);
    expect(live.code).toBe(0);
    expect(live.out).toContain(`job's source: ${TRAIL_ARN} is set to feed the job`);
    cloudTrail.reset();
    trailAnswers({ logging: false });
    const alerted = await jobFinds(athena, { backend: "athena" });
    const stopped = await run(athena);
    expect(stopped.code).toBe(3);
    expect(stopped.out).toBe(`DRIFT source-not-live: ${alerted[0].detail}\n`);
    expect(stopped.out).toContain(`trail ${TRAIL_ARN} is not logging (StopLogging)`);
    // Without monitor.trailArn nothing is checked, as by the job: no call, no warning.
    cloudTrail.reset();
    const unnamed = await run(
      guardrailWith({ monitor: { backend: "athena", athena: { bucket: "org-trail-archive" } } }),
    );
    expect([unnamed.code, unnamed.err]).toEqual([0, ""]);
    expect(unnamed.out).not.toContain("job's source");
    expect(cloudTrail.calls()).toHaveLength(0);
  });

  it("denied: the line names the three reads it needs, exit 1", async () => {
    trailAnswers({ logging: true });
    const refusal = denied("cloudtrail:GetTrailStatus");
    cloudTrail.on(GetTrailStatusCommand).rejects(refusal);
    const r = await run(athena);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "verify: the job's source could not be checked (it needs cloudtrail:GetTrail, cloudtrail:GetTrailStatus, " +
        `cloudtrail:GetEventSelectors): drift check could not read trail ${TRAIL_ARN}, so it cannot tell whether ` +
        `the job's source is live: ${errorText(refusal)}\n`,
    );
  });
});

describe("the store the monitor creates (no eventDataStoreArn in the config): found, or --event-data-store", () => {
  const created = guardrailWith();
  const NAME = eventDataStoreName("bedrock.amazonaws.com");
  const PASS_IT = "pass --event-data-store (the monitor stack's event_data_store_arn output)";
  const storeArn = (account: string, id: string) => `arn:aws:cloudtrail:us-east-1:${account}:eventdatastore/${id}`;

  /** The Region's stores as ListEventDataStores and ListTags give them. */
  function stores(...found: { arn: string; name?: string; tags?: Record<string, string> }[]): void {
    cloudTrail.on(ListEventDataStoresCommand).resolves({
      EventDataStores: found.map((s) => ({ EventDataStoreArn: s.arn, Name: s.name ?? NAME })),
    });
    cloudTrail.on(ListTagsCommand).resolves({
      ResourceTagList: found.map((s) => ({
        ResourceId: s.arn,
        TagsList: Object.entries(s.tags ?? TOOL_TAGS).map(([Key, Value]) => ({ Key, Value })),
      })),
    });
  }

  it("found by its name and the tool's tag, then checked like a configured one", async () => {
    stores({ arn: EDS_ARN }, { arn: storeArn("111122223333", "other"), name: "team-store", tags: {} });
    storeAnswers(liveStore());
    const live = await run(created);
    expect([live.code, live.err]).toEqual([0, ""]);
    expect(live.out).toContain(`job's source: ${EDS_ARN} is set to feed the job every event the rules read`);
    expect(cloudTrail.commandCalls(ListTagsCommand)[0].args[0].input.ResourceIdList).toEqual([EDS_ARN]);
    cloudTrail.reset();
    stores({ arn: EDS_ARN });
    storeAnswers(liveStore({ Status: "STOPPED_INGESTION" }));
    const stopped = await run(created);
    expect(stopped.code).toBe(3);
    expect(stopped.out).toMatch(/^DRIFT source-not-live: event data store arn:.* is STOPPED_INGESTION/);
  });

  it("none with its name: one line saying so and how to name it, exit 1; --json carries it", async () => {
    stores({ arn: storeArn("111122223333", "other"), name: "team-store" });
    const r = await run(created);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `verify: the job's source could not be checked: no event data store named ${NAME} in us-east-1 in the ` +
        `account of these credentials: ${PASS_IT}\n`,
    );
    expect(r.out).toMatch(/^no drift: /);
    expect(r.out).not.toContain("job's source:");
    const json = await run(created, { json: true });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({
      ok: false,
      problems: [],
      source: {
        target: `the event data store named ${NAME} in us-east-1`,
        error: { message: expect.stringMatching(/^no event data store named /) },
      },
    });
  });

  it("a look-alike (its name, not the tag) is never checked in its place: one line naming it, exit 1", async () => {
    const fake = storeArn("111122223333", "fake");
    stores({ arn: fake, tags: { "managed-by": "someone" } });
    const r = await run(created);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `verify: the job's source could not be checked: no event data store named ${NAME} in us-east-1 is the ` +
        `tool's: ${fake} has no tag managed-by=bedrock-guardrail: ${PASS_IT}\n`,
    );
    expect(cloudTrail.commandCalls(GetEventDataStoreCommand)).toHaveLength(0);
  });

  it("its name and tag in an account the config does not name: not taken, exit 1", async () => {
    const role = "arn:aws:iam::111122223333:role/deployer";
    const g = guardrailWith({ aws: { security: { assumeRoleArn: role } } });
    const foreign = storeArn("444455556666", "fake");
    stores({ arn: foreign });
    const r = await run(g);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `${foreign} is in account 444455556666, not the account of aws.security.assumeRoleArn 111122223333: ${PASS_IT}`,
    );
    // The management account owns an organization store a delegated administrator creates.
    cloudTrail.reset();
    const owned = storeArn("999988887777", "org");
    stores({ arn: owned });
    cloudTrail
      .on(GetEventDataStoreCommand, { EventDataStore: owned })
      .resolves(liveStore({ EventDataStoreArn: owned }));
    const management = guardrailWith({
      aws: { security: { assumeRoleArn: role } },
      organization: { managementAccountId: "999988887777" },
    });
    const ok = await run(management);
    expect([ok.code, ok.err]).toEqual([0, ""]);
    expect(ok.out).toContain(`job's source: ${owned} is set to feed the job`);
  });

  it("several that carry the tag: none is picked, each is named, exit 1", async () => {
    const second = storeArn("111122223333", "second");
    stores({ arn: EDS_ARN }, { arn: second });
    const r = await run(created);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `verify: the job's source could not be checked: 2 event data stores named ${NAME} in us-east-1 carry the ` +
        `tool's tag: ${EDS_ARN}, ${second}: ${PASS_IT}\n`,
    );
    expect(cloudTrail.commandCalls(GetEventDataStoreCommand)).toHaveLength(0);
  });

  it("a look-up it is denied: one line naming the calls it needs, exit 1", async () => {
    const refusal = denied("cloudtrail:ListEventDataStores");
    cloudTrail.on(ListEventDataStoresCommand).rejects(refusal);
    const r = await run(created);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "verify: the job's source could not be checked (it needs cloudtrail:ListEventDataStores, cloudtrail:ListTags): " +
        `cannot list the event data stores: ${errorText(refusal)}\n`,
    );
  });

  it("no monitor, or a store named by --event-data-store: no look-up", async () => {
    const none = await run(guardrailWith({ monitor: { enabled: false } }));
    expect([none.code, none.err]).toEqual([0, ""]);
    expect(cloudTrail.calls()).toHaveLength(0);
    storeAnswers(liveStore());
    const named = await run(created, { eventDataStore: EDS_ARN });
    expect([named.code, named.err]).toEqual([0, ""]);
    expect(cloudTrail.commandCalls(ListEventDataStoresCommand)).toHaveLength(0);
  });

  it("with it, that store is checked", async () => {
    storeAnswers(liveStore({ Status: "STOPPED_INGESTION" }));
    const r = await run(created, { eventDataStore: EDS_ARN });
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/^DRIFT source-not-live: event data store arn:.* is STOPPED_INGESTION/);
  });

  it("one that is no event data store ARN, or given for another backend: exit 2 before any AWS call", async () => {
    let read = 0;
    const readOrganization = async () => {
      read++;
      return intactFor(created)();
    };
    const id = await run(created, { eventDataStore: "0123abcd-4567" }, { readOrganization });
    expect(id.code).toBe(2);
    expect(id.err).toBe(
      'verify: --event-data-store "0123abcd-4567" is not an event data store ARN ' +
        "(arn:aws:cloudtrail:<region>:<account>:eventdatastore/<id>, at most 256 characters)\n",
    );
    // One longer than CloudTrail takes: refused, and not echoed in full.
    const long = `${EDS_ARN.slice(0, EDS_ARN.lastIndexOf("/") + 1)}${"a".repeat(100_000)}`;
    const huge = await run(created, { eventDataStore: long }, { readOrganization });
    expect(huge.code).toBe(2);
    expect(huge.err).toMatch(/^verify: --event-data-store "arn:aws:cloudtrail:.*more characters\) is not an event/);
    expect(huge.err.length).toBeLessThan(400);
    const other = await run(athena, { eventDataStore: EDS_ARN }, { readOrganization });
    expect(other.code).toBe(2);
    expect(other.err).toBe(
      "verify: --event-data-store: the job reads athena (monitor.backend), not an event data store\n",
    );
    expect(read).toBe(0);
    expect(cloudTrail.calls()).toHaveLength(0);
  });
});
