/**
 * Items of the state table no claim wrote (forged by someone with write access, or half-written by hand): a pending or
 * export entry the store cannot read, a pending entry whose event has no record, or an event record with a status no
 * release writes. Each is skipped with one clear line in the run summary and left in the table; the run goes on with
 * the other findings and succeeds, instead of failing at the same item every run, holding back every alert and the
 * watermark for good (or of being skipped unsaid every run). None of them alerts.
 *
 * @slow (DynamoDB Local)
 */
import { type DynamoDBClient, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { SnsNotifier } from "../../../src/aws/sns";
import { processEvent } from "../../../src/handlers/realtime";
import type { CloudTrailRecord } from "../../../src/detection/record";
import { type JobDeps, runJob } from "../../../src/runtime/job";
import { findingsOf } from "../../../src/runtime/pipeline";
import { DynamoStateStore } from "../../../src/runtime/state/dynamodb";
import { DynamoDbStore } from "../../../src/remediation/dynamodb-store";
import { StaticOrganizationLookup } from "../../../src/remediation/organization";
import { RemediationResponder } from "../../../src/remediation/responder";
import { dynamoDbLocalForSuite } from "../../support/dynamodb-local";
import { NO_EVENTS } from "../new-term-support";
import { at, eventBridgeEvent, guardrailWith, simEvent, simulateSns, TOPIC_ARN } from "../helpers";

const JOB = "query-job";
const g = guardrailWith();
const dynamoDbLocal = dynamoDbLocalForSuite();

/**
 * The scheduled job at `now` over no new events (unless `deps` gives a source), with this test's `deps` (its store,
 * notifier, responder...), which may depend on `now`.
 */
type TestDeps = Pick<JobDeps, "store" | "notifier"> & Partial<JobDeps>;
const jobAt =
  (deps: TestDeps | ((now: string) => TestDeps)) =>
  (now: string, runId = `run-${now}`) =>
    runJob(
      {
        guardrail: g,
        source: NO_EVENTS,
        ...(typeof deps === "function" ? deps(now) : deps),
        now: () => at(now),
        runId,
      },
      { jobName: JOB },
    );
const [real, forgedStatus, unrenderable] = findingsOf(
  g,
  ["e-real", "e-status", "e-unrenderable"].map(
    (id, i) => eventBridgeEvent(simEvent(id, at(`2026-07-01T11:5${5 + i}:00Z`), 0)).detail as CloudTrailRecord,
  ),
).findings;

async function forge(client: DynamoDBClient, table: string, store: DynamoStateStore): Promise<void> {
  const put = (item: Record<string, string>) =>
    client.send(
      new PutItemCommand({
        TableName: table,
        Item: Object.fromEntries(Object.entries(item).map(([k, v]) => [k, { S: v }])),
      }),
    );
  const entry = (queue: string, time: string, id: string, finding?: string) =>
    put({
      pk: `job#${JOB}`,
      sk: `${queue}#${time}#${id}`,
      eventId: id,
      eventTime: time,
      ...(finding === undefined ? {} : { finding }),
    });
  // Sorted before the real finding, so each is met first.
  await entry("pending", "2026-07-01T00:00:00Z", "e-not-json", "{not json");
  await entry("pending", "2026-07-01T00:01:00Z", "e-no-finding");
  await entry("pending", "2026-07-01T00:02:00Z", "e-other-id", JSON.stringify(real));
  await entry("export", "2026-07-01T00:00:00Z", "e-not-json", "{not json");
  // Claimed, then the event record rewritten with a status no release writes.
  await store.claim(JOB, forgedStatus);
  await client.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { pk: { S: `event#${forgedStatus.event.id}` }, sk: { S: "event" } },
      UpdateExpression: "SET #s = :s",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":s": { S: "hacked" } },
    }),
  );
  // Claimed with a finding whose fields were removed afterwards: it cannot be rendered into an alert.
  await store.claim(JOB, unrenderable);
  const { event, rule, "@timestamp": time } = unrenderable;
  await entry("pending", time, event.id, JSON.stringify({ event, rule, "@timestamp": time }));
}

