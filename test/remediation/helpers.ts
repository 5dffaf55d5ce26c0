import * as fs from "node:fs";
import * as path from "node:path";
import type { GuardrailConfigInput } from "../../src/config/schema";
import { buildFinding, evaluateRecord, type Finding } from "../../src/detection/finding";
import type { CloudTrailRecord } from "../../src/detection/record";
import type { Guardrail } from "../../src/guardrail/guardrail";
import { guardrailFrom, MINIMAL_CONFIG } from "../support/fixtures";

export const ROOT = path.join(__dirname, "..", "..");
export const MGMT = "999988887777";

/** The config file the CLI tests run remediate and undo with: enforce everywhere, the management account named. */
export const ENFORCE_CONFIG: GuardrailConfigInput = {
  ...MINIMAL_CONFIG,
  organization: { managementAccountId: MGMT },
  remediation: { mode: "enforce" },
};

export function guardrailWith(config: Partial<GuardrailConfigInput> = {}): Guardrail {
  return guardrailFrom({
    breakGlassPrincipalArns: ["arn:aws:iam::*:role/BreakGlass"],
    organization: { managementAccountId: MGMT },
    ...config,
  });
}

export function sample(name: string): CloudTrailRecord {
  return JSON.parse(
    fs.readFileSync(path.join(ROOT, "examples", "cloudtrail", `${name}.json`), "utf8"),
  ) as CloudTrailRecord;
}

export function fixture(name: string): CloudTrailRecord {
  return JSON.parse(
    fs.readFileSync(path.join(ROOT, "test", "fixtures", "cloudtrail", `${name}.json`), "utf8"),
  ) as CloudTrailRecord;
}

export const IAM_USER_RECORD = "remediation_iam-user-CreateFoundationModelAgreement";

/** The finding detection produces for a record (fails the test when the rule does not match). */
export function findingOf(g: Guardrail, record: CloudTrailRecord): Finding {
  const e = evaluateRecord(g, record);
  if (!("finding" in e)) throw new Error(`record does not produce a finding: ${e.skip} ${e.reason ?? ""}`);
  return e.finding;
}

/** A finding for a record whose event is not guarded (e.g. the Panther sample), built with the primary rule. */
export function findingWithPrimaryRule(
  g: Guardrail,
  record: CloudTrailRecord,
  eventName = "CreateFoundationModelAgreement",
): Finding {
  return buildFinding(g, g.primaryRule, { ...record, eventName }, String(record.eventID), "2025-01-21T17:49:47Z");
}

/** The stratus agreement record with another identity. */
export function withIdentity(
  userIdentity: Record<string, unknown>,
  extra: Partial<CloudTrailRecord> = {},
): CloudTrailRecord {
  return { ...sample("stratus__CreateFoundationModelAgreement"), userIdentity, ...extra };
}

export { IDENTITIES } from "../support/identities";
