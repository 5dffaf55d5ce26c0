/**
 * rotate-key: iam:CreateAccessKey for the user, the secret stored in Secrets Manager under a
 * resource policy and a customer-managed KMS key. Always the last action of a plan, and only once
 * the offending key is inactive. Not undone automatically: the record says what a person may do.
 */
import { stackAccountOf } from "../../config/sections/aws";
import { CreateAccessKeyCommand, DeleteAccessKeyCommand } from "@aws-sdk/client-iam";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
} from "@aws-sdk/client-secrets-manager";
import { z } from "zod";
import { parseArn } from "../../arn/arn-like";
import { TOOL_TAGS } from "../../config/aws-limits";
import { type Guardrail, TOOL_ROLE_PREFIX, toolRoleArn } from "../../guardrail/guardrail";
import { classifyError, describeError } from "../errors";
import type { MemberClients } from "../member-clients";
import { ROTATION_KEY_ALIAS, rotatedSecretPolicy } from "../secret-policy";
import type { ActionParamsOf, DraftOf, ExecutionResult } from "../types";
import type { ActionDefinition } from "./action";
import { listKeys } from "./deactivate-key";

function fillSecretName(template: string, values: { account: string; user: string; accessKeyId: string }): string {
  return template.replace(/\{(account|user|accessKeyId)\}/g, (_, k: keyof typeof values) => values[k]);
}

/**
 * Who may read a rotated key's secret (its resource policy and its KMS key policy name them):
 * remediation.rotatedSecretReaders, or by default this tool's roles in the security account (when
 * aws.security's accountId or assumeRoleArn names it) and the remediation operators.
 */
function secretReaders(guardrail: Guardrail): string[] {
  const configured = guardrail.config.remediation.rotatedSecretReaders;
  if (configured.length > 0) return [...configured];
  // The account the monitor deploys to, also when only the role Terraform assumes there names it (as the Lambda's).
  const security = stackAccountOf(guardrail.config.aws.security);
  const responders = security
    ? [toolRoleArn(`${TOOL_ROLE_PREFIX}*`, { partition: guardrail.partition, accountId: security })]
    : [];
  return [...new Set([...responders, ...guardrail.exemptions.operators])];
}

/** The rotation of `key`, or undefined when nobody could read the new key's secret (the planner says so instead). */
export function rotateKeyDraft(
  guardrail: Guardrail,
  account: string,
  userName: string,
  key: string,
): DraftOf<"rotate-key"> | undefined {
  const secretName = fillSecretName(guardrail.remediation.rotatedSecretName, {
    account,
    user: userName,
    accessKeyId: key,
  });
  const readers = secretReaders(guardrail);
  if (readers.length === 0) return undefined;
  return {
    kind: "rotate-key",
    accountId: account,
    target: userName,
    reason:
      `rotate, last: once ${key} is inactive, create a replacement key for ${userName} and store it ` +
      `in Secrets Manager as ${secretName}, readable only by ${readers.join(", ")} (refused if the ` +
      "user already has two keys)",
    params: { userName, accessKeyId: key, secretName, secretReaders: readers },
  };
}

/** The tags every rotated-key secret is created with (TOOL_TAGS). */
const SECRET_TAGS = Object.entries(TOOL_TAGS).map(([Key, Value]) => ({ Key, Value }));

/**
 * Whether a secret's KmsKeyId (DescribeSecret gives the alias or key it was created with) is the rotation
 * key's alias in this account. A key ID cannot be told apart from another key without KMS, so it does not pass.
 */
function underRotationKey(kmsKeyId: string | undefined, accountId: string): boolean {
  if (kmsKeyId === ROTATION_KEY_ALIAS) return true;
  const arn = kmsKeyId ? parseArn(kmsKeyId) : undefined;
  return arn?.service === "kms" && arn.account === accountId && arn.resource === ROTATION_KEY_ALIAS;
}

