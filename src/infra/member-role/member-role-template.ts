/**
 * The CloudFormation template the StackSet deploys into every member account: the remediation
 * role `/bedrock-guardrail/<memberRoleName>`, trusted only by the monitor account's responder
 * roles (exact role ARNs) and the configured remediation operators, both with sts:ExternalId and
 * aws:PrincipalOrgID, allowed only the calls the
 * remediation code declares, on the resources those calls need. Pure: config in, JSON out.
 */
import type { PermissionDeclaration } from "../../aws/permissions";
import { ROTATION_KEY_ALIAS } from "../../remediation/secret-policy";
import { TOOL_ROLE_PREFIX } from "../../guardrail/guardrail";
import { ROLE_PATH } from "../naming";
import { type PolicyStatement, type ResourceArns, statementsFromDeclarations } from "../iam/policy-document";
import { KEY_ADMIN_ACTIONS } from "../iam/kms-key-admin";

/** Placeholders in ARNs, turned into CloudFormation Fn::Join over the pseudo parameters. */
const PARTITION = "{partition}";
const ACCOUNT = "{account}";

export interface MemberRoleTemplateProps {
  memberRoleName: string;
  /** Names (without path) of the monitor account's roles that may assume the member role. */
  trustedRoleNames: string[];
  /**
   * ArnLike patterns of people who run remediation from their own credentials
   * (remediation.operatorPrincipalArns, each with an exact account ID); empty: no such statement.
   */
  operatorPrincipalArns?: readonly string[];
  /** What the remediation code calls in member accounts (src/remediation declarations). */
  permissions: readonly PermissionDeclaration[];
  /** Secrets Manager name pattern for rotated keys; its fixed prefix scopes the secret actions. */
  rotatedSecretName: string;
  /** Principal ARN patterns remediation must never touch (approved, break-glass, the tool's own). */
  protectedPrincipalArns: readonly string[];
  /**
   * Who may decrypt rotated keys (remediation.rotatedSecretReaders, each with an exact account);
   * empty: this tool's roles in the monitor account and the operators. Used only when the
   * permissions include storing rotated keys (remediation.accessKey rotate).
   */
  rotatedSecretReaders?: readonly string[];
}

export const TEMPLATE_PARAMETERS = {
  monitorAccountId: "MonitorAccountId",
  organizationId: "OrganizationId",
  externalId: "ExternalId",
} as const;

type CfnValue = string | { "Fn::Join": [string, CfnValue[]] } | { Ref: string };

/** "arn:{partition}:iam::{account}:user/*" -> Fn::Join with Ref AWS::Partition / AWS::AccountId. */
function cfnArn(
  template: string,
  refs: Record<string, string> = { [PARTITION]: "AWS::Partition", [ACCOUNT]: "AWS::AccountId" },
): CfnValue {
  const pieces = template.split(/(\{partition\}|\{account\}|\{monitorAccount\})/).filter((p) => p !== "");
  if (pieces.length === 1 && !(pieces[0] in refs)) return template;
  return { "Fn::Join": ["", pieces.map((p) => (p in refs ? { Ref: refs[p] } : p))] };
}

/** The literal prefix of the secret name pattern (up to the first placeholder), as a resource pattern. */
function secretArnPattern(rotatedSecretName: string): string {
  const prefix = rotatedSecretName.split("{")[0];
  return `arn:${PARTITION}:secretsmanager:*:${ACCOUNT}:secret:${prefix}*`;
}

/** What each member-side ResourceRef kind stands for inside a member account. */
function memberResourceArns(rotatedSecretName: string): ResourceArns {
  return {
    "member-iam-users": [`arn:${PARTITION}:iam::${ACCOUNT}:user/*`],
    "member-iam-roles": [`arn:${PARTITION}:iam::${ACCOUNT}:role/*`],
    "member-secrets": [secretArnPattern(rotatedSecretName)],
    // DeleteFoundationModelAgreement has no resource type (the agreement is named by modelId).
    "member-bedrock-agreements": ["*"],
  };
}

const READ_ONLY = /^[a-z0-9-]+:(Get|List|Describe)/;

/**
 * Defense in depth beside the code's own safety rules: the role itself cannot change IAM
 * principals that are protected (approved, break-glass, this tool's roles), whatever the code does.
 */
