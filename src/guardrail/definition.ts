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
import { CorrelationRuleSchema } from "./correlation-definition";
import {
  type ConditionSchema,
  checkExamples,
  checkSelector,
  EVENT_NAME,
  KEBAB,
  ruleHeaderShape,
  type SeveritySchema,
  selectorShape,
} from "./rule-parts";

export type { ConditionField, WhereEntry } from "./rule-parts";
export { conditionKind, whereAlternatives } from "./condition-kind";

export type { RemediationMode } from "../config/remediation-mode";

const IAM_ACTION = /^[a-z0-9-]+:[A-Za-z0-9]+$/;

const GuardedActionSchema = z.strictObject({
  eventName: z.string().regex(EVENT_NAME, "must be a CloudTrail eventName such as PutUseCaseForModelAccess"),
  iamAction: z.string().regex(IAM_ACTION, "must be an IAM action such as bedrock:PutUseCaseForModelAccess"),
  /** Part of the seed detection's action list (kept for old logs even where the API no longer gates access). */
  seed: z.boolean(),
  /** Whether denying the action still gates model access after AWS's October 2025 change. */
  gatesAccess: z.boolean(),
  why: z.string().min(1),
});

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
    ...ruleHeaderShape,
    /** A single-event rule: every matching record is a finding (the default kind). */
    kind: z.literal("event").optional(),
    ...selectorShape,
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
    tests: z.array(RuleTestSchema).min(2),
  })
  .superRefine((rule, ctx) => {
    checkSelector(rule, ctx);
    checkExamples(rule.tests, ctx);
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
      /** The correlation rule files (src/guardrail/correlation-definition.ts), in any order. */
      correlations: z.array(CorrelationRuleSchema).default([]),
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
    const all = [
      ...def.detection.rules.map((r, i) => ({ r, path: ["detection", "rules", i] })),
      ...def.detection.correlations.map((r, i) => ({ r, path: ["detection", "correlations", i] })),
    ];
    all.forEach(({ r, path: at }) => {
      if (ruleIds.has(r.id)) ctx.addIssue({ code: "custom", path: [...at, "id"], message: `duplicate rule ${r.id}` });
      ruleIds.add(r.id);
      const other = precedences.get(r.precedence);
      if (other !== undefined && other !== r.id)
        ctx.addIssue({
          code: "custom",
          path: [...at, "precedence"],
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
/** An event rule or one step of a correlation rule: what the matcher tests on one record. */
export type EventSelector = Pick<DetectionRule, "eventSource" | "eventNames" | "outcome" | "errorCodes" | "where">;
export type Severity = z.infer<typeof SeveritySchema>;
export type RemediationDefaults = z.infer<typeof RemediationDefaultsSchema>;
