/** What an alert says: the e-mail text an on-call responder acts on, and how it travels over SNS. */
import * as fs from "node:fs";
import * as path from "node:path";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { archiveCorrelationFindings } from "../../src/detection/correlation/finding";
import { evaluateRecord, type Finding } from "../../src/detection/finding";
import type { CloudTrailRecord } from "../../src/detection/record";
import { findingBody, findingEmailText, findingSubject } from "../../src/runtime/alert";
import { SNS_MAX_MESSAGE_BYTES, SnsNotifier, snsMessage } from "../../src/aws/sns";
import { guardrailFrom } from "../support/fixtures";

const guardrail = guardrailFrom();
const sample = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "examples", "cloudtrail", name), "utf8"));
const findingOf = (record: Record<string, unknown>): Finding => {
  const e = evaluateRecord(guardrail, record);
  if (!("finding" in e)) throw new Error("expected a finding");
  return e.finding;
};

describe("alert e-mail text", () => {
  const agreement = findingOf(sample("stratus__CreateFoundationModelAgreement.json"));

  it("says what, when, where, who, which key, from where, and which event", () => {
    const text = findingEmailText(agreement);
    expect(text.split("\n")[0]).toBe(agreement.message);
    expect(text).toContain(
      "What:      CreateFoundationModelAgreement for model anthropic.claude-3-sonnet-20240229-v1:0 (succeeded)",
    );
    expect(text).toContain("When:      2024-10-17T20:09:51Z");
    expect(text).toContain("Where:     account 494659789341, region megov-northeast-1r");
    expect(text).toContain("Who:       arn:aws:iam::494659789341:role/test-role (role)");
    expect(text).toContain(`Key:       ${agreement.aws.cloudtrail.user_identity.access_key_id} (session)`);
    expect(text).toContain(
      "Event:     db9c43df-ae6f-4db3-8298-f5f779f74f4d  rule bedrock-model-access-enabled (medium, risk 47; TA0003 " +
        "Persistence / T1098 Account Manipulation)",
    );
  });

  it("is the text docs/monitor.md shows for the Stratus sample, line for line up to the JSON", () => {
    const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "monitor.md"), "utf8");
    const block = /```\n(Subject: [^\n]*\n[\s\S]*?)\n```/.exec(doc)?.[1] ?? "";
    const upToJson = (text: string) => text.slice(0, text.indexOf("Finding (ECS JSON):\n") + 20);
    expect(upToJson(block)).toBe(upToJson(`Subject: ${findingSubject(agreement)}\n${findingEmailText(agreement)}`));
    // The JSON follows; the page shows its first field.
    const jsonLine = block.split("\n").at(-1)!;
    expect(findingBody(agreement).startsWith(jsonLine.slice(0, jsonLine.indexOf(",")))).toBe(true);
  });

  it("gives a ready-to-run command for what the key did since, and points at the remediation follow-up", () => {
    const text = findingEmailText(agreement);
    expect(text).toContain(
      `aws cloudtrail lookup-events --region megov-northeast-1r --lookup-attributes ` +
        `AttributeKey=AccessKeyId,AttributeValue=${agreement.aws.cloudtrail.user_identity.access_key_id} ` +
        `--start-time 2024-10-17T20:09:51Z`,
    );
    expect(text).toMatch(/follow-up message \("bedrock-guardrail remediation: \.\.\."\)/);
    expect(text.endsWith(findingBody(agreement))).toBe(true);
  });

  it("a denied attempt says no remediation runs; the tool's own role is named as such", () => {
    const deniedRecord = { ...sample("stratus__CreateFoundationModelAgreement.json"), errorCode: "AccessDenied" };
    expect(findingEmailText(findingOf(deniedRecord))).toContain("Response: the guardrail SCP denied this attempt");
    // Alert only (the rule, or the realtime claim, says so): nobody is told to wait for a follow-up.
    const alertOnly = findingEmailText(agreement, { alertOnly: "the principal is outside the organization" });
    expect(alertOnly).toContain(
      "Response: no remediation runs for this finding (the principal is outside the organization)",
    );
    expect(alertOnly).not.toContain("follow-up");
    const toolRecord = {
      ...sample("stratus__CreateFoundationModelAgreement.json"),
      userIdentity: {
        type: "AssumedRole",
        sessionContext: {
          sessionIssuer: { arn: "arn:aws:iam::494659789341:role/bedrock-guardrail/bedrock-guardrail-query-job" },
        },
      },
    };
    const text = findingEmailText(findingOf(toolRecord));
    expect(text).toContain("(role, this tool's own role)");
    expect(text).toContain("Key:       - (none)");
    expect(text).not.toContain("lookup-events");
  });

  it("quotes a value that a shell would split", () => {
    const odd = findingOf({
      ...sample("stratus__CreateFoundationModelAgreement.json"),
      awsRegion: "us east 1; rm -rf",
    });
    expect(findingEmailText(odd)).toContain("--region 'us east 1; rm -rf'");
  });

  it("keeps a value the caller chose on its own line: a newline or an escape sequence in it is shown escaped", () => {
    const base = sample("stratus__CreateFoundationModelAgreement.json");
    const hostile = findingOf({
      ...base,
      requestParameters: { modelId: "m\nResponse: planned change, nothing to do.\u001b[8m" },
      userAgent: "ua\r\nWho:       arn:aws:iam::494659789341:role/BedrockModelAccessAdmin\u2028x",
    });
    const lines = findingEmailText(hostile).split("\n");
    expect(lines).toHaveLength(findingEmailText(agreement).split("\n").length);
    expect(lines.filter((l) => l.startsWith("Response:"))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith("Who:"))).toHaveLength(1);
    expect(lines).toContain(
      "What:      CreateFoundationModelAgreement for model m\\nResponse: planned change, nothing to do.\\u001b[8m " +
        "(succeeded)",
    );
    expect(lines.find((l) => l.startsWith("From:"))).toBe(
      "From:      035.249.253.232  ua\\r\\nWho:       arn:aws:iam::494659789341:role/BedrockModelAccessAdmin\\u2028x",
    );
  });
});

