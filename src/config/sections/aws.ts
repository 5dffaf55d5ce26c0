import { z } from "zod";

const AccountId = z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account ID");
/** Where an SCP can be attached. */
const TargetId = z
  .string()
  .regex(
    /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|\d{12})$/,
    "must be an organization root (r-...), an OU (ou-...-...) or a 12-digit account ID",
  );
const Region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must be an AWS region such as us-east-1");
const RoleArn = z.string().regex(/^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:role\/.+$/, "must be an IAM role ARN");

/** How Terraform reaches one stack's account: a named profile or a role to assume (or the ambient credentials). */
const StackCredentialsSchema = z
  .strictObject({
    profile: z.string().min(1).optional(),
    assumeRoleArn: RoleArn.optional(),
    externalId: z.string().min(2).max(1224).optional(),
    /** Guard against applying to the wrong account: Terraform's allowed_account_ids. */
    accountId: AccountId.optional(),
  })
  .prefault({});

/**
 * Where Terraform keeps each stack's state. Local (the default) keeps `terraform.<stack>.tfstate`
 * at the project root, written as a relative path so the synthesized JSON is the same in every
 * checkout; production deployments want S3 (encrypted, with S3-native locking).
 */
const StateBackendSchema = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("local") }),
    z.strictObject({
      type: z.literal("s3"),
      bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name"),
      /** Each stack's state is `<keyPrefix>/<stack>.tfstate`. */
      keyPrefix: z
        .string()
        .regex(/^[\w./-]{1,512}$/, "must be an S3 key prefix of letters, digits and ._/-")
        .default("bedrock-guardrail"),
      region: Region.optional(),
      kmsKeyId: z.string().min(1).optional(),
    }),
  ])
  .prefault({ type: "local" });

export const AwsConfigSchema = z
  .strictObject({
    region: Region.default("us-east-1"),
    /** The organization's management account (or Organizations delegated administrator) deploys the SCP. */
    organization: StackCredentialsSchema.describe(
      "Credentials for the management account (or Organizations delegated administrator) that deploys the SCP",
    ),
    /** The security / delegated-admin account runs the monitor and the responder. */
    security: StackCredentialsSchema.describe(
      "Credentials for the security account that runs the monitor and responder",
    ),
    stateBackend: StateBackendSchema.describe(
      "Terraform state: local files at the project root (default) or an S3 bucket with S3-native locking",
    ),
  })
  .prefault({});

export type StackCredentials = z.infer<typeof StackCredentialsSchema>;
export type StateBackend = z.infer<typeof StateBackendSchema>;
export { AccountId, Region, TargetId };
