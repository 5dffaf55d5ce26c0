import { z } from "zod";
import { Region } from "./aws";

const Mode = z.enum(["off", "dry-run", "enforce"]);

/** Every field is optional here: absent values fall back to the guardrail definition's remediation defaults. */
export const RemediationConfigSchema = z
  .strictObject({
    mode: Mode.optional(),
    /** Per account or OU modes; the most specific wins (account, then the nearest OU, then mode). */
    overrides: z
      .array(
        z.strictObject({
          target: z.string().regex(/^(\d{12}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32})$/, "must be a 12-digit account ID or an OU ID (ou-...)"),
          mode: Mode,
        }),
      )
      .default([]),
    accessKey: z.enum(["deactivate", "rotate"]).optional(),
    /** Secrets Manager name for a rotated key; {account} {user} {accessKeyId} are filled in. */
    rotatedSecretName: z.string().min(1).default("bedrock-guardrail/rotated-keys/{account}/{user}/{accessKeyId}"),
    revokeSessions: z.boolean().optional(),
    deleteAgreement: z.boolean().optional(),
    sessionRevocationMarginSeconds: z.number().int().min(0).max(3600).optional(),
    maxActionsPerRun: z.number().int().min(1).optional(),
    maxActionsPerPrincipalPerHour: z.number().int().min(1).optional(),
    /** Name and path of the role deployed into member accounts by the StackSet. */
    memberRoleName: z.string().regex(/^[\w+=,.@-]{1,64}$/).default("BedrockGuardrailRemediation"),
    /** OUs (or the root) the member role StackSet deploys to; default: the organization root. */
    deployTo: z.array(z.string().regex(/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32})$/, "must be a root (r-...) or OU (ou-...) ID")).default([]),
    /** Regions where agreements may be revoked (the member role is global; Bedrock calls are regional). */
    regions: z.array(Region).default([]),
  })
  .prefault({});

export type RemediationConfig = z.infer<typeof RemediationConfigSchema>;