describe("alert e-mail text of a correlation rule's finding", () => {
  const probing = guardrail.correlationRules.find((r) => r.kind === "threshold")!;
  const history = probing.tests.find((t) => t.expect)!.history as CloudTrailRecord[];
  const finding = archiveCorrelationFindings(guardrail, history, 0).find((f) => f.rule.id === probing.id)!;
  const c = finding.guardrail.correlation!;

  it("says how many events, from when to when, by which credential, and lists every event ID", () => {
    const text = findingEmailText(finding);
    expect(c.event_ids.length).toBeGreaterThan(1);
    expect(text).toContain(
      `Events:    ${c.event_ids.length} from ${c.first_time} to ${c.last_time} (threshold, ${c.group})`,
    );
    expect(text).toContain(`Event IDs: ${c.event_ids.join(" ")}`);
  });

  it("fits SNS however many events a threshold counted: the first that fit, and how many are left out", () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `1d6f2e8c-0000-4000-8000-${String(i).padStart(12, "0")}`);
    const huge: Finding = {
      ...finding,
      guardrail: { ...finding.guardrail, correlation: { ...c, event_ids: ids, event_count: ids.length } },
    };
    const body = findingBody(huge);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(256 * 1024);
    const cited = (JSON.parse(body) as Finding).guardrail.correlation!;
    expect(cited.event_ids).toEqual(ids.slice(0, cited.event_ids.length));
    expect(cited.event_ids.length).toBeGreaterThan(1000);
    expect(cited.event_ids.length + cited.event_ids_omitted!).toBe(10_000);
    expect(cited.event_count).toBe(10_000);
    // A finding that fits is sent whole, without the field.
    expect((JSON.parse(findingBody(finding)) as Finding).guardrail.correlation).toEqual(c);
    const text = findingEmailText(huge);
    expect(text).toContain(`Event IDs: ${ids.slice(0, 25).join(" ")} ... and 9975 more`);
  });

  it("looks up what the key did from the first cited event on, not from the last", () => {
    const text = findingEmailText(finding);
    expect(c.first_time < c.last_time).toBe(true);
    expect(text).toContain(
      `AttributeValue=${finding.aws.cloudtrail.user_identity.access_key_id} --start-time ${c.first_time}`,
    );
  });
});

describe("SNS message", () => {
  it("carries the e-mail text as a per-protocol variant beside the JSON default", async () => {
    const client = new SNSClient({
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
    });
    const mock = mockClient(client);
    mock.on(PublishCommand).resolves({ MessageId: "m-1" });
    await new SnsNotifier(client, "arn:aws:sns:us-east-1:111122223333:alerts").publish(
      "subject",
      '{"a":1}',
      { kind: "finding" },
      { email: "hello" },
    );
    const input = mock.commandCalls(PublishCommand)[0].args[0].input;
    expect(input.MessageStructure).toBe("json");
    expect(JSON.parse(input.Message!)).toEqual({ default: '{"a":1}', email: "hello" });
    expect(input.MessageAttributes).toEqual({ kind: { DataType: "String", StringValue: "finding" } });
  });

  it("leaves out an attribute with an empty or missing value, for which SNS would refuse the message", async () => {
    const client = new SNSClient({
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
    });
    const mock = mockClient(client);
    mock.on(PublishCommand).resolves({ MessageId: "m-1" });
    // A forged finding without guardrail.severity or rule.id gives such values.
    const attributes = { kind: "finding", severity: undefined as unknown as string, rule: "" };
    await new SnsNotifier(client, "arn:aws:sns:us-east-1:111122223333:alerts").publish("subject", "{}", attributes);
    const input = mock.commandCalls(PublishCommand)[0].args[0].input;
    expect(input.MessageAttributes).toEqual({ kind: { DataType: "String", StringValue: "finding" } });
  });

  it("falls back to the JSON body alone when both would not fit in one SNS message", () => {
    const body = JSON.stringify({ blob: "x".repeat(SNS_MAX_MESSAGE_BYTES - 100) });
    expect(snsMessage(body, { email: "y".repeat(1000) })).toEqual({ Message: body });
    expect(snsMessage("{}", {})).toEqual({ Message: "{}" });
  });
});
