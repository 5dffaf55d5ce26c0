import {
  DeleteFoundationModelAgreementCommand,
  ResourceNotFoundException as BedrockNotFound,
} from "@aws-sdk/client-bedrock";
import {
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  LimitExceededException,
  ListAccessKeysCommand,
  ListServiceSpecificCredentialsCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
  UpdateServiceSpecificCredentialCommand,
} from "@aws-sdk/client-iam";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  ResourceNotFoundException as SecretNotFound,
} from "@aws-sdk/client-secrets-manager";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { executeAction } from "../../src/remediation/executor";
import { AssumeRoleClientProvider, type MemberClients } from "../../src/remediation/member-clients";
import { planRemediation } from "../../src/remediation/planner";
import { REVOCATION_SID } from "../../src/remediation/revocation-policy";
import { ROTATION_KEY_ALIAS } from "../../src/remediation/secret-policy";
import type { PlannedAction } from "../../src/remediation/types";
import { findingOf, fixture, guardrailWith, IAM_USER_RECORD, MGMT, sample } from "./helpers";
import { awsError, awsMocks, everyAccountAMember, localClients } from "./mocks";

const aws = awsMocks();
afterEach(() => aws.reset());
afterAll(() => aws.restore());

const NOW = new Date("2026-11-20T09:20:00Z");
const KEY = "AKIAEXAMPLEKEY000001";
const OTHER_KEY = "AKIAEXAMPLEKEY000002";
const READER = "arn:aws:iam::111122223333:role/IncidentResponder";

function plan(
  accessKey: "deactivate" | "rotate" = "deactivate",
  record = fixture(IAM_USER_RECORD),
): Record<string, PlannedAction> {
  const g = guardrailWith({ remediation: { mode: "enforce", accessKey, rotatedSecretReaders: [READER] } });
  return Object.fromEntries(
    planRemediation(findingOf(g, record), g, { now: NOW, managementAccountId: MGMT }).map((a) => [a.kind, a]),
  );
}
const clients = (): Promise<MemberClients> => localClients().forAccount("111122223333");
const passes = () => undefined;
const run = (a: PlannedAction) => executeAction(a, clients, passes);
const bothKeys = (status: "Active" | "Inactive" = "Active") => ({
  AccessKeyMetadata: [
    { UserName: "deploy-bot", AccessKeyId: KEY, Status: status },
    { UserName: "deploy-bot", AccessKeyId: OTHER_KEY, Status: "Active" as const },
  ],
});