test("unreadable items are skipped with one line each; the other findings alert and the run succeeds", async () => {
  const local = dynamoDbLocal();
  const client = local.client();
  const table = await local.createStateTable();
  const store = new DynamoStateStore(client, table);
  await store.claim(JOB, real, { export: true });
  await forge(client, table, store);

  const sns = simulateSns();
  const imported: string[] = [];
  const run = jobAt({
    store,
    notifier: new SnsNotifier(sns.client, TOPIC_ARN),
    securityHub: {
      importFindings: async (fs) => {
        imported.push(...fs.map((f) => f.event.id));
        return [];
      },
    },
  });
  const first = await run("2026-07-01T12:05:00Z", "run-1");
  expect(first).toMatchObject({ status: "ok", published: 1, unreadablePending: 5 });
  expect(first.watermark.after).toBe("2026-07-01T12:05:00.000Z");
  expect(first.samples).toEqual([
    expect.stringMatching(/^pending item pending#2026-07-01T00:00:00Z#e-not-json of job query-job is unreadable/),
    expect.stringMatching(/^pending item pending#2026-07-01T00:01:00Z#e-no-finding .* unreadable \(no finding\)/),
    expect.stringMatching(/^pending item pending#2026-07-01T00:02:00Z#e-other-id .* names event e-real/),
    expect.stringMatching(/^event e-status has unknown status "hacked": skipped/),
    expect.stringMatching(/^event e-unrenderable: the finding cannot be made into an alert/),
  ]);
  expect(first.securityHub).toMatchObject({
    imported: 1,
    errors: [expect.stringMatching(/^export item .*e-not-json/)],
  });
  expect(sns.published.map((p) => p.body.event.id)).toEqual(["e-real"]);
  expect(imported).toEqual(["e-real"]);

  // Left in the table, and skipped again, without alerting or failing.
  const second = await run("2026-07-01T12:10:00Z", "run-2");
  expect(second).toMatchObject({ status: "ok", published: 0, unreadablePending: 5 });
  expect(sns.published).toHaveLength(1);
});

test("the realtime function's drain skips them with the same lines in its run summary", async () => {
  const local = dynamoDbLocal();
  const client = local.client();
  const table = await local.createStateTable();
  const store = new DynamoStateStore(client, table);
  await forge(client, table, store);
  const sns = simulateSns();
  // A new finding, so the realtime run drains the pending list (the forged items are older: met first).
  const summary = await processEvent(
    {
      guardrail: g,
      store,
      notifier: new SnsNotifier(sns.client, TOPIC_ARN),
      jobName: JOB,
      now: () => at("2026-07-01T12:00:00Z"),
    },
    eventBridgeEvent(simEvent("e-realtime", at("2026-07-01T11:59:30Z"), 0)),
    "invocation-1",
  );
  expect(summary).toMatchObject({ status: "ok", newFindings: 1, published: 1, heldElsewhere: 0, unreadablePending: 5 });
  expect(summary.samples).toEqual([
    expect.stringMatching(/^pending item pending#2026-07-01T00:00:00Z#e-not-json of job query-job is unreadable/),
    expect.stringMatching(/^pending item pending#2026-07-01T00:01:00Z#e-no-finding .* unreadable \(no finding\)/),
    expect.stringMatching(/^pending item pending#2026-07-01T00:02:00Z#e-other-id .* names event e-real/),
    expect.stringMatching(/^event e-status has unknown status "hacked": skipped/),
    expect.stringMatching(/^event e-unrenderable: the finding cannot be made into an alert/),
  ]);
  expect(sns.published.map((p) => p.body.event.id)).toEqual(["e-realtime"]);
});

test("a pending entry with no event record is skipped with one line, not held elsewhere every run", async () => {
  const local = dynamoDbLocal();
  const client = local.client();
  const table = await local.createStateTable();
  // A valid finding of its own event, queued by hand (or its record deleted): no claim's, so no record to lease.
  const [orphan] = findingsOf(g, [
    eventBridgeEvent(simEvent("e-x", at("2026-07-01T11:50:00Z"), 0)).detail as CloudTrailRecord,
  ]).findings;
  const time = orphan["@timestamp"];
  await client.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        pk: { S: `job#${JOB}` },
        sk: { S: `pending#${time}#e-x` },
        eventId: { S: "e-x" },
        eventTime: { S: time },
        finding: { S: JSON.stringify(orphan) },
      },
    }),
  );
  const store = new DynamoStateStore(client, table);
  await store.claim(JOB, real);
  // And a status no release writes, under a lease far ahead no run took: unreadable all the same.
  await store.claim(JOB, forgedStatus);
  await client.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { pk: { S: `event#${forgedStatus.event.id}` }, sk: { S: "event" } },
      UpdateExpression: "SET #s = :s, leaseOwner = :o, leaseUntil = :u",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":s": { S: "hacked" }, ":o": { S: "nobody" }, ":u": { S: "2099-01-01T00:00:00Z" } },
    }),
  );
  const sns = simulateSns();
  const run = jobAt({ store, notifier: new SnsNotifier(sns.client, TOPIC_ARN) });
  for (const now of ["2026-07-01T12:05:00Z", "2026-07-01T12:10:00Z"])
    expect(await run(now)).toMatchObject({
      status: "ok",
      heldElsewhere: 0,
      unreadablePending: 2,
      samples: [
        "event e-x has no event record, so no claim wrote its pending entry: skipped, left in the table",
        'event e-status has unknown status "hacked": skipped, left in the table',
      ],
    });
  expect(sns.published.map((p) => p.body.event.id)).toEqual(["e-real"]);
});

