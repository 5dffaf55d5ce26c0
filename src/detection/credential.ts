/**
 * How a call was authenticated and who acted, read from one CloudTrail record. Pure: detection
 * writes the results into the finding, remediation plans from the finding, and nothing else reads
 * these record fields.
 *
 * Bedrock API keys: CloudTrail marks a bearer-token call with `callWithBearerToken` and, when the
 * key type is known, `bearerTokenType` (src/arn/bearer-token.ts says how both are read). AWS documents both in
 * `requestParameters` for bedrock-mantle management events; for the classic endpoints the issue names
 * `additionalEventData` too, so both objects are read. The types are read exactly as written, as the rule
 * bedrock-long-term-api-key-used's `equals` matches them on every backend: a spelling AWS has not
 * shown (`long_term`, `LONG-TERM`) is a bearer-token call of unknown type for both, not long-term
 * for one of them only. test/detection/credential.test.ts holds the rule to these lists.
 */
import { bearerTokenTerm, marksBearerToken } from "../arn/bearer-token";
import type { CredentialKind as SigningCredentialKind } from "../arn/principal";
import { asString, type CloudTrailRecord } from "./record";

export type BearerTokenKind = "bedrock-api-key-long-term" | "bedrock-api-key-short-term" | "bedrock-api-key";

/**
 * `long-term-key` / `session` / `root` / `none` describe the signing credential (AKIA, ASIA, root);
 * the `bedrock-api-key*` kinds say a Bedrock API key was used instead: `bedrock-api-key` when the
 * record marks a bearer-token call without saying which type of key.
 */
export type CredentialKind = SigningCredentialKind | BearerTokenKind;

const objectOf = (v: unknown): Record<string, unknown> | undefined => {
  if (typeof v === "string") {
    // Some pipelines (Athena, CloudTrail Lake exports) carry these objects as JSON text.
    try {
      return objectOf(JSON.parse(v));
    } catch {
      return undefined;
    }
  }
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
};

/** The Bedrock API key kind of a bearer-token call, or undefined when the call was signed (SigV4). */
export function bearerTokenKindOf(record: CloudTrailRecord): BearerTokenKind | undefined {
  const sources = [objectOf(record.additionalEventData), objectOf(record.requestParameters)].filter(
    (s): s is Record<string, unknown> => s !== undefined,
  );
  if (!sources.some(marksBearerToken)) return undefined;
  const term = sources.map((s) => bearerTokenTerm(s.bearerTokenType)).find((t) => t !== undefined);
  if (term === undefined) return "bedrock-api-key";
  return term === "long-term" ? "bedrock-api-key-long-term" : "bedrock-api-key-short-term";
}

/** The finding's credential kind: the API key kind when a bearer token was used, else the signing credential's. */
export function credentialKindOfRecord(record: CloudTrailRecord, signing: SigningCredentialKind): CredentialKind {
  return bearerTokenKindOf(record) ?? signing;
}

/** Who acted, where the record names someone other than (or besides) an IAM principal. */
export interface Actor {
  /** `userIdentity.onBehalfOf.userId`: the IAM Identity Center user the call was made for. */
  identityCenterUserId?: string;
  /** `userIdentity.onBehalfOf.identityStoreArn`: the identity store that holds that user. */
  identityStoreArn?: string;
  /** `userIdentity.invokedBy`: the AWS service that made the call (for a principal, or as itself). */
  invokedBy?: string;
  /** One line naming who acted, for messages; undefined when the record names nobody beyond its ARN. */
  description?: string;
}

/**
 * Reads `onBehalfOf` (IdentityCenterUser records, and role sessions with trusted identity
 * propagation, as the CloudTrail userIdentity reference documents) and `invokedBy` (AWSService
 * records, and principals a service acted for).
 */
export function actorOf(record: CloudTrailRecord): Actor {
  const ui = objectOf(record.userIdentity) ?? {};
  const onBehalfOf = objectOf(ui.onBehalfOf) ?? {};
  const identityCenterUserId = asString(onBehalfOf.userId);
  const identityStoreArn = asString(onBehalfOf.identityStoreArn);
  const invokedBy = asString(ui.invokedBy);
  const parts: string[] = [];
  if (identityCenterUserId)
    parts.push(
      `Identity Center user ${identityCenterUserId}${identityStoreArn ? ` of identity store ${identityStoreArn}` : ""}`,
    );
  if (invokedBy) parts.push(`${parts.length > 0 ? "through " : ""}AWS service ${invokedBy}`);
  return {
    ...(identityCenterUserId ? { identityCenterUserId } : {}),
    ...(identityStoreArn ? { identityStoreArn } : {}),
    ...(invokedBy ? { invokedBy } : {}),
    ...(parts.length > 0 ? { description: parts.join(" ") } : {}),
  };
}
