/**
 * Correlation rules: a finding made of several records by one credential, the three kinds detection
 * engineers know from Sigma's correlation rules and Elastic's rule types:
 *
 * - threshold: at least `threshold` matching events by one group within a `windowMinutes` window
 *   (Sigma event_count, Elastic threshold);
 * - value-count: at least `threshold` distinct values of `field` by one group within a window
 *   (Sigma value_count, Prowler's share of LLMjacking actions);
 * - sequence: the steps in order, by one group, the last within `windowMinutes` of the first
 *   (Sigma temporal_ordered, Elastic EQL sequence);
 * - new-term: a value of `field` the group has not used within `baselineDays` (Elastic new terms).
 *
 * Threshold and value-count windows are tumbling windows aligned to the epoch (what Logs Insights'
 * `bin()` and a SQL GROUP BY compute), so that every backend, and every run of the monitor, agrees on
 * which window an event is in. The reference semantics are src/detection/correlation/engine.ts.
 */
import { z } from "zod";
import { checkExamples, checkSelector, ruleHeaderShape, SeveritySchema, selectorShape } from "./rule-parts";

const SelectorSchema = z.strictObject(selectorShape).superRefine((selector, ctx) => checkSelector(selector, ctx));
/** Events of any of the selectors (they may name different event sources, e.g. bedrock and bedrock-mantle). */
const AnyOfSchema = z.array(SelectorSchema).min(1);
export type AnyOf = z.infer<typeof AnyOfSchema>;

/** Fields a value-count or new-term rule counts: each one every backend can read. */
const VALUE_FIELDS = ["awsRegion", "eventName", "requestParameters.modelId"] as const;
export type ValueField = (typeof VALUE_FIELDS)[number];

/** How the finding's credential was presented (src/detection/credential.ts). */
const CREDENTIAL_KINDS = [
  "long-term-key",
  "session",
  "root",
  "none",
  "bedrock-api-key-long-term",
  "bedrock-api-key-short-term",
  "bedrock-api-key",
] as const;

/**
 * An example history: records in time order (the engine sorts them as every backend does) and
 * whether the rule must fire on it. For a new-term rule, records before `learnUntil` only teach
 * the baseline.
 */
const HistoryTestSchema = z.strictObject({
  name: z.string().min(1),
  expect: z.boolean(),
  source: z.string().min(1).optional(),
  learnUntil: z.iso.datetime().optional(),
  history: z.array(z.record(z.string(), z.unknown())).min(1),
});

const windowMinutes = z.number().int().min(1).max(1440);

const correlationShape = {
  ...ruleHeaderShape,
  /**
   * credential: the access key id, else the principal ARN (a Bedrock API key's call, without an
   * access key, is its principal's whatever its bearer-token markers say); principal: the principal ARN.
   */
  groupBy: z.enum(["credential", "principal"]).default("credential"),
  /** A higher severity (and risk score) when the group's credential is one of these kinds. */
  severityByCredential: z
    .strictObject({
      credentialKinds: z.array(z.enum(CREDENTIAL_KINDS)).min(1),
      severity: SeveritySchema,
      riskScore: z.number().int().min(0).max(100),
    })
    .optional(),
  tests: z.array(HistoryTestSchema).min(2),
};

const ThresholdSchema = z.strictObject({
  ...correlationShape,
  kind: z.literal("threshold"),
  select: AnyOfSchema,
  threshold: z.number().int().min(2).max(100_000),
  windowMinutes,
});

const ValueCountSchema = z.strictObject({
  ...correlationShape,
  kind: z.literal("value-count"),
  select: AnyOfSchema,
  field: z.enum(VALUE_FIELDS),
  threshold: z.number().int().min(2).max(1000),
  windowMinutes,
});

const SequenceSchema = z.strictObject({
  ...correlationShape,
  kind: z.literal("sequence"),
  /** In order: an event of the first step, then one of the second at or after it, within the window. */
  steps: z.tuple([AnyOfSchema, AnyOfSchema]),
  windowMinutes,
});

const NewTermSchema = z.strictObject({
  ...correlationShape,
  kind: z.literal("new-term"),
  select: AnyOfSchema,
  field: z.enum(VALUE_FIELDS),
  baselineDays: z.number().int().min(1).max(365),
});

export const CorrelationRuleSchema = z
  .discriminatedUnion("kind", [ThresholdSchema, ValueCountSchema, SequenceSchema, NewTermSchema])
  .superRefine((rule, ctx) => checkExamples(rule.tests, ctx));

export type CorrelationRule = z.infer<typeof CorrelationRuleSchema>;
export type SequenceRule = z.infer<typeof SequenceSchema>;
export type NewTermRule = z.infer<typeof NewTermSchema>;
export type HistoryTest = z.infer<typeof HistoryTestSchema>;

/** Whether a rule file is a correlation rule (by its `kind`), before it is validated. */
export function isCorrelationRuleFile(value: unknown): boolean {
  const kind = typeof value === "object" && value !== null ? (value as { kind?: unknown }).kind : undefined;
  return kind !== undefined && kind !== "event";
}
