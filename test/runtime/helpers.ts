/**
 * Shared test fixtures for the runtime: a guardrail, synthetic CloudTrail events, and a CloudTrail
 * Lake simulation behind aws-sdk-client-mock that answers the job's real SQL by its eventtime
 * bounds and only with events "delivered" by the simulated clock (so late delivery is modelled).
 */
import {
  CloudTrailClient,
  DescribeQueryCommand,
  type GetEventDataStoreResponse,
  GetQueryResultsCommand,
  StartQueryCommand,
} from "@aws-sdk/client-cloudtrail";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { type AwsStub, mockClient } from "aws-sdk-client-mock";
import type { GuardrailConfigInput } from "../../src/config/schema";
import type { Guardrail } from "../../src/guardrail/guardrail";
import { guardrailFrom } from "../support/fixtures";
import { LakeQuerySource } from "../../src/runtime/query/lake";
import { SnsNotifier } from "../../src/aws/sns";
import { type JobDeps, runJob } from "../../src/runtime/job";
import type { RunSummary } from "../../src/runtime/summary";
import type { StateStore } from "../../src/runtime/state/store";

export const EDS_ARN = "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/0123abcd-4567-89ef-0123-456789abcdef";

/** Selectors that keep every management event: what a store the job can rely on selects. */
export const ALL_MANAGEMENT = [{ Name: "all", FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }] }];

/** GetEventDataStore's answer for a live, organization-wide, multi-Region store of management events. */
export const liveStore = (extra: GetEventDataStoreResponse = {}): GetEventDataStoreResponse => ({
  EventDataStoreArn: EDS_ARN,
  Status: "ENABLED",
  MultiRegionEnabled: true,
  OrganizationEnabled: true,
  AdvancedEventSelectors: ALL_MANAGEMENT,
  ...extra,
});
export const TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:bedrock-guardrail-alerts";
export const APPROVED_ROLE = "arn:aws:iam::444455556666:role/BedrockModelAccessAdmin";

export function guardrailWith(extra: Partial<GuardrailConfigInput> = {}): Guardrail {
  return guardrailFrom(extra);
}

export interface SimEvent {
  id: string;
  /** When the API call happened (CloudTrail eventTime). */
  time: Date;
  /** When it became queryable (eventTime + delivery delay). */
  deliveredAt: Date;
  name?: string;
  /** Role that made the call; default an unapproved one. */
  roleArn?: string;
  errorCode?: string;
}

export function simEvent(id: string, time: Date, delayMinutes = 3, extra: Partial<SimEvent> = {}): SimEvent {
  return { id, time, deliveredAt: new Date(time.getTime() + delayMinutes * 60_000), ...extra };
}

const lakeTime = (d: Date) => d.toISOString().replace("T", " ").replace("Z", "");

/** A GetQueryResults row for the event, in CloudTrail Lake's single-key-map shape. */
export function lakeRow(e: SimEvent): Record<string, string>[] {
  const role = e.roleArn ?? "arn:aws:iam::444455556666:role/stolen-dev-role";
  const account = role.split(":")[4];
  const row: Record<string, string>[] = [
    { eventid: e.id },
    { eventtime: lakeTime(e.time) },
    { eventsource: "bedrock.amazonaws.com" },
    { eventname: e.name ?? "CreateFoundationModelAgreement" },
    { awsregion: "us-east-1" },
    { recipientaccountid: account },
    { sourceipaddress: "198.51.100.7" },
    { useragent: "aws-cli/2.15.0" },
    { useridentity_type: "AssumedRole" },
    { useridentity_arn: `arn:aws:sts::${account}:assumed-role/${role.split("/").pop()}/session` },
    { useridentity_accountid: account },
    { useridentity_accesskeyid: "ASIAEXAMPLE000000001" },
    { sessionissuer_type: "Role" },
    { sessionissuer_arn: role },
    { sessionissuer_accountid: account },
    { sessionissuer_username: role.split("/").pop()! },
    { requestparameters: JSON.stringify({ modelId: "anthropic.claude-3-sonnet-20240229-v1:0" }) },
  ];
  if (e.errorCode) row.push({ errorcode: e.errorCode });
  return row;
}

