/**
 * Records for the backend tests: the real samples in examples/cloudtrail/ (unchanged), edge cases
 * built here in code, and fast-check arbitraries. Shared by the Lake, EventBridge and finding tests.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import type { CloudTrailRecord } from "../../../../src/detection/record";
import type { DetectionRule } from "../../../../src/guardrail/definition";
import { BLANK_CHARACTERS } from "../../../../src/detection/backends/blank";
import type { Guardrail } from "../../../../src/guardrail/guardrail";
import { APPROVED_ROLE_PATTERN, BREAK_GLASS_ROLE, guardrailFrom } from "../../../support/fixtures";
import { IDENTITIES, MEMBER_ACCOUNT } from "../../../support/identities";

export const SAMPLES_DIR = path.join(__dirname, "..", "..", "..", "..", "examples", "cloudtrail");

export function loadSamples(): Array<{ file: string; record: CloudTrailRecord }> {
  return fs
    .readdirSync(SAMPLES_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => ({
      file,
      record: JSON.parse(fs.readFileSync(path.join(SAMPLES_DIR, file), "utf8")) as CloudTrailRecord,
    }));
}

export { APPROVED_ROLE_PATTERN as APPROVED_ROLE, BREAK_GLASS_ROLE };
export { IDENTITIES };

export function testGuardrail(
  approved: string[] = [APPROVED_ROLE_PATTERN],
  breakGlass: string[] = [BREAK_GLASS_ROLE],
): Guardrail {
  return guardrailFrom({ approvedPrincipalArns: approved, breakGlassPrincipalArns: breakGlass });
}

let counter = 0;
/** A well-formed Bedrock record with overrides; unique eventID unless given. */
export function record(overrides: Record<string, unknown> = {}): CloudTrailRecord {
  counter += 1;
  return {
    eventVersion: "1.09",
    eventID: `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`,
    eventTime: "2024-10-17T20:30:00Z",
    eventSource: "bedrock.amazonaws.com",
    eventName: "CreateFoundationModelAgreement",
    awsRegion: "us-east-1",
    recipientAccountId: MEMBER_ACCOUNT,
    sourceIPAddress: "198.51.100.7",
    userAgent: "aws-cli/2.17.0",
    userIdentity: IDENTITIES.assumedRole,
    requestParameters: { modelId: "anthropic.claude-3-sonnet-20240229-v1:0" },
    ...overrides,
  };
}

/** Edge cases named for what they exercise; `expect` is what the reference matcher must say. */
export function edgeCases(): Array<{ name: string; record: CloudTrailRecord }> {
  return [
    {
      name: "IAM user with AKIA key",
      record: record({
        userIdentity: IDENTITIES.iamUser,
        eventName: "PutUseCaseForModelAccess",
        requestParameters: null,
      }),
    },
    { name: "assumed role", record: record({ userIdentity: IDENTITIES.assumedRole }) },
    { name: "approved role", record: record({ userIdentity: IDENTITIES.approvedRole }) },
    {
      name: "Identity Center role with path",
      record: record({ userIdentity: IDENTITIES.identityCenter, eventName: "PutFoundationModelEntitlement" }),
    },
    { name: "root", record: record({ userIdentity: IDENTITIES.root }) },
    { name: "cross-account", record: record({ userIdentity: IDENTITIES.crossAccount }) },
    { name: "break-glass", record: record({ userIdentity: IDENTITIES.breakGlass }) },
    { name: "federated user", record: record({ userIdentity: IDENTITIES.federated }) },
    { name: "AWS service", record: record({ userIdentity: IDENTITIES.awsService }) },
    { name: "errorCode empty string", record: record({ errorCode: "" }) },
    { name: "errorCode blank", record: record({ errorCode: " \t" }) },
    { name: "errorCode null", record: record({ errorCode: null }) },
    { name: "errorCode AccessDenied", record: record({ errorCode: "AccessDenied", errorMessage: "denied by SCP" }) },
    { name: "errorCode AccessDeniedException", record: record({ errorCode: "AccessDeniedException" }) },
    { name: "errorCode other", record: record({ errorCode: "ValidationException" }) },
    { name: "errorCode padded AccessDenied", record: record({ errorCode: " AccessDenied" }) },
    { name: "errorCode wrong case", record: record({ errorCode: "accessdenied" }) },
    { name: "other event source, same name", record: record({ eventSource: "sagemaker.amazonaws.com" }) },
    { name: "event source wrong case", record: record({ eventSource: "Bedrock.amazonaws.com" }) },
    { name: "InvokeModel noise", record: record({ eventName: "InvokeModel" }) },
    { name: "event name wrong case", record: record({ eventName: "createfoundationmodelagreement" }) },
    { name: "errorCode as number", record: record({ errorCode: 403 }) },
    { name: "eventName as number", record: record({ eventName: 7 }) },
    { name: "userIdentity missing", record: record({ userIdentity: undefined }) },
    { name: "userIdentity null", record: record({ userIdentity: null }) },
    {
      name: "requestParameters nested",
      record: record({ requestParameters: { modelId: "m", offerToken: "t", extra: { a: 1 } } }),
    },
    {
      name: "unicode and quotes in values",
      record: record({ userAgent: 'it\'s "quoted" \\ ☃ 𝄞 -- ; /*', requestParameters: { modelId: "o'neil--;" } }),
    },
    { name: "Panther-style eventTime", record: record({ eventTime: "2024-10-17 20:45:00.000000000" }) },
    { name: "millisecond eventTime", record: record({ eventTime: "2024-10-17T20:59:59.999Z" }) },
    { name: "at window start", record: record({ eventTime: "2024-10-17T20:00:00Z" }) },
    { name: "at window end (excluded)", record: record({ eventTime: "2024-10-17T21:00:00Z" }) },
    { name: "before window", record: record({ eventTime: "2024-10-17T19:59:59Z" }) },
  ];
}

