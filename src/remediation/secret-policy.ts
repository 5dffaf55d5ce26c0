/**
 * Who can read a rotated access key, as pure data. The secret is encrypted with a customer-managed
 * KMS key that the member-role template creates (alias ROTATION_KEY_ALIAS) and whose key policy
 * lets only the readers decrypt; the secret's own resource policy denies GetSecretValue to every
 * other principal. Either layer alone stops a stolen administrator key's
 * secretsmanager:GetSecretValue; together they also survive one of them being edited.
 */

import { formatArn } from "../arn/partition";

/** Alias of the member account's KMS key for rotated-key secrets (created by the member-role template). */
export const ROTATION_KEY_ALIAS = "alias/bedrock-guardrail/rotated-keys";

/**
 * The account principal of each reader pattern, in the reader's own partition (config validation
 * guarantees an exact 12-digit account); the ArnLike condition then narrows it to the readers.
 */
function readerAccountRoots(readers: readonly string[]): string[] {
  const roots = readers.map((r) => r.split(":")).filter((p) => /^\d{12}$/.test(p[4] ?? ""));
  return [
    ...new Set(roots.map((p) => formatArn({ partition: p[1], service: "iam", account: p[4], resource: "root" }))),
  ].sort();
}

/**
 * The secret's resource policy: everyone but the readers is denied GetSecretValue; the readers
 * (possibly in another account of the organization) are allowed it.
 */
export function rotatedSecretPolicy(readers: readonly string[]): string {
  const patterns = [...new Set(readers)].sort();
  if (patterns.length === 0) throw new Error("a rotated key's secret needs at least one reader");
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "OnlyNamedReadersReadTheRotatedKey",
        Effect: "Deny",
        Principal: "*",
        Action: "secretsmanager:GetSecretValue",
        Resource: "*",
        Condition: { ArnNotLike: { "aws:PrincipalArn": patterns } },
      },
      {
        Sid: "NamedReadersMayRead",
        Effect: "Allow",
        Principal: { AWS: readerAccountRoots(patterns) },
        Action: "secretsmanager:GetSecretValue",
        Resource: "*",
        Condition: { ArnLike: { "aws:PrincipalArn": patterns } },
      },
    ],
  });
}