/** The EventBridge event CloudTrail would deliver for the same call. */
export function eventBridgeEvent(e: SimEvent): Record<string, unknown> {
  const role = e.roleArn ?? "arn:aws:iam::444455556666:role/stolen-dev-role";
  const account = role.split(":")[4];
  return {
    version: "0",
    id: `eb-${e.id}`,
    "detail-type": "AWS API Call via CloudTrail",
    source: "aws.bedrock",
    account,
    time: e.time.toISOString(),
    region: "us-east-1",
    detail: {
      eventVersion: "1.09",
      eventID: e.id,
      eventTime: e.time.toISOString().replace(/\.\d{3}Z$/, "Z"),
      eventSource: "bedrock.amazonaws.com",
      eventName: e.name ?? "CreateFoundationModelAgreement",
      awsRegion: "us-east-1",
      recipientAccountId: account,
      sourceIPAddress: "198.51.100.7",
      userAgent: "aws-cli/2.15.0",
      userIdentity: {
        type: "AssumedRole",
        arn: `arn:aws:sts::${account}:assumed-role/${role.split("/").pop()}/session`,
        accountId: account,
        accessKeyId: "ASIAEXAMPLE000000001",
        sessionContext: {
          sessionIssuer: { type: "Role", arn: role, accountId: account, userName: role.split("/").pop() },
        },
      },
      requestParameters: { modelId: "anthropic.claude-3-sonnet-20240229-v1:0" },
      ...(e.errorCode ? { errorCode: e.errorCode } : {}),
    },
  };
}

/** Parses the eventtime bounds out of the job's SQL (the simulation answers exactly that window). */
export function sqlWindow(sql: string): { start: number; end: number } {
  const start = /eventtime >= TIMESTAMP '([^']+)'/.exec(sql);
  const end = /eventtime < TIMESTAMP '([^']+)'/.exec(sql);
  if (!start || !end) throw new Error(`query is not bounded on both sides:\n${sql}`);
  const ms = (s: string) => Date.parse(`${s.replace(" ", "T")}Z`);
  return { start: ms(start[1]), end: ms(end[1]) };
}

export interface LakeSim {
  mock: AwsStub<any, any, any>;
  client: CloudTrailClient;
  events: SimEvent[];
  clock: { now: Date };
  statements: string[];
  pageSize: number;
  /** Statuses DescribeQuery reports for the next query, in order, before FINISHED. */
  nextStatuses: string[];
}

/** A CloudTrail Lake that answers StartQuery / DescribeQuery / GetQueryResults (paged by pageSize). */
export function simulateLake(): LakeSim {
  const client = new CloudTrailClient({
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
  });
  const mock = mockClient(client);
  const sim: LakeSim = {
    mock,
    client,
    events: [],
    clock: { now: new Date(0) },
    statements: [],
    pageSize: 2,
    nextStatuses: [],
  };
  const results = new Map<string, Record<string, string>[][]>();
  const statuses = new Map<string, string[]>();
  let n = 0;
  mock.on(StartQueryCommand).callsFake((input: { QueryStatement: string }) => {
    const id = `q-${++n}`;
    sim.statements.push(input.QueryStatement);
    const w = sqlWindow(input.QueryStatement);
    const now = sim.clock.now.getTime();
    const rows = sim.events
      .filter((e) => e.deliveredAt.getTime() <= now && e.time.getTime() >= w.start && e.time.getTime() < w.end)
      .sort((a, b) => a.time.getTime() - b.time.getTime())
      .map(lakeRow);
    results.set(id, rows);
    statuses.set(id, [...sim.nextStatuses.splice(0), "FINISHED"]);
    return { QueryId: id };
  });
  mock.on(DescribeQueryCommand).callsFake((input: { QueryId: string }) => {
    const queue = statuses.get(input.QueryId)!;
    const status = queue.length > 1 ? queue.shift()! : queue[0];
    return {
      QueryId: input.QueryId,
      QueryStatus: status,
      ErrorMessage: status === "FINISHED" ? undefined : `query ${status.toLowerCase()}`,
      QueryStatistics: { BytesScanned: 1000 * (results.get(input.QueryId)?.length ?? 0) },
    };
  });
  mock.on(GetQueryResultsCommand).callsFake((input: { QueryId: string; NextToken?: string }) => {
    const rows = results.get(input.QueryId)!;
    const from = input.NextToken ? Number(input.NextToken) : 0;
    const to = from + sim.pageSize;
    return {
      QueryStatus: "FINISHED",
      QueryResultRows: rows.slice(from, to),
      NextToken: to < rows.length ? String(to) : undefined,
    };
  });
  return sim;
}

