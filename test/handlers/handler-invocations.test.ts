/**
 * The Lambda handlers across several invocations of one warm container: what they cache (clients,
 * config) versus what belongs to one run (the responder's maxActionsPerRun counter and the member
 * account credentials from AssumeRole, which expire after 15 minutes). The wiring module is
 * replaced so that the handler's own init and per-invocation logic is what runs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetRolePolicyCommand, NoSuchEntityException, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import {
  AccessDeniedException,
  ChildNotFoundException,
  ListParentsCommand,
  OrganizationsClient,
  TooManyRequestsException,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { CloudTrailRecord } from "../../src/detection/record";
import type { Guardrail } from "../../src/guardrail/guardrail";
import { AssumeRoleClientProvider } from "../../src/remediation/member-clients";
import {
  AwsOrganizationLookup,
  OrganizationMembership,
  StaticOrganizationLookup,
} from "../../src/remediation/organization";
import { RemediationResponder } from "../../src/remediation/responder";
import { InMemoryStore } from "../../src/remediation/store";
import type { Notifier } from "../../src/aws/contracts";
import { QUERY_JOB_TIMEOUT_SECONDS } from "../../src/runtime/env";
import { DRAIN_RESERVE_MS } from "../../src/runtime/job";
import { DRAIN_ITEM_RESERVE_MS } from "../../src/runtime/pipeline";
import type { QueryLimits, QuerySource } from "../../src/runtime/query/source";
import { MemoryStateStore } from "../support/memory-state-store";
import type { ResponderSpec } from "../../src/wiring/adapters";
import { mockClient } from "aws-sdk-client-mock";
import { awsMocks } from "../remediation/mocks";
import { EDS_ARN, eventBridgeEvent, simEvent, TOPIC_ARN } from "../runtime/helpers";

jest.mock("../../src/wiring/adapters", () => ({
  makeStateStore: jest.fn(),
  makeQuerySource: jest.fn(),
  // No correlation source: these tests are about the event rules' wiring.
  makeCorrelationSources: jest.fn(() => ({})),
  makeNotifier: jest.fn(),
  makeResponder: jest.fn(),
  makeOrganizationReader: jest.fn(),
  makeOrganizationLookup: jest.fn(),
}));
const wiring = jest.requireMock("../../src/wiring/adapters") as Record<string, jest.Mock>;
import * as queryJob from "../../src/handlers/query-job";
import * as realtime from "../../src/handlers/realtime";

const MGMT = "999988887777";
/** The account of the records' principals and of the events' envelopes. */
const MEMBER = "444455556666";
const aws = awsMocks();
const ENV_KEYS = [
  "STATE_TABLE_NAME",
  "ALERT_TOPIC_ARN",
  "BACKEND",
  "EVENT_DATA_STORE_ARN",
  "GUARDRAIL_CONFIG",
  "DRIFT_CHECK",
  "JOB_NAME",
];
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

/** A call by a different unapproved role in each run, so only the per-run cap could stop it. */
const recordOfRun = (n: number): CloudTrailRecord =>
  eventBridgeEvent(
    simEvent(`evt-${n}`, new Date(Date.now() - 60_000), 0, { roleArn: `arn:aws:iam::444455556666:role/stolen-${n}` }),
  ).detail as CloudTrailRecord;