export const WINDOW = { start: "2024-10-17T20:00:00Z", end: "2024-10-17T21:00:00Z" };

// ---------- fast-check ----------

const blank = fc.string({ unit: fc.constantFrom(...Array.from(BLANK_CHARACTERS)), minLength: 1, maxLength: 4 });
const text = fc.string({
  unit: fc.constantFrom("a", "Z", "'", '"', "\\", "-", ";", " ", "\t", "é", "☃", "𝄞", "%", "_", "*"),
  maxLength: 8,
});

/** A value for errorCode. `leafOnly` leaves out objects and arrays (see the EventBridge test). */
export function errorCodeArb(leafOnly: boolean): fc.Arbitrary<unknown> {
  const leaves: fc.Arbitrary<unknown>[] = [
    fc.constant(undefined),
    fc.constant(null),
    fc.constant(""),
    blank,
    fc.constantFrom(
      "AccessDenied",
      "AccessDeniedException",
      "accessdenied",
      "AccessDenied ",
      "ValidationException",
      "ThrottlingException",
    ),
    blank.chain((b) => fc.constantFrom(`${b}AccessDenied`, `x${b}`, `${b}x${b}`)),
    text,
    fc.integer(),
    fc.boolean(),
  ];
  return leafOnly ? fc.oneof(...leaves) : fc.oneof(...leaves, fc.constant({ code: "AccessDenied" }), fc.constant([]));
}

/** An errorCode that meets the rule's outcome (absent for success and any, one of its codes for failure). */
const focusOutcome = (rule: DetectionRule): fc.Arbitrary<unknown> =>
  rule.outcome === "failure" ? fc.constantFrom(...(rule.errorCodes ?? [])) : fc.constant(undefined);

/**
 * A record around the guardrail's rules. With `focus`, event sources and names are drawn from that
 * rule (plus the same noise), so a test of one rule alone sees enough of its own events.
 */
