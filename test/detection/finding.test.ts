/**
 * The finding built for each real sample, field by field; approved versus not, with the exemption
 * lists taken from the Guardrail; identities the SCP sees differently; Panther's eventTime; and
 * properties over generated records.
 */
import fc from "fast-check";
import { correlate } from "../../src/detection/correlation/engine";
import { correlationFinding } from "../../src/detection/correlation/finding";
import { evaluateRecord, type Finding, sourceOf } from "../../src/detection/finding";
import { matchingRule } from "../../src/detection/match";
import type { CloudTrailRecord } from "../../src/detection/record";
import {
  APPROVED_ROLE,
  BREAK_GLASS_ROLE,
  IDENTITIES,
  loadSamples,
  record,
  recordArb,
  testGuardrail,
} from "./backends/support/records";

const guardrail = testGuardrail();
const sample = (name: string): CloudTrailRecord => loadSamples().find((s) => s.record.eventName === name)!.record;
function findingOf(r: CloudTrailRecord, g = guardrail): Finding {
  const out = evaluateRecord(g, r);
  if (!("finding" in out)) throw new Error(`expected a finding, got ${JSON.stringify(out)}`);
  return out.finding;
}

describe("finding for each real sample", () => {
  it("CreateFoundationModelAgreement by stratus-red-team: every field", () => {
    expect(JSON.parse(JSON.stringify(findingOf(sample("CreateFoundationModelAgreement"))))).toEqual({
      "@timestamp": "2024-10-17T20:09:51Z",
      message:
        "arn:aws:iam::494659789341:role/test-role enabled Bedrock model access (CreateFoundationModelAgreement) in " +
        "account 494659789341 (megov-northeast-1r)",
      event: {
        id: "db9c43df-ae6f-4db3-8298-f5f779f74f4d",
        kind: "alert",
        action: "CreateFoundationModelAgreement",
        provider: "bedrock.amazonaws.com",
        outcome: "success",
        category: ["iam", "configuration"],
        type: ["change"],
        severity: 47,
        risk_score: 47,
      },
      rule: {
        id: "bedrock-model-access-enabled",
        name: "AWS Bedrock foundation model access enabled or entitlement granted",
        ruleset: "bedrock-model-access-enabled",
        threat: { tactic: "TA0003 Persistence", technique: "T1098 Account Manipulation" },
      },
      cloud: { provider: "aws", account: { id: "494659789341" }, region: "megov-northeast-1r" },
      // A zero-padded IPv4 (as the Stratus sample has it) is no IP address: kept as written, not as source.ip.
      source: { address: "035.249.253.232" },
      user_agent: { original: "stratus-red-team_e0cb7ef1-0d48-463f-8988-277de94752b6" },
      user: { name: "test-role" },
      aws: {
        cloudtrail: {
          user_identity: {
            type: "AssumedRole",
            arn: "arn:aws:sts::494659789341:assumed-role/test-role/cli",
            access_key_id: "ASIA6FTSFH98XNF7DFZB",
            account_id: "494659789341",
          },
          request_parameters: { modelId: "anthropic.claude-3-sonnet-20240229-v1:0" },
          recipient_account_id: "494659789341",
        },
      },
      guardrail: {
        id: "bedrock-model-access-enabled",
        approved: false,
        principal_arn: "arn:aws:iam::494659789341:role/test-role",
        principal_kind: "role",
        principal_account_id: "494659789341",
        model_id: "anthropic.claude-3-sonnet-20240229-v1:0",
        credential_kind: "session",
        severity: "medium",
      },
    });
  });

  it.each([
    [
      "PutFoundationModelEntitlement",
      "4031b2d2-5e47-4d71-9eda-4f22702c45f3",
      "2024-10-17T20:09:52Z",
      "anthropic.claude-3-sonnet-20240229-v1:0",
    ],
    ["PutUseCaseForModelAccess", "8452e2fb-1252-460b-8f58-d3f5333c2630", "2024-10-17T20:09:50Z", undefined],
  ])("%s: id, time, action, model, principal", (name, id, time, model) => {
    const f = findingOf(sample(name));
    expect(f.event).toMatchObject({ id, action: name, outcome: "success", severity: 47, risk_score: 47 });
    expect(f["@timestamp"]).toBe(time);
    expect(f.guardrail.model_id).toBe(model);
    expect(f.guardrail.principal_arn).toBe("arn:aws:iam::494659789341:role/test-role");
    // PutUseCaseForModelAccess logs requestParameters: null; the finding leaves the field out.
    if (!model) expect(f.aws.cloudtrail.request_parameters).toBeUndefined();
  });

  it("DeleteModelInvocationLoggingConfiguration (Panther): the logging rule's own id, severity and threat", () => {
    const f = findingOf(sample("DeleteModelInvocationLoggingConfiguration"));
    expect(f.rule).toEqual({
      id: "bedrock-invocation-logging-tampering",
      name: "AWS Bedrock model invocation logging deleted or changed",
      ruleset: "bedrock-model-access-enabled",
      threat: {
        tactic: "TA0005 Defense Evasion",
        technique: "T1562.008 Impair Defenses: Disable or Modify Cloud Logs",
      },
    });
    expect(f.event).toMatchObject({
      severity: 73,
      risk_score: 73,
      provider: "bedrock.amazonaws.com",
      outcome: "success",
    });
    expect(f.guardrail).toMatchObject({ severity: "high", approved: false });
    expect(f.message).toBe(
      "arn:aws:iam::123123123123:role/aws-reserved/sso.amazonaws.com/us-west-2/DevAdmin changed or deleted Bedrock" +
        " model invocation logging (DeleteModelInvocationLoggingConfiguration) in account 123123123123 (us-west-2)",
    );
  });

  it.each(["GetFoundationModelAvailability", "ListFoundationModelAgreementOffers", "InvokeModel"])(
    "%s is not a finding",
    (name) => {
      expect(evaluateRecord(guardrail, sample(name))).toEqual({ skip: "not-matching" });
    },
  );

  it(
    "Panther's normalized eventTime becomes ISO-8601 @timestamp; the Identity Center role is the principal with its " +
      "path",
    () => {
      const panther = {
        ...sample("DeleteModelInvocationLoggingConfiguration"),
        eventName: "CreateFoundationModelAgreement",
      };
      const f = findingOf(panther);
      expect(panther.eventTime).toBe("2025-01-21 17:49:47.000000000");
      expect(f["@timestamp"]).toBe("2025-01-21T17:49:47Z");
      expect(f.guardrail).toMatchObject({
        principal_arn: "arn:aws:iam::123123123123:role/aws-reserved/sso.amazonaws.com/us-west-2/DevAdmin",
        principal_kind: "identity-center-role",
        approved: false,
      });
      expect(f.user.name).toBe("DevAdmin");
    },
  );
});

