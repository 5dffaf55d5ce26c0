import { z } from "zod";
import { unsupportedPartitionOf } from "../../arn/partition";

const AccountId = z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account ID");
/** Where an SCP can be attached. */
const TargetId = z
  .string()
  .regex(
    /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|\d{12})$/,
    "must be an organization root (r-...), an OU (ou-...-...) or a 12-digit account ID",
  );
/** An AWS region name (us-east-1, us-gov-west-1); the CLI's --region options are checked with it too. */
export const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const Region = z
  .string()
  .regex(AWS_REGION, "must be an AWS region such as us-east-1")
  .superRefine((region, ctx) => {
    const partition = unsupportedPartitionOf(region);
    if (partition)
      ctx.addIssue({
        code: "custom",
        message:
          `${region} is in the ${partition} partition, which this tool does not support ` + "(aws, aws-us-gov, aws-cn)",
      });
  });
const RoleArn = z.string().regex(/^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:role\/.+$/, "must be an IAM role ARN");

/** The account of a role ARN RoleArn took (its fifth field). */
const roleAccountOf = (roleArn: string | undefined): string | undefined => roleArn?.split(":")[4];

/** How Terraform reaches one stack's account: a named profile or a role to assume (or the ambient credentials). */
const StackCredentialsSchema = z
  .strictObject({
    profile: z.string().min(1).optional().describe("Named AWS profile Terraform uses for this stack"),
    assumeRoleArn: RoleArn.optional().describe("Role Terraform assumes for this stack"),
    externalId: z.string().min(2).max(1224).optional().describe("sts:ExternalId presented with assumeRoleArn"),
    accountId: AccountId.optional().describe(
      "The account this stack must deploy to (Terraform's allowed_account_ids): an apply with credentials of " +
        "another account fails",
    ),
  })
  .superRefine((c, ctx) => {
    // Terraform checks allowed_account_ids against the credentials it ends with, the assumed role's account: a role
    // of another account fails every plan, after synth; an external ID without a role to assume is never sent.
    const roleAccount = roleAccountOf(c.assumeRoleArn);
    if (c.accountId && roleAccount && roleAccount !== c.accountId)
      ctx.addIssue({
        code: "custom",
        path: ["accountId"],
        message:
          `is ${c.accountId}, but assumeRoleArn is a role of account ${roleAccount}, whose credentials Terraform ` +
          "would refuse: name the same account in both",
      });
    if (c.externalId !== undefined && c.assumeRoleArn === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["externalId"],
        message: "is sent only when assuming assumeRoleArn, which is not set: set it, or drop externalId",
      });
  })
  .prefault({});

/**
 * Where Terraform keeps each stack's state. Local (the default) keeps `terraform.<stack>.tfstate`
 * at the project root, written as a relative path so the synthesized JSON is the same in every
 * checkout; production deployments want S3 (encrypted, with S3-native locking).
 */
const StateBackendSchema = z
  .discriminatedUnion("type", [
    z.strictObject({
      type: z.literal("local").describe("terraform.<stack>.tfstate at the project root (a relative path)"),
    }),
    z.strictObject({
      type: z.literal("s3").describe("State in S3, encrypted, with S3-native locking (use_lockfile, Terraform 1.10+)"),
      bucket: z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name")
        .describe("The state bucket"),
      keyPrefix: z
        .string()
        .regex(/^[\w./-]{1,512}$/, "must be an S3 key prefix of letters, digits and ._/-")
        .default("bedrock-guardrail")
        .describe("Each stack's state is <keyPrefix>/<stack>.tfstate"),
      region: Region.optional().describe("The bucket's region; default aws.region"),
      kmsKeyId: z.string().min(1).optional().describe("KMS key that encrypts the state; default the bucket's"),
    }),
  ])
  .prefault({ type: "local" });

export const AwsConfigSchema = z
  .strictObject({
    region: Region.default("us-east-1").describe(
      "Provider region of every stack, and the monitor's region; its partition is every generated ARN's, and " +
        "every principal pattern and scp.modelAllowList entry must be in it (or use a * partition)",
    ),
    organization: StackCredentialsSchema.describe(
      "Credentials for the management account (or Organizations delegated administrator) that deploys the SCP",
    ),
    security: StackCredentialsSchema.describe(
      "Credentials for the security account that runs the monitor and responder",
    ),
    stateBackend: StateBackendSchema.describe(
      "Terraform state: local files at the project root (default) or an S3 bucket with S3-native locking",
    ),
  })
  .prefault({})
  .describe("How Terraform reaches each account (ambient credentials by default) and where it keeps its state");

export type StackCredentials = z.infer<typeof StackCredentialsSchema>;

/**
 * The account a stack deploys to as its config writes it: accountId, else the account of the role it assumes (the
 * two agree, or the config is refused); undefined when the profile or the ambient credentials decide.
 */
export const stackAccountOf = (c: StackCredentials): string | undefined =>
  c.accountId ?? roleAccountOf(c.assumeRoleArn);
export type StateBackend = z.infer<typeof StateBackendSchema>;
export { AccountId, Region, TargetId };
