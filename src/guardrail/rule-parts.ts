/**
 * The parts every rule file shares, single-event or correlation: who the rule is (id, precedence,
 * texts, severity, MITRE mapping) and the event selector (source, names, outcome, conditions) that
 * the matcher and every backend know how to test.
 */
import { z } from "zod";
import { EcsCategorizationSchema } from "./ecs-categorization";

export const EVENT_NAME = /^[A-Za-z0-9]+$/;
export const KEBAB = /^[a-z0-9-]+$/;

export const SeveritySchema = z.enum(["low", "medium", "high", "critical"]);

const ThreatSchema = z.strictObject({
  framework: z.literal("MITRE ATT&CK"),
  tactic: z.strictObject({ id: z.string().regex(/^TA\d{4}$/), name: z.string().min(1) }),
  technique: z.strictObject({ id: z.string().regex(/^T\d{4}(\.\d{3})?$/), name: z.string().min(1) }),
});

/**
 * The record fields a rule condition may test, and the type CloudTrail writes there. A fixed list,
 * because every backend must know how to read each one (a Lake column expression, a Logs Insights
 * field, an EventBridge path). String fields take `equals` / `startsWith` (with `ignoreCase` for a
 * name AWS does not distinguish by case); boolean fields take `is`; every field takes `exists`. The Bedrock API key
 * fields are listed in both objects CloudTrail may write them in (requestParameters for bedrock-mantle,
 * additionalEventData for the classic endpoint), so that a rule can read them in either with `anyOf`.
 */
export const FIELD_TYPES = {
  "userIdentity.type": "string",
  "userIdentity.accessKeyId": "string",
  "requestParameters.serviceName": "string",
  "requestParameters.bearerTokenType": "string",
  "requestParameters.userName": "string",
  "requestParameters.status": "string",
  "requestParameters.callWithBearerToken": "boolean",
  "additionalEventData.callWithBearerToken": "boolean",
  "additionalEventData.bearerTokenType": "string",
  "requestParameters.loggingConfig.textDataDeliveryEnabled": "boolean",
  "requestParameters.loggingConfig.s3Config.bucketName": "string",
  "requestParameters.loggingConfig.cloudWatchConfig.logGroupName": "string",
} as const;
const CONDITION_FIELDS = Object.keys(FIELD_TYPES) as [keyof typeof FIELD_TYPES, ...(keyof typeof FIELD_TYPES)[]];
export type ConditionField = keyof typeof FIELD_TYPES;

/** Values a condition compares with: plain text that every backend can carry as a literal. */
const CONDITION_VALUE = /^[A-Za-z0-9._:/-]+$/;
const conditionValue = z
  .string()
  .regex(CONDITION_VALUE, "must be letters, digits and . _ : / - only (a value every backend can carry)");

const field = z.enum(CONDITION_FIELDS);
/**
 * `ignoreCase: true` compares the lower-cased field with the lower-cased value(s): for a name that AWS
 * resolves whatever its case (an IAM user name), so the caller chooses the case CloudTrail records.
 */
const ignoreCase = z.boolean().optional();
/** A string field `equals` any of the values: a non-empty string, one of them (case-sensitive unless ignoreCase). */
const EqualsCondition = z.strictObject({ field, equals: z.array(conditionValue).min(1), ignoreCase });
/** A string field `startsWith` the prefix: it holds a string that starts with it (case-sensitive unless ignoreCase). */
const StartsWithCondition = z.strictObject({ field, startsWith: conditionValue, ignoreCase });
/**
 * A boolean field `is` true or false: it holds that JSON boolean, or its text ("true", "false"),
 * which is how stores that keep JSON values as text (CloudTrail Lake's maps) hold it.
 */
const IsCondition = z.strictObject({ field, is: z.boolean() });
/** `exists: true`: the field holds a value (not null); `exists: false`: it is missing or null. */
const ExistsCondition = z.strictObject({ field, exists: z.boolean() });

const TESTS = ["equals", "startsWith", "is", "exists"] as const;
/** Keys that qualify a test rather than being one. */
const MODIFIERS = ["ignoreCase"] as const;

/**
 * Why a condition matches none of the four shapes, in words: zod's union alone says only "Invalid input",
 * which leaves a rule author to guess whether the field, the test or its value is wrong.
 */
function conditionShapeProblem(input: unknown): string {
  const shape =
    'must be { "field": ..., and one of "equals": [...], "startsWith": "...", "is": true, "exists": true }' +
    ' (equals and startsWith may add "ignoreCase": true)';
  if (typeof input !== "object" || input === null || Array.isArray(input)) return shape;
  const { field: name, ...rest } = input as Record<string, unknown>;
  if (typeof name !== "string" || !(name in FIELD_TYPES))
    return (
      `field ${name === undefined ? "is missing" : `${JSON.stringify(name)} is not one a rule can test`}: ` +
      `one of ${CONDITION_FIELDS.join(", ")}`
    );
  const keys = Object.keys(rest);
  const tests = keys.filter((k) => (TESTS as readonly string[]).includes(k));
  const known = [...TESTS, ...MODIFIERS] as readonly string[];
  const unknown = keys.filter((k) => !known.includes(k));
  if (unknown.length > 0) return `unknown key(s) ${unknown.map((k) => `"${k}"`).join(", ")}: ${shape}`;
  if (tests.length !== 1) return `has ${tests.length === 0 ? "no test" : `${tests.join(" and ")}`}: ${shape}`;
  const [test] = tests;
  if ("ignoreCase" in rest && typeof rest.ignoreCase !== "boolean") return "ignoreCase must be true or false";
  if ("ignoreCase" in rest && test !== "equals" && test !== "startsWith")
    return `ignoreCase qualifies equals or startsWith, not ${test}`;
  return test === "equals"
    ? "equals must be a list of strings"
    : test === "startsWith"
      ? "startsWith must be a string"
      : `${test} must be true or false`;
}

