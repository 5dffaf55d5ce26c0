/**
 * Schema of the guardrail definition in `policies/`: the organization-independent half of the
 * single source of truth. Everything that prevents, detects or remediates reads it from here.
 *
 * The definition file (policies/bedrock-model-access.json) holds the SCP's actions, the schedule
 * and the remediation defaults, and lists its detection rules by id; each rule is one small file
 * (policies/rules/<id>.json, Panther / cdk-nag style) with its own match, severity, MITRE mapping
 * and examples. `assembleDefinition` puts the two together; this schema validates the result.
 */
import { z } from "zod";
import { RemediationModeSchema } from "../config/remediation-mode";

export type { RemediationMode } from "../config/remediation-mode";

const IAM_ACTION = /^[a-z0-9-]+:[A-Za-z0-9]+$/;
const EVENT_NAME = /^[A-Za-z0-9]+$/;
const KEBAB = /^[a-z0-9-]+$/;

const GuardedActionSchema = z.strictObject({
  eventName: z.string().regex(EVENT_NAME, "must be a CloudTrail eventName such as PutUseCaseForModelAccess"),
  iamAction: z.string().regex(IAM_ACTION, "must be an IAM action such as bedrock:PutUseCaseForModelAccess"),
  /** Part of the seed detection's action list (kept for old logs even where the API no longer gates access). */
  seed: z.boolean(),
  /** Whether denying the action still gates model access after AWS's October 2025 change. */
  gatesAccess: z.boolean(),
  why: z.string().min(1),
});

const SeveritySchema = z.enum(["low", "medium", "high", "critical"]);

const ThreatSchema = z.strictObject({
  framework: z.literal("MITRE ATT&CK"),
  tactic: z.strictObject({ id: z.string().regex(/^TA\d{4}$/), name: z.string().min(1) }),
  technique: z.strictObject({ id: z.string().regex(/^T\d{4}(\.\d{3})?$/), name: z.string().min(1) }),
});

/**
 * The record fields a rule condition may test. A fixed list, because every backend must know how
 * to read each one (a Lake column expression, a Logs Insights field, an EventBridge path).
 */
const CONDITION_FIELDS = [
  "userIdentity.type",
  "userIdentity.accessKeyId",
  "requestParameters.serviceName",
  "requestParameters.bearerTokenType",
] as const;
export type ConditionField = (typeof CONDITION_FIELDS)[number];

/** Values a condition compares with: plain text that every backend can carry as a literal. */
const CONDITION_VALUE = /^[A-Za-z0-9._:/-]+$/;
const conditionValue = z
  .string()
  .regex(CONDITION_VALUE, "must be letters, digits and . _ : / - only (a value every backend can carry)");

/**
 * One condition on a record field, all of a rule's conditions must hold. The field must be a
 * non-empty string: `equals` any of the values, or `startsWith` the prefix (case-sensitive).
 */
const ConditionSchema = z.union([
  z.strictObject({ field: z.enum(CONDITION_FIELDS), equals: z.array(conditionValue).min(1) }),
  z.strictObject({ field: z.enum(CONDITION_FIELDS), startsWith: conditionValue }),
]);

/**
 * A rule test, Panther style: an example record and whether this rule must match it. A positive
 * example must also be attributed to this rule by the whole rule set (first matching rule wins),
 * so its finding carries this rule's id.
 */
const RuleTestSchema = z.strictObject({
  name: z.string().min(1),
  expect: z.boolean(),
  /** Where a real record came from (repository, path, commit); absent for records written here. */
  source: z.string().min(1).optional(),
  record: z.record(z.string(), z.unknown()),
});

