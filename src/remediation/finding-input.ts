/**
 * Findings read back from `detect` or the monitor (ndjson, or a JSON array): untrusted input.
 * Every finding is validated with a schema of the fields the planner reads (their types and shapes:
 * an account id is 12 digits, an ARN is an ARN) before anything is planned; a bad finding is named
 * by its line (or array index) and skipped, never allowed to hide the good ones. The same event.id
 * twice is planned once.
 */
import { z } from "zod";
import { safeParseDocument, zodProblems } from "../config/load";
import type { CredentialKind } from "../detection/credential";
import type { Finding } from "../detection/finding";
import { jsonErrorText } from "../errors/error-text";
import { accessKeyIdProblem } from "./actions/deactivate-key";
import { credentialIdProblem } from "./actions/deactivate-service-credentials";
import { principalArnProblem } from "./safety";

const KINDS = [
  "iam-user",
  "role",
  "identity-center-role",
  "service-linked-role",
  "root",
  "federated-user",
  "aws-service",
  "unknown",
] as const;

/** Every credential kind a finding can carry: a Record, so the compiler names one added to CredentialKind. */
const CREDENTIAL_KINDS: Record<CredentialKind, true> = {
  "long-term-key": true,
  session: true,
  root: true,
  none: true,
  "bedrock-api-key-long-term": true,
  "bedrock-api-key-short-term": true,
  "bedrock-api-key": true,
};

const ACCOUNT_ID = z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id");
/** IAM takes ARNs of up to 2048 characters. */
const ARN = z
  .string()
  .max(2048)
  .regex(/^arn:[\w-]+:[\w-]+:/, "must be an ARN");
/** Loose on purpose: CloudTrail reports the region it saw (samples carry made-up ones); the shape is what matters. */
/**
 * A principal's: IAM names are at most 64 characters and paths 512, in ASCII, so a longer ARN names no principal (and
 * its hourly counter's key, `principal#<arn>`, would not fit DynamoDB's 2,048-byte partition key).
 */
const PRINCIPAL_ARN = ARN.max(1024).regex(/^[\x21-\x7e]+$/, "must be printable ASCII, as IAM names and paths are");
const REGION = z.string().regex(/^[a-z0-9-]{1,40}$/, "must be an AWS region such as us-east-1");
const TEXT = z.string().min(1).max(2048);

/** The fields remediation reads; everything else of a finding is carried along unchecked. */
const FindingInputSchema = z.looseObject({
  "@timestamp": z.string().refine((t) => !Number.isNaN(Date.parse(t)), "must be a date"),
  // Whether the rule asks for a response is decided by its id.
  rule: z.looseObject({ id: TEXT }),
  event: z.looseObject({
    id: TEXT,
    action: TEXT,
    outcome: z.enum(["success", "failure"]),
  }),
  cloud: z.looseObject({
    account: z.looseObject({ id: ACCOUNT_ID.optional() }),
    region: REGION.optional(),
  }),
  aws: z.looseObject({
    cloudtrail: z.looseObject({
      user_identity: z.looseObject({
        type: TEXT.optional(),
        arn: ARN.optional(),
        access_key_id: z
          .string()
          .regex(/^\w{1,128}$/, "must be an access key id")
          .optional(),
        account_id: ACCOUNT_ID.optional(),
      }),
      request_parameters: z.record(z.string(), z.unknown()).optional(),
    }),
  }),
  guardrail: z.looseObject({
    approved: z.boolean(),
    principal_arn: PRINCIPAL_ARN.optional(),
    principal_kind: z.enum(KINDS),
    principal_account_id: ACCOUNT_ID.optional(),
    model_id: TEXT.optional(),
    // Which credential is contained is decided by it (planner.ts): every finding since the first release has it.
    credential_kind: z.enum(Object.keys(CREDENTIAL_KINDS) as [CredentialKind, ...CredentialKind[]]),
  }),
});

