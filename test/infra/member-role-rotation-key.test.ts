/**
 * remediation.accessKey rotate: the replacement key is stored under two locks, proven with an
 * independent IAM simulator (dev-only) after resolving the template's intrinsics. The secret's
 * resource policy denies GetSecretValue to everyone but the readers, so a stolen administrator key
 * in the member account cannot read it; the KMS key (created by the member-role template) lets the
 * account administer but not decrypt, the member role encrypt through Secrets Manager, and only the
 * readers decrypt.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { rotatedSecretPolicy } from "../../src/remediation/secret-policy";
import { enforcing, resources, synthMemberRole } from "./helpers";

const MEMBER = "444455556666";
const MONITOR = "111122223333";
const OPERATOR = "arn:aws:iam::222233334444:role/IncidentResponder";
const MEMBER_ROLE = `arn:aws:iam::${MEMBER}:role/bedrock-guardrail/BedrockGuardrailRemediation`;
const RESPONDER = `arn:aws:iam::${MONITOR}:role/bedrock-guardrail/bedrock-guardrail-query-job`;
const ADMIN = `arn:aws:iam::${MEMBER}:role/Admin`;
const PARAMS: Record<string, string> = {
  "AWS::Partition": "aws",
  "AWS::AccountId": MEMBER,
  "AWS::Region": "us-east-1",
  MonitorAccountId: MONITOR,
  OrganizationId: "o-abcdefghij",
  ExternalId: "bedrock-guardrail-responder",
};

function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.Ref === "string") return PARAMS[o.Ref] ?? `ref:${o.Ref}`;
    if (Array.isArray(o["Fn::GetAtt"]) && (o["Fn::GetAtt"] as string[])[0] === "RemediationRole") return MEMBER_ROLE;
    if (Array.isArray(o["Fn::Join"])) {
      const [sep, parts] = o["Fn::Join"] as [string, unknown[]];
      return parts.map(resolve).join(sep);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v)]));
  }
  return value;
}

const templateOf = (config: Parameters<typeof synthMemberRole>[0]) =>
  JSON.parse(resources(synthMemberRole(enforcing(config)), "aws_cloudformation_stack_set")[0].template_body);

const EVERYTHING = {
  name: "Everything",
  policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
};

async function decide(
  principal: string,
  action: string,
  resource: string,
  resourcePolicy: unknown,
  context: Record<string, string> = {},
): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal,
        action,
        resource: { resource, accountId: MEMBER },
        contextVariables: {
          "aws:PrincipalArn": principal,
          "aws:PrincipalAccount": principal.split(":")[4],
          "aws:PrincipalOrgID": "o-abcdefghij",
          ...context,
        },
      },
      identityPolicies: [EVERYTHING],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
    },
    {},
  );
  if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

describe("rotated-key secrets: the secret's resource policy", () => {
  const secret = `arn:aws:secretsmanager:us-east-1:${MEMBER}:secret:bedrock-guardrail/rotated-keys/x-AbCdEf`;
  const policy = JSON.parse(rotatedSecretPolicy([RESPONDER.replace("query-job", "*"), OPERATOR]));
  const read = (who: string) => decide(who, "secretsmanager:GetSecretValue", secret, policy);

  test("a stolen administrator key in the member account (Action * on *) is explicitly denied", async () => {
    expect(await read(ADMIN)).toBe("ExplicitlyDenied");
    expect(await read(MEMBER_ROLE)).toBe("ExplicitlyDenied");
    expect(await read(`arn:aws:iam::${MEMBER}:user/alice`)).toBe("ExplicitlyDenied");
  });

  test("the readers, in other accounts of the organization, may read it", async () => {
    expect(await read(RESPONDER)).toBe("Allowed");
    expect(await read(OPERATOR)).toBe("Allowed");
    // The readers' names in another account are not readers.
    expect(await read("arn:aws:iam::999999999999:role/IncidentResponder")).not.toBe("Allowed");
  });

  test("a secret without readers is refused, never written world-readable", () => {
    expect(() => rotatedSecretPolicy([])).toThrow(/at least one reader/);
  });
});

describe("rotated-key secrets: the member account's KMS key", () => {
  test("deactivate mode (the default): no key, the template is unchanged", () => {
    expect(Object.keys(templateOf({}).Resources)).toEqual(["RemediationRole"]);
  });

  const body = templateOf({
    remediation: { accessKey: "rotate", operatorPrincipalArns: [OPERATOR] },
  });
  const key = resolve(body.Resources.RotatedKeysKey.Properties.KeyPolicy) as { Statement: any[] };
  const keyArn = `arn:aws:kms:us-east-1:${MEMBER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const via = { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" };

  test("rotate mode: a rotating, tagged key with the alias the executor names", () => {
    expect(body.Resources.RotatedKeysKey.Properties.EnableKeyRotation).toBe(true);
    expect(body.Resources.RotatedKeysAlias.Properties).toEqual({
      AliasName: "alias/bedrock-guardrail/rotated-keys",
      TargetKeyId: { Ref: "RotatedKeysKey" },
    });
  });

  test("the account administers the key but has no use of it and cannot grant itself any", () => {
    const admin = key.Statement.find((s) => s.Sid === "AccountAdministersButCannotDecrypt");
    expect(admin.Principal).toEqual({ AWS: `arn:aws:iam::${MEMBER}:root` });
    for (const a of admin.Action as string[])
      expect(a).not.toMatch(/^kms:(Decrypt|Encrypt|ReEncrypt|GenerateDataKey|CreateGrant|\*)/);
    expect(admin.Action).toContain("kms:PutKeyPolicy");
  });

  test("default readers: this tool's roles in the monitor account and the operators, through Secrets Manager", () => {
    const readers = key.Statement.find((s) => s.Sid === "NamedReadersDecryptThroughSecretsManager");
    expect(readers).toEqual({
      Sid: "NamedReadersDecryptThroughSecretsManager",
      Effect: "Allow",
      Principal: { AWS: ["arn:aws:iam::222233334444:root", `arn:aws:iam::${MONITOR}:root`] },
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: {
        StringEquals: via,
        ArnLike: {
          "aws:PrincipalArn": [OPERATOR, `arn:aws:iam::${MONITOR}:role/bedrock-guardrail/bedrock-guardrail-*`],
        },
      },
    });
  });

  test("the IAM simulator: readers decrypt through Secrets Manager only; the member role encrypts", async () => {
    expect(await decide(RESPONDER, "kms:Decrypt", keyArn, key, via)).toBe("Allowed");
    expect(await decide(OPERATOR, "kms:Decrypt", keyArn, key, via)).toBe("Allowed");
    expect(await decide(OPERATOR, "kms:Decrypt", keyArn, key)).not.toBe("Allowed");
    expect(await decide("arn:aws:iam::222233334444:role/Other", "kms:Decrypt", keyArn, key, via)).not.toBe("Allowed");
    // A stolen administrator key (Action * on *) in the member account: no decryption, no grant to itself.
    expect(await decide(ADMIN, "kms:Decrypt", keyArn, key, via)).not.toBe("Allowed");
    expect(await decide(ADMIN, "kms:CreateGrant", keyArn, key)).not.toBe("Allowed");
    expect(await decide(ADMIN, "kms:DescribeKey", keyArn, key)).toBe("Allowed");
    expect(await decide(MEMBER_ROLE, "kms:GenerateDataKey", keyArn, key, via)).toBe("Allowed");
    expect(await decide(MEMBER_ROLE, "kms:GenerateDataKey", keyArn, key)).not.toBe("Allowed");
  });

  test("configured readers replace the defaults", () => {
    const reader = "arn:aws:iam::777788889999:role/KeyCustodian";
    const custom = resolve(
      templateOf({ remediation: { accessKey: "rotate", rotatedSecretReaders: [reader] } }).Resources.RotatedKeysKey
        .Properties.KeyPolicy,
    ) as { Statement: any[] };
    const readers = custom.Statement.find((s) => s.Sid === "NamedReadersDecryptThroughSecretsManager");
    expect(readers.Condition.ArnLike["aws:PrincipalArn"]).toEqual([reader]);
    expect(readers.Principal).toEqual({ AWS: ["arn:aws:iam::777788889999:root"] });
  });
});
