/**
 * Records for the backend tests: the real samples in examples/cloudtrail/ (unchanged), edge cases
 * built here in code, and fast-check arbitraries. Shared by the Lake, EventBridge and finding tests.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import type { CloudTrailRecord } from "../../../../src/detection/record";
import { type DetectionRule, whereAlternatives } from "../../../../src/guardrail/definition";
import { ruleMatches } from "../../../../src/detection/match";
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

const STORE = `arn:aws:identitystore::${MEMBER_ACCOUNT}:identitystore/d-9067642ac7`;
const DATA_ANALYST = `arn:aws:iam::${MEMBER_ACCOUNT}:role/DataAnalystRole`;

/**
 * Identities whose finding names who acted beyond the principal ARN (user.id, on_behalf_of, actor),
 * shaped as the CloudTrail userIdentity reference and the trusted identity propagation guides show
 * them, with the fields around them a store may or may not keep (credentialId, sourceIdentity,
 * onBehalfOf's subject and issuer).
 */
const ACTING_FOR_IDENTITIES = {
  identityCenterUser: {
    type: "IdentityCenterUser",
    accountId: MEMBER_ACCOUNT,
    onBehalfOf: { userId: "94482488-3041-7026-18f3-be45837cd0e4", identityStoreArn: STORE },
    credentialId: "EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE",
  },
  trustedIdentityPropagation: {
    type: "AssumedRole",
    principalId: "AROAEXAMPLETIP000001:example-user-1",
    arn: `arn:aws:sts::${MEMBER_ACCOUNT}:assumed-role/DataAnalystRole/example-user-1`,
    accountId: MEMBER_ACCOUNT,
    accessKeyId: "ASIAEXAMPLEKEY000011",
    sessionContext: {
      sessionIssuer: {
        type: "Role",
        principalId: "AROAEXAMPLETIP000001",
        arn: DATA_ANALYST,
        accountId: MEMBER_ACCOUNT,
        userName: "DataAnalystRole",
      },
      attributes: { creationDate: "2024-10-17T20:00:00Z", mfaAuthenticated: "false" },
      sourceIdentity: "example-user-1",
    },
    onBehalfOf: {
      userId: "c4f8a4b8-2031-70e1-b2a4-5a1e0example",
      identityStoreArn: STORE,
      identityCenterInstanceArn: "arn:aws:sso:::instance/ssoins-1111222233334444",
      subject: "c4f8a4b8-2031-70e1-b2a4-5a1e0example",
      subjectType: "user",
      issuer: "arn:aws:sso:::instance/ssoins-1111222233334444",
    },
  },
  /** An Identity Center user's call that a service made (the message names both). */
  identityCenterUserThroughService: {
    type: "IdentityCenterUser",
    accountId: MEMBER_ACCOUNT,
    onBehalfOf: { userId: "94482488-3041-7026-18f3-be45837cd0e4", identityStoreArn: STORE },
    invokedBy: "bedrock.amazonaws.com",
  },
  /** The IAM user behind a long-term Bedrock API key (a bearer-token call has no access key). */
  bedrockApiKeyUser: {
    type: "IAMUser",
    principalId: "AIDAEXAMPLEUSER00002",
    arn: `arn:aws:iam::${MEMBER_ACCOUNT}:user/BedrockAPIKey_EXAMPLE`,
    accountId: MEMBER_ACCOUNT,
    userName: "BedrockAPIKey_EXAMPLE",
  },
} as const;

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
    {
      name: "Identity Center user (onBehalfOf, no arn)",
      record: record({ userIdentity: ACTING_FOR_IDENTITIES.identityCenterUser, eventName: "PutUseCaseForModelAccess" }),
    },
    {
      name: "role session with trusted identity propagation",
      record: record({ userIdentity: ACTING_FOR_IDENTITIES.trustedIdentityPropagation }),
    },
    {
      name: "Identity Center user through an AWS service",
      record: record({ userIdentity: ACTING_FOR_IDENTITIES.identityCenterUserThroughService }),
    },
    {
      name: "long-term Bedrock API key on bedrock-mantle",
      record: record({
        eventSource: "bedrock-mantle.amazonaws.com",
        eventName: "CreateFineTuningJob",
        userIdentity: ACTING_FOR_IDENTITIES.bedrockApiKeyUser,
        requestParameters: { model: "example-model-id", callWithBearerToken: true, bearerTokenType: "LONG_TERM" },
      }),
    },
    ...mantleBearerCases(),
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
    ...typedConditionCases(),
  ];
}

/**
 * The records whose findings the SQL backends must rebuild whole: the real samples, the edge cases
 * and every rule's own examples (given fresh IDs, since two rules' examples may share one), each
 * with an eventName and an eventTime (a store has both).
 */