export function protectedPrincipalDeny(
  statements: PolicyStatement[],
  protectedArns: readonly string[],
): PolicyStatement | undefined {
  const iamActions = statements.flatMap((s) => s.Action).filter((a) => a.startsWith("iam:") && !READ_ONLY.test(a));
  const resources = protectedArns.filter((a) => /^arn:[^:]+:iam::/.test(a));
  if (iamActions.length === 0 || resources.length === 0) return undefined;
  return {
    Sid: "NeverTouchProtectedPrincipals",
    Effect: "Deny",
    Action: [...new Set(iamActions)].sort(),
    Resource: [...resources],
  };
}

function cfnStatement(s: PolicyStatement): Record<string, unknown> {
  return { ...s, Resource: s.Resource.map((r) => cfnArn(r)) };
}

/**
 * The statement that lets incident responders assume the member role from a laptop: their
 * accounts as principals, narrowed to the configured principal ARNs, with the same external ID
 * and organization conditions as the responder statement. ArnLike, not ArnEquals, because the
 * config accepts patterns (an Identity Center role's name ends in a random suffix).
 */
function operatorTrust(operatorPrincipalArns: readonly string[]): Record<string, unknown>[] {
  if (operatorPrincipalArns.length === 0) return [];
  const patterns = [...new Set(operatorPrincipalArns)].sort();
  const accounts = [...new Set(patterns.map((p) => p.split(":")[4]))].sort();
  return [
    {
      Sid: "RemediationOperators",
      Effect: "Allow",
      Principal: { AWS: accounts.map((account) => cfnArn(`arn:${PARTITION}:iam::${account}:root`)) },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: {
          "sts:ExternalId": { Ref: TEMPLATE_PARAMETERS.externalId },
          "aws:PrincipalOrgID": { Ref: TEMPLATE_PARAMETERS.organizationId },
        },
        ArnLike: { "aws:PrincipalArn": patterns },
      },
    },
  ];
}

const MONITOR_REFS = { [PARTITION]: "AWS::Partition", "{monitorAccount}": TEMPLATE_PARAMETERS.monitorAccountId };

/**
 * The customer-managed key rotated-key secrets are encrypted with. Its policy is the second lock
 * beside the secret's resource policy: the account's IAM administrators (a stolen admin key) can
 * manage the key but not decrypt with it and not grant themselves decryption (no kms:CreateGrant);
 * the member role may encrypt through Secrets Manager; only the readers may decrypt, and only
 * through Secrets Manager. Rewriting the key policy (kms:PutKeyPolicy, which KMS requires someone to
 * keep) is a deliberate, logged change that this lock does not stop.
 */
function rotationKeyResources(readers: readonly string[]): Record<string, unknown> {
  const patterns = [...new Set(readers)].sort();
  const accounts = [...new Set(patterns.map((p) => p.split(":")[4]))].sort();
  const viaSecretsManager = {
    "kms:ViaService": { "Fn::Join": ["", ["secretsmanager.", { Ref: "AWS::Region" }, ".amazonaws.com"]] },
  };
  return {
    RotatedKeysKey: {
      Type: "AWS::KMS::Key",
      Properties: {
        Description: "bedrock-guardrail: encrypts rotated access keys; only the configured readers may decrypt",
        EnableKeyRotation: true,
        KeyPolicy: {
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "AccountAdministersButCannotDecrypt",
              Effect: "Allow",
              Principal: { AWS: cfnArn(`arn:${PARTITION}:iam::${ACCOUNT}:root`) },
              Action: KEY_ADMIN_ACTIONS,
              Resource: "*",
            },
            {
              Sid: "RemediationRoleEncryptsThroughSecretsManager",
              Effect: "Allow",
              Principal: { AWS: { "Fn::GetAtt": ["RemediationRole", "Arn"] } },
              Action: ["kms:Decrypt", "kms:GenerateDataKey"],
              Resource: "*",
              Condition: { StringEquals: viaSecretsManager },
            },
            {
              Sid: "NamedReadersDecryptThroughSecretsManager",
              Effect: "Allow",
              Principal: {
                AWS: accounts.map((a) => cfnArn(`arn:${PARTITION}:iam::${a}:root`, { ...MONITOR_REFS })),
              },
              Action: "kms:Decrypt",
              Resource: "*",
              Condition: {
                StringEquals: viaSecretsManager,
                ArnLike: { "aws:PrincipalArn": patterns.map((p) => cfnArn(p, { ...MONITOR_REFS })) },
              },
            },
          ],
        },
        Tags: [{ Key: "managed-by", Value: "bedrock-guardrail" }],
      },
    },
    RotatedKeysAlias: {
      Type: "AWS::KMS::Alias",
      Properties: { AliasName: ROTATION_KEY_ALIAS, TargetKeyId: { Ref: "RotatedKeysKey" } },
    },
  };
}