test("a finding the responder cannot read alerts, not remediated, with one line; later ones are answered", async () => {
  const local = dynamoDbLocal();
  const client = local.client();
  const table = await local.createStateTable();
  const store = new DynamoStateStore(client, table);
  const [arnNumber, arnTooLong, noCredentialKind, keyNumber, after] = findingsOf(
    g,
    ["e-arn", "e-long", "e-kind", "e-key", "e-after"].map(
      (id, i) => eventBridgeEvent(simEvent(id, at(`2026-07-01T11:5${i}:00Z`), 0)).detail as CloudTrailRecord,
    ),
  ).findings;
  // Each passes the store's checks (its own event id, a time and a rule) but not the planner's expectations.
  const forged = (f: typeof real, guardrail: object, accessKeyId?: unknown) =>
    ({
      ...f,
      guardrail: { ...f.guardrail, ...guardrail },
      ...(accessKeyId === undefined
        ? {}
        : { aws: { ...f.aws, cloudtrail: { ...f.aws.cloudtrail, user_identity: { access_key_id: accessKeyId } } } }),
    }) as unknown as typeof real;
  const iamUser = { principal_kind: "iam-user", principal_arn: "arn:aws:iam::444455556666:user/dev" };
  await store.claim(JOB, forged(arnNumber, { principal_arn: 444455556666 }));
  // Well formed, but no IAM name: too long for the audit store's key (DynamoDB refused it every run).
  await store.claim(JOB, forged(arnTooLong, { principal_arn: `arn:aws:iam::444455556666:role/${"é".repeat(1500)}` }));
  await store.claim(JOB, forged(noCredentialKind, { ...iamUser, credential_kind: undefined }));
  await store.claim(JOB, forged(keyNumber, { ...iamUser, credential_kind: "long-term-key" }, 1234));
  await store.claim(JOB, after);
  const sns = simulateSns();
  const notifier = new SnsNotifier(sns.client, TOPIC_ARN);
  const run = jobAt((now) => ({
    store,
    notifier,
    responder: new RemediationResponder({
      guardrail: g,
      store: new DynamoDbStore(client, table, () => at(now)),
      organization: new StaticOrganizationLookup("999988887777"),
      execute: false,
    }),
  }));
  const first = await run("2026-07-01T12:05:00Z");
  expect(first).toMatchObject({ status: "ok", published: 5, responded: 1, heldElsewhere: 0, unreadablePending: 4 });
  expect(first.samples).toEqual([
    expect.stringMatching(/^event e-arn: not remediated: .*guardrail\.principal_arn.*: alerted only$/),
    expect.stringMatching(/^event e-long: not remediated: guardrail\.principal_arn: .*ASCII.*: alerted only$/),
    expect.stringMatching(/^event e-kind: not remediated: .*guardrail\.credential_kind.*: alerted only$/),
    expect.stringMatching(/^event e-key: not remediated: .*access_key_id.*: alerted only$/),
  ]);
  // Alerted all the same (the finding is real until proven otherwise), saying why no response follows.
  expect(sns.published.map((p) => p.body.event.id)).toEqual(["e-arn", "e-long", "e-kind", "e-key", "e-after"]);
  expect(sns.published[0].email).toMatch(/no remediation runs for this finding \(not remediated: .*principal_arn/);
  expect(sns.published[4].email).toMatch(/a follow-up message/);
  // Done: no later run alerts them again or stops at them.
  expect(await run("2026-07-01T12:10:00Z")).toMatchObject({ status: "ok", published: 0, responded: 0 });
  expect(await store.listPending(JOB)).toEqual([]);
});

test("a lease far ahead (forged, or a clock step) is taken over with one line, not held elsewhere", async () => {
  const local = dynamoDbLocal();
  const client = local.client();
  const table = await local.createStateTable();
  const store = new DynamoStateStore(client, table);
  await store.claim(JOB, real);
  await store.claim(JOB, forgedStatus);
  const leaseUntil = (id: string, until: string) =>
    client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: `event#${id}` }, sk: { S: "event" } },
        UpdateExpression: "SET leaseOwner = :o, leaseUntil = :u",
        ExpressionAttributeValues: { ":o": { S: "nobody" }, ":u": { S: until } },
      }),
    );
  await leaseUntil(real.event.id, "2099-01-01T00:00:00Z");
  // Within a lease of one taken now (a holder whose clock runs ahead a little): honoured, held elsewhere.
  await leaseUntil(forgedStatus.event.id, "2026-07-01T12:30:00.000Z");
  const sns = simulateSns();
  const summary = await runJob(
    {
      guardrail: g,
      store,
      source: NO_EVENTS,
      notifier: new SnsNotifier(sns.client, TOPIC_ARN),
      now: () => at("2026-07-01T12:05:00Z"),
      runId: "run-1",
    },
    { jobName: JOB },
  );
  expect(summary).toMatchObject({
    status: "ok",
    published: 1,
    heldElsewhere: 1,
    samples: [
      "event e-real: the lease of nobody until 2099-01-01T00:00:00Z ends more than a lease beyond one taken now " +
        "(forged, or a clock far ahead) and holds nothing: taken over",
    ],
  });
  expect(summary.unreadablePending).toBeUndefined();
  expect(sns.published.map((p) => p.body.event.id)).toEqual(["e-real"]);
});