export function findingRecords(guardrail: Guardrail): CloudTrailRecord[] {
  const examples = guardrail.rules.flatMap((rule) =>
    rule.tests.map((t, i) => ({ ...t.record, eventID: `ex-${rule.id}-${i}` }) as CloudTrailRecord),
  );
  return [...loadSamples().map((s) => s.record), ...edgeCases().map((e) => e.record), ...examples].filter(
    (r) => typeof r.eventName === "string" && typeof r.eventTime === "string",
  );
}

/**
 * bedrock-mantle calls whose requestParameters hold a long-term key type with the bearer-token marker in
 * each spelling, or without it (a key type alone is no API key call).
 */
function mantleBearerCases(): Array<{ name: string; record: CloudTrailRecord }> {
  const markers: Array<[string, unknown]> = [
    ["marker as text", "true"],
    ["marker false", false],
    ["marker upper-case text", "TRUE"],
    ["marker null", null],
    ["no marker", undefined],
  ];
  return markers.map(([name, callWithBearerToken]) => ({
    name: `mantle long-term key type, ${name}`,
    record: record({
      eventSource: "bedrock-mantle.amazonaws.com",
      eventName: "ListModels",
      userIdentity: ACTING_FOR_IDENTITIES.bedrockApiKeyUser,
      requestParameters:
        callWithBearerToken === undefined
          ? { bearerTokenType: "LONG_TERM" }
          : { callWithBearerToken, bearerTokenType: "LONG_TERM" },
    }),
  }));
}

const invoke = (additionalEventData: unknown) =>
  record({ eventName: "Converse", userIdentity: IDENTITIES.iamUser, additionalEventData });
const putLogging = (loggingConfig: unknown) =>
  record({ eventName: "PutModelInvocationLoggingConfiguration", requestParameters: { loggingConfig } });

/** A bedrock-mantle listing by a Bedrock API key's user, the key's marker and type where the case puts them. */
const mantleListing = (requestParameters: unknown, additionalEventData: unknown) =>
  record({
    eventSource: "bedrock-mantle.amazonaws.com",
    eventName: "ListModels",
    userIdentity: ACTING_FOR_IDENTITIES.bedrockApiKeyUser,
    requestParameters,
    additionalEventData,
  });

/**
 * Edge cases of the `is` and `exists` conditions (the boolean bearer-token marker, logging destinations), and of
 * anyOf (the marker and the key type in either object, or split between them).
 */
