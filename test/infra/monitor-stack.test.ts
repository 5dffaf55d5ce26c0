/** Synth tests of the monitor stack: every resource, every IAM statement, backend switching. */
import { buildEventPatterns } from "../../src/detection/backends/eventbridge-pattern";
import { processEvent } from "../../src/handlers/realtime";
import { eventDataStoreName } from "../../src/infra/naming";
import { runJob } from "../../src/runtime/job";
import { MemoryStateStore } from "../support/memory-state-store";
import { at, eventBridgeEvent, simEvent } from "../runtime/helpers";
import { guardrailWith, resources, synthMonitor } from "./helpers";

const policyOf = (s: ReturnType<typeof synthMonitor>, roleName: string) => {
  const roleKey = Object.entries(s.resource.aws_iam_role).find(([, r]) => r.name === roleName)![0];
  const p = resources(s, "aws_iam_role_policy").find((x) => x.role === `\${aws_iam_role.${roleKey}.id}`)!;
  return JSON.parse(p.policy) as { Statement: { Sid: string; Action: string[]; Resource: string[] }[] };
};
const statement = (doc: ReturnType<typeof policyOf>, sid: string) => doc.Statement.find((s) => s.Sid === sid);

describe("monitor stack, default config (cloudtrail-lake, new event data store)", () => {
  const s = synthMonitor();

  test("organization event data store keeps Bedrock management events and the other rules' events only", () => {
    const [eds] = resources(s, "aws_cloudtrail_event_data_store");
    expect(eds).toMatchObject({
      // The name verify finds it by (with the provider's default tag managed-by=bedrock-guardrail).
      name: eventDataStoreName("bedrock.amazonaws.com"),
      organization_enabled: true,
      multi_region_enabled: true,
      retention_period: 90,
      termination_protection_enabled: true,
    });
    expect(eds.advanced_event_selector[0].field_selector).toEqual([
      { field: "eventCategory", equals: ["Management"] },
      { field: "eventSource", equals: ["bedrock.amazonaws.com"] },
    ]);
    // The API-key rules read IAM events (global, logged in us-east-1): key creation, access keys (for
    // BedrockAPIKey-* users; a selector cannot test the user name, so every CreateAccessKey is kept) and
    // re-activation; the mantle and Claude Platform rules their names.
    expect(eds.advanced_event_selector.slice(1).map((x: { field_selector: unknown }) => x.field_selector)).toEqual([
      [
        { field: "eventCategory", equals: ["Management"] },
        { field: "eventSource", equals: ["iam.amazonaws.com"] },
        {
          field: "eventName",
          equals: ["CreateServiceSpecificCredential", "CreateAccessKey", "UpdateServiceSpecificCredential"],
        },
      ],
      [
        { field: "eventCategory", equals: ["Management"] },
        { field: "eventSource", equals: ["bedrock-mantle.amazonaws.com"] },
        {
          field: "eventName",
          equals: [
            "CreateProject",
            "CreateFineTuningJob",
            "ListProjects",
            "GetProject",
            "UpdateProject",
            "ArchiveProject",
            "CancelFineTuningJob",
            "ListModels",
            "GetModel",
            "ListFineTuningJobs",
            "GetFineTuningJob",
            "CreateInference",
          ],
        },
      ],
      [
        { field: "eventCategory", equals: ["Management"] },
        { field: "eventSource", equals: ["aws-external-anthropic.amazonaws.com"] },
        {
          field: "eventName",
          equals: [
            "CreateInference",
            "CreateBatchInference",
            "CreateWorkspace",
            "UpdateWorkspace",
            "ArchiveWorkspace",
            "RegisterKey",
            "UpdateKey",
            "DisableKey",
          ],
        },
      ],
    ]);
  });

  test("query job: nodejs22.x, arm64, hashed asset, environment per src/runtime/env.ts", () => {
    const [fn] = resources(s, "aws_lambda_function");
    expect(fn).toMatchObject({
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      timeout: 900,
    });
    expect(fn.source_code_hash).toBe(`\${filebase64sha256("${fn.filename}")}`);
    expect(fn.filename).toMatch(/^assets\/.+\.zip$/);
    expect(fn.environment.variables).toMatchObject({
      BACKEND: "cloudtrail-lake",
      GUARDRAIL_CONFIG: "guardrail.config.json",
      JOB_NAME: "query-job",
      MEMBER_ROLE_NAME: "BedrockGuardrailRemediation",
      DRIFT_CHECK: "true",
      EVENT_DATA_STORE_ARN: expect.stringContaining("aws_cloudtrail_event_data_store"),
      STATE_TABLE_NAME: "${aws_dynamodb_table.state.name}",
    });
    expect(fn.dead_letter_config.target_arn).toContain("aws_sqs_queue.dlq.arn");
  });

  test(
    "schedule at the definition's interval, flexible window off, retries and DLQ, scheduler role invokes only the " +
      "job",
    () => {
      const [sch] = resources(s, "aws_scheduler_schedule");
      expect(sch).toMatchObject({ schedule_expression: "rate(5 minutes)", flexible_time_window: { mode: "OFF" } });
      expect(sch.target.retry_policy).toEqual({ maximum_retry_attempts: 2, maximum_event_age_in_seconds: 300 });
      expect(sch.target.dead_letter_config.arn).toContain("aws_sqs_queue.dlq");
      const doc = policyOf(s, "bedrock-guardrail-scheduler");
      expect(doc.Statement).toEqual([
        {
          Sid: "InvokeQueryJob",
          Effect: "Allow",
          Action: ["lambda:InvokeFunction"],
          Resource: [expect.stringMatching(/^\$\{aws_lambda_function\.query-job_function_\w+\.arn\}$/)],
        },
        {
          Sid: "DeadLetterQueue",
          Effect: "Allow",
          Action: ["sqs:SendMessage"],
          Resource: ["${aws_sqs_queue.dlq.arn}"],
        },
      ]);
    },
  );

  test("state table: pk/sk strings, TTL expiresAt, on-demand, PITR, SSE", () => {
    const [t] = resources(s, "aws_dynamodb_table");
    expect(t).toMatchObject({
      hash_key: "pk",
      range_key: "sk",
      billing_mode: "PAY_PER_REQUEST",
      ttl: { attribute_name: "expiresAt", enabled: true },
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true },
    });
    expect(t.attribute).toEqual([
      { name: "pk", type: "S" },
      { name: "sk", type: "S" },
    ]);
  });

  test("alert topic uses the customer-managed key; key policy lets alarms and the job role publish", () => {
    const [topic] = resources(s, "aws_sns_topic");
    expect(topic.kms_master_key_id).toMatch(/aws_kms_key\..+\.arn/);
    const [key] = resources(s, "aws_kms_key");
    expect(key.enable_key_rotation).toBe(true);
    const policy = JSON.parse(key.policy);
    const sids = policy.Statement.map((x: any) => x.Sid);
    expect(sids).toEqual(["AccountAdministersKey", "AlarmsPublish", "FunctionRolesPublish"]);
    expect(policy.Statement[1].Principal.Service).toBe("cloudwatch.amazonaws.com");
    expect(policy.Statement[2].Principal.AWS).toEqual([
      expect.stringMatching(/:role\/bedrock-guardrail\/bedrock-guardrail-query-job$/),
    ]);
    expect(key.depends_on).toEqual([expect.stringMatching(/^(\$\{)?aws_iam_role\.query-job_role_\w+\}?$/)]);
  });

  test("no e-mail subscription unless configured", () => {
    expect(resources(s, "aws_sns_topic_subscription")).toEqual([]);
  });

  test(
    "alarms: errors, throttles, no successful run in 3 intervals (missing = breaching), dead letters; all to the " +
      "topic",
    () => {
      const alarms = resources(s, "aws_cloudwatch_metric_alarm");
      expect(alarms.map((a) => a.alarm_name).sort()).toEqual([
        "bedrock-guardrail-query-job-dead-letters",
        "bedrock-guardrail-query-job-errors",
        "bedrock-guardrail-query-job-no-successful-run",
        "bedrock-guardrail-query-job-throttles",
      ]);
      const silent = alarms.find((a) => a.alarm_name.endsWith("no-successful-run"))!;
      const lambdaSum = (metric_name: string) => ({
        namespace: "AWS/Lambda",
        metric_name,
        dimensions: { FunctionName: "bedrock-guardrail-query-job" },
        stat: "Sum",
        period: 300,
      });
      expect(silent).toMatchObject({
        metric_query: [
          { id: "invocations", return_data: false, metric: lambdaSum("Invocations") },
          { id: "errors", return_data: false, metric: lambdaSum("Errors") },
          { id: "successful_runs", expression: "invocations - FILL(errors, 0)", return_data: true },
        ],
        evaluation_periods: 3,
        datapoints_to_alarm: 3,
        threshold: 1,
        comparison_operator: "LessThanThreshold",
        treat_missing_data: "breaching",
      });
      expect(silent).not.toHaveProperty("namespace");
      for (const a of alarms)
        expect(a.alarm_actions).toEqual([expect.stringContaining("aws_sns_topic.alerting_topic")]);
    },
  );

  test("every alarm reads only metrics AWS publishes: none that a log line (EMF) could write", () => {
    const namespaces = resources(s, "aws_cloudwatch_metric_alarm").flatMap((a) =>
      a.metric_query ? a.metric_query.filter((q: any) => q.metric).map((q: any) => q.metric.namespace) : [a.namespace],
    );
    expect(namespaces.length).toBeGreaterThan(0);
    for (const namespace of namespaces) expect(namespace).toMatch(/^AWS\//);
  });

  test("log group with retention; roles on the tool's path and prefix", () => {
    expect(resources(s, "aws_cloudwatch_log_group")).toEqual([
      { name: "/aws/lambda/bedrock-guardrail-query-job", retention_in_days: 90 },
    ]);
    for (const r of resources(s, "aws_iam_role")) {
      expect(r.path).toBe("/bedrock-guardrail/");
      expect(r.name).toMatch(/^bedrock-guardrail-/);
    }
  });

  test("query job role: exactly its declared calls, each on its resource", () => {
    const doc = policyOf(s, "bedrock-guardrail-query-job");
    // GetEventDataStore: the drift check that the store still ingests (src/runtime/source-liveness.ts).
    expect(statement(doc, "EventDataStore")).toMatchObject({
      Action: [
        "cloudtrail:CancelQuery",
        "cloudtrail:DescribeQuery",
        "cloudtrail:GetEventDataStore",
        "cloudtrail:GetQueryResults",
        "cloudtrail:StartQuery",
      ],
      Resource: [expect.stringContaining("aws_cloudtrail_event_data_store")],
    });
    expect(statement(doc, "StateTable")!.Resource).toEqual(["${aws_dynamodb_table.state.arn}"]);
    // The new-term baselines' look-ups (BatchGetItem) too, on the state table and nowhere else; Scan for
    // undo's one listing of an earlier release's actions (DynamoDbStore).
    expect(statement(doc, "StateTable")!.Action).toEqual([
      "dynamodb:BatchGetItem",
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:Scan",
      "dynamodb:UpdateItem",
    ]);
    expect(doc.Statement.filter((x) => x.Action.some((a) => a.startsWith("dynamodb:"))).map((x) => x.Sid)).toEqual([
      "StateTable",
    ]);
    expect(statement(doc, "AlertTopic")).toMatchObject({
      Action: ["sns:Publish"],
      Resource: [expect.stringContaining("aws_sns_topic")],
    });
    expect(statement(doc, "AlertKey")).toMatchObject({
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: [expect.stringContaining("aws_kms_key")],
    });
    // The default remediation.mode is dry-run: the responder plans and never reaches a member account.
    expect(statement(doc, "MemberRole")).toBeUndefined();
    expect(statement(doc, "GuardrailPolicy")!.Resource).toEqual([
      expect.stringMatching(/:policy\/o-\*\/service_control_policy\/p-\*$/),
    ]);
    expect(statement(doc, "OwnLogs")!.Resource).toEqual([
      expect.stringMatching(/aws_cloudwatch_log_group\..+\.arn\}:\*$/),
    ]);
    expect(statement(doc, "NoResourceLevelPermissions")!.Action).toEqual([
      "organizations:DescribeOrganization",
      "organizations:ListPolicies",
      "organizations:ListRoots",
    ]);
    expect(doc.Statement.some((x) => x.Action.some((a) => a.startsWith("logs:Start")))).toBe(false);
  });

  test("no realtime resources unless enabled", () => {
    expect(resources(s, "aws_cloudwatch_event_bus")).toEqual([]);
    expect(resources(s, "aws_lambda_function")).toHaveLength(1);
  });
});

