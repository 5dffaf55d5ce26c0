/** fast-check generators of CloudTrail records for the guarded events, across every identity kind. */
import fc from "fast-check";
import type { CloudTrailRecord } from "../../src/detection/record";
import { MGMT } from "./helpers";

const ACCOUNTS = [MGMT, "111111111111", "222222222222"];
const ROLE_PATHS = [
  "BedrockModelAccessAdmin",
  "BreakGlass",
  "test-role",
  "team/test-role",
  "bedrock-guardrail/BedrockGuardrailRemediation",
  "bedrock-guardrail/bedrock-guardrail-query-job",
  "aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_abc123",
  "aws-service-role/example.amazonaws.com/AWSServiceRoleForExample",
];
const USER_PATHS = ["alice", "ci/deploy-bot", "BreakGlass"];

const keyId = (prefix: "AKIA" | "ASIA") => fc.stringMatching(/^[A-Z0-9]{16}$/).map((s) => prefix + s);

const identity = fc.oneof(
  fc
    .record({
      account: fc.constantFrom(...ACCOUNTS),
      path: fc.constantFrom(...USER_PATHS),
      key: fc.oneof(keyId("AKIA"), keyId("ASIA")),
    })
    .map(({ account, path, key }) => ({
      type: "IAMUser",
      arn: `arn:aws:iam::${account}:user/${path}`,
      accountId: account,
      accessKeyId: key,
      userName: path.split("/").pop(),
    })),
  fc
    .record({
      account: fc.constantFrom(...ACCOUNTS),
      path: fc.constantFrom(...ROLE_PATHS),
      key: keyId("ASIA"),
      issuer: fc.boolean(),
    })
    .map(({ account, path, key, issuer }) => {
      const name = path.split("/").pop()!;
      return {
        type: "AssumedRole",
        arn: `arn:aws:sts::${account}:assumed-role/${name}/session`,
        accountId: account,
        accessKeyId: key,
        ...(issuer
          ? {
              sessionContext: {
                sessionIssuer: {
                  type: "Role",
                  arn: `arn:aws:iam::${account}:role/${path}`,
                  userName: name,
                  accountId: account,
                },
              },
            }
          : {}),
      };
    }),
  fc
    .record({ account: fc.constantFrom(...ACCOUNTS), key: fc.option(keyId("AKIA"), { nil: undefined }) })
    .map(({ account, key }) => ({
      type: "Root",
      arn: `arn:aws:iam::${account}:root`,
      accountId: account,
      accessKeyId: key,
    })),
  fc.constantFrom(ACCOUNTS).map((a) => ({
    type: "FederatedUser",
    arn: `arn:aws:sts::${a[1]}:federated-user/bob`,
    accountId: a[1],
    accessKeyId: "ASIAFEDERATED0000001",
  })),
  fc.constant({ type: "AWSService", invokedBy: "bedrock.amazonaws.com" }),
  fc.constant({ type: "SAMLUser" }),
  // A long-term Bedrock API key's IAM user; the id CloudTrail logs for it (if any) is undocumented.
  fc
    .record({
      account: fc.constantFrom(...ACCOUNTS),
      path: fc.constantFrom(...USER_PATHS),
      key: fc.option(
        fc.stringMatching(/^[A-Z0-9]{16}$/).map((s) => `ACCA${s}`),
        { nil: undefined },
      ),
    })
    .map(({ account, path, key }) => ({
      type: "IAMUser",
      arn: `arn:aws:iam::${account}:user/${path}`,
      accountId: account,
      ...(key ? { accessKeyId: key } : {}),
      userName: path.split("/").pop(),
    })),
  fc.constantFrom(...ACCOUNTS).map((account) => ({
    type: "IdentityCenterUser",
    accountId: account,
    onBehalfOf: {
      userId: "544894e8-80c1-707f-60e3-3ba6510dfac1",
      identityStoreArn: `arn:aws:identitystore::${account}:identitystore/d-9067642ac7`,
    },
  })),
);

/** The bearer-token marks of a Bedrock API key call, in either object the parser reads (or none: a signed call). */
const bearer = fc.option(
  fc.record({
    where: fc.constantFrom("additionalEventData" as const, "requestParameters" as const),
    type: fc.constantFrom("LONG_TERM", "SHORT_TERM", undefined),
  }),
  { nil: undefined },
);

export const guardedRecord: fc.Arbitrary<CloudTrailRecord> = fc
  .record({
    identity,
    eventName: fc.constantFrom(
      "PutUseCaseForModelAccess",
      "CreateFoundationModelAgreement",
      "PutFoundationModelEntitlement",
    ),
    recipient: fc.constantFrom(...ACCOUNTS),
    region: fc.constantFrom("us-east-1", "eu-west-1"),
    denied: fc.boolean(),
    id: fc.uuid(),
    bearer,
  })
  .map(({ identity, eventName, recipient, region, denied, id, bearer }) => {
    const marks = bearer ? { callWithBearerToken: true, ...(bearer.type ? { bearerTokenType: bearer.type } : {}) } : {};
    const params =
      eventName === "PutUseCaseForModelAccess" ? {} : { modelId: "anthropic.claude-3-sonnet-20240229-v1:0" };
    const inParams = bearer?.where === "requestParameters" ? { ...params, ...marks } : params;
    return {
      eventID: id,
      eventTime: "2026-11-20T09:15:02Z",
      eventSource: "bedrock.amazonaws.com",
      eventName,
      awsRegion: region,
      recipientAccountId: recipient,
      userIdentity: identity,
      requestParameters: Object.keys(inParams).length > 0 ? inParams : null,
      ...(bearer?.where === "additionalEventData" ? { additionalEventData: marks } : {}),
      ...(denied ? { errorCode: "AccessDenied" } : {}),
    };
  });

export const mode = fc.constantFrom("off" as const, "dry-run" as const, "enforce" as const);