/**
 * undefined: no such secret; otherwise whether it holds a value yet (a crash may leave it empty), and why it is
 * not this tool's when it is not. The default name is guessable: whoever pre-creates the secret under a KMS key
 * of their own, or replicated to another region, could decrypt the new key, so only a secret with this tool's
 * tags, under the rotation key, without replicas is used (or taken as the earlier run's rotation).
 */
async function secretState(
  clients: MemberClients,
  name: string,
  accountId: string,
): Promise<{ hasValue: boolean; notOurs?: string } | undefined> {
  let d: DescribeSecretCommandOutput;
  try {
    d = await clients.secrets.send(new DescribeSecretCommand({ SecretId: name }));
  } catch (e) {
    if (classifyError(e) === "not-found") return undefined;
    throw e;
  }
  const hasValue = Object.keys(d.VersionIdsToStages ?? {}).length > 0;
  const tagged = SECRET_TAGS.every((t) => d.Tags?.some((x) => x.Key === t.Key && x.Value === t.Value));
  if (!underRotationKey(d.KmsKeyId, accountId))
    return {
      hasValue,
      notOurs: `it is encrypted with ${d.KmsKeyId ?? "aws/secretsmanager"}, not ${ROTATION_KEY_ALIAS}`,
    };
  if (!tagged) return { hasValue, notOurs: "it lacks this tool's tag managed-by=bedrock-guardrail" };
  if ((d.ReplicationStatus ?? []).length > 0) return { hasValue, notOurs: "it is replicated to other regions" };
  return { hasValue };
}

/**
 * Why the rotation may not go ahead (still-active or missing key, existing secret, someone else's secret, two
 * keys), or undefined. Asked before any key is created.
 */
async function refusal(
  clients: MemberClients,
  accountId: string,
  { userName, accessKeyId: keyId, secretName, secretReaders: readers }: ActionParamsOf["rotate-key"],
): Promise<{ refused: ExecutionResult } | { keysBefore: (string | undefined)[]; secretExists: boolean }> {
  const keys = await listKeys(clients.iam, userName);
  const offending = keys.find((k) => k.AccessKeyId === keyId);
  if (!offending)
    return {
      refused: {
        status: "skipped",
        reason: `access key ${keyId} no longer belongs to user ${userName}: nothing to rotate`,
      },
    };
  // Containment before replacement: while the stolen key works, a new key would be one more for the thief.
  if (offending.Status === "Active")
    return {
      refused: {
        status: "skipped",
        reason: `rotation refused: access key ${keyId} of ${userName} is still active (its deactivation did not run)`,
        before: { keys: keys.map((k) => ({ id: k.AccessKeyId, status: k.Status })) },
      },
    };
  const secret = await secretState(clients, secretName, accountId);
  if (secret?.notOurs)
    return {
      refused: {
        status: "skipped",
        reason:
          `rotation refused: secret ${secretName} already exists and is not one this tool created ` +
          `(${secret.notOurs}); no key was created: check who made the secret, and create a replacement key ` +
          `for ${userName} by hand`,
      },
    };
  if (secret?.hasValue)
    return {
      refused: {
        status: "already-done",
        reason: `secret ${secretName} exists: the key was rotated by an earlier run`,
      },
    };
  if (keys.length >= 2) {
    return {
      refused: {
        status: "skipped",
        reason:
          `rotation refused: user ${userName} already has two access keys ` +
          `(${keys.map((k) => k.AccessKeyId).join(", ")}); the offending key is deactivated without a replacement`,
        before: { keys: keys.map((k) => ({ id: k.AccessKeyId, status: k.Status })) },
      },
    };
  }
  if (readers.length === 0)
    return {
      refused: { status: "skipped", reason: "rotation refused: nobody is configured to read the new key's secret" },
    };
  return { keysBefore: keys.map((k) => k.AccessKeyId), secretExists: secret !== undefined };
}

/**
 * Refused while the offending key is still active (containment first). The secret is created
 * empty under the rotation KMS key, locked to its readers by its resource policy, and only then is
 * the key created and its value stored: at no moment does a readable copy exist outside those two guards.
 */