function setUp(remediation: Record<string, unknown>): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bg-handler-"));
  const configPath = path.join(dir, "guardrail.config.json");
  fs.writeFileSync(
    configPath,
    JSON.stringify({
      approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"],
      organization: { managementAccountId: MGMT },
      remediation,
    }),
  );
  Object.assign(process.env, {
    STATE_TABLE_NAME: "state",
    ALERT_TOPIC_ARN: TOPIC_ARN,
    BACKEND: "cloudtrail-lake",
    EVENT_DATA_STORE_ARN: EDS_ARN,
    GUARDRAIL_CONFIG: configPath,
    DRIFT_CHECK: "false",
    JOB_NAME: "query-job",
  });

  let run = 0;
  const source: QuerySource = {
    backend: "cloudtrail-lake",
    run: async () => ({ records: [recordOfRun(++run)], rows: 1, bytesScanned: 0, unreadable: [] }),
  };
  const notifier: Notifier = { publish: async () => undefined };
  const remediationStore = new InMemoryStore();
  wiring.makeStateStore.mockReturnValue(new MemoryStateStore());
  wiring.makeQuerySource.mockReturnValue(source);
  wiring.makeNotifier.mockReturnValue(notifier);
  // The realtime path asks Organizations whether the sending account is a member before it can act.
  wiring.makeOrganizationLookup.mockImplementation(() => new StaticOrganizationLookup(MGMT, { [MEMBER]: ["r-ab12"] }));
  // The real responder with the real AssumeRole provider, wired as makeResponder wires it (the run's lookup for its
  // modes and its membership checks: test/remediation/organization-bound.test.ts); only the AWS endpoints are mocked.
  wiring.makeResponder.mockImplementation(
    (guardrail: Guardrail, spec: ResponderSpec) =>
      new RemediationResponder({
        guardrail,
        store: remediationStore,
        organization: spec.organization!,
        clients: new AssumeRoleClientProvider({
          sts: new STSClient({ region: "us-east-1", credentials: { accessKeyId: "AKIATEST", secretAccessKey: "x" } }),
          membership: OrganizationMembership.of(spec.organization!),
          memberRoleName: guardrail.config.remediation.memberRoleName,
          externalId: spec.memberRoleExternalId,
          homeRegion: "us-east-1",
        }),
        notifier: spec.notifier,
        execute: true,
        actor: "test",
      }),
  );
  aws.sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: "ASIAMEMBER",
      SecretAccessKey: "s",
      SessionToken: "t",
      Expiration: new Date(Date.now() + 900_000),
    },
  });
  aws.iam.on(GetRolePolicyCommand).rejects(new NoSuchEntityException({ message: "none", $metadata: {} }));
  aws.iam.on(PutRolePolicyCommand).resolves({});
  // The roles the runs' records name exist in the member account: the responder reads their real ARN first.
  aws.havePrincipals(...[1, 2, 3, 4].map((n) => `arn:aws:iam::444455556666:role/stolen-${n}`));
}

/** What the handlers wrote to stdout, line by line. */
let stdoutLines: string[] = [];

beforeEach(() => {
  queryJob.resetForTests();
  realtime.resetForTests();
  stdoutLines = [];
  jest.spyOn(console, "log").mockImplementation(() => undefined);
  jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdoutLines.push(
      ...String(chunk)
        .split("\n")
        .filter((l) => l !== ""),
    );
    return true;
  });
});
afterEach(() => {
  aws.reset();
  jest.clearAllMocks();
  jest.restoreAllMocks();
  for (const [k, v] of Object.entries(savedEnv))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
});
afterAll(() => aws.restore());

