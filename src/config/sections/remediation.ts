import { z } from "zod";
import { splitArn } from "../../arn/arn-like";
import { RemediationModeSchema as Mode } from "../remediation-mode";
import { principalPatternProblem } from "../arn-pattern";
import { Region } from "./aws";
import { iamRoleName, secretNameTemplate } from "../aws-limits";

/**
 * Why a pattern cannot name an operator who assumes the member role, or undefined. The same rules
 * as every principal list, plus: the member role's trust policy names the operator's account as
 * its principal, so the account must be exact; only roles and IAM users can call sts:AssumeRole
 * (a root user or a federated-user session cannot).
 */
function operatorPatternProblem(pattern: string): string | undefined {
  const problem = principalPatternProblem(pattern);
  if (problem) return problem;
  const [, , , , account, resource] = splitArn(pattern)!;
  if (!/^\d{12}$/.test(account))
    return (
      `has account "${account}": an operator principal needs its exact 12-digit account ID (the member role's ` +
      `trust policy names that account)`
    );
  if (!/^(role|user)\//.test(resource))
    return `names "${resource}": only a role or an IAM user can assume the member role`;
  return undefined;
}

const OperatorPattern = z.string().superRefine((value, ctx) => {
  const problem = operatorPatternProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: `"${value}" ${problem}` });
});

/** Every field is optional here: absent values fall back to the guardrail definition's remediation defaults. */
export const RemediationConfigSchema = z
  .strictObject({
    mode: Mode.optional().describe(
      "off: plan nothing; dry-run: plan and report; enforce: act. Default: the definition's remediation.mode",
    ),
    overrides: z
      .array(
        z.strictObject({
          target: z
            .string()
            .regex(/^(\d{12}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32})$/, "must be a 12-digit account ID or an OU ID (ou-...)")
            .describe("Account or OU ID"),
          mode: Mode.describe("The mode there"),
        }),
      )
      .default([])
      .describe("Modes per account or OU; the most specific wins (the account, then the nearest OU, then mode)"),
    accessKey: z
      .enum(["deactivate", "rotate"])
      .optional()
      .describe(
        "What happens to the access key that made the call: deactivate it, or deactivate it and hand out a " +
          "replacement in Secrets Manager (rotate). Default: the definition's",
      ),
    rotatedSecretName: secretNameTemplate()
      .default("bedrock-guardrail/rotated-keys/{account}/{user}/{accessKeyId}")
      .describe("Secrets Manager name of a rotated key's secret; {account}, {user} and {accessKeyId} are filled in"),
    /**
     * Who may read a rotated key's secret: its resource policy denies secretsmanager:GetSecretValue to
     * everyone else and its customer-managed KMS key lets only them decrypt. Empty: this tool's roles
     * in the security account (aws.security.accountId) and the operators.
     */
    rotatedSecretReaders: z
      .array(OperatorPattern)
      .default([])
      .describe(
        "Who may read a rotated access key's secret (remediation.accessKey rotate): ArnLike patterns on " +
          "aws:PrincipalArn, each with its exact account ID. Everyone else is denied secretsmanager:GetSecretValue " +
          "by the secret's resource policy and kms:Decrypt by its customer-managed key. Default: this tool's " +
          "roles in aws.security.accountId and remediation.operatorPrincipalArns",
      ),
    revokeSessions: z
      .boolean()
      .optional()
      .describe(
        "Deny the principal's sessions issued before now (inline policy AWSRevokeOlderSessions). Default: the " +
          "definition's",
      ),
    deleteAgreement: z
      .boolean()
      .optional()
      .describe("Delete the model agreement an unapproved principal accepted. Default: the definition's"),
    sessionRevocationMarginSeconds: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .optional()
      .describe("Seconds added to now for the revocation cutoff (clock skew). Default: the definition's"),
    maxActionsPerRun: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Mutating actions one run may take; the rest are alert-only. Default: the definition's"),
    maxActionsPerPrincipalPerHour: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Mutating actions on one principal per hour; the rest are alert-only. Default: the definition's"),
    memberRoleName: iamRoleName()
      .default("BedrockGuardrailRemediation")
      .describe("Name of the role the StackSet deploys into member accounts (under the tool's path)"),
    deployTo: z
      .array(
        z
          .string()
          .regex(/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32})$/, "must be a root (r-...) or OU (ou-...) ID"),
      )
      .default([])
      .describe("OUs (or the root) the member-role StackSet deploys to; empty: the organization root"),
    /**
     * People (not the responder Lambda) who run `remediate --execute` / `undo` from their own
     * credentials: the member role trusts them too, with the same sts:ExternalId and
     * aws:PrincipalOrgID conditions, and remediation never acts on them.
     */
    operatorPrincipalArns: z
      .array(OperatorPattern)
      .default([])
      .describe(
        "Incident responders who run `remediate --execute` and `undo` with their own credentials: ArnLike patterns " +
          "on aws:PrincipalArn (the role ARN with its path for assumed roles, or an IAM user ARN), each with its " +
          "exact account ID. The member role trusts them (same sts:ExternalId and aws:PrincipalOrgID conditions) " +
          "and remediation never acts on them. Exact role ARNs are best: a wildcard lets every matching role in " +
          "that account assume the member role",
      ),
    regions: z
      .array(Region)
      .default([])
      .describe(
        "Regions where agreements may be deleted (the member role is global; Bedrock calls are regional); empty: " +
          "every region",
      ),
  })
  .prefault({})
  .superRefine((r, ctx) => {
    // The first override of a target wins: a later one for the same target would be ignored, whatever it says.
    r.overrides.forEach((o, i) => {
      const first = r.overrides.findIndex((x) => x.target === o.target);
      if (first < i)
        ctx.addIssue({
          code: "custom",
          path: ["overrides", i, "target"],
          message: `${o.target} is also overrides[${first}]'s target: one mode per account or OU`,
        });
    });
  })
  .describe("How findings are answered: the responder's mode, actions, caps and the member role");