describe("source: CloudTrail's sourceIPAddress as ECS asks (raw address; ip or domain only when it is one)", () => {
  it.each([
    ["203.0.113.7", { address: "203.0.113.7", ip: "203.0.113.7" }],
    ["2001:db8::1", { address: "2001:db8::1", ip: "2001:db8::1" }],
    ["bedrock.amazonaws.com", { address: "bedrock.amazonaws.com", domain: "bedrock.amazonaws.com" }],
    ["AWS Internal", { address: "AWS Internal" }],
    ["035.249.253.232", { address: "035.249.253.232" }],
  ])("%s", (raw, expected) => {
    expect(sourceOf(raw)).toEqual(expected);
  });

  it("no sourceIPAddress: no source", () => {
    expect(sourceOf(undefined)).toEqual({});
  });
});

describe("findings of the other rules", () => {
  const example = (ruleId: string, name: string) =>
    guardrail.rules.find((r) => r.id === ruleId)!.tests.find((t) => t.name === name)!.record as CloudTrailRecord;

  it("an IAM event: provider iam.amazonaws.com, the API-key rule's severity and threat", () => {
    const f = findingOf(example("bedrock-api-key-created", "API key created for an IAM user"));
    expect(f.event).toMatchObject({ provider: "iam.amazonaws.com", action: "CreateServiceSpecificCredential" });
    expect(f.rule.threat).toEqual({
      tactic: "TA0003 Persistence",
      technique: "T1098.001 Account Manipulation: Additional Cloud Credentials",
    });
  });

  it("an 'any' outcome rule reports the record's own outcome", () => {
    const denied = findingOf(example("bedrock-recon-by-long-term-key", "availability probe denied, long-term key"));
    expect(denied.event).toMatchObject({ outcome: "failure", error_code: "AccessDenied", severity: 21 });
    const succeeded = { ...example("bedrock-recon-by-long-term-key", "availability probe denied, long-term key") };
    delete succeeded.errorCode;
    expect(findingOf(succeeded).event.outcome).toBe("success");
  });

  it("an agreement deleted by this tool's own role is approved (the tool makes that call); by anyone else, not", () => {
    const byTool = findingOf(
      example(
        "bedrock-model-agreement-deleted",
        "agreement deleted by this tool's member role (matched, then approved)",
      ),
    );
    expect(byTool.guardrail).toMatchObject({ exemption: "tool", approved: true });
    expect(byTool.guardrail.note).toBeUndefined();
    const byDeveloper = findingOf(example("bedrock-model-agreement-deleted", "agreement deleted by a developer"));
    expect(byDeveloper.guardrail).toMatchObject({ approved: false });
    // The same tool role enabling model access is still misuse.
    const toolRecord = example(
      "bedrock-model-agreement-deleted",
      "agreement deleted by this tool's member role (matched, then approved)",
    );
    const enabling = findingOf({ ...toolRecord, eventName: "CreateFoundationModelAgreement" });
    expect(enabling.guardrail).toMatchObject({ exemption: "tool", approved: false });
  });

  it("a credential re-activated by this tool's own role (a rollback) is approved; by anyone else, not", () => {
    const rule = "service-specific-credential-reactivated";
    const byTool = findingOf(
      example(rule, "re-activated by this tool's member role (a remediation rolled back: matched, then approved)"),
    );
    expect(byTool.guardrail).toMatchObject({ exemption: "tool", approved: true });
    expect(byTool.guardrail.note).toBeUndefined();
    expect(findingOf(example(rule, "long-term API key re-activated")).guardrail).toMatchObject({ approved: false });
  });

  it("the misuse note of a tool role names the call it made, an IAM call as an IAM call", () => {
    const toolRole = `arn:aws:iam::494659789341:role/bedrock-guardrail/bedrock-guardrail-responder`;
    const byTool = findingOf({
      ...example("bedrock-api-key-created", "API key created for an IAM user"),
      userIdentity: { type: "AssumedRole", sessionContext: { sessionIssuer: { arn: toolRole } } },
    });
    expect(byTool.guardrail).toMatchObject({ exemption: "tool", approved: false });
    expect(byTool.guardrail.note).toBe(
      "this tool's own role never calls CreateServiceSpecificCredential on iam.amazonaws.com: " +
        "this call means the role is misused",
    );
  });
});