describe("executor: access keys", () => {
  it("deactivates the offending key only, recording before and after", async () => {
    aws.iam.on(ListAccessKeysCommand).resolves(bothKeys());
    aws.iam.on(UpdateAccessKeyCommand).resolves({});
    const r = await run(plan()["deactivate-key"]);
    expect(r).toMatchObject({ status: "ok", before: { status: "Active" }, after: { status: "Inactive" } });
    const updates = aws.iam.commandCalls(UpdateAccessKeyCommand);
    expect(updates.map((c) => c.args[0].input)).toEqual([
      { UserName: "deploy-bot", AccessKeyId: KEY, Status: "Inactive" },
    ]);
  });

  it("an inactive key is already done; a vanished key is skipped", async () => {
    aws.iam.on(ListAccessKeysCommand).resolvesOnce(bothKeys("Inactive")).resolvesOnce({ AccessKeyMetadata: [] });
    expect((await run(plan()["deactivate-key"])).status).toBe("already-done");
    expect((await run(plan()["deactivate-key"])).status).toBe("skipped");
    expect(aws.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
  });

  const newKey = (secret = "s3cr3t") => ({
    AccessKey: {
      UserName: "deploy-bot",
      AccessKeyId: "AKIANEWKEY0000000001",
      SecretAccessKey: secret,
      Status: "Active" as const,
      CreateDate: NOW,
    },
  });
  const onlyOffending = (status: "Active" | "Inactive") => ({
    AccessKeyMetadata: [{ UserName: "deploy-bot", AccessKeyId: KEY, Status: status }],
  });

  it("rotates once contained: empty secret under the KMS key, reader policy, then key and value", async () => {
    aws.iam.on(ListAccessKeysCommand).resolves(onlyOffending("Inactive"));
    aws.secrets.on(DescribeSecretCommand).rejects(new SecretNotFound({ message: "no", $metadata: {} }));
    aws.iam.on(CreateAccessKeyCommand).resolves(newKey());
    aws.secrets.on(CreateSecretCommand).resolves({});
    aws.secrets.on(PutResourcePolicyCommand).resolves({});
    aws.secrets.on(PutSecretValueCommand).resolves({});
    const r = await run(plan("rotate")["rotate-key"]);
    expect(r.status).toBe("ok");
    const created = aws.secrets.commandCalls(CreateSecretCommand)[0].args[0].input;
    expect(created.Name).toBe("bedrock-guardrail/rotated-keys/222233334444/deploy-bot/AKIAEXAMPLEKEY000001");
    expect(created.KmsKeyId).toBe(ROTATION_KEY_ALIAS);
    expect(created.Tags).toEqual([{ Key: "managed-by", Value: "bedrock-guardrail" }]);
    expect(created.SecretString).toBeUndefined();
    const policy = aws.secrets.commandCalls(PutResourcePolicyCommand)[0].args[0].input;
    expect(policy.BlockPublicPolicy).toBe(true);
    expect(JSON.parse(policy.ResourcePolicy!).Statement[0]).toMatchObject({
      Effect: "Deny",
      Action: "secretsmanager:GetSecretValue",
      Condition: { ArnNotLike: { "aws:PrincipalArn": [READER] } },
    });
    const stored = aws.secrets.commandCalls(PutSecretValueCommand)[0].args[0].input;
    expect(JSON.parse(stored.SecretString!)).toMatchObject({
      AccessKeyId: "AKIANEWKEY0000000001",
      SecretAccessKey: "s3cr3t",
    });
    // The value is stored only after the policy guards the secret.
    const seq = aws.secrets.calls().map((c) => c.args[0].constructor.name);
    expect(seq.indexOf("PutResourcePolicyCommand")).toBeLessThan(seq.indexOf("PutSecretValueCommand"));
    expect(JSON.stringify(r)).not.toContain("s3cr3t");
  });

  it("refuses rotation while the offending key is still active (containment first)", async () => {
    aws.iam.on(ListAccessKeysCommand).resolves(onlyOffending("Active"));
    const r = await run(plan("rotate")["rotate-key"]);
    expect(r.status).toBe("skipped");
    expect(r.reason).toMatch(/still active/);
    expect(aws.iam.commandCalls(CreateAccessKeyCommand)).toHaveLength(0);
    expect(aws.secrets.commandCalls(CreateSecretCommand)).toHaveLength(0);
  });

  it("refuses rotation when the user already has two keys, and says so", async () => {
    aws.iam.on(ListAccessKeysCommand).resolves(bothKeys("Inactive"));
    aws.secrets.on(DescribeSecretCommand).rejects(new SecretNotFound({ message: "no", $metadata: {} }));
    const r = await run(plan("rotate")["rotate-key"]);
    expect(r.status).toBe("skipped");
    expect(r.reason).toMatch(/rotation refused: user deploy-bot already has two access keys/);
    expect(aws.iam.commandCalls(CreateAccessKeyCommand)).toHaveLength(0);
  });

  /** DescribeSecret of a secret this tool created: its tag, under the rotation key. */
  const ours = { KmsKeyId: ROTATION_KEY_ALIAS, Tags: [{ Key: "managed-by", Value: "bedrock-guardrail" }] };

  it("an empty secret left by a crash is reused; a secret with a value means already rotated", async () => {
    aws.iam.on(ListAccessKeysCommand).resolves(onlyOffending("Inactive"));
    aws.secrets
      .on(DescribeSecretCommand)
      .resolvesOnce({ ...ours, VersionIdsToStages: {} })
      .resolvesOnce({ ...ours, VersionIdsToStages: { v1: ["AWSCURRENT"] } });
    aws.iam.on(CreateAccessKeyCommand).resolves(newKey());
    aws.secrets.on(PutResourcePolicyCommand).resolves({});
    aws.secrets.on(PutSecretValueCommand).resolves({});
    expect((await run(plan("rotate")["rotate-key"])).status).toBe("ok");
    expect(aws.secrets.commandCalls(CreateSecretCommand)).toHaveLength(0);
    expect((await run(plan("rotate")["rotate-key"])).status).toBe("already-done");
    expect(aws.iam.commandCalls(CreateAccessKeyCommand)).toHaveLength(1);
  });

  it.each([
    ["another KMS key", { ...ours, KmsKeyId: "arn:aws:kms:us-east-1:222233334444:key/their-own" }, /encrypted with/],
    [
      "the rotation alias of another account",
      { ...ours, KmsKeyId: `arn:aws:kms:us-east-1:999999999999:${ROTATION_KEY_ALIAS}` },
      /encrypted with arn:aws:kms:us-east-1:999999999999:alias/,
    ],
    ["the default aws/secretsmanager key", { ...ours, KmsKeyId: undefined }, /encrypted with aws\/secretsmanager/],
    ["no tag of this tool", { KmsKeyId: ROTATION_KEY_ALIAS }, /lacks this tool's tag/],
    ["replicas", { ...ours, ReplicationStatus: [{ Region: "eu-west-1" }] }, /replicated to other regions/],
  ])("a secret someone else created first (%s) is refused before any key is created", async (_l, secret, why) => {
    aws.iam.on(ListAccessKeysCommand).resolves(onlyOffending("Inactive"));
    for (const versions of [{}, { v1: ["AWSCURRENT"] }] as Record<string, string[]>[]) {
      aws.secrets.on(DescribeSecretCommand).resolves({ ...secret, VersionIdsToStages: versions });
      const r = await run(plan("rotate")["rotate-key"]);
      expect(r.status).toBe("skipped");
      expect(r.reason).toMatch(/^rotation refused: secret \S+ already exists and is not one this tool created/);
      expect(r.reason).toMatch(why);
    }
    expect(aws.iam.commandCalls(CreateAccessKeyCommand)).toHaveLength(0);
    expect(aws.mutatingCalls()).toEqual([]);
  });

  it("a secret of this tool's under the rotation alias's ARN in this account is its own", async () => {
    aws.iam.on(ListAccessKeysCommand).resolves(onlyOffending("Inactive"));
    const aliasArn = `arn:aws:kms:us-east-1:222233334444:${ROTATION_KEY_ALIAS}`;
    aws.secrets.on(DescribeSecretCommand).resolves({ ...ours, KmsKeyId: aliasArn, VersionIdsToStages: {} });
    aws.iam.on(CreateAccessKeyCommand).resolves(newKey());
    aws.secrets.on(PutResourcePolicyCommand).resolves({});
    aws.secrets.on(PutSecretValueCommand).resolves({});
    expect((await run(plan("rotate")["rotate-key"])).status).toBe("ok");
  });

  it("a rotation whose secret value cannot be stored deletes the new key again", async () => {
    aws.iam.on(ListAccessKeysCommand).resolves(onlyOffending("Inactive"));
    aws.secrets.on(DescribeSecretCommand).rejects(new SecretNotFound({ message: "no", $metadata: {} }));
    aws.secrets.on(CreateSecretCommand).resolves({});
    aws.secrets.on(PutResourcePolicyCommand).resolves({});
    aws.iam.on(CreateAccessKeyCommand).resolves(newKey("s"));
    aws.secrets.on(PutSecretValueCommand).rejects(awsError("AccessDeniedException", "kms denied", 403));
    aws.iam.on(DeleteAccessKeyCommand).resolves({});
    const r = await run(plan("rotate")["rotate-key"]);
    expect(r.status).toBe("error");
    expect(aws.iam.commandCalls(DeleteAccessKeyCommand)[0].args[0].input).toEqual({
      UserName: "deploy-bot",
      AccessKeyId: "AKIANEWKEY0000000001",
    });
  });

  it("a secret policy that cannot be put stops the rotation before any key exists", async () => {
    aws.iam.on(ListAccessKeysCommand).resolves(onlyOffending("Inactive"));
    aws.secrets.on(DescribeSecretCommand).rejects(new SecretNotFound({ message: "no", $metadata: {} }));
    aws.secrets.on(CreateSecretCommand).resolves({});
    aws.secrets.on(PutResourcePolicyCommand).rejects(awsError("MalformedPolicyDocumentException", "public", 400));
    const r = await run(plan("rotate")["rotate-key"]);
    expect(r.status).toBe("error");
    expect(aws.iam.commandCalls(CreateAccessKeyCommand)).toHaveLength(0);
  });
});

describe("executor: Bedrock API keys (service-specific credentials)", () => {
  const cred = (id: string, status: "Active" | "Inactive" | "Expired", serviceName = "bedrock.amazonaws.com") => ({
    UserName: "deploy-bot",
    ServiceSpecificCredentialId: id,
    ServiceName: serviceName,
    Status: status,
    CreateDate: NOW,
  });
  const action = (credentialId?: string): PlannedAction => ({
    ...plan()["deactivate-key"],
    kind: "deactivate-service-credentials",
    api: "iam:UpdateServiceSpecificCredential",
    params: {
      userName: "deploy-bot",
      serviceName: "bedrock.amazonaws.com",
      ...(credentialId ? { serviceSpecificCredentialId: credentialId } : {}),
    },
  });

  it("without an id: every active Bedrock credential, none of another service, over every page", async () => {
    aws.iam
      .on(ListServiceSpecificCredentialsCommand)
      .resolvesOnce({
        ServiceSpecificCredentials: [cred("ACCAEXAMPLE000000001", "Active"), cred("ACCAEXAMPLE000000002", "Inactive")],
        IsTruncated: true,
        Marker: "m1",
      })
      .resolvesOnce({
        ServiceSpecificCredentials: [
          cred("ACCAEXAMPLE000000003", "Active"),
          cred("ACCAEXAMPLE000000009", "Active", "codecommit.amazonaws.com"),
        ],
      });
    aws.iam.on(UpdateServiceSpecificCredentialCommand).resolves({});
    const r = await run(action());
    expect(r.status).toBe("ok");
    expect(aws.iam.commandCalls(ListServiceSpecificCredentialsCommand).map((c) => c.args[0].input)).toEqual([
      { UserName: "deploy-bot", ServiceName: "bedrock.amazonaws.com", Marker: undefined },
      { UserName: "deploy-bot", ServiceName: "bedrock.amazonaws.com", Marker: "m1" },
    ]);
    expect(aws.iam.commandCalls(UpdateServiceSpecificCredentialCommand).map((c) => c.args[0].input)).toEqual([
      { UserName: "deploy-bot", ServiceSpecificCredentialId: "ACCAEXAMPLE000000001", Status: "Inactive" },
      { UserName: "deploy-bot", ServiceSpecificCredentialId: "ACCAEXAMPLE000000003", Status: "Inactive" },
    ]);
    expect(r.after).toMatchObject({ deactivated: ["ACCAEXAMPLE000000001", "ACCAEXAMPLE000000003"] });
  });

  it("with an id: only that credential; none active is already done; none at all is skipped", async () => {
    aws.iam
      .on(ListServiceSpecificCredentialsCommand)
      .resolvesOnce({
        ServiceSpecificCredentials: [cred("ACCAEXAMPLE000000001", "Active"), cred("ACCAEXAMPLE000000002", "Active")],
      })
      .resolvesOnce({ ServiceSpecificCredentials: [cred("ACCAEXAMPLE000000001", "Inactive")] })
      .resolvesOnce({ ServiceSpecificCredentials: [] });
    aws.iam.on(UpdateServiceSpecificCredentialCommand).resolves({});
    expect((await run(action("ACCAEXAMPLE000000002"))).status).toBe("ok");
    expect(aws.iam.commandCalls(UpdateServiceSpecificCredentialCommand).map((c) => c.args[0].input)).toEqual([
      { UserName: "deploy-bot", ServiceSpecificCredentialId: "ACCAEXAMPLE000000002", Status: "Inactive" },
    ]);
    expect((await run(action())).status).toBe("already-done");
    expect((await run(action())).status).toBe("skipped");
  });
});

describe("executor: session revocation", () => {
  it("puts AWSRevokeOlderSessions on the role when there is none", async () => {
    aws.iam.on(GetRolePolicyCommand).rejects(new NoSuchEntityException({ message: "none", $metadata: {} }));
    aws.iam.on(PutRolePolicyCommand).resolves({});
    const a = plan("deactivate", sample("stratus__CreateFoundationModelAgreement"))["revoke-role-sessions"];
    expect((await run(a)).status).toBe("ok");
    const input = aws.iam.commandCalls(PutRolePolicyCommand)[0].args[0].input;
    expect(input).toMatchObject({ RoleName: "test-role", PolicyName: "AWSRevokeOlderSessions" });
    expect(JSON.parse(input.PolicyDocument!).Statement).toEqual([
      {
        Sid: REVOCATION_SID,
        Effect: "Deny",
        Action: ["*"],
        Resource: ["*"],
        Condition: { DateLessThan: { "aws:TokenIssueTime": "2026-11-20T09:20:30.000Z" } },
      },
    ]);
  });

  it("an existing revocation later than the offending call is already done", async () => {
    const doc = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Deny",
          Action: "*",
          Resource: "*",
          Condition: { DateLessThan: { "aws:TokenIssueTime": "2025-01-01T00:00:00Z" } },
        },
      ],
    };
    aws.iam.on(GetRolePolicyCommand).resolves({
      RoleName: "test-role",
      PolicyName: "AWSRevokeOlderSessions",
      PolicyDocument: encodeURIComponent(JSON.stringify(doc)),
    });
    const a = plan("deactivate", sample("stratus__CreateFoundationModelAgreement"))["revoke-role-sessions"];
    expect((await run(a)).status).toBe("already-done");
    expect(aws.iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
  });

  it("a deny planted with a condition that never holds is no revocation: ours is put", async () => {
    const inert = {
      Effect: "Deny",
      Action: "*",
      Resource: "*",
      Condition: {
        DateLessThan: { "aws:TokenIssueTime": "2099-01-01T00:00:00Z", "aws:CurrentTime": "2000-01-01T00:00:00Z" },
      },
    };
    aws.iam.on(GetRolePolicyCommand).resolves({
      RoleName: "test-role",
      PolicyName: "AWSRevokeOlderSessions",
      PolicyDocument: encodeURIComponent(JSON.stringify({ Version: "2012-10-17", Statement: [inert] })),
    });
    aws.iam.on(PutRolePolicyCommand).resolves({});
    const a = plan("deactivate", sample("stratus__CreateFoundationModelAgreement"))["revoke-role-sessions"];
    expect((await run(a)).status).toBe("ok");
    const put = JSON.parse(aws.iam.commandCalls(PutRolePolicyCommand)[0].args[0].input.PolicyDocument!);
    expect(put.Statement).toEqual([inert, expect.objectContaining({ Sid: REVOCATION_SID })]);
  });

  it.each([
    "Jan 1 2099",
    "1/1/2099",
    "Tue, 01 Jan 2099 00:00:00 GMT",
    "2099-01-01 00:00",
    "2099-01-01T00:00:00",
    // ISO 8601's shape, but no time of the calendar: Date() would roll each over to a day in 2099.
    "2099-02-30T00:00Z",
    "2099-04-31T00:00:00Z",
    "2099-01-01T24:00Z",
  ])("a deny planted with a date IAM does not read as one (%s) is no revocation: ours is put", async (date) => {
    // JavaScript's Date reads each as a day in 2099; IAM's date operators take ISO 8601 with a zone, or epoch time.
    expect(new Date(date).getUTCFullYear()).toBe(2099);
    const planted = {
      Effect: "Deny",
      Action: "*",
      Resource: "*",
      Condition: { DateLessThan: { "aws:TokenIssueTime": date } },
    };
    aws.iam.on(GetRolePolicyCommand).resolves({
      RoleName: "test-role",
      PolicyName: "AWSRevokeOlderSessions",
      PolicyDocument: encodeURIComponent(JSON.stringify({ Version: "2012-10-17", Statement: [planted] })),
    });
    aws.iam.on(PutRolePolicyCommand).resolves({});
    const a = plan("deactivate", sample("stratus__CreateFoundationModelAgreement"))["revoke-role-sessions"];
    expect((await run(a)).status).toBe("ok");
    const put = JSON.parse(aws.iam.commandCalls(PutRolePolicyCommand)[0].args[0].input.PolicyDocument!);
    expect(put.Statement).toEqual([planted, expect.objectContaining({ Sid: REVOCATION_SID })]);
  });

  it("a deny with an ISO 8601 offset is read as the instant it names", async () => {
    const withOffset = {
      Effect: "Deny",
      Action: "*",
      Resource: "*",
      Condition: { DateLessThan: { "aws:TokenIssueTime": "2099-01-01T01:00+01:00" } },
    };
    aws.iam.on(GetRolePolicyCommand).resolves({
      RoleName: "test-role",
      PolicyName: "AWSRevokeOlderSessions",
      PolicyDocument: encodeURIComponent(JSON.stringify({ Version: "2012-10-17", Statement: [withOffset] })),
    });
    const a = plan("deactivate", sample("stratus__CreateFoundationModelAgreement"))["revoke-role-sessions"];
    expect(await run(a)).toMatchObject({
      status: "already-done",
      reason: expect.stringContaining("2099-01-01T00:00:00.000Z"),
    });
  });

  it("merges into a user policy someone else started, keeping their statement", async () => {
    const theirs = { Sid: "Theirs", Effect: "Deny", Action: "s3:*", Resource: "*" };
    aws.iam.on(GetUserPolicyCommand).resolves({
      UserName: "deploy-bot",
      PolicyName: "AWSRevokeOlderSessions",
      PolicyDocument: encodeURIComponent(JSON.stringify({ Version: "2012-10-17", Statement: [theirs] })),
    });
    aws.iam.on(PutUserPolicyCommand).resolves({});
    expect((await run(plan()["revoke-user-sessions"])).status).toBe("ok");
    const put = JSON.parse(aws.iam.commandCalls(PutUserPolicyCommand)[0].args[0].input.PolicyDocument!);
    expect(put.Statement[0]).toEqual(theirs);
    expect(put.Statement).toHaveLength(2);
  });
});

