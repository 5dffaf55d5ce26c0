/**
 * `--format ocsf`: every finding the real samples and the definition's examples produce maps to an
 * OCSF Detection Finding that validates against the OCSF schema (the extract of the release named
 * by OCSF_VERSION), field values are the ECS finding's, and the validator itself rejects what the
 * schema forbids (so a passing validation means something).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runDetect } from "../../src/cli/commands/detect";
import { OCSF_VERSION, toOcsf } from "../../src/cli/format/ocsf";
import { findingWriter } from "../../src/cli/format/findings";
import { archiveCorrelationFindings } from "../../src/detection/correlation/finding";
import { evaluateRecord, type Finding } from "../../src/detection/finding";
import type { CloudTrailRecord } from "../../src/detection/record";
import {
  edgeCases,
  IDENTITIES,
  loadSamples,
  record,
  SAMPLES_DIR,
  testGuardrail,
} from "../detection/backends/support/records";
import { loadExtract, validateOcsf } from "./ocsf-validator";
import { MINIMAL_CONFIG } from "../support/fixtures";

const schema = loadExtract(OCSF_VERSION);
const guardrail = testGuardrail();

function findingsOf(records: CloudTrailRecord[]): Finding[] {
  return records.flatMap((r) => {
    const e = evaluateRecord(guardrail, r);
    return "finding" in e ? [e.finding] : [];
  });
}

const allFindings = (): Finding[] =>
  findingsOf([
    ...loadSamples().map((s) => s.record),
    ...edgeCases().map((e) => e.record),
    ...guardrail.rules.flatMap((rule) => rule.tests.map((t) => t.record as CloudTrailRecord)),
  ]);

describe("OCSF Detection Finding", () => {
  it("validates for every finding of the samples, edge cases and definition examples", () => {
    const findings = allFindings();
    expect(findings.length).toBeGreaterThanOrEqual(5);
    for (const f of findings)
      expect({ id: f.event.id, problems: validateOcsf(schema, toOcsf(f)) }).toEqual({
        id: f.event.id,
        problems: [],
      });
  });

  it("is the class the schema names: Detection Finding 2004 in Findings (2), activity Create", () => {
    expect(schema.class).toMatchObject({ name: "detection_finding", class_uid: 2004, category_uid: 2 });
    const o = toOcsf(allFindings()[0]);
    expect(o).toMatchObject({ class_uid: 2004, category_uid: 2, activity_id: 1, type_uid: 200401 });
  });

  it("carries the ECS finding's values", () => {
    const f = findingsOf([record({ userIdentity: IDENTITIES.iamUser, errorCode: "AccessDenied" })])[0];
    const o = toOcsf(f) as Record<string, any>;
    expect(o.time).toBe(Date.parse(f["@timestamp"]));
    expect(o.finding_info).toMatchObject({
      uid: f.event.id,
      title: f.rule.name,
      analytic: { uid: f.rule.id, type_id: 1 },
      attacks: [
        { tactic: { uid: expect.stringMatching(/^TA\d{4}$/) }, technique: { uid: expect.stringMatching(/^T\d{4}/) } },
      ],
    });
    expect(o.severity_id).toBe({ low: 2, medium: 3, high: 4, critical: 5 }[f.guardrail.severity]);
    expect(o.cloud).toEqual({
      provider: "AWS",
      region: f.cloud.region,
      account: { uid: f.cloud.account.id, type_id: 10, type: "AWS Account" },
    });
    expect(o.api).toEqual({
      operation: f.event.action,
      service: { name: "bedrock.amazonaws.com" },
      response: { error: "AccessDenied" },
    });
    expect(o.evidences[0].actor.user).toMatchObject({
      uid: IDENTITIES.iamUser.arn,
      credential_uid: IDENTITIES.iamUser.accessKeyId,
      account: { uid: IDENTITIES.iamUser.accountId },
    });
    expect(o.evidences[0].src_endpoint).toEqual(f.source.ip ? { ip: f.source.ip } : { name: f.source.address });
    expect(o.unmapped.guardrail).toEqual(JSON.parse(JSON.stringify(f.guardrail)));
  });

  it("types a model as a foundation model only where it is one: a mantle model or a profile gets no type", () => {
    const example = (ruleId: string, name: string) =>
      guardrail.rules.find((r) => r.id === ruleId)!.tests.find((t) => t.name === name)!.record as CloudTrailRecord;
    const resourcesOf = (r: CloudTrailRecord) => (toOcsf(findingsOf([r])[0]) as Record<string, any>).resources;
    const onRuntime = example(
      "bedrock-api-key-used-on-runtime",
      "Converse with a long-term API key (the key's IAM user)",
    );
    const modelId = "anthropic.claude-3-5-sonnet-20240620-v1:0";
    expect(resourcesOf(onRuntime)).toEqual([
      { uid: modelId, type: "AWS::Bedrock::FoundationModel", region: "us-west-2" },
    ]);
    const modelArn = `arn:aws:bedrock:us-west-2::foundation-model/${modelId}`;
    expect(resourcesOf({ ...onRuntime, requestParameters: { modelId: modelArn } })).toEqual([
      { uid: modelArn, type: "AWS::Bedrock::FoundationModel", region: "us-west-2" },
    ]);
    // A cross-Region inference profile, by id or ARN, is not a foundation model.
    const profileArn = `arn:aws:bedrock:us-west-2:111122223333:inference-profile/us.${modelId}`;
    for (const profile of [`us.${modelId}`, profileArn])
      expect(resourcesOf({ ...onRuntime, requestParameters: { modelId: profile } })).toEqual([
        { uid: profile, region: "us-west-2" },
      ]);
    // bedrock-mantle names the model in its own way (requestParameters.model): no AWS resource type says what it is.
    const onMantle = example(
      "bedrock-long-term-api-key-used",
      "model read with a long-term API key, type written ABSK (AWS's mantle example)",
    );
    expect(resourcesOf(onMantle)).toEqual([{ uid: "openai.gpt-oss-120b", region: "us-west-2" }]);
  });

  it("the validator rejects a missing required attribute, an unknown one, a bad enum and a wrong type", () => {
    const good = toOcsf(allFindings()[0]) as Record<string, any>;
    const broken = (mutate: (o: Record<string, any>) => void) => {
      const o = structuredClone(good);
      mutate(o);
      return validateOcsf(schema, o);
    };
    expect(broken((o) => delete o.finding_info.uid)).toEqual(["finding_info.uid: required attribute missing"]);
    expect(broken((o) => delete o.cloud)).toEqual(["cloud: required attribute missing"]);
    expect(broken((o) => (o.metadata.profiles = []))).toEqual(
      expect.arrayContaining(['cloud: belongs to profile "cloud", which metadata.profiles does not list']),
    );
    expect(broken((o) => (o.finding_info.rule_id = "x"))).toEqual([
      "finding_info.rule_id: not an attribute of this object",
    ]);
    expect(broken((o) => (o.severity_id = 7))).toEqual(["severity_id: 7 is not one of 0, 1, 2, 3, 4, 5, 6, 99"]);
    expect(broken((o) => (o.time = "2024-10-17T20:09:51Z"))).toEqual(["time: not a valid timestamp_t"]);
    expect(broken((o) => (o.type_uid = 200402))).toEqual(["type_uid: must be class_uid * 100 + activity_id"]);
    expect(broken((o) => (o.evidences = [{}]))).toEqual([
      expect.stringMatching(/^evidences\[0\]\.: needs at least one/),
    ]);
  });

  it("a correlation rule's finding, of every kind: validates, spans its events and cites each of them", () => {
    const findings = guardrail.correlationRules.map((rule) => {
      const histories = rule.tests.filter((t) => t.expect).map((t) => t.history as CloudTrailRecord[]);
      const all = histories.flatMap((h) => archiveCorrelationFindings(guardrail, h, 0));
      return all.find((f) => f.rule.id === rule.id)!;
    });
    expect(findings.map((f) => f.guardrail.correlation?.kind).sort()).toEqual([
      "new-term",
      "sequence",
      "threshold",
      "value-count",
    ]);
    for (const f of findings) {
      const c = f.guardrail.correlation!;
      const o = toOcsf(f) as Record<string, any>;
      expect({ kind: c.kind, problems: validateOcsf(schema, o) }).toEqual({ kind: c.kind, problems: [] });
      expect(o.time).toBe(Date.parse(f["@timestamp"]));
      expect(o.finding_info).toMatchObject({
        uid: f.event.id,
        first_seen_time: Date.parse(c.first_time),
        last_seen_time: Date.parse(c.last_time),
        related_events: c.event_ids.map((uid) => ({ uid })),
        related_events_count: c.event_ids.length,
      });
    }
    // The multi-event kinds span time: the first event is before the last.
    const threshold = findings.find((f) => f.guardrail.correlation!.kind === "threshold")!;
    const o = toOcsf(threshold) as Record<string, any>;
    expect(o.finding_info.first_seen_time).toBeLessThan(o.finding_info.last_seen_time);
  });

  it("an event rule's finding is one event: first and last seen at its time, no related events", () => {
    const o = toOcsf(allFindings()[0]) as Record<string, any>;
    expect(o.finding_info.first_seen_time).toBe(o.time);
    expect(o.finding_info.last_seen_time).toBe(o.time);
    expect(o.finding_info).not.toHaveProperty("related_events");
  });

  it("prints one JSON object per line", () => {
    const findings = allFindings().slice(0, 3);
    let out = "";
    const w = findingWriter("ocsf", (t) => (out += t));
    for (const f of findings) w.write(f);
    w.end();
    const lines = out.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.map((l) => JSON.parse(l).finding_info.uid)).toEqual(findings.map((f) => f.event.id));
  });

  it("detect --format ocsf prints each finding of the examples as one validating line", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ocsf-"));
    try {
      const config = path.join(tmp, "guardrail.config.json");
      fs.writeFileSync(config, JSON.stringify(MINIMAL_CONFIG));
      let out = "";
      let err = "";
      const code = await runDetect(
        [SAMPLES_DIR],
        { config, format: "ocsf" },
        {
          stdout: { write: (t: string) => (out += t), isTTY: true },
          stderr: { write: (t: string) => (err += t), isTTY: false },
          cwd: tmp,
          env: {},
        },
      );
      expect(code).toBe(0);
      const events = out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      // As many lines as findings the summary line counts (the rule set may grow).
      expect(events.length).toBeGreaterThan(0);
      expect(err).toContain(` ${events.length} finding(s)`);
      for (const e of events) expect(validateOcsf(schema, e)).toEqual([]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