describe("backend switching", () => {
  test("existing event data store: used by ARN, not created", () => {
    const arn = "arn:aws:cloudtrail:us-east-1:222222222222:eventdatastore/abcd-1234";
    const s = synthMonitor({ monitor: { cloudtrailLake: { eventDataStoreArn: arn } } });
    expect(resources(s, "aws_cloudtrail_event_data_store")).toEqual([]);
    expect(resources(s, "aws_lambda_function")[0].environment.variables.EVENT_DATA_STORE_ARN).toBe(arn);
    expect(statement(policyOf(s, "bedrock-guardrail-query-job"), "EventDataStore")!.Resource).toEqual([arn]);
  });

  test("cloudwatch-logs: no event data store, Logs Insights on the configured groups only", () => {
    const s = synthMonitor({
      monitor: {
        backend: "cloudwatch-logs",
        cloudwatchLogs: {
          logGroups: ["aws-cloudtrail-logs-org", "arn:aws:logs:eu-west-1:333333333333:log-group:org-trail:*"],
        },
      },
    });
    expect(resources(s, "aws_cloudtrail_event_data_store")).toEqual([]);
    const vars = resources(s, "aws_lambda_function")[0].environment.variables;
    expect(vars.BACKEND).toBe("cloudwatch-logs");
    expect(vars.EVENT_DATA_STORE_ARN).toBeUndefined();
    expect(JSON.parse(vars.LOG_GROUPS)).toEqual([
      "aws-cloudtrail-logs-org",
      "arn:aws:logs:eu-west-1:333333333333:log-group:org-trail:*",
    ]);
    const doc = policyOf(s, "bedrock-guardrail-query-job");
    expect(statement(doc, "EventDataStore")).toBeUndefined();
    expect(statement(doc, "QueryLogGroups")).toMatchObject({
      Action: ["logs:GetQueryResults", "logs:StartQuery"],
      Resource: [
        expect.stringMatching(
          new RegExp(
            String.raw`^arn:\$\{data\.aws_partition\.partition\.partition\}:logs:` +
              String.raw`\$\{data\.aws_region\.region\.region\}:` +
              String.raw`\$\{data\.aws_caller_identity\.caller\.account_id\}:log-group:aws-cloudtrail-logs-org$`,
          ),
        ),
        expect.stringMatching(/log-group:aws-cloudtrail-logs-org:\*$/),
        "arn:aws:logs:eu-west-1:333333333333:log-group:org-trail",
        "arn:aws:logs:eu-west-1:333333333333:log-group:org-trail:*",
      ],
    });
    expect(statement(doc, "NoResourceLevelPermissions")!.Action).toContain("logs:StopQuery");
  });

  test("e-mail subscriptions from monitor.alertEmails", () => {
    const s = synthMonitor({ monitor: { alertEmails: ["sec@example.com", "oncall@example.com"] } });
    expect(resources(s, "aws_sns_topic_subscription").map((x) => [x.protocol, x.endpoint])).toEqual([
      ["email", "oncall@example.com"],
      ["email", "sec@example.com"],
    ]);
    // The drift check lists the topic's subscriptions to report an address unsubscribed through its link.
    expect(statement(policyOf(s, "bedrock-guardrail-query-job"), "AlertTopic")).toMatchObject({
      Action: ["sns:ListSubscriptionsByTopic", "sns:Publish"],
      Resource: [expect.stringContaining("aws_sns_topic")],
    });
    const noDrift = synthMonitor({ monitor: { alertEmails: ["sec@example.com"], driftCheck: false } });
    expect(statement(policyOf(noDrift, "bedrock-guardrail-query-job"), "AlertTopic")!.Action).toEqual(["sns:Publish"]);
  });
});