export function lakeSource(sim: LakeSim, guardrail: Guardrail): LakeQuerySource {
  return new LakeQuerySource({
    client: sim.client,
    guardrail,
    eventDataStoreArn: EDS_ARN,
    sleep: async () => undefined,
    pageSize: sim.pageSize,
  });
}

export interface SnsSim {
  mock: AwsStub<any, any, any>;
  client: SNSClient;
  /** Published messages (parsed bodies), in order. */
  /** body: the default (machine) message, parsed; email: the e-mail variant, when one was sent. */
  published: { subject: string; body: any; email?: string }[];
  /** Fail the publish whose 1-based index (counting attempts) is listed. */
  failOnAttempt: Set<number>;
  attempts: number;
}

export function simulateSns(): SnsSim {
  const client = new SNSClient({
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
  });
  const mock = mockClient(client);
  const sim: SnsSim = { mock, client, published: [], failOnAttempt: new Set(), attempts: 0 };
  mock.on(PublishCommand).callsFake((input: { Subject: string; Message: string; MessageStructure?: string }) => {
    sim.attempts++;
    if (sim.failOnAttempt.has(sim.attempts)) {
      const e = new Error("Rate exceeded");
      e.name = "Throttled";
      throw e;
    }
    // MessageStructure "json": per-protocol texts, of which SNS requires "default".
    const message =
      input.MessageStructure === "json"
        ? (JSON.parse(input.Message) as { default: string; email?: string })
        : { default: input.Message };
    sim.published.push({ subject: input.Subject, body: JSON.parse(message.default), email: message.email });
    return { MessageId: `m-${sim.attempts}` };
  });
  return sim;
}

export const minutes = (n: number) => n * 60_000;
export const at = (iso: string) => new Date(iso);

/**
 * The scheduled job on the simulated Lake, run after run five minutes apart (the schedule), with the drift check's
 * readers this test gives; and the drift alerts it has published.
 */
export function lakeJobEveryFiveMinutes(
  lake: LakeSim,
  sns: SnsSim,
  store: StateStore,
  guardrail: Guardrail,
  readers: Partial<JobDeps>,
): { run: () => Promise<RunSummary>; driftAlerts: () => SnsSim["published"] } {
  let runs = 0;
  const run = async () => {
    const summary = await runJob(
      {
        guardrail,
        store,
        source: lakeSource(lake, guardrail),
        notifier: new SnsNotifier(sns.client, TOPIC_ARN),
        ...readers,
        now: () => lake.clock.now,
        runId: `run-${++runs}`,
      },
      { jobName: "query-job" },
    );
    lake.clock.now = new Date(lake.clock.now.getTime() + 5 * 60_000);
    return summary;
  };
  const driftAlerts = () => sns.published.filter((p) => p.body.kind === "bedrock-guardrail.drift");
  return { run, driftAlerts };
}