/** The finding, or what is wrong with it (each problem naming the key). */
export function checkFinding(value: unknown, partition: string): Finding | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a JSON object";
  if (!("guardrail" in value)) return "guardrail is missing (not a bedrock-guardrail finding)";
  const result = safeParseDocument(FindingInputSchema, value);
  if (!result.success) return zodProblems(result.error).join("; ");
  const finding = value as Finding;
  // Remediation acts on the ARN's name in this account: the ARN must name this partition's IAM principal there
  // (the safety gate checks it again).
  const { principal_arn: arn, principal_account_id: account } = finding.guardrail;
  const problem = arn && principalArnProblem(partition, arn, account ?? finding.cloud.account.id);
  if (problem) return `guardrail.principal_arn: ${problem}`;
  // The key id decides which Bedrock API key is deactivated: one IAM would not know must not widen that to all.
  const keyId = finding.aws.cloudtrail.user_identity.access_key_id;
  const keyProblem = keyId === undefined ? undefined : (credentialIdProblem(keyId) ?? accessKeyIdProblem(keyId));
  if (keyProblem) return `aws.cloudtrail.user_identity.access_key_id of event ${finding.event.id}: ${keyProblem}`;
  return finding;
}

/** The first JSON value of the input: the whole text when it is one (pretty-printed) document, else its first line. */
function firstValue(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    const line = body.split(/\r?\n/).find((l) => l.trim() !== "");
    try {
      return line === undefined ? undefined : JSON.parse(line);
    } catch {
      return undefined;
    }
  }
}

/**
 * What the input is when it is another kind of document than findings (CloudTrail, OCSF), said in
 * one line instead of one rejection per line or record.
 */
function foreignFormat(body: string): string | undefined {
  // Read as UTF-8 text, gzip's magic bytes 1f 8b are "\x1f" and a replacement character; other bytes that are no
  // text are replacement characters or NULs. Each line of them would be a rejection that echoes its first byte.
  if (body.startsWith("\x1f\ufffd")) return "gzip-compressed data (gunzip it first)";
  if (/[\0\ufffd]/.test(body.slice(0, 4096))) return "binary data (no UTF-8 text)";
  let value = firstValue(body);
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (isObject(value) && Array.isArray(value.Records)) return 'a CloudTrail log file ({"Records": [...]})';
  if (Array.isArray(value)) value = value[0];
  if (!isObject(value)) return undefined;
  if ("eventVersion" in value || ("eventSource" in value && "eventName" in value)) return "CloudTrail records";
  if ("class_uid" in value)
    return `OCSF (class_uid ${String(value.class_uid).slice(0, 12)}, e.g. detect --format ocsf)`;
  return undefined;
}

const WANTED =
  "remediate reads the findings detect or the monitor writes (ndjson or a JSON array): " +
  "bedrock-guardrail detect FILE --format ndjson | bedrock-guardrail remediate -";

export interface ParsedFindings {
  findings: Finding[];
  problems: string[];
  /** Findings left out because an earlier one had the same event.id (not a problem: planned once). */
  duplicates: string[];
}

/**
 * ndjson (one finding per line) or a JSON array, as `detect --format ndjson|json` writes them, for a
 * guardrail of `partition` (a principal ARN of another partition is refused).
 */
export function parseFindings(text: string, source: string, partition: string): ParsedFindings {
  const parsed = parseEach(text, source, partition);
  if (parsed.findings.length > 0 || parsed.problems.length === 0) return parsed;
  // Nothing was a finding: if the input is a document of another kind, one line says which.
  const foreign = foreignFormat(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  if (!foreign) return parsed;
  return { findings: [], problems: [`${source}: reads as ${foreign}, not as findings: ${WANTED}`], duplicates: [] };
}

function parseEach(text: string, source: string, partition: string): ParsedFindings {
  const findings: Finding[] = [];
  const problems: string[] = [];
  const duplicates: string[] = [];
  const firstSeen = new Map<string, string>();
  const take = (value: unknown, where: string) => {
    const r = checkFinding(value, partition);
    if (typeof r === "string") return void problems.push(`${where}: finding rejected: ${r}`);
    const first = firstSeen.get(r.event.id);
    if (first !== undefined)
      return void duplicates.push(`${where}: event.id ${r.event.id} already read at ${first}: planned once`);
    firstSeen.set(r.event.id, where);
    findings.push(r);
  };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trimStart().startsWith("[")) {
    let values: unknown;
    try {
      values = JSON.parse(body);
    } catch (e) {
      problems.push(`${source}: not valid JSON at ${jsonErrorText(body, e)}`);
      return { findings, problems, duplicates };
    }
    for (const [i, v] of (values as unknown[]).entries()) take(v, `${source}[${i}]`);
    return { findings, problems, duplicates };
  }
  for (const [i, line] of body.split(/\r?\n/).entries()) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      problems.push(`${source}:${i + 1}: not valid JSON at ${jsonErrorText(line, e).replace(/^line 1, /, "")}`);
      continue;
    }
    take(value, `${source}:${i + 1}`);
  }
  return { findings, problems, duplicates };
}