export const DetectionRuleSchema = z
  .strictObject({
    $comment: z.string().optional(),
    id: z.string().regex(KEBAB, "must be lower-case kebab-case"),
    /**
     * Where the rule stands in the rule set, lowest first: a record that several rules match becomes
     * one finding of the first. Unique across the rules; gaps leave room for a new rule between two.
     */
    precedence: z.number().int().min(0),
    name: z.string().min(1),
    /** What the rule catches and why it matters (docs/rules.md). */
    description: z.string().min(1),
    /** What the rule does not catch (docs/rules.md says it for every rule). */
    limitations: z.string().min(1),
    /** The SCP statement that keeps the call from succeeding, in words ("none" when there is none); docs/rules.md. */
    prevention: z.string().min(1),
    severity: SeveritySchema,
    riskScore: z.number().int().min(0).max(100),
    threat: ThreatSchema,
    eventSource: z
      .string()
      .regex(/^[a-z0-9-]+\.amazonaws\.com$/, "must be a service endpoint such as bedrock.amazonaws.com"),
    eventNames: z.array(z.string().regex(EVENT_NAME, "must be a CloudTrail eventName")).min(1),
    /** success: no errorCode (or a blank one); failure: errorCode in errorCodes; any: either. */
    outcome: z.enum(["success", "failure", "any"]),
    errorCodes: z
      .array(z.string().regex(/^[A-Za-z0-9.:_-]+$/, "must be an error code"))
      .min(1)
      .optional(),
    where: z.array(ConditionSchema).default([]),
    /**
     * This tool itself makes such calls (it deletes model agreements when it remediates), so a
     * finding by one of its own roles is expected (approved) rather than a sign of misuse.
     */
    toolMakesThisCall: z.boolean().default(false),
    /**
     * Whether the responder acts on the principal of a finding (deactivate the key, revoke sessions,
     * delete the agreement): only where the call itself is the harm the tool undoes. Every other
     * rule alerts only; a platform admin who edits a guardrail must not lose their sessions.
     */
    remediate: z.boolean().default(false),
    /** Human subject line; {principal} {action} {account} {region} {model} are filled in. */
    summary: z.string().min(1),
    tests: z.array(RuleTestSchema).min(2),
  })
  .superRefine((rule, ctx) => {
    if (rule.outcome === "failure" && !rule.errorCodes)
      ctx.addIssue({ code: "custom", path: ["errorCodes"], message: "a failure rule needs errorCodes" });
    if (rule.outcome !== "failure" && rule.errorCodes)
      ctx.addIssue({ code: "custom", path: ["errorCodes"], message: "only a failure rule takes errorCodes" });
    if (new Set(rule.eventNames).size !== rule.eventNames.length)
      ctx.addIssue({ code: "custom", path: ["eventNames"], message: "lists an event name twice" });
    if (!rule.tests.some((t) => t.expect))
      ctx.addIssue({ code: "custom", path: ["tests"], message: "needs at least one example the rule matches" });
    if (!rule.tests.some((t) => !t.expect))
      ctx.addIssue({ code: "custom", path: ["tests"], message: "needs at least one example the rule does not match" });
  });

const RemediationDefaultsSchema = z.strictObject({
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
    id: z.string().regex(KEBAB, "must be lower-case kebab-case"),
    title: z.string().min(1),
    description: z.string().min(1),
    /** The calls the SCP denies (the seed rule's calls). */
    actions: z.array(GuardedActionSchema).min(1),
    detection: z.strictObject({
      schedule: z.strictObject({
        intervalMinutes: z.number().int().min(1).max(1440),
        lookbackMinutes: z.number().int().min(1),
        maxAlertsPerRun: z.number().int().min(1),
      }),
      investigationFields: z.array(z.string().min(1)).min(1),
      /**
       * The rule files' content (the definition file never lists rules); `compileGuardrail` puts them
       * in precedence order: a record matched by several rules becomes one finding of the first.
       */
      rules: z.array(DetectionRuleSchema).min(1),
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
    const ruleIds = new Set<string>();
    const precedences = new Map<number, string>();
    def.detection.rules.forEach((r, i) => {
      if (ruleIds.has(r.id))
        ctx.addIssue({ code: "custom", path: ["detection", "rules", i, "id"], message: `duplicate rule ${r.id}` });
      ruleIds.add(r.id);
      const other = precedences.get(r.precedence);
      if (other !== undefined && other !== r.id)
        ctx.addIssue({
          code: "custom",
          path: ["detection", "rules", i, "precedence"],
          message: `${r.id} has the precedence of ${other} (${r.precedence}); each rule needs its own`,
        });
      precedences.set(r.precedence, r.id);
    });
    if (!ruleIds.has(def.id)) {
      ctx.addIssue({
        code: "custom",
        path: ["detection", "rules"],
        message: `must contain the primary rule with id "${def.id}"`,
      });
    }
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
export type Condition = z.infer<typeof ConditionSchema>;
export type Severity = z.infer<typeof SeveritySchema>;
export type RemediationDefaults = z.infer<typeof RemediationDefaultsSchema>;
