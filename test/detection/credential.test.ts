/**
 * Bedrock API key calls and callers without an IAM ARN: the credential kind read from the record
 * (bearerTokenKindOf, one pure function) and who acted (actorOf), then the finding built from them.
 */
import fc from "fast-check";
import {
  bearerTokenTerm,
  LONG_TERM_TOKEN_TYPES,
  marksBearerToken,
  SHORT_TERM_TOKEN_TYPES,
} from "../../src/arn/bearer-token";
import { credentialKindOf } from "../../src/arn/principal";
import { actorOf, bearerTokenKindOf, credentialKindOfRecord } from "../../src/detection/credential";
import { ruleMatches } from "../../src/detection/match";
import type { CloudTrailRecord } from "../../src/detection/record";
import {
  findingOf,
  findingWithPrimaryRule,
  fixture,
  guardrailWith,
  IDENTITIES,
  withIdentity,
} from "../remediation/helpers";

const LONG = fixture("respond_bearer-long-term-mantle-CreateFineTuningJob");
const SHORT = fixture("respond_bearer-short-term-CreateFoundationModelAgreement");
const IDC = fixture("respond_identity-center-user-PutUseCaseForModelAccess");
const g = guardrailWith();

describe("bearerTokenKindOf and the rule bedrock-long-term-api-key-used agree on a long-term key", () => {
  const rule = g.rules.find((r) => r.id === "bedrock-long-term-api-key-used")!;
  const listing = (bearerTokenType: string): CloudTrailRecord => ({
    eventSource: "bedrock-mantle.amazonaws.com",
    eventName: "ListModels",
    requestParameters: { callWithBearerToken: true, bearerTokenType },
  });

  it("the rule's where is the marker and the long-term types credential.ts reads (one list), in either object", () => {
    const inEither = (key: string, test: object) => ({
      anyOf: [[{ field: `requestParameters.${key}`, ...test }], [{ field: `additionalEventData.${key}`, ...test }]],
    });
    expect(rule.where).toEqual([
      inEither("callWithBearerToken", { is: true }),
      inEither("bearerTokenType", { equals: [...LONG_TERM_TOKEN_TYPES] }),
    ]);
  });
  it("property: wherever the marker and the type are written, rule match = finding says long-term", () => {
    // The one exception: a record naming a key type in each object, different terms (credential.ts reads
    // additionalEventData's first, the rule either's); no endpoint writes the type twice.
    const flag = fc.option(fc.constantFrom<unknown>(true, "true", false, "TRUE", null), { nil: undefined });
    const type = fc.option(fc.constantFrom<unknown>(...LONG_TERM_TOKEN_TYPES, ...SHORT_TERM_TOKEN_TYPES, "long_term"), {
      nil: undefined,
    });
    const carrier = fc
      .record({ callWithBearerToken: flag, bearerTokenType: type })
      .map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)));
    let longTerm = 0;
    fc.assert(
      fc.property(carrier, carrier, (requestParameters, additionalEventData) => {
        const record: CloudTrailRecord = { ...listing("LONG_TERM"), requestParameters, additionalEventData };
        const terms = [additionalEventData, requestParameters].map((c) => bearerTokenTerm(c.bearerTokenType));
        if (terms[0] !== undefined && terms[1] !== undefined && terms[0] !== terms[1]) return;
        const says = bearerTokenKindOf(record) === "bedrock-api-key-long-term";
        expect(ruleMatches(rule, record)).toBe(says);
        if (says && !marksBearerToken(requestParameters)) longTerm++;
      }),
      { numRuns: 400 },
    );
    // Not vacuous: long-term calls whose marker is only in additionalEventData were among them.
    expect(longTerm).toBeGreaterThan(10);
  });
  it("property: in requestParameters (where mantle writes both), rule match = finding says long-term", () => {
    // A marker missing, false or spelt otherwise: a key type alone (a field any request may carry) is no API key call.
    const flag = fc.option(fc.constantFrom<unknown>(true, "true", false, "false", "TRUE", 1, null), { nil: undefined });
    const types = [...LONG_TERM_TOKEN_TYPES, ...SHORT_TERM_TOKEN_TYPES, "long_term", 7];
    const type = fc.option(fc.constantFrom<unknown>(...types), { nil: undefined });
    fc.assert(
      fc.property(flag, type, (callWithBearerToken, bearerTokenType) => {
        const requestParameters: Record<string, unknown> = {};
        if (callWithBearerToken !== undefined) requestParameters.callWithBearerToken = callWithBearerToken;
        if (bearerTokenType !== undefined) requestParameters.bearerTokenType = bearerTokenType;
        const record: CloudTrailRecord = { ...listing("LONG_TERM"), requestParameters };
        expect(ruleMatches(rule, record)).toBe(bearerTokenKindOf(record) === "bedrock-api-key-long-term");
      }),
      { numRuns: 200 },
    );
  });
  it.each([
    ...LONG_TERM_TOKEN_TYPES,
    ...SHORT_TERM_TOKEN_TYPES,
    "long_term",
    "Long_Term",
    "LONG-TERM",
    "absk",
    "short_term",
    " LONG_TERM",
  ])("%j: the rule matches exactly when the finding says long-term", (type) => {
    const record = listing(type);
    expect([type, ruleMatches(rule, record)]).toEqual([
      type,
      bearerTokenKindOf(record) === "bedrock-api-key-long-term",
    ]);
  });
});