describe("executor: agreement and failures", () => {
  it("deletes the agreement in the event's region; none = already done", async () => {
    aws.bedrock
      .on(DeleteFoundationModelAgreementCommand)
      .resolvesOnce({})
      .rejectsOnce(new BedrockNotFound({ message: "no agreement", $metadata: {} }));
    const a = plan()["delete-agreement"];
    expect((await run(a)).status).toBe("ok");
    expect((await run(a)).status).toBe("already-done");
    expect(aws.bedrock.commandCalls(DeleteFoundationModelAgreementCommand)[0].args[0].input).toEqual({
      modelId: "anthropic.claude-3-sonnet-20240229-v1:0",
    });
  });

  it.each([
    ["AccessDenied", awsError("AccessDenied", "not authorized", 403), "error", /access denied/],
    ["throttling", awsError("Throttling", "Rate exceeded"), "error", /throttled/],
    [
      "IAM LimitExceeded",
      new LimitExceededException({
        message: "Cannot exceed quota for PoliciesPerUser",
        $metadata: { httpStatusCode: 409 },
      }),
      "error",
      /quota/,
    ],
    [
      "NoSuchEntity",
      new NoSuchEntityException({ message: "The user with name deploy-bot cannot be found.", $metadata: {} }),
      "skipped",
      /no longer exists/,
    ],
  ])("%s is this action's outcome, never a throw", async (_, error, status, reason) => {
    aws.iam.on(GetUserPolicyCommand).rejects(new NoSuchEntityException({ message: "none", $metadata: {} }));
    aws.iam.on(PutUserPolicyCommand).rejects(error);
    const r = await run(plan()["revoke-user-sessions"]);
    expect(r.status).toBe(status);
    expect(r.reason).toMatch(reason);
  });
});

