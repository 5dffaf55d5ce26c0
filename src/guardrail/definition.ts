/**
 * Schema of the guardrail definition in `policies/`: the organization-independent half of the
 * single source of truth. Everything that prevents, detects or remediates reads it from here.
 */
import { z } from "zod";
import { RemediationModeSchema } from "../config/remediation-mode";

export { type RemediationMode, RemediationModeSchema } from "../config/remediation-mode";

const IAM_ACTION = /^[a-z0-9-]+:[A-Za-z0-9]+$/;
const EVENT_NAME = /^[A-Za-z0-9]+$/;

export const GuardedActionSchema = z.strictObject({
  eventName: z.string().regex(EVENT_NAME, "must be a CloudTrail eventName such as PutUseCaseForModelAccess"),
  iamAction: z.string().regex(IAM_ACTION, "must be an IAM action such as bedrock:PutUseCaseForModelAccess"),
  /** Part of the seed detection's action list (kept for old logs even where the API no longer gates access). */
  seed: z.boolean(),
  /** Whether denying the action still gates model access after AWS's October 2025 change. */
  gatesAccess: z.boolean(),
  why: z.string().min(1),
});

export const SeveritySchema = z.enum(["low", "medium", "high", "critical"]);

export const DetectionRuleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/, "must be lower-case kebab-case"),
  name: z.string().min(1),
  /** success: no errorCode (or an empty one); failure: errorCode in errorCodes. */
  outcome: z.enum(["success", "failure"]),
  errorCodes: z.array(z.string().min(1)).min(1).optional(),
  severity: SeveritySchema,
  riskScore: z.number().int().min(0).max(100),
  /** Human subject line; {principal} {action} {account} {region} {model} are filled in. */
  summary: z.string().min(1),
});

/**
 * A rule test, Panther style: an example record and the rule it must match (null: none). They live
 * beside the rules, run in `check` and in the test suite, so editing a rule shows what it changes.
 */
export const RuleTestSchema = z.strictObject({
  name: z.string().min(1),
  expect: z.string().nullable(),
  record: z.record(z.string(), z.unknown()),
});

export const RemediationDefaultsSchema = z.strictObject({
  mode: RemediationModeSchema,
  accessKey: z.enum(["deactivate", "rotate"]),
  revokeSessions: z.boolean(),
  deleteAgreement: z.boolean(),
  sessionRevocationMarginSeconds: z.number().int().min(0).max(3600),
  maxActionsPerRun: z.number().int().min(1),
  maxActionsPerPrincipalPerHour: z.number().int().min(1),
});

export const GuardrailDefinitionSchema = z
  .strictObject({
    $comment: z.string().optional(),
    id: z.string().regex(/^[a-z0-9-]+$/, "must be lower-case kebab-case"),
    title: z.string().min(1),
    description: z.string().min(1),
    eventSource: z
      .string()
      .regex(/^[a-z0-9-]+\.amazonaws\.com$/, "must be a service endpoint such as bedrock.amazonaws.com"),
    actions: z.array(GuardedActionSchema).min(1),
    detection: z.strictObject({
      schedule: z.strictObject({
        intervalMinutes: z.number().int().min(1).max(1440),
        lookbackMinutes: z.number().int().min(1),
        maxAlertsPerRun: z.number().int().min(1),
      }),
      threat: z.strictObject({
        framework: z.string(),
        tactic: z.strictObject({ id: z.string().regex(/^TA\d{4}$/), name: z.string() }),
        technique: z.strictObject({ id: z.string().regex(/^T\d{4}(\.\d{3})?$/), name: z.string() }),
      }),
      investigationFields: z.array(z.string().min(1)).min(1),
      rules: z.array(DetectionRuleSchema).min(1),
      tests: z.array(RuleTestSchema).min(1),
    }),
    remediation: z.strictObject({ defaults: RemediationDefaultsSchema }),
  })
  .superRefine((def, ctx) => {
    const seen = new Set<string>();
    def.actions.forEach((a, i) => {
      if (seen.has(a.eventName))
        ctx.addIssue({ code: "custom", path: ["actions", i, "eventName"], message: `duplicate action ${a.eventName}` });
      seen.add(a.eventName);
    });
    if (!def.detection.rules.some((r) => r.id === def.id)) {
      ctx.addIssue({
        code: "custom",
        path: ["detection", "rules"],
        message: `must contain the primary rule with id "${def.id}"`,
      });
    }
    def.detection.rules.forEach((r, i) => {
      if (r.outcome === "failure" && !r.errorCodes) {
        ctx.addIssue({
          code: "custom",
          path: ["detection", "rules", i, "errorCodes"],
          message: "a failure rule needs errorCodes",
        });
      }
    });
    const ruleIds = new Set(def.detection.rules.map((r) => r.id));
    def.detection.tests.forEach((t, i) => {
      if (t.expect !== null && !ruleIds.has(t.expect))
        ctx.addIssue({
          code: "custom",
          path: ["detection", "tests", i, "expect"],
          message: `names no rule ("${t.expect}")`,
        });
    });
    for (const id of ruleIds) {
      if (!def.detection.tests.some((t) => t.expect === id))
        ctx.addIssue({
          code: "custom",
          path: ["detection", "tests"],
          message: `needs at least one example that matches rule "${id}"`,
        });
    }
    if (!def.detection.tests.some((t) => t.expect === null))
      ctx.addIssue({
        code: "custom",
        path: ["detection", "tests"],
        message: "needs at least one example that matches no rule",
      });
    if (def.detection.schedule.lookbackMinutes < def.detection.schedule.intervalMinutes) {
      ctx.addIssue({
        code: "custom",
        path: ["detection", "schedule", "lookbackMinutes"],
        message: "must be at least intervalMinutes, or events fall between runs",
      });
    }
  });

export type GuardrailDefinition = z.infer<typeof GuardrailDefinitionSchema>;
export type GuardedAction = z.infer<typeof GuardedActionSchema>;
export type DetectionRule = z.infer<typeof DetectionRuleSchema>;
export type Severity = z.infer<typeof SeveritySchema>;
export type RemediationDefaults = z.infer<typeof RemediationDefaultsSchema>;
export type RuleTest = z.infer<typeof RuleTestSchema>;