describe("bearerTokenKindOf", () => {
  it("reads the documented requestParameters of a bedrock-mantle event", () => {
    expect(bearerTokenKindOf(LONG)).toBe("bedrock-api-key-long-term");
  });
  it("reads additionalEventData too", () => {
    expect(bearerTokenKindOf(SHORT)).toBe("bedrock-api-key-short-term");
  });
  it.each([
    [{ requestParameters: { callWithBearerToken: "true", bearerTokenType: "LONG_TERM" } }, "bedrock-api-key-long-term"],
    [
      { additionalEventData: { callWithBearerToken: true }, requestParameters: { bearerTokenType: "SHORT_TERM" } },
      "bedrock-api-key-short-term",
    ],
    [
      { additionalEventData: '{"callWithBearerToken":true,"bearerTokenType":"LONG_TERM"}' },
      "bedrock-api-key-long-term",
    ],
    [{ requestParameters: { callWithBearerToken: true, bearerTokenType: "ABSK" } }, "bedrock-api-key-long-term"],
    [{ requestParameters: { callWithBearerToken: true } }, "bedrock-api-key"],
    [{ requestParameters: { callWithBearerToken: true, bearerTokenType: "SOMETHING_NEW" } }, "bedrock-api-key"],
    // Read as written, as the rule bedrock-long-term-api-key-used matches it: another case is no known type.
    [{ requestParameters: { callWithBearerToken: true, bearerTokenType: "long_term" } }, "bedrock-api-key"],
    [{ additionalEventData: { callWithBearerToken: true, bearerTokenType: "Short-Term" } }, "bedrock-api-key"],
    [{ requestParameters: { callWithBearerToken: false, bearerTokenType: "LONG_TERM" } }, undefined],
    [{ requestParameters: { bearerTokenType: "LONG_TERM" } }, undefined],
    // Only the JSON boolean and its text mark a call, as the rules' `is` and the SCP preview read the marker.
    [{ requestParameters: { callWithBearerToken: "TRUE", bearerTokenType: "LONG_TERM" } }, undefined],
    [{ additionalEventData: "not json" }, undefined],
    [{ requestParameters: null, additionalEventData: [true] }, undefined],
  ] as [CloudTrailRecord, string | undefined][])("%j -> %s", (record, kind) => {
    expect(bearerTokenKindOf(record)).toBe(kind);
  });

  it("property: without callWithBearerToken the signing credential decides", () => {
    const anything = fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.integer());
    fc.assert(
      fc.property(
        fc.record({ bearerTokenType: anything, other: anything }),
        fc.record({ callWithBearerToken: fc.oneof(fc.constant(false), fc.constant("false"), fc.constant(null)) }),
        fc.constantFrom("AKIAEXAMPLE", "ASIAEXAMPLE", undefined),
        (params, flag, key) => {
          const record: CloudTrailRecord = { requestParameters: { ...params, ...flag }, additionalEventData: params };
          const signing = credentialKindOf("IAMUser", key);
          expect(credentialKindOfRecord(record, signing)).toBe(signing);
        },
      ),
    );
  });
});