async function rotate(
  clients: MemberClients,
  accountId: string,
  params: ActionParamsOf["rotate-key"],
): Promise<ExecutionResult> {
  const checked = await refusal(clients, accountId, params);
  if ("refused" in checked) return checked.refused;
  const { userName, accessKeyId: keyId, secretName, secretReaders: readers } = params;
  if (!checked.secretExists)
    await clients.secrets.send(
      new CreateSecretCommand({
        Name: secretName,
        Description: `bedrock-guardrail: replacement for access key ${keyId} of IAM user ${userName}`,
        KmsKeyId: ROTATION_KEY_ALIAS,
        // What tells a later run (after a crash) that the empty secret is this tool's.
        Tags: SECRET_TAGS,
      }),
    );
  await clients.secrets.send(
    new PutResourcePolicyCommand({
      SecretId: secretName,
      ResourcePolicy: rotatedSecretPolicy(readers),
      BlockPublicPolicy: true,
    }),
  );
  const created = (await clients.iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey;
  if (!created?.AccessKeyId || !created.SecretAccessKey)
    return { status: "error", reason: `CreateAccessKey for ${userName} returned no key` };
  try {
    await clients.secrets.send(
      new PutSecretValueCommand({
        SecretId: secretName,
        SecretString: JSON.stringify({
          UserName: userName,
          AccessKeyId: created.AccessKeyId,
          SecretAccessKey: created.SecretAccessKey,
          Replaces: keyId,
        }),
      }),
    );
  } catch (e) {
    // The secret exists nowhere else: a key nobody can read must not stay behind.
    await clients.iam
      .send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: created.AccessKeyId }))
      .catch(() => undefined);
    return {
      status: "error",
      reason:
        `could not store the replacement key in Secrets Manager (${describeError(e)}); ` +
        `the new key ${created.AccessKeyId} was deleted again`,
    };
  }
  return {
    status: "ok",
    reason:
      `created access key ${created.AccessKeyId} for ${userName}; secret stored as ${secretName} ` +
      `(KMS key ${ROTATION_KEY_ALIAS}, readable by ${readers.join(", ")})`,
    before: { keys: checked.keysBefore },
    after: { newAccessKeyId: created.AccessKeyId, secretName, readers },
  };
}

export const rotateKey = {
  kind: "rotate-key",
  api: "iam:CreateAccessKey",
  mutating: true,
  addresses: { type: "user", nameOf: (params) => params.userName },
  mintsCredentials: true,
  params: z.looseObject({
    userName: z.string().min(1),
    accessKeyId: z.string().min(1),
    secretName: z.string().min(1),
    secretReaders: z.array(z.string()),
  }),
  permissions: [
    {
      actions: ["iam:CreateAccessKey", "iam:DeleteAccessKey"],
      resource: { kind: "member-iam-users" },
      why: "rotate: create the replacement key (deleted again only if storing its secret fails)",
    },
    {
      actions: [
        "secretsmanager:CreateSecret",
        "secretsmanager:DescribeSecret",
        "secretsmanager:PutResourcePolicy",
        "secretsmanager:PutSecretValue",
        "secretsmanager:TagResource",
      ],
      resource: { kind: "member-secrets" },
      why:
        "store a rotated key's secret under remediation.rotatedSecretName: created empty and tagged under the " +
        "rotation KMS key (CreateSecret with tags needs TagResource), locked to its readers by a resource policy, " +
        "then given the value (and found again on re-run, used only when tagged and under that key); the KMS " +
        "key's own policy lets this role encrypt through Secrets Manager, so no kms: action is declared here",
    },
  ],
  execute: (action, clients) => rotate(clients, action.accountId, action.params),
  notReversible: (rec) =>
    `rotation is not undone automatically: if unwanted, delete the new key ` +
    `${(rec.after as { newAccessKeyId?: string })?.newAccessKeyId ?? ""} and the secret ${rec.params.secretName}`,
} satisfies ActionDefinition<"rotate-key">;