test("a done event's pending entry that remained is removed with one line, not held elsewhere every run", async () => {
  const local = dynamoDbLocal();
  const client = local.client();
  const table = await local.createStateTable();
  const store = new DynamoStateStore(client, table);
  await store.claim(JOB, forgedStatus);
  const sns = simulateSns();
  const run = jobAt({ store, notifier: new SnsNotifier(sns.client, TOPIC_ARN) });
  expect(await run("2026-07-01T12:05:00Z")).toMatchObject({ status: "ok", published: 1 });
  // The entry put back after its event was done (forged): complete removes both in one write, no run leaves one.
  const time = forgedStatus["@timestamp"];
  await client.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        pk: { S: `job#${JOB}` },
        sk: { S: `pending#${time}#e-status` },
        eventId: { S: "e-status" },
        eventTime: { S: time },
        finding: { S: JSON.stringify(forgedStatus) },
      },
    }),
  );
  expect(await run("2026-07-01T12:10:00Z")).toMatchObject({
    status: "ok",
    published: 0,
    heldElsewhere: 0,
    unreadablePending: 1,
    samples: ["event e-status is done, yet its pending entry remained (no run leaves one): entry removed"],
  });
  const third = await run("2026-07-01T12:15:00Z");
  expect(third).toMatchObject({ status: "ok", published: 0, heldElsewhere: 0 });
  expect(third.samples).toBeUndefined();
  expect(sns.published.map((p) => p.body.event.id)).toEqual(["e-status"]);
});