export function recordArb(
  guardrail: Guardrail,
  leafOnly: boolean,
  focus?: DetectionRule,
): fc.Arbitrary<CloudTrailRecord> {
  const names = [
    ...(focus ? focus.eventNames : guardrail.eventNames),
    "InvokeModel",
    "ListFoundationModelAgreementOffers",
    "DeleteFoundationModelAgreement",
    "CreateServiceSpecificCredential",
    "ListModels",
    "putusecaseformodelaccess",
  ];
  const seconds = fc.integer({ min: -1800, max: 5400 }); // window is [0, 3600) seconds after 20:00
  const eventTime = fc.tuple(seconds, fc.integer({ min: 0, max: 999 }), fc.boolean()).map(([s, ms, panther]) => {
    const iso = new Date(Date.parse(WINDOW.start) + s * 1000 + ms).toISOString();
    return panther ? `${iso.slice(0, 10)} ${iso.slice(11, 23)}000000` : iso;
  });
  const scalarOdd = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.boolean());
  const eventSource = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...(focus ? [focus.eventSource] : guardrail.eventSources)) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        "sagemaker.amazonaws.com",
        "Bedrock.amazonaws.com",
        `${guardrail.eventSources[0]} `,
        "bedrock-runtime.amazonaws.com",
        "bedrock.amazonaws.com",
        "iam.amazonaws.com",
        "bedrock-mantle.amazonaws.com",
      ),
    },
    { weight: 1, arbitrary: scalarOdd },
  );
  const eventName = fc.oneof(
    { weight: 7, arbitrary: fc.constantFrom(...names) },
    ...(focus ? [{ weight: 7, arbitrary: fc.constantFrom(...focus.eventNames) }] : []),
    { weight: 1, arbitrary: fc.constant("") },
    { weight: 1, arbitrary: scalarOdd },
    ...(leafOnly ? [] : [{ weight: 1, arbitrary: fc.constant([guardrail.eventNames[0]]) }]),
  );
  const oddKey = fc.oneof(
    fc.constantFrom("AKIA", "akiaEXAMPLE", "AKIAEXAMPLEKEY000009", " AKIAEXAMPLE", "ASIAAKIA", ""),
    fc.integer(),
    fc.constant(null),
  );
  const identity = fc.oneof(
    fc.constantFrom(...Object.values(IDENTITIES)),
    {
      weight: focus?.where.some((c) => c.field.startsWith("userIdentity.")) ? 4 : 0,
      arbitrary: fc.constant(IDENTITIES.iamUser),
    },
    oddKey.map((accessKeyId) => ({ ...IDENTITIES.iamUser, accessKeyId })),
    fc.constant(null),
    fc.constant(undefined),
  );
  // Condition fields: matching, near-miss and wrongly typed values (objects and arrays only where
  // the backend under test is given them; see the EventBridge test).
  const odd: fc.Arbitrary<unknown>[] = [text, fc.integer(), fc.boolean(), fc.constant(null)];
  const oddNested: fc.Arbitrary<unknown>[] = leafOnly ? [] : [fc.constant(["LONG_TERM"]), fc.constant({ a: "b" })];
  const likely = (...values: string[]) => ({ weight: 6, arbitrary: fc.constantFrom(...values) });
  const serviceName = fc.oneof(
    likely("bedrock.amazonaws.com", "codecommit.amazonaws.com", "Bedrock.amazonaws.com", ""),
    ...odd,
    ...oddNested,
  );
  const bearerTokenType = fc.oneof(likely("LONG_TERM", "SHORT_TERM", "long_term", ""), ...odd, ...oddNested);
  const params = fc.oneof(
    fc.constant(null),
    fc.constant(undefined),
    fc.record({
      modelId: fc.oneof(fc.constantFrom("anthropic.claude-3-sonnet-20240229-v1:0", "amazon.nova-pro-v1:0"), text),
    }),
    fc.record({ offerToken: text }),
    // A focused rule with conditions sees records that can meet them more often.
    { weight: focus?.where.length ? 12 : 1, arbitrary: fc.record({ userName: fc.constant("svc"), serviceName }) },
    {
      weight: focus?.where.length ? 12 : 1,
      arbitrary: fc.record({ callWithBearerToken: fc.boolean(), bearerTokenType }),
    },
    fc.record({ serviceName, bearerTokenType }),
  );
  const generated = fc
    .record({
      eventTime,
      eventSource,
      eventName,
      errorCode: errorCodeArb(leafOnly),
      userIdentity: identity,
      requestParameters: params,
      awsRegion: fc.constantFrom("us-east-1", "megov-northeast-1r"),
    })
    .map((r) => {
      const out: Record<string, unknown> = {
        eventVersion: "1.09",
        recipientAccountId: "494659789341",
        sourceIPAddress: "203.0.113.9",
        userAgent: "fc",
      };
      for (const [k, v] of Object.entries(r)) if (v !== undefined) out[k] = v;
      return out as CloudTrailRecord;
    });
  // Without a focus, half the records are drawn around one of the rules, so every rule's boundary is exercised.
  if (!focus)
    return fc.oneof(
      generated,
      fc.constantFrom(...guardrail.rules).chain((r) => recordArb(guardrail, leafOnly, r)),
    );
  // Near the rule's boundary: one of its positive examples with some fields replaced by generated ones.
  const positives = focus.tests.filter((t) => t.expect).map((t) => t.record as CloudTrailRecord);
  const variant = fc
    .record({
      example: fc.constantFrom(...positives),
      eventTime,
      errorCode: fc.option(fc.oneof({ weight: 2, arbitrary: focusOutcome(focus) }, errorCodeArb(leafOnly))),
      userIdentity: fc.option(identity),
      requestParameters: fc.option(params),
      eventName: fc.option(eventName),
    })
    .map(({ example, ...replace }) => {
      const out: Record<string, unknown> = { ...example, eventTime: replace.eventTime };
      for (const key of ["errorCode", "userIdentity", "requestParameters", "eventName"] as const) {
        const value = replace[key];
        if (value === null) continue; // keep the example's field
        if (value === undefined) delete out[key];
        else out[key] = value;
      }
      return out as CloudTrailRecord;
    });
  return fc.oneof(generated, variant);
}

/** Records with unique event IDs, as a batch. */
export function batchArb(
  guardrail: Guardrail,
  leafOnly: boolean,
  focus?: DetectionRule,
): fc.Arbitrary<CloudTrailRecord[]> {
  // Over the whole rule set, each record is first aimed at one rule (its source and names) or at none:
  // drawing source and name independently across seven rules made matches so rare (under 1% of records)
  // that a batch could prove little about the selecting side.
  const record = focus
    ? recordArb(guardrail, leafOnly, focus)
    : fc.oneof(recordArb(guardrail, leafOnly), ...guardrail.rules.map((rule) => recordArb(guardrail, leafOnly, rule)));
  return fc
    .array(record, { minLength: 1, maxLength: 40 })
    .map((rs) => rs.map((r, i) => ({ ...r, eventID: `fc-${String(i).padStart(4, "0")}` })));
}

/**
 * The rules' positive examples, moved to `at` with fresh IDs: a batch that holds them has records the
 * rules must select (the generator alone can miss a rule in a short run), next to generated ones.
 */
export function positives(rules: Guardrail["rules"], at: string): CloudTrailRecord[] {
  return rules.flatMap((rule) =>
    rule.tests
      .filter((t) => t.expect)
      .map((t, i) => ({ ...t.record, eventID: `pos-${rule.id}-${i}`, eventTime: at }) as CloudTrailRecord),
  );
}