describe("approved is decided by the Guardrail's exemption lists, with the SCP's ArnLike semantics", () => {
  it("the approved role pattern from the config marks the finding approved", () => {
    const f = findingOf(record({ userIdentity: IDENTITIES.approvedRole }));
    expect(f.guardrail).toMatchObject({
      approved: true,
      exemption: "approved",
      principal_arn: "arn:aws:iam::494659789341:role/BedrockModelAccessAdmin",
    });
    expect(guardrail.exemptions.approved).toEqual([APPROVED_ROLE]);
  });

  it(
    "break-glass beats approved; the tool's own roles are labelled 'tool' but alert (they never enable " + "models)",
    () => {
      const both = testGuardrail([BREAK_GLASS_ROLE], [BREAK_GLASS_ROLE]);
      expect(findingOf(record({ userIdentity: IDENTITIES.breakGlass }), both).guardrail.exemption).toBe("break-glass");
      const toolRole = `arn:aws:iam::494659789341:role/bedrock-guardrail/bedrock-guardrail-responder`;
      const tool = findingOf(
        record({ userIdentity: { type: "AssumedRole", sessionContext: { sessionIssuer: { arn: toolRole } } } }),
      );
      expect(guardrail.exemptions.tool.length).toBeGreaterThan(0);
      expect(tool.guardrail).toMatchObject({ approved: false, exemption: "tool" });
      expect(tool.guardrail.note).toMatch(/misused/);
    },
  );

  it("an Identity Center role matches only a pattern that allows its path, as in the SCP", () => {
    const r = record({ userIdentity: IDENTITIES.identityCenter });
    expect(findingOf(r, testGuardrail(["arn:aws:iam::*:role/AWSReservedSSO_Admin_*"])).guardrail.approved).toBe(false);
    expect(
      findingOf(r, testGuardrail(["arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin_*"]))
        .guardrail.approved,
    ).toBe(true);
  });

  it("an assumed role is judged by its role ARN, never the session ARN (the config refuses session patterns)", () => {
    expect(() => testGuardrail(["arn:aws:sts::494659789341:assumed-role/test-role/*"])).toThrow(/names a session ARN/);
    const f = findingOf(
      record({ userIdentity: IDENTITIES.assumedRole }),
      testGuardrail(["arn:aws:iam::494659789341:role/test-role"]),
    );
    expect(f.guardrail).toMatchObject({ approved: true, principal_arn: "arn:aws:iam::494659789341:role/test-role" });
    expect(f.aws.cloudtrail.user_identity.arn).toBe("arn:aws:sts::494659789341:assumed-role/test-role/session");
  });

  it.each([
    ["iamUser", "iam-user", "long-term-key", "arn:aws:iam::494659789341:user/ci-bot", "ci-bot"],
    ["root", "root", "root", "arn:aws:iam::494659789341:root", undefined],
    ["crossAccount", "role", "session", "arn:aws:iam::210987654321:role/partner-role", "partner-role"],
    ["federated", "federated-user", "session", "arn:aws:sts::494659789341:federated-user/carol", "carol"],
    ["awsService", "aws-service", "none", undefined, "bedrock.amazonaws.com"],
  ] as const)("%s: kind %s, credential %s, principal %s", (key, kind, credential, principal, name) => {
    const f = findingOf(record({ userIdentity: IDENTITIES[key] }));
    expect(f.guardrail).toMatchObject({ principal_kind: kind, credential_kind: credential, approved: false });
    expect(f.guardrail.principal_arn).toBe(principal);
    expect(f.user.name).toBe(name);
  });

  it("cross-account: cloud.account.id is the recipient account, the principal's account is kept apart", () => {
    const f = findingOf(record({ userIdentity: IDENTITIES.crossAccount }));
    expect(f.cloud.account.id).toBe("494659789341");
    expect(f.guardrail.principal_account_id).toBe("210987654321");
  });

  it("the AKIA key of an IAM user is the access key of the finding", () => {
    expect(findingOf(record({ userIdentity: IDENTITIES.iamUser })).aws.cloudtrail.user_identity.access_key_id).toBe(
      "AKIAEXAMPLEKEY000001",
    );
  });
});

