/**
 * Offline end to end: a CloudTrail S3 archive (gzipped delivery files written to a temp dir) with
 * an unauthorized CreateFoundationModelAgreement by an IAM user goes through detect (the local
 * scanner) -> finding -> plan -> execution (AWS mocked) -> audit record -> notification; the same
 * archive scanned and answered again does nothing new.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { DeleteFoundationModelAgreementCommand } from "@aws-sdk/client-bedrock";
import type { Finding } from "../../src/detection/finding";
import { expandInputs } from "../../src/detection/scan/inputs";
import { scan } from "../../src/detection/scan/scan";
import type { Notifier } from "../../src/aws/contracts";
import { StaticOrganizationLookup } from "../../src/remediation/organization";
import { RemediationResponder } from "../../src/remediation/responder";
import { InMemoryStore } from "../../src/remediation/store";
import {
  fixture,
  guardrailWith,
  IAM_USER_RECORD,
  IDENTITIES,
  MGMT,
  sample,
  withIdentity,
} from "../remediation/helpers";
import { awsMocks, fakeDeployBotAccount, localClients } from "../remediation/mocks";

const aws = awsMocks();
afterAll(() => aws.restore());

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "bedrock-guardrail-e2e-"));
  const day = path.join(dir, "AWSLogs", "222233334444", "CloudTrail", "us-east-1", "2026", "11", "20");
  fs.mkdirSync(day, { recursive: true });
  const records = [
    sample("stratus__GetFoundationModelAvailability"), // recon: not a guarded event
    fixture(IAM_USER_RECORD), // the unauthorized enablement
    // approved: no finding to act on
    withIdentity(IDENTITIES.approvedRole as unknown as Record<string, unknown>, { eventID: "approved-1" }),
  ];
  fs.writeFileSync(
    path.join(day, "222233334444_CloudTrail_us-east-1_20261120T0915Z_abc.json.gz"),
    zlib.gzipSync(JSON.stringify({ Records: records })),
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

class RecordingNotifier implements Notifier {
  messages: { subject: string; body: string; attributes?: Record<string, string> }[] = [];
  async publish(subject: string, body: string, attributes?: Record<string, string>): Promise<void> {
    this.messages.push({ subject, body, attributes });
  }
}

async function detect(g: ReturnType<typeof guardrailWith>): Promise<Finding[]> {
  const findings: Finding[] = [];
  const summary = await scan(g, expandInputs([dir]), { jobs: 1, onFinding: (f) => findings.push(f) });
  expect(summary.unreadable).toEqual([]);
  return findings;
}

it("archive -> detect -> plan -> execute -> audit -> notify, and a re-run does nothing new", async () => {
  const account = fakeDeployBotAccount(aws);

  const g = guardrailWith({ remediation: { mode: "enforce" } });
  const store = new InMemoryStore();
  const notifier = new RecordingNotifier();
  const responder = () =>
    new RemediationResponder({
      guardrail: g,
      store,
      organization: new StaticOrganizationLookup(MGMT),
      clients: localClients(),
      notifier,
      clock: () => new Date("2026-11-20T09:20:00Z"),
      actor: "arn:aws:iam::555555555555:role/bedrock-guardrail/bedrock-guardrail-query-job",
    });

  const findings = await detect(g);
  expect(findings.map((f) => [f.event.action, f.guardrail.principal_kind, f.guardrail.credential_kind])).toEqual([
    ["CreateFoundationModelAgreement", "iam-user", "long-term-key"],
  ]);

  const r1 = responder();
  const reports = [];
  for (const f of findings) reports.push(await r1.respond(f));
  expect(reports[0].outcomes.map((o) => [o.api, o.target, o.status])).toEqual([
    ["iam:UpdateAccessKey", "AKIAEXAMPLEKEY000001", "ok"],
    ["iam:PutUserPolicy", "deploy-bot", "ok"],
    ["bedrock:DeleteFoundationModelAgreement", "anthropic.claude-3-sonnet-20240229-v1:0", "ok"],
  ]);
  expect(account.keyStatus()).toBe("Inactive");
  expect(aws.bedrock.commandCalls(DeleteFoundationModelAgreementCommand)[0].args[0].input).toEqual({
    modelId: "anthropic.claude-3-sonnet-20240229-v1:0",
  });

  const audit = store.allActions();
  expect(audit).toHaveLength(3);
  expect(
    audit.every(
      (a) =>
        a.findingId === "5b0f3a52-6c1e-4d7e-9a51-2f8e0c7d4a11" &&
        a.status === "ok" &&
        a.actor &&
        a.startedAt &&
        a.finishedAt &&
        a.reason,
    ),
  ).toBe(true);
  expect(audit.find((a) => a.kind === "deactivate-key")).toMatchObject({
    before: { status: "Active" },
    after: { status: "Inactive" },
    accountId: "222233334444",
  });

  expect(notifier.messages).toHaveLength(1);
  expect(notifier.messages[0].attributes).toEqual({
    finding_id: "5b0f3a52-6c1e-4d7e-9a51-2f8e0c7d4a11",
    kind: "remediation",
  });
  expect(notifier.messages[0].body).toMatch(/\[ok\] iam:UpdateAccessKey AKIAEXAMPLEKEY000001 in 222233334444/);

  // The same archive again (a re-delivered file, a re-run after a crash): nothing new anywhere.
  const callsBefore = aws.iam.calls().length + aws.bedrock.calls().length;
  const auditBefore = JSON.stringify(store.allActions());
  const again = await detect(g);
  const r2 = responder();
  for (const f of again) await r2.respond(f);
  expect(aws.iam.calls().length + aws.bedrock.calls().length).toBe(callsBefore);
  expect(JSON.stringify(store.allActions())).toBe(auditBefore);
  expect(notifier.messages).toHaveLength(1);
});
