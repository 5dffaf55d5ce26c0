/**
 * Generated histories for the correlation rules: a few credentials (long-term keys, a role, a Bedrock
 * API key user) calling enumeration and invocation APIs in a few Regions, with and without errors,
 * over a few hours, so that every shipped correlation rule fires on some of them and not on others.
 */
import fc from "fast-check";
import type { CloudTrailRecord } from "../../../src/detection/record";

const KEYS = ["AKIAEXAMPLEEXAMPLE01", "AKIAEXAMPLEEXAMPLE02", "ASIAEXAMPLEEXAMPLE03"];
const ROLE_SESSIONS = ["one", "two"];
const NAMES = [
  "ListFoundationModels",
  "GetFoundationModelAvailability",
  "InvokeModel",
  "InvokeModel",
  "Converse",
  "InvokeModelWithResponseStream",
];
const REGIONS = ["us-east-1", "us-west-2", "eu-central-1", "ap-northeast-1"];
const MODELS = ["anthropic.claude-3-sonnet-20240229-v1:0", "amazon.nova-pro-v1:0", "meta.llama3-70b-instruct-v1:0"];
const ERRORS = [undefined, undefined, undefined, "AccessDeniedException", "ValidationException", "ThrottlingException"];
export const HISTORY_START_MS = Date.parse("2026-01-15T00:00:00Z");
/** Histories span this long: several windows of every rule, short of the new-term baseline. */
export const HISTORY_SPAN_MS = 4 * 3600_000;

/**
 * The bearer-token markers of a Bedrock API key's call, written or not (AWS documents them for runtime
 * calls, not that every record of the key has them): none, the marker alone, with the key type, or in
 * requestParameters with mantle's spelling of the type.
 */
const MARKERS: { additionalEventData?: Record<string, unknown>; requestParameters?: Record<string, unknown> }[] = [
  {},
  { additionalEventData: { callWithBearerToken: true } },
  { additionalEventData: { callWithBearerToken: true, bearerTokenType: "LONG_TERM" } },
  { requestParameters: { callWithBearerToken: true, bearerTokenType: "ABSK" } },
];

function identity(who: number, key: number): Record<string, unknown> {
  if (who === 2)
    // The user behind a long-term Bedrock API key: a bearer-token call has no access key.
    return {
      type: "IAMUser",
      arn: "arn:aws:iam::111122223333:user/BedrockAPIKey-q7r3",
      accountId: "111122223333",
      userName: "BedrockAPIKey-q7r3",
    };
  if (who === 0)
    return {
      type: "IAMUser",
      arn: "arn:aws:iam::111122223333:user/ci",
      accountId: "111122223333",
      accessKeyId: KEYS[key % 2],
      userName: "ci",
    };
  const session = ROLE_SESSIONS[key % ROLE_SESSIONS.length];
  return {
    type: "AssumedRole",
    arn: `arn:aws:sts::111122223333:assumed-role/app/${session}`,
    accountId: "111122223333",
    accessKeyId: `${KEYS[2]}${session}`,
    sessionContext: {
      sessionIssuer: { type: "Role", arn: "arn:aws:iam::111122223333:role/app", accountId: "111122223333" },
    },
  };
}

const recordArb = fc
  .record({
    offsetS: fc.integer({ min: 0, max: HISTORY_SPAN_MS / 1000 - 1 }),
    who: fc.integer({ min: 0, max: 2 }),
    marker: fc.integer({ min: 0, max: MARKERS.length - 1 }),
    key: fc.integer({ min: 0, max: 3 }),
    name: fc.constantFrom(...NAMES),
    region: fc.constantFrom(...REGIONS),
    model: fc.constantFrom(...MODELS),
    error: fc.constantFrom(...ERRORS),
    burst: fc.integer({ min: 1, max: 25 }),
  })
  .map((r) => {
    const time = new Date(HISTORY_START_MS + r.offsetS * 1000).toISOString().replace(/\.000Z$/, "Z");
    const base: CloudTrailRecord = {
      eventTime: time,
      eventSource: "bedrock.amazonaws.com",
      eventName: r.name,
      awsRegion: r.region,
      recipientAccountId: "111122223333",
      userIdentity: identity(r.who, r.key),
      requestParameters: { modelId: r.model },
      ...(r.error ? { errorCode: r.error } : {}),
    };
    if (r.who === 2) {
      const { additionalEventData, requestParameters } = MARKERS[r.marker];
      if (additionalEventData) base.additionalEventData = additionalEventData;
      if (requestParameters) base.requestParameters = { modelId: r.model, ...requestParameters };
    }
    // Failed invocations come in bursts, as probing does, so the threshold rule fires in some histories.
    const copies = r.error && r.name !== "ListFoundationModels" ? r.burst : 1;
    return Array.from({ length: copies }, (_, i) => ({
      ...base,
      eventTime: new Date(Date.parse(time) + i * 7000).toISOString().replace(/\.000Z$/, "Z"),
    }));
  });

/** A history: records with unique ids (in no particular order). */
export const historyArb = fc
  .array(recordArb, { minLength: 1, maxLength: 40 })
  .map((groups) =>
    groups.flat().map((r, i) => ({ ...r, eventID: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}` })),
  );