describe("denied attempts and invalid records", () => {
  it("AccessDenied gives the low-severity companion finding with the error code", () => {
    const f = findingOf(record({ errorCode: "AccessDenied" }));
    expect(f.rule.id).toBe("bedrock-model-access-denied");
    expect(f.event).toMatchObject({ outcome: "failure", severity: 21, risk_score: 21, error_code: "AccessDenied" });
    expect(f.message).toContain("was denied");
  });

  it("a matching record without eventID or parsable eventTime is counted as invalid, not dropped", () => {
    expect(evaluateRecord(guardrail, record({ eventID: undefined }))).toMatchObject({ skip: "invalid-record" });
    expect(evaluateRecord(guardrail, record({ eventTime: "17/10/2024" }))).toMatchObject({
      skip: "invalid-record",
      reason: expect.stringContaining("eventTime"),
    });
  });
});

describe("properties over generated records", () => {
  it("evaluateRecord never throws, finds exactly what matchingRule matches, and is deterministic", () => {
    fc.assert(
      fc.property(recordArb(guardrail, false), fc.string(), (r, id) => {
        const withId = { ...r, eventID: id };
        const out = evaluateRecord(guardrail, withId);
        const rule = matchingRule(guardrail, withId);
        if ("finding" in out) {
          expect(out.finding.rule.id).toBe(rule?.id);
          expect(out.finding.event.id).toBe(id);
          expect(Number.isNaN(Date.parse(out.finding["@timestamp"]))).toBe(false);
          expect(JSON.stringify(evaluateRecord(guardrail, withId))).toBe(JSON.stringify(out));
        } else if (rule) {
          expect(out).toMatchObject({ skip: "invalid-record" });
        } else {
          expect(out).toEqual({ skip: "not-matching" });
        }
      }),
      { numRuns: 500 },
    );
  });

  it(
    "two copies of one record (CloudTrail redelivery) give identical findings, so a caller keeps one per " + "event.id",
    () => {
      fc.assert(
        fc.property(recordArb(guardrail, true), (r) => {
          const withId = { ...r, eventID: "dup-1" };
          const copy = JSON.parse(JSON.stringify(withId));
          expect(JSON.stringify(evaluateRecord(guardrail, withId))).toBe(
            JSON.stringify(evaluateRecord(guardrail, copy)),
          );
        }),
      );
    },
  );
});

test("every shipped rule's findings carry its ECS categorization (the examples of event and correlation rules)", () => {
  const seen: string[] = [];
  for (const rule of guardrail.rules)
    for (const example of rule.tests.filter((t) => t.expect)) {
      const finding = findingOf(example.record);
      expect([rule.id, finding.event.category, finding.event.type]).toEqual([
        rule.id,
        rule.ecs.category,
        rule.ecs.type,
      ]);
      seen.push(rule.id);
    }
  for (const rule of guardrail.correlationRules)
    for (const example of rule.tests.filter((t) => t.expect)) {
      const learnUntilMs = example.learnUntil === undefined ? undefined : Date.parse(example.learnUntil);
      for (const fired of correlate([rule], example.history, { learnUntilMs })) {
        const finding = correlationFinding(guardrail, fired);
        expect([rule.id, finding.event.category, finding.event.type]).toEqual([
          rule.id,
          rule.ecs.category,
          rule.ecs.type,
        ]);
        seen.push(rule.id);
      }
    }
  // Not one categorization for all: invocations and configuration changes are filed apart.
  expect(
    new Set([...guardrail.rules, ...guardrail.correlationRules].map((r) => JSON.stringify(r.ecs))).size,
  ).toBeGreaterThan(1);
  expect(new Set(seen)).toEqual(new Set([...guardrail.rules, ...guardrail.correlationRules].map((r) => r.id)));
});