describe("real-time path", () => {
  const s = synthMonitor({ monitor: { eventbridge: { enabled: true, regions: ["us-east-1", "eu-west-1"] } } });

  test("central bus policy limited to the organization; central rules invoke the realtime function", () => {
    const [bp] = resources(s, "aws_cloudwatch_event_bus_policy");
    const st = JSON.parse(bp.policy).Statement[0];
    expect(st).toMatchObject({
      Principal: "*",
      Action: "events:PutEvents",
      Condition: { StringEquals: { "aws:PrincipalOrgID": "${data.aws_organizations_organization.organization.id}" } },
    });
    // In part order (Terraform JSON lists resources by id): bedrock-guardrail-realtime, -realtime-2, ...
    const part = (name: string): number => Number(/-(\d+)$/.exec(name)?.[1] ?? 1);
    const central = resources(s, "aws_cloudwatch_event_rule")
      .filter((r) => r.event_bus_name)
      .sort((a, b) => part(a.name) - part(b.name));
    // The compiled patterns of every rule, one EventBridge rule each, each within AWS's default pattern size
    // quota (test/detection/backends/eventbridge-pattern.test.ts proves the parts select what the whole does).
    const patterns = central.map((r) => JSON.parse(r.event_pattern));
    expect(patterns).toEqual(JSON.parse(JSON.stringify(buildEventPatterns(guardrailWith({}), 2048))));
    expect(patterns.length).toBeGreaterThan(1);
    for (const r of central) expect(r.event_pattern.length).toBeLessThanOrEqual(2048);
    expect(central.map((r) => r.name)).toEqual(
      patterns.map((_, i) => (i === 0 ? "bedrock-guardrail-realtime" : `bedrock-guardrail-realtime-${i + 1}`)),
    );
    expect(patterns[0].$or[0].source).toEqual(["aws.bedrock"]);
    expect(patterns[0].$or[0].detail.eventName).toEqual([
      "PutUseCaseForModelAccess",
      "CreateFoundationModelAgreement",
      "PutFoundationModelEntitlement",
    ]);
    // Each central rule has the function as its target and may invoke it.
    const permissions = resources(s, "aws_lambda_permission");
    const targets = resources(s, "aws_cloudwatch_event_target").filter((t) => t.event_bus_name);
    for (const rule of Object.keys(s.resource.aws_cloudwatch_event_rule).filter((id) => id.includes("central-rule"))) {
      expect(permissions).toContainEqual(
        expect.objectContaining({
          action: "lambda:InvokeFunction",
          principal: "events.amazonaws.com",
          source_arn: `\${aws_cloudwatch_event_rule.${rule}.arn}`,
        }),
      );
      expect(targets).toContainEqual(expect.objectContaining({ rule: `\${aws_cloudwatch_event_rule.${rule}.name}` }));
    }
    expect(permissions).toHaveLength(central.length);
  });

  test("a larger pattern quota gives fewer rules; every part stays within it", () => {
    const raised = synthMonitor({
      monitor: { eventbridge: { enabled: true, regions: ["us-east-1"], maxPatternChars: 4096 } },
    });
    const rules = resources(raised, "aws_cloudwatch_event_rule");
    const central = rules.filter((r) => r.event_bus_name);
    expect(central.length).toBeLessThan(
      resources(s, "aws_cloudwatch_event_rule").filter((r) => r.event_bus_name).length,
    );
    for (const r of rules) expect(r.event_pattern.length).toBeLessThanOrEqual(4096);
    // Rules read read-only calls (GetFoundationModelAvailability, mantle's ListModels): a rule merely ENABLED would
    // never see them. Every rule of the path, central and forwarding, is matched against them.
    for (const r of [...rules, ...resources(s, "aws_cloudwatch_event_rule")])
      expect(r.state).toBe("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");
    // One forwarding rule per part in the region.
    expect(rules.filter((r) => !r.event_bus_name)).toHaveLength(central.length);
  });

  test(
    "one forwarding rule per configured region on the default bus, targeting the central bus with a " +
      "PutEvents-only role",
    () => {
      const forward = resources(s, "aws_cloudwatch_event_rule").filter((r) => !r.event_bus_name);
      const parts = buildEventPatterns(guardrailWith({}), 2048).length;
      expect(forward.map((r) => r.region).sort()).toEqual([
        ...Array(parts).fill("eu-west-1"),
        ...Array(parts).fill("us-east-1"),
      ]);
      const targets = resources(s, "aws_cloudwatch_event_target").filter((t) => t.region);
      for (const t of targets) expect(t.arn).toContain("aws_cloudwatch_event_bus.");
      expect(policyOf(s, "bedrock-guardrail-event-forwarder").Statement).toEqual([
        {
          Sid: "CentralBus",
          Effect: "Allow",
          Action: ["events:PutEvents"],
          Resource: [expect.stringContaining("aws_cloudwatch_event_bus.")],
        },
      ]);
    },
  );

  test(
    "a finding the realtime function claimed but could not alert is alerted (and exported) by the scheduled " +
      "job: both functions name one state partition",
    async () => {
      const jobNameOf = (fn: string) =>
        resources(s, "aws_lambda_function").find((f) => f.function_name === fn)!.environment.variables.JOB_NAME;
      const realtimeJob = jobNameOf("bedrock-guardrail-realtime");
      const scheduledJob = jobNameOf("bedrock-guardrail-query-job");
      const guardrail = guardrailWith({ monitor: { securityHub: { enabled: true } } });
      const store = new MemoryStateStore();
      const now = () => at("2026-07-01T12:00:00Z");
      const failed = await processEvent(
        {
          guardrail,
          store,
          notifier: { publish: async () => Promise.reject(new Error("SNS throttled")) },
          jobName: realtimeJob,
          now,
        },
        eventBridgeEvent(simEvent("rt-1", at("2026-07-01T11:59:50Z"), 0)),
        "realtime-1",
      );
      expect(failed).toMatchObject({ status: "failed", newFindings: 1, published: 0 });
      // EventBridge's retry of the failed invocation finds its claim: nothing new, so it drains nothing.
      const published: string[] = [];
      const notifier = { publish: async (_s: string, body: string) => void published.push(JSON.parse(body).event.id) };
      const retried = await processEvent(
        { guardrail, store, notifier, jobName: realtimeJob, now },
        eventBridgeEvent(simEvent("rt-1", at("2026-07-01T11:59:50Z"), 0)),
        "realtime-2",
      );
      expect(retried).toMatchObject({ status: "ok", duplicates: 1, published: 0 });
      const empty = {
        backend: "cloudtrail-lake",
        run: async () => ({ records: [], rows: 0, bytesScanned: 0, unreadable: [] }),
      };
      const run = await runJob(
        { guardrail, store, source: empty, notifier, now, runId: "scheduled-1" },
        { jobName: scheduledJob },
      );
      expect(run).toMatchObject({ status: "ok", published: 1 });
      expect(published).toEqual(["rt-1"]);
      expect((await store.listExports(scheduledJob)).map((e) => e.eventId)).toEqual(["rt-1"]);
    },
  );

  test("realtime function with its own role; dead letters only from the central rules", () => {
    const fns = resources(s, "aws_lambda_function")
      .map((f) => f.function_name)
      .sort();
    expect(fns).toEqual(["bedrock-guardrail-query-job", "bedrock-guardrail-realtime"]);
    const doc = policyOf(s, "bedrock-guardrail-realtime");
    expect(statement(doc, "EventDataStore")).toBeUndefined();
    expect(statement(doc, "StateTable")).toBeDefined();
    const [qp] = resources(s, "aws_sqs_queue_policy");
    const central = Object.keys(s.resource.aws_cloudwatch_event_rule).filter((id) => id.includes("central-rule"));
    expect(JSON.parse(qp.policy).Statement[0].Condition.ArnEquals["aws:SourceArn"].sort()).toEqual(
      central.map((id) => `\${aws_cloudwatch_event_rule.${id}.arn}`).sort(),
    );
  });
});