describe("query-job handler in a warm container", () => {
  it("gives every invocation its own maxActionsPerRun budget and its own member-account credentials", async () => {
    setUp({ mode: "enforce", maxActionsPerRun: 1 });
    const first = await queryJob.handler({}, { awsRequestId: "inv-1" });
    const second = await queryJob.handler({}, { awsRequestId: "inv-2" });
    expect([first.status, first.responded, second.status, second.responded]).toEqual(["ok", 1, "ok", 1]);
    // One revocation per run: the second run's action is not capped by the first run's.
    expect(aws.iam.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input.RoleName)).toEqual([
      "stolen-1",
      "stolen-2",
    ]);
    // Credentials are assumed per run (cached within it), never carried into a later invocation.
    expect(aws.sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it("wires the responder when remediation.mode is off but an override enforces", async () => {
    setUp({ mode: "off", overrides: [{ target: "444455556666", mode: "enforce" }] });
    const summary = await queryJob.handler({}, { awsRequestId: "inv-1" });
    expect(summary).toMatchObject({ status: "ok", published: 1, responded: 1 });
    expect(aws.iam.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input.RoleName)).toEqual(["stolen-1"]);
  });

  it("wires no responder when every mode is off", async () => {
    setUp({ mode: "off", overrides: [{ target: "444455556666", mode: "off" }] });
    const summary = await queryJob.handler({}, { awsRequestId: "inv-1" });
    expect(summary).toMatchObject({ status: "ok", published: 1, responded: 0 });
    expect(wiring.makeResponder).not.toHaveBeenCalled();
  });
});

describe("query-job handler's deadline", () => {
  /** The timeout each invocation's query was given (the run's clock is real: allow a second for the run itself). */
  const queryTimeouts = (): number[] => {
    const timeouts: number[] = [];
    wiring.makeQuerySource.mockReturnValue({
      backend: "cloudtrail-lake",
      run: async (_w: unknown, limits?: QueryLimits) => {
        timeouts.push(limits?.timeoutMs ?? Number.NaN);
        return { records: [], rows: 0, bytesScanned: 0, unreadable: [] };
      },
    });
    return timeouts;
  };

  it("is Lambda's remaining time, or the function's timeout when the context does not say", async () => {
    setUp({ mode: "off" });
    const timeouts = queryTimeouts();
    await queryJob.handler({}, { awsRequestId: "inv-1", getRemainingTimeInMillis: () => 400_000 });
    await queryJob.handler({}, { awsRequestId: "inv-2" });
    const expected = [400_000 - DRAIN_RESERVE_MS, QUERY_JOB_TIMEOUT_SECONDS * 1000 - DRAIN_RESERVE_MS];
    expect(timeouts).toHaveLength(2);
    for (const [i, ms] of expected.entries()) {
      expect(timeouts[i]).toBeLessThanOrEqual(ms);
      expect(timeouts[i]).toBeGreaterThan(ms - 1_000);
    }
  });
});

describe("summary line", () => {
  it(
    "is written to stdout as a bare JSON line, so it stays an EMF document in Lambda's Text and JSON log " + "formats",
    async () => {
      setUp({ mode: "dry-run" });
      await queryJob.handler({}, { awsRequestId: "inv-1" });
      await realtime.handler(eventBridgeEvent(simEvent("rt-9", new Date(Date.now() - 10_000), 0)), {
        awsRequestId: "inv-2",
      });
      const docs = stdoutLines.map((l) => JSON.parse(l));
      expect(docs.map((d) => [d.type, d.Job, d._aws?.CloudWatchMetrics?.[0]?.Namespace, d.RunSucceeded])).toEqual([
        ["bedrock-guardrail.run", "query-job", "BedrockGuardrail", 1],
        ["bedrock-guardrail.run", "realtime", "BedrockGuardrail", 1],
      ]);
      // The alarm's metric is the one the query job emits: Namespace, dimension name and value.
      expect(docs[0]._aws.CloudWatchMetrics[0].Dimensions).toEqual([["Job"]]);
      expect(docs[0]._aws.CloudWatchMetrics[0].Metrics).toEqual(
        expect.arrayContaining([{ Name: "RunSucceeded", Unit: "Count" }]),
      );
    },
  );
});

describe("realtime handler's time", () => {
  it("takes no pending item with less than the drain's reserve of the invocation left (carried over)", async () => {
    setUp({ mode: "dry-run" });
    const event = () => eventBridgeEvent(simEvent("rt-t", new Date(Date.now() - 10_000), 0));
    const short = await realtime.handler(event(), {
      awsRequestId: "inv-1",
      getRemainingTimeInMillis: () => DRAIN_ITEM_RESERVE_MS - 1,
    });
    expect(short).toMatchObject({ newFindings: 1, published: 0, carriedOver: 1 });
    realtime.resetForTests();
    setUp({ mode: "dry-run" });
    const enough = await realtime.handler(event(), { awsRequestId: "inv-2", getRemainingTimeInMillis: () => 100_000 });
    expect(enough).toMatchObject({ newFindings: 1, published: 1, carriedOver: 0 });
  });
});

describe("realtime handler in a warm container", () => {
  it("gives every invocation its own budget and credentials, like the scheduled job", async () => {
    setUp({ mode: "enforce", maxActionsPerRun: 1 });
    for (const n of [1, 2]) {
      const s = await realtime.handler(
        eventBridgeEvent(
          simEvent(`rt-${n}`, new Date(Date.now() - 10_000), 0, {
            roleArn: `arn:aws:iam::444455556666:role/stolen-${n}`,
          }),
        ),
        { awsRequestId: `inv-${n}` },
      );
      expect(s).toMatchObject({ status: "ok", responded: 1 });
    }
    expect(aws.iam.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input.RoleName)).toEqual([
      "stolen-1",
      "stolen-2",
    ]);
    expect(aws.sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });
});

describe("realtime handler when Organizations does not answer", () => {
  const organizations = mockClient(OrganizationsClient);
  afterEach(() => organizations.reset());
  afterAll(() => organizations.restore());

  /** setUp's wiring with the real Organizations lookup over a mocked client, and a store and topic to look into. */
  function wired(): { store: MemoryStateStore; published: string[] } {
    setUp({ mode: "enforce" });
    const store = new MemoryStateStore();
    const published: string[] = [];
    wiring.makeStateStore.mockReturnValue(store);
    wiring.makeNotifier.mockReturnValue({ publish: async (_s: string, body: string) => void published.push(body) });
    const client = new OrganizationsClient({ region: "us-east-1" });
    wiring.makeOrganizationLookup.mockImplementation(() => new AwsOrganizationLookup(client, MGMT));
    return { store, published };
  }
  const lookups = () => organizations.commandCalls(ListParentsCommand).map((c) => c.args[0].input.ChildId);
  const event = () => eventBridgeEvent(simEvent("rt-org", new Date(Date.now() - 10_000), 0));
  const meta = { $metadata: {} };

  it.each([
    ["AccessDeniedException", new AccessDeniedException({ message: "not a delegated administrator", ...meta })],
    ["TooManyRequestsException", new TooManyRequestsException({ message: "rate exceeded", ...meta })],
    ["ThrottlingException", Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" })],
    ["a network error", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })],
  ])("%s fails the invocation and claims nothing; Lambda's retry then handles the event", async (_label, error) => {
    const { store, published } = wired();
    organizations.on(ListParentsCommand).rejects(error);
    await expect(realtime.handler(event(), { awsRequestId: "inv-1" })).rejects.toThrow(
      /realtime failed at organization: .*444455556666/,
    );
    // Not a refusal (an unreadable row no alarm reads): a failed run, and an invocation error.
    expect(JSON.parse(stdoutLines.at(-1) ?? "{}")).toMatchObject({
      status: "failed",
      unreadableRows: 0,
      RunFailed: 1,
      failure: { step: "organization" },
    });
    expect(await store.listPending("query-job")).toEqual([]);
    expect(published).toEqual([]);
    expect(aws.iam.commandCalls(PutRolePolicyCommand)).toEqual([]);
    expect(lookups()).toEqual([MEMBER]);
    // Lambda's retry of the same event, once Organizations answers: the failure was not kept in the warm container,
    // so the event is claimed, alerted and acted on as usual.
    organizations.on(ListParentsCommand).resolves({ Parents: [{ Id: "r-ab12", Type: "ROOT" }] });
    await expect(realtime.handler(event(), { awsRequestId: "inv-1" })).resolves.toMatchObject({
      status: "ok",
      newFindings: 1,
      published: 1,
      responded: 1,
    });
    expect(lookups()).toEqual([MEMBER, MEMBER]);
  });

  it("looks the account up once per invocation, the responder included; the next invocation asks again", async () => {
    const { published } = wired();
    organizations.on(ListParentsCommand).resolves({ Parents: [{ Id: "r-ab12", Type: "ROOT" }] });
    // The envelope's check, then the responder's check before AssumeRole: one ListParents.
    const first = await realtime.handler(event(), { awsRequestId: "inv-1" });
    expect(first).toMatchObject({ status: "ok", newFindings: 1, responded: 1 });
    expect(aws.sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(lookups()).toEqual([MEMBER]);
    const sent = published.length;
    // The account left the organization since: the warm container's next invocation asks again and refuses its event.
    organizations.on(ListParentsCommand).rejects(new ChildNotFoundException({ message: "no such child", ...meta }));
    const second = await realtime.handler(eventBridgeEvent(simEvent("rt-left", new Date(Date.now() - 10_000), 0)), {
      awsRequestId: "inv-2",
    });
    expect(second).toMatchObject({ status: "ok", unreadableRows: 1, newFindings: 0 });
    expect(lookups()).toEqual([MEMBER, MEMBER]);
    expect([aws.sts.commandCalls(AssumeRoleCommand).length, published.length]).toEqual([1, sent]);
  });

  it("an account Organizations does not know (ChildNotFoundException) is refused, not failed", async () => {
    const { store, published } = wired();
    organizations.on(ListParentsCommand).rejects(new ChildNotFoundException({ message: "no such child", ...meta }));
    const summary = await realtime.handler(event(), { awsRequestId: "inv-1" });
    expect(summary).toMatchObject({ status: "ok", unreadableRows: 1, newFindings: 0 });
    expect(summary.samples).toEqual(["refused: account 444455556666 is not an account of the organization"]);
    expect([await store.listPending("query-job"), published]).toEqual([[], []]);
  });
});
