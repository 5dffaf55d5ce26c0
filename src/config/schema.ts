/**
 * The user's guardrail.config.json: the organization-specific half of the single source of truth.
 * Only approvedPrincipalArns has no default, because only the user knows who may enable models.
 */
import { z } from "zod";
import { PrincipalPattern } from "./arn-pattern";
import { AccountId, AwsConfigSchema } from "./sections/aws";
import { MonitorConfigSchema } from "./sections/monitor";
import { RemediationConfigSchema } from "./sections/remediation";
import { ScpConfigSchema } from "./sections/scp";

const TargetId = z
  .string()
  .regex(
    /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|\d{12})$/,
    "must be an organization root (r-...), an OU (ou-...-...) or a 12-digit account ID",
  );

export const GuardrailConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    /** Roles (ArnLike patterns on aws:PrincipalArn) allowed to enable Bedrock models. */
    approvedPrincipalArns: z
      .array(PrincipalPattern, {
        // The one key without a default: say so, and what to put there, instead of "expected array, received
        // undefined".
        error: (issue) =>
          issue.input === undefined
            ? "is required: the roles allowed to enable Bedrock models, e.g. " +
              '["arn:aws:iam::*:role/BedrockModelAccessAdmin"]'
            : undefined,
      })
      .describe(
        "ArnLike patterns on aws:PrincipalArn (for assumed roles: the role ARN with its path) allowed to enable " +
          "Bedrock models",
      ),
    /** Emergency roles: exempt from every statement and never remediated. */
    breakGlassPrincipalArns: z
      .array(PrincipalPattern)
      .default([])
      .describe("Emergency roles: exempt from every SCP statement and never remediated"),
    /** Where the SCP is attached. Empty: the organization root, looked up at plan time. */
    targets: z
      .array(TargetId)
      .default([])
      .describe("Root (r-...), OU (ou-...) or account IDs the SCP is attached to; empty = the organization root"),
    organization: z
      .strictObject({
        /**
         * The management account: SCPs never apply to it and remediation never touches it. Looked up at run time when
         * absent.
         */
        managementAccountId: AccountId.optional(),
      })
      .prefault({}),
    scp: ScpConfigSchema,
    aws: AwsConfigSchema,
    monitor: MonitorConfigSchema,
    remediation: RemediationConfigSchema,
  })
  .superRefine((c, ctx) => {
    const dup = c.targets.filter((t, i) => c.targets.indexOf(t) !== i);
    for (const t of new Set(dup))
      ctx.addIssue({ code: "custom", path: ["targets"], message: `lists ${t} more than once` });
  });

export type GuardrailConfigInput = z.input<typeof GuardrailConfigSchema>;
export type GuardrailConfig = z.infer<typeof GuardrailConfigSchema>;