/**
 * One condition on a record field; all of a rule's conditions must hold. Code that reads
 * conditions must handle every kind (`conditionKind`, condition-kind.ts); code that only understands some (the
 * pre-filter's required literals) must ignore the others, which is always exact.
 */
export const ConditionSchema = z
  .union([EqualsCondition, StartsWithCondition, IsCondition, ExistsCondition], {
    error: (issue) => conditionShapeProblem(issue.input),
  })
  .superRefine((c, ctx) => {
    const type = FIELD_TYPES[c.field];
    if (("equals" in c || "startsWith" in c) && type !== "string")
      ctx.addIssue({ code: "custom", message: `${c.field} is a ${type} field: test it with is or exists` });
    if ("is" in c && type !== "boolean")
      ctx.addIssue({ code: "custom", message: `${c.field} is a ${type} field: is tests a boolean field` });
  });

/**
 * `anyOf`: holds when every condition of at least one of its lists holds, so that one rule reads a value where
 * AWS may write it (requestParameters or additionalEventData). One level deep: its lists hold plain conditions.
 */
const AnyOfConditionSchema = z.strictObject({
  anyOf: z
    .array(
      z
        .array(ConditionSchema, { error: "must be a list of conditions" })
        .min(1, "is empty: each list of anyOf needs at least one condition"),
      { error: "anyOf must be a list of lists of conditions" },
    )
    .min(2, "anyOf needs two or more lists of conditions (the conditions of one list go in where itself)"),
});
type AnyOfCondition = z.infer<typeof AnyOfConditionSchema>;
export type WhereEntry = z.infer<typeof ConditionSchema> | AnyOfCondition;

const isObjectWith = (input: unknown, key: string): boolean =>
  typeof input === "object" && input !== null && !Array.isArray(input) && key in input;

/** Where an anyOf's lists hold another anyOf, as [list, entry] pairs. */
function nestedAnyOf(anyOf: unknown): [number, number][] {
  if (!Array.isArray(anyOf)) return [];
  return anyOf.flatMap((list, i) =>
    Array.isArray(list) ? list.flatMap((c, j): [number, number][] => (isObjectWith(c, "anyOf") ? [[i, j]] : [])) : [],
  );
}

/**
 * An entry of `where`: a condition, or an `anyOf` of lists of conditions. Chosen by the `anyOf` key rather than
 * by a zod union, which would say only "Invalid input" for a mistake in either shape.
 */
const WhereEntrySchema = z.unknown().transform((input, ctx): WhereEntry => {
  const isAnyOf = isObjectWith(input, "anyOf");
  const nested = isAnyOf ? nestedAnyOf((input as { anyOf: unknown }).anyOf) : [];
  for (const [i, j] of nested)
    ctx.addIssue({
      code: "custom",
      path: ["anyOf", i, j],
      message: "anyOf cannot hold another anyOf: its lists hold plain conditions (one level deep)",
    });
  if (nested.length > 0) return z.NEVER;
  const result = (isAnyOf ? AnyOfConditionSchema : ConditionSchema).safeParse(input, { jitless: true });
  if (result.success) return result.data;
  // The issues as the chosen shape gave them, their paths below this entry (unknown keys keep their own code).
  for (const issue of result.error.issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
  return z.NEVER;
});

/** Which records an event rule, or one step of a correlation rule, looks at. */
export const selectorShape = {
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
  where: z.array(WhereEntrySchema).default([]),
};

interface SelectorLike {
  outcome: "success" | "failure" | "any";
  errorCodes?: string[];
  eventNames: string[];
}

/** The checks of a selector that one field alone cannot express; `at` is its path in the rule. */
export function checkSelector(selector: SelectorLike, ctx: z.RefinementCtx, at: (string | number)[] = []): void {
  if (selector.outcome === "failure" && !selector.errorCodes)
    ctx.addIssue({ code: "custom", path: [...at, "errorCodes"], message: "a failure rule needs errorCodes" });
  if (selector.outcome !== "failure" && selector.errorCodes)
    ctx.addIssue({ code: "custom", path: [...at, "errorCodes"], message: "only a failure rule takes errorCodes" });
  if (new Set(selector.eventNames).size !== selector.eventNames.length)
    ctx.addIssue({ code: "custom", path: [...at, "eventNames"], message: "lists an event name twice" });
}

/** A rule's identity and texts: the same for every kind of rule. */
export const ruleHeaderShape = {
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
  /** The peer rule (Elastic, Panther, Sigma, Splunk, Prowler...) this one follows, and how (docs/rules.md). */
  peer: z.string().min(1),
  severity: SeveritySchema,
  riskScore: z.number().int().min(0).max(100),
  threat: ThreatSchema,
  /** The ECS `event.category` and `event.type` of the rule's findings (ecs-categorization.ts). */
  ecs: EcsCategorizationSchema,
  /** Human subject line; {principal} {action} {account} {region} {model} are filled in. */
  summary: z.string().min(1),
};

/** Every rule needs an example it matches and one it does not. */
export function checkExamples(tests: readonly { expect: boolean }[], ctx: z.RefinementCtx): void {
  if (!tests.some((t) => t.expect))
    ctx.addIssue({ code: "custom", path: ["tests"], message: "needs at least one example the rule matches" });
  if (!tests.some((t) => !t.expect))
    ctx.addIssue({ code: "custom", path: ["tests"], message: "needs at least one example the rule does not match" });
}