test("a watermark item that holds no time fails the run with one line: no run is taken for a first run", async () => {
  const local = dynamoDbLocal();
  const client = local.client();
  const table = await local.createStateTable();
  // A number where the time belongs: the conditional write that moves the watermark can never replace it.
  await client.send(
    new PutItemCommand({
      TableName: table,
      Item: { pk: { S: `job#${JOB}` }, sk: { S: "watermark" }, watermark: { N: "1751371200000" } },
    }),
  );
  const sns = simulateSns();
  const run = jobAt({ store: new DynamoStateStore(client, table), notifier: new SnsNotifier(sns.client, TOPIC_ARN) });
  for (const now of ["2026-07-01T12:05:00Z", "2026-07-01T12:10:00Z"])
    expect(await run(now)).toMatchObject({
      status: "failed",
      failure: {
        step: "record",
        error: expect.stringMatching(/^reading the watermark: the watermark item of job query-job holds no time/),
      },
    });
});

test("a watermark ahead by more than the lateness allowance fails every run with one line, until set", async () => {
  const local = dynamoDbLocal();
  const client = local.client();
  const table = await local.createStateTable();
  const setWatermark = (time: string) =>
    client.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: `job#${JOB}` }, sk: { S: "watermark" }, watermark: { S: time } },
      }),
    );
  // Forged, or a clock step back by more than the allowance: the conditional write that moves it forward never could.
  await setWatermark("2099-01-01T00:00:00.000Z");
  const windows: string[] = [];
  const run = (now: string, queryFails = false) =>
    runJob(
      {
        guardrail: g,
        store: new DynamoStateStore(client, table),
        source: {
          backend: "cloudtrail-lake",
          run: async (window) => {
            windows.push(`${window.start.toISOString()} .. ${window.end.toISOString()}`);
            if (queryFails) throw new Error("query failed");
            return { records: [], rows: 0, bytesScanned: 0, unreadable: [] };
          },
        },
        notifier: new SnsNotifier(simulateSns().client, TOPIC_ARN),
        now: () => at(now),
        runId: `run-${now}`,
      },
      { jobName: JOB },
    );
  // Not a look-back from now: a run whose query failed would leave its window to no later run.
  for (const [now, queryFails] of [
    ["2026-07-01T12:05:00Z", true],
    ["2026-07-01T12:10:00Z", false],
  ] as const)
    expect(await run(now, queryFails)).toMatchObject({
      status: "failed",
      failure: {
        step: "record",
        error:
          "reading the watermark: watermark 2099-01-01T00:00:00.000Z is ahead of now " +
          `(${at(now).toISOString()}) by more than the lateness allowance (20 min), which no run can undo: ` +
          "set it to a time runs covered up to (earlier is safe: alerts are de-duplicated) or delete it to restart " +
          "from the look-back",
      },
    });
  expect(windows).toEqual([]);

  // Set as the line says: the next run reads on from there.
  await setWatermark("2026-07-01T12:00:00.000Z");
  expect(await run("2026-07-01T12:15:00Z")).toMatchObject({
    status: "ok",
    watermark: { after: "2026-07-01T12:15:00.000Z" },
  });
  // Ahead by no more than the allowance (clocks a little apart): the window still starts before now.
  await setWatermark("2026-07-01T12:30:00.000Z");
  expect(await run("2026-07-01T12:20:00Z")).toMatchObject({ status: "ok" });
  expect(windows).toEqual([
    "2026-07-01T11:40:00.000Z .. 2026-07-01T12:15:00.000Z",
    "2026-07-01T12:10:00.000Z .. 2026-07-01T12:20:00.000Z",
  ]);
});