describe("AssumeRoleClientProvider", () => {
  it("assumes /bedrock-guardrail/<memberRoleName> with the external id once per account per run", async () => {
    aws.sts
      .on(AssumeRoleCommand)
      .resolves({ Credentials: { AccessKeyId: "ASIAX", SecretAccessKey: "y", SessionToken: "z", Expiration: NOW } });
    const p = new AssumeRoleClientProvider({
      sts: new STSClient({ region: "us-east-1" }),
      membership: everyAccountAMember(),
      memberRoleName: "BedrockGuardrailRemediation",
      externalId: "ext-123",
      homeRegion: "us-east-1",
    });
    await Promise.all([p.forAccount("111111111111"), p.forAccount("111111111111"), p.forAccount("222222222222")]);
    const inputs = aws.sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(2);
    expect(inputs[0]).toMatchObject({
      RoleArn: "arn:aws:iam::111111111111:role/bedrock-guardrail/BedrockGuardrailRemediation",
      ExternalId: "ext-123",
    });
  });

  it("a failed AssumeRole fails that account's actions only", async () => {
    aws.sts
      .on(AssumeRoleCommand, {
        RoleArn: "arn:aws:iam::111111111111:role/bedrock-guardrail/BedrockGuardrailRemediation",
      })
      .rejects(awsError("AccessDenied", "not trusted", 403));
    aws.sts
      .on(AssumeRoleCommand, {
        RoleArn: "arn:aws:iam::222222222222:role/bedrock-guardrail/BedrockGuardrailRemediation",
      })
      .resolves({ Credentials: { AccessKeyId: "ASIAX", SecretAccessKey: "y", SessionToken: "z", Expiration: NOW } });
    aws.bedrock.on(DeleteFoundationModelAgreementCommand).resolves({});
    const p = new AssumeRoleClientProvider({
      sts: new STSClient({ region: "us-east-1" }),
      membership: everyAccountAMember(),
      memberRoleName: "BedrockGuardrailRemediation",
      homeRegion: "us-east-1",
    });
    const a = plan()["delete-agreement"];
    const bad = await executeAction({ ...a, accountId: "111111111111" }, () => p.forAccount("111111111111"), passes);
    const good = await executeAction({ ...a, accountId: "222222222222" }, () => p.forAccount("222222222222"), passes);
    expect(bad).toMatchObject({ status: "error" });
    expect(bad.reason).toMatch(/access denied/);
    expect(good.status).toBe("ok");
  });
});
