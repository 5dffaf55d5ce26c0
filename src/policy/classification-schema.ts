/**
 * Schema of policies/action-classification.json: for every IAM action that can reach, buy,
 * customize or unlock a model (and every other action of the same services), what the SCP does
 * with it. The file records each action's access level as the IAM reference states it, so
 * `check --coverage` can print the table without the IAM data (a dev-only package); the test in
 * test/policy/classification keeps the file honest against that data.
 */
import { z } from "zod";

const IAM_ACTION = /^[a-z0-9-]+:[A-Za-z0-9]+$/;
/** An IAM action, or a pattern of one with `*` / `?` wildcards (matched case-insensitively). */
const ACTION_PATTERN = /^[a-z0-9-]+:[A-Za-z0-9*?]+$/;
/** Services the classification may cover; the test requires every one of them. */
const SERVICE = /^[a-z0-9-]+$/;

/**
 * Access levels as the IAM service authorization reference writes them; a few actions carry two
 * ("Tagging, Write", "Permissions management, Write").
 */
const ACCESS_LEVELS = ["List", "Read", "Write", "Tagging", "Permissions management"] as const;
const AccessLevelSchema = z
  .string()
  .refine(
    (s) => s.split(", ").every((level) => (ACCESS_LEVELS as readonly string[]).includes(level)),
    `must be one or more of ${ACCESS_LEVELS.join(", ")}, comma-separated as in the IAM reference`,
  );

/**
 * Under which condition a statement denies the action (every guardrail statement also exempts the
 * approved and break-glass principals, so "approved-only" means no other condition):
 * - approved-only: denied to every principal that is not exempt;
 * - allow-list: denied unless the model is in scp.modelAllowList (statement absent without one);
 * - called-via-bedrock: denied when Bedrock makes the call on the caller's behalf;
 * - listed-products: denied for the Marketplace product ids in scp.denyMarketplaceProductIds;
 * - long-term-key: denied when the call is made with, or creates, a long-term Bedrock API key;
 * - model-invoking-service: denied for the services that invoke models with a service-linked role;
 * - always: denied to every principal, exempt ones included.
 */
const CONDITION_KINDS = [
  "approved-only",
  "allow-list",
  "called-via-bedrock",
  "listed-products",
  "long-term-key",
  "model-invoking-service",
  "always",
] as const;

const DeniedSchema = z.strictObject({
  decision: z.literal("denied"),
  statements: z
    .array(z.strictObject({ sid: z.string().regex(/^[A-Za-z0-9]+$/), condition: z.enum(CONDITION_KINDS) }))
    .min(1),
  reason: z.string().min(1),
});

/**
 * Why an allowed action cannot enable, buy or consume a model of the caller's choosing:
 * - read-only: it reads metadata or results;
 * - gated: what it starts reaches a model only through the actions in gatedBy, all denied here;
 * - no-model: it manages something that neither is nor runs a model.
 */
const ALLOWED_BECAUSE = ["read-only", "gated", "no-model"] as const;

const AllowedSchema = z
  .strictObject({
    decision: z.literal("allowed"),
    because: z.enum(ALLOWED_BECAUSE),
    gatedBy: z.array(z.string().regex(IAM_ACTION)).min(1).optional(),
    reason: z.string().min(1),
  })
  .refine((d) => (d.because === "gated") === (d.gatedBy !== undefined), {
    message: 'gatedBy is required when because is "gated", and only then',
    path: ["gatedBy"],
  });

/** Not denied on purpose: the reason, and where the documentation's limits say so. */
const WAIVER_DOC = "docs/limits.md";
const WaivedSchema = z.strictObject({
  decision: z.literal("waived"),
  reason: z.string().min(1),
  link: z.string().regex(/^docs\/limits\.md(#[a-z0-9-]+)?$/, `must be ${WAIVER_DOC} or ${WAIVER_DOC}#<anchor>`),
});

const ActionDecisionSchema = z.discriminatedUnion("decision", [DeniedSchema, AllowedSchema, WaivedSchema]);

const ClassificationRuleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/, "must be lower-case kebab-case"),
  /** Action names or patterns the rule decides. */
  actions: z.array(z.string().regex(ACTION_PATTERN, "must be an IAM action or pattern")).min(1),
  /** Patterns the rule leaves to other rules or to the entries. */
  except: z.array(z.string().regex(ACTION_PATTERN, "must be an IAM action or pattern")).optional(),
  /** When present, the rule decides only actions at one of these access levels. */
  accessLevels: z.array(z.enum(ACCESS_LEVELS)).min(1).optional(),
  decision: ActionDecisionSchema,
});

const ClassifiedActionSchema = z.strictObject({
  action: z.string().regex(IAM_ACTION, "must be an IAM action such as bedrock:InvokeModel"),
  accessLevel: AccessLevelSchema,
  /** Present when no rule decides the action. */
  decision: ActionDecisionSchema.optional(),
});

const ServiceScopeSchema = z.strictObject({
  service: z.string().regex(SERVICE, "must be an IAM service prefix"),
  /** When present, only the service's actions matching one of these patterns are in scope. */
  actions: z.array(z.string().regex(ACTION_PATTERN)).min(1).optional(),
});

/**
 * A service of the IAM reference's "Machine Learning (ML) and Artificial Intelligence (AI)" category
 * left out of the scope on purpose, with the reason (it runs no model of the customer's choosing).
 */
const ServiceWaiverSchema = z.strictObject({
  service: z.string().regex(SERVICE, "must be an IAM service prefix"),
  reason: z.string().min(1),
});

export const ActionClassificationSchema = z.strictObject({
  $comment: z.array(z.string()).optional(),
  scope: z.array(ServiceScopeSchema).min(1),
  serviceWaivers: z.array(ServiceWaiverSchema).default([]),
  rules: z.array(ClassificationRuleSchema),
  actions: z.array(ClassifiedActionSchema).min(1),
});

export type ActionClassification = z.infer<typeof ActionClassificationSchema>;
export type ActionDecision = z.infer<typeof ActionDecisionSchema>;
export type ClassificationRule = z.infer<typeof ClassificationRuleSchema>;
export type ServiceScope = z.infer<typeof ServiceScopeSchema>;