function typedConditionCases(): Array<{ name: string; record: CloudTrailRecord }> {
  const s3 = { bucketName: "logs" };
  return [
    {
      name: "mantle API key marker and long-term type in additionalEventData",
      record: mantleListing(undefined, { callWithBearerToken: true, bearerTokenType: "LONG_TERM" }),
    },
    {
      name: "mantle API key marker as text and ABSK in additionalEventData",
      record: mantleListing({ model: "m" }, { callWithBearerToken: "true", bearerTokenType: "ABSK" }),
    },
    {
      name: "mantle API key marker in additionalEventData, long-term type in requestParameters",
      record: mantleListing({ bearerTokenType: "LONG_TERM" }, { callWithBearerToken: true }),
    },
    {
      name: "mantle API key marker in requestParameters, long-term type in additionalEventData",
      record: mantleListing({ callWithBearerToken: true }, { bearerTokenType: "ABSK" }),
    },
    {
      name: "mantle API key marker and short-term type in additionalEventData",
      record: mantleListing(undefined, { callWithBearerToken: true, bearerTokenType: "SHORT_TERM" }),
    },
    {
      name: "mantle long-term type in additionalEventData, no marker",
      record: mantleListing(undefined, { bearerTokenType: "LONG_TERM" }),
    },
    {
      name: "mantle long-term type in additionalEventData, marker false there",
      record: mantleListing(
        { callWithBearerToken: false },
        { callWithBearerToken: false, bearerTokenType: "LONG_TERM" },
      ),
    },
    {
      name: "mantle API key marker and long-term type in another case in additionalEventData",
      record: mantleListing(null, { callWithBearerToken: true, bearerTokenType: "long_term" }),
    },
    { name: "bearer marker true", record: invoke({ callWithBearerToken: true }) },
    { name: "bearer marker as text", record: invoke({ callWithBearerToken: "true" }) },
    { name: "bearer marker false", record: invoke({ callWithBearerToken: false }) },
    { name: "bearer marker upper-case text", record: invoke({ callWithBearerToken: "TRUE" }) },
    { name: "bearer marker 1", record: invoke({ callWithBearerToken: 1 }) },
    { name: "bearer marker null", record: invoke({ callWithBearerToken: null }) },
    { name: "additionalEventData null", record: invoke(null) },
    { name: "logging kept on to S3", record: putLogging({ textDataDeliveryEnabled: true, s3Config: s3 }) },
    { name: "logging text flag as text", record: putLogging({ textDataDeliveryEnabled: "true", s3Config: s3 }) },
    { name: "logging text off", record: putLogging({ textDataDeliveryEnabled: false, s3Config: s3 }) },
    {
      name: "logging bucket null",
      record: putLogging({ textDataDeliveryEnabled: true, s3Config: { bucketName: null } }),
    },
    {
      name: "logging bucket empty",
      record: putLogging({ textDataDeliveryEnabled: true, s3Config: { bucketName: "" } }),
    },
    { name: "logging s3Config null", record: putLogging({ textDataDeliveryEnabled: true, s3Config: null }) },
    {
      name: "logging to CloudWatch only",
      record: putLogging({ textDataDeliveryEnabled: true, cloudWatchConfig: { logGroupName: "g", roleArn: "r" } }),
    },
    { name: "logging config null", record: putLogging(null) },
    { name: "logging off, no destination", record: putLogging({ textDataDeliveryEnabled: false }) },
    {
      name: "access key for a Bedrock API key user",
      record: record({
        eventSource: "iam.amazonaws.com",
        eventName: "CreateAccessKey",
        requestParameters: { userName: "BedrockAPIKey-x" },
      }),
    },
    {
      name: "access key for a Bedrock API key user, named in another case",
      record: record({
        eventSource: "iam.amazonaws.com",
        eventName: "CreateAccessKey",
        requestParameters: { userName: "BEDROCKAPIKEY-x" },
      }),
    },
    {
      name: "service-specific credential re-activated",
      record: record({
        eventSource: "iam.amazonaws.com",
        eventName: "UpdateServiceSpecificCredential",
        requestParameters: { serviceSpecificCredentialId: "ACCAX", status: "Active" },
      }),
    },
    {
      name: "service-specific credential re-activated, status in lower case",
      record: record({
        eventSource: "iam.amazonaws.com",
        eventName: "UpdateServiceSpecificCredential",
        requestParameters: { serviceSpecificCredentialId: "ACCAX", status: "active" },
      }),
    },
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
    fc.constantFrom(...Object.values(IDENTITIES), ...Object.values(ACTING_FOR_IDENTITIES)),
    {
      weight: focus?.where.flatMap(whereAlternatives).some((l) => l.some((c) => c.field.startsWith("userIdentity.")))
        ? 4
        : 0,
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
  const bearerTokenType = fc.oneof(likely("LONG_TERM", "ABSK", "SHORT_TERM", "long_term", ""), ...odd, ...oddNested);
  // Boolean fields: the JSON booleans, their text (as stores that keep JSON as text hold them) and near misses.
  const flag = fc.oneof(likely("true", "false", "TRUE", "1"), fc.boolean(), fc.boolean(), ...odd, ...oddNested);
  const userName = fc.oneof(likely("BedrockAPIKey-q7r3", "bedrockapikey-x", "svc-deploy", ""), ...odd, ...oddNested);
  const status = fc.oneof(likely("Active", "Inactive", "active"), ...odd, ...oddNested);
  const name = fc.oneof(
    likely("bedrock-logs", "/aws/bedrock/invocations", ""),
    { weight: 3, arbitrary: fc.constant(null) },
    ...odd,
    ...oddNested,
  );
  // A destination: an object with or without its name, or a leaf where the object should be. Not a
  // string: Lake keeps loggingConfig as JSON text, and CloudTrail writes objects here.
  const destination = (key: string) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.record({ [key]: name, keyPrefix: fc.constant("p/") }, { requiredKeys: [] }) },
      fc.constant(null),
      fc.integer(),
    );
  const loggingConfig = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record(
        {
          textDataDeliveryEnabled: flag,
          imageDataDeliveryEnabled: fc.boolean(),
          s3Config: destination("bucketName"),
          cloudWatchConfig: destination("logGroupName"),
        },
        { requiredKeys: [] },
      ),
    },
    fc.constant(null),
    fc.integer(),
  );
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
      arbitrary: fc.record({ callWithBearerToken: flag, bearerTokenType }, { requiredKeys: ["callWithBearerToken"] }),
    },
    fc.record({ serviceName, bearerTokenType }),
    { weight: focus?.where.length ? 8 : 1, arbitrary: fc.record({ userName, status }, { requiredKeys: [] }) },
    { weight: focus?.where.length ? 12 : 1, arbitrary: fc.record({ loggingConfig }) },
  );
  const extra = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    { weight: focus?.where.length ? 6 : 1, arbitrary: fc.record({ callWithBearerToken: flag }) },
    fc.record({ callWithBearerToken: flag, bearerTokenType }, { requiredKeys: [] }),
  );
  const generated = fc
    .record({
      eventTime,
      eventSource,
      eventName,
      errorCode: errorCodeArb(leafOnly),
      userIdentity: identity,
      requestParameters: params,
      additionalEventData: extra,
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
      additionalEventData: fc.option(extra),
      eventName: fc.option(eventName),
    })
    .map(({ example, ...replace }) => {
      const out: Record<string, unknown> = { ...example, eventTime: replace.eventTime };
      const replaced = ["errorCode", "userIdentity", "requestParameters", "additionalEventData", "eventName"] as const;
      for (const key of replaced) {
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

/**
 * Rules no shipped rule file spells, so that every condition kind and value is proven on every
 * backend: `is: false`, `exists: false` and `exists: true` on top-level and nested fields, `equals`
 * with `ignoreCase`, and `anyOf` (lists of one and of two conditions, two anyOf entries in one rule).
 * Their examples are the typed-condition edge cases, marked with what the matcher says.
 */
export function typedConditionRules(guardrail: Guardrail): DetectionRule[] {
  const base = guardrail.rules.find((r) => r.id === "bedrock-invocation-logging-kept-on-s3");
  if (!base) throw new Error("test: rule bedrock-invocation-logging-kept-on-s3 is missing");
  const put = { eventSource: "bedrock.amazonaws.com", eventNames: ["PutModelInvocationLoggingConfiguration"] };
  const converse = { eventSource: "bedrock.amazonaws.com", eventNames: ["Converse", "InvokeModel"] };
  const listing = { eventSource: "bedrock-mantle.amazonaws.com", eventNames: ["ListModels"] };
  const variants: Array<Pick<DetectionRule, "id" | "eventSource" | "eventNames" | "where">> = [
    {
      id: "t-no-destination-text-off",
      ...put,
      where: [
        { field: "requestParameters.loggingConfig.s3Config.bucketName", exists: false },
        { field: "requestParameters.loggingConfig.textDataDeliveryEnabled", is: false },
      ],
    },
    {
      id: "t-no-s3",
      ...put,
      where: [{ field: "requestParameters.loggingConfig.s3Config.bucketName", exists: false }],
    },
    { id: "t-signed", ...converse, where: [{ field: "additionalEventData.callWithBearerToken", is: false }] },
    { id: "t-unmarked", ...converse, where: [{ field: "additionalEventData.callWithBearerToken", exists: false }] },
    { id: "t-marked", ...converse, where: [{ field: "additionalEventData.callWithBearerToken", exists: true }] },
    {
      // anyOf with lists of two conditions: the marker and a long-term type together, in one object or the other.
      id: "t-key-pair-either-object",
      ...listing,
      where: [
        {
          anyOf: [
            [
              { field: "requestParameters.callWithBearerToken", is: true },
              { field: "requestParameters.bearerTokenType", equals: ["LONG_TERM", "ABSK"] },
            ],
            [
              { field: "additionalEventData.callWithBearerToken", is: true },
              { field: "additionalEventData.bearerTokenType", equals: ["LONG_TERM", "ABSK"] },
            ],
          ],
        },
      ],
    },
    {
      // Two anyOf entries and a plain condition: exists:false (two matchers on EventBridge) and ignoreCase inside.
      id: "t-anyof-kinds",
      ...listing,
      where: [
        { field: "userIdentity.type", equals: ["IAMUser"] },
        {
          anyOf: [
            [{ field: "additionalEventData.callWithBearerToken", exists: false }],
            [{ field: "additionalEventData.bearerTokenType", equals: ["LONG_TERM"], ignoreCase: true }],
          ],
        },
        {
          anyOf: [
            [{ field: "requestParameters.callWithBearerToken", is: false }],
            [{ field: "requestParameters.bearerTokenType", exists: true }],
          ],
        },
      ],
    },
    {
      id: "t-active-any-case",
      eventSource: "iam.amazonaws.com",
      eventNames: ["UpdateServiceSpecificCredential"],
      where: [{ field: "requestParameters.status", equals: ["Active", "Enabled"], ignoreCase: true }],
    },
  ];
  const pool = [...typedConditionCases().map((c) => c.record), ...base.tests.map((t) => t.record)];
  return variants.map((v, i) => {
    const rule: DetectionRule = { ...base, ...v, precedence: 1000 + i, outcome: "any", tests: [] };
    rule.tests = pool.map((r, j) => ({ name: `case ${j}`, expect: ruleMatches(rule, r), record: r }));
    if (!rule.tests.some((t) => t.expect) || rule.tests.every((t) => t.expect))
      throw new Error(`test: rule ${rule.id} needs examples on both sides`);
    return rule;
  });
}