describe("findings say when a Bedrock API key was used", () => {
  it("long-term key: credential_kind, the IAM user as principal", () => {
    const f = findingWithPrimaryRule(g, LONG);
    expect(f.guardrail).toMatchObject({
      credential_kind: "bedrock-api-key-long-term",
      principal_kind: "iam-user",
      principal_arn: "arn:aws:iam::222233334444:user/BedrockAPIKey_EXAMPLE",
    });
  });
  it("short-term key: credential_kind, the role that signed it as principal", () => {
    const f = findingOf(g, SHORT);
    expect(f.guardrail).toMatchObject({
      credential_kind: "bedrock-api-key-short-term",
      principal_kind: "role",
      principal_arn: "arn:aws:iam::222233334444:role/team/dev-role",
    });
  });
  it("a signed call keeps the signing credential kind", () => {
    expect(findingOf(g, withIdentity(IDENTITIES.iamUserKey)).guardrail.credential_kind).toBe("long-term-key");
  });
});

describe("who acted when no IAM ARN says it", () => {
  it("Identity Center user: user id and identity store, in the message and the fields", () => {
    const f = findingOf(g, IDC);
    expect(actorOf(IDC)).toEqual({
      identityCenterUserId: "544894e8-80c1-707f-60e3-3ba6510dfac1",
      identityStoreArn: "arn:aws:identitystore::222233334444:identitystore/d-9067642ac7",
      description:
        "Identity Center user 544894e8-80c1-707f-60e3-3ba6510dfac1 of identity store " +
        "arn:aws:identitystore::222233334444:identitystore/d-9067642ac7",
    });
    expect(f.user.id).toBe("544894e8-80c1-707f-60e3-3ba6510dfac1");
    expect(f.aws.cloudtrail.user_identity.on_behalf_of).toEqual({
      user_id: "544894e8-80c1-707f-60e3-3ba6510dfac1",
      identity_store_arn: "arn:aws:identitystore::222233334444:identitystore/d-9067642ac7",
    });
    expect(f.guardrail.actor).toContain("544894e8-80c1-707f-60e3-3ba6510dfac1");
    expect(f.message).toContain("Identity Center user 544894e8-80c1-707f-60e3-3ba6510dfac1");
    expect(f.message).not.toMatch(/^unknown /);
  });
  it("AWS service: invokedBy in the message, never the bare kind", () => {
    const f = findingOf(g, withIdentity(IDENTITIES.awsService));
    expect(f.aws.cloudtrail.user_identity.invoked_by).toBe("bedrock.amazonaws.com");
    expect(f.guardrail.actor).toBe("AWS service bedrock.amazonaws.com");
    expect(f.message).toMatch(/^AWS service bedrock\.amazonaws\.com /);
  });
  it("a role session a service used: both the role and the service", () => {
    const ui = { ...IDENTITIES.approvedRole, invokedBy: "bedrock.amazonaws.com" };
    expect(actorOf(withIdentity(ui)).description).toBe("AWS service bedrock.amazonaws.com");
    const propagated = { ...ui, onBehalfOf: { userId: "u-1" } };
    expect(actorOf(withIdentity(propagated)).description).toBe(
      "Identity Center user u-1 through AWS service bedrock.amazonaws.com",
    );
  });
  it("an IAM principal names itself: no actor", () => {
    expect(findingOf(g, withIdentity(IDENTITIES.iamUserKey)).guardrail.actor).toBeUndefined();
  });
});