/** Configured readers, or this tool's roles in the monitor account plus the operators. */
function rotationKeyReaders(props: MemberRoleTemplateProps): string[] {
  if (props.rotatedSecretReaders && props.rotatedSecretReaders.length > 0) return [...props.rotatedSecretReaders];
  return [
    `arn:${PARTITION}:iam::{monitorAccount}:role${ROLE_PATH}${TOOL_ROLE_PREFIX}*`,
    ...(props.operatorPrincipalArns ?? []),
  ];
}

export function memberRoleTemplate(props: MemberRoleTemplateProps): Record<string, unknown> {
  const allow = statementsFromDeclarations(
    `member role ${props.memberRoleName}`,
    props.permissions,
    memberResourceArns(props.rotatedSecretName),
  );
  const deny = protectedPrincipalDeny(allow, props.protectedPrincipalArns);
  const monitorRoleArn = (name: string) =>
    cfnArn(`arn:${PARTITION}:iam::{monitorAccount}:role${ROLE_PATH}${name}`, {
      [PARTITION]: "AWS::Partition",
      "{monitorAccount}": TEMPLATE_PARAMETERS.monitorAccountId,
    });
  const trust = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "MonitorResponderOnly",
        Effect: "Allow",
        // The account as principal plus an exact aws:PrincipalArn condition: the trust survives a
        // re-created responder role and does not require the role to exist before this stack.
        Principal: {
          AWS: cfnArn(`arn:${PARTITION}:iam::{monitorAccount}:root`, {
            [PARTITION]: "AWS::Partition",
            "{monitorAccount}": TEMPLATE_PARAMETERS.monitorAccountId,
          }),
        },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: {
            "sts:ExternalId": { Ref: TEMPLATE_PARAMETERS.externalId },
            "aws:PrincipalOrgID": { Ref: TEMPLATE_PARAMETERS.organizationId },
          },
          ArnEquals: { "aws:PrincipalArn": [...props.trustedRoleNames].sort().map(monitorRoleArn) },
        },
      },
      ...operatorTrust(props.operatorPrincipalArns ?? []),
    ],
  };
  const statements = [...allow, ...(deny ? [deny] : [])].map(cfnStatement);
  const storesRotatedKeys = props.permissions.some((d) => d.resource.kind === "member-secrets");
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: "bedrock-guardrail remediation role (deployed by a service-managed StackSet; do not edit by hand)",
    Parameters: {
      [TEMPLATE_PARAMETERS.monitorAccountId]: {
        Type: "String",
        AllowedPattern: "^\\d{12}$",
        Description: "Account running the bedrock-guardrail monitor and responder",
      },
      [TEMPLATE_PARAMETERS.organizationId]: {
        Type: "String",
        AllowedPattern: "^o-[a-z0-9]{10,32}$",
        Description: "aws:PrincipalOrgID the caller must belong to",
      },
      [TEMPLATE_PARAMETERS.externalId]: {
        Type: "String",
        MinLength: 2,
        MaxLength: 1224,
        NoEcho: true,
        Description: "sts:ExternalId the responder presents",
      },
    },
    Resources: {
      RemediationRole: {
        Type: "AWS::IAM::Role",
        Properties: {
          RoleName: props.memberRoleName,
          Path: ROLE_PATH,
          Description:
            "Lets the bedrock-guardrail responder remediate unauthorized Bedrock model enablement in this account",
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: trust,
          Policies:
            statements.length > 0
              ? [
                  {
                    PolicyName: "bedrock-guardrail-remediation",
                    PolicyDocument: { Version: "2012-10-17", Statement: statements },
                  },
                ]
              : undefined,
          Tags: [{ Key: "managed-by", Value: "bedrock-guardrail" }],
        },
      },
      ...(storesRotatedKeys ? rotationKeyResources(rotationKeyReaders(props)) : {}),
    },
    Outputs: { RoleArn: { Value: { "Fn::GetAtt": ["RemediationRole", "Arn"] } } },
  };
}

/** JSON for aws_cloudformation_stack_set.template_body; refuses text Terraform would interpolate. */
export function memberRoleTemplateBody(props: MemberRoleTemplateProps): string {
  const body = JSON.stringify(memberRoleTemplate(props));
  if (/[$%]\{/.test(body)) throw new Error("member role template contains ${ or %{, which Terraform would interpolate");
  return body;
}
