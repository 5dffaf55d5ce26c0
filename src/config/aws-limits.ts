/**
 * Limits AWS enforces on names and tags that come from the user's config, checked at config time so
 * that a bad value fails `check` (exit 2) naming the key instead of failing `terraform apply`.
 * Sources: the AWS tagging rules shared by Organizations, IAM and Secrets Manager (50 user tags per
 * resource, keys 1-128 and values 0-256 characters of letters, digits, spaces and _.:/=+-@, no `aws:`
 * prefix); IAM role names (1-64 of \w+=,.@-); Organizations policy names (1-128); Secrets Manager
 * names (1-512 of \w/+=.@-); CloudWatch Logs group names (1-512 of \w.-/#); EventBridge bus names (1-256).
 */
import { z } from "zod";

/**
 * AWS Organizations' service control policy quotas, the defaults of scp.maxPolicySize and
 * scp.maxPoliciesPerTarget. Source: AWS Organizations quotas ("Maximum size of a policy document",
 * "Maximum number of policies attached to a root, OU or account"), raised in May 2026 from 5,120
 * characters and 5 policies (AWS's "increased SCP quotas" announcement; Landing Zone Accelerator's
 * validator changed the same way). The count includes FullAWSAccess; the size counts every character
 * of the stored (minified) document. The size is not among the quotas AWS raises on request (the May 2026
 * raise reached every organization without one), so it is also the most scp.maxPolicySize accepts.
 */
export const SCP_QUOTAS = { maxPolicySize: 10_240, maxPoliciesPerTarget: 10 } as const;

/**
 * Amazon EventBridge's "Event pattern size" quota, in characters: 2,048 by default, adjustable per
 * account and Region up to 4,096 (EventBridge quotas; the AWS provider's event_pattern check
 * follows it). The default of monitor.eventbridge.maxPatternChars.
 */
export const EVENT_PATTERN_QUOTA = { default: 2048, max: 4096 } as const;

export const MAX_TAGS_PER_RESOURCE = 50;
const MAX_TAG_KEY_CHARS = 128;
const MAX_TAG_VALUE_CHARS = 256;
/** Letters, digits and white space in any script, and _ . : / = + - @. */
const TAG_CHARACTERS = /^[\p{L}\p{N}\p{Z}_.:/=+\-@]*$/u;

/** The tags this tool always sets on what it creates (src/infra reads them from here). */
export const TOOL_TAGS: Readonly<Record<string, string>> = { "managed-by": "bedrock-guardrail" };

/** What is wrong with user tags that go on a resource beside the tool's own, each naming the key. */
function tagProblems(tags: Record<string, string>, toolTags = TOOL_TAGS): string[] {
  const problems: string[] = [];
  const total = new Set([...Object.keys(toolTags), ...Object.keys(tags)]).size;
  if (total > MAX_TAGS_PER_RESOURCE)
    problems.push(
      `${Object.keys(tags).length} tags plus the tool's ${Object.keys(toolTags).length} make ${total}: ` +
        `AWS allows ${MAX_TAGS_PER_RESOURCE} per resource`,
    );
  for (const [key, value] of Object.entries(tags)) {
    const name = `"${key.length > 40 ? `${key.slice(0, 40)}...` : key}"`;
    if (key.length < 1 || key.length > MAX_TAG_KEY_CHARS)
      problems.push(`key ${name} is ${key.length} characters: AWS allows 1-${MAX_TAG_KEY_CHARS}`);
    if (value.length > MAX_TAG_VALUE_CHARS)
      problems.push(`${name}: the value is ${value.length} characters: AWS allows up to ${MAX_TAG_VALUE_CHARS}`);
    if (/^aws:/i.test(key)) problems.push(`key ${name}: the aws: prefix is reserved for AWS`);
    if (!TAG_CHARACTERS.test(key) || !TAG_CHARACTERS.test(value))
      problems.push(`${name}: keys and values may only hold letters, digits, spaces and _ . : / = + - @`);
    if (key in toolTags && value !== toolTags[key])
      problems.push(`${name} is set by the tool (${key}=${toolTags[key]}) and would be overwritten: remove it`);
  }
  return problems;
}

/** A zod tags map checked against tagProblems (each problem a zod issue naming the key). */
export function awsTags(toolTags = TOOL_TAGS) {
  return z.record(z.string(), z.string()).superRefine((tags, ctx) => {
    for (const message of tagProblems(tags, toolTags)) ctx.addIssue({ code: "custom", message });
  });
}

/**
 * An AWS name: `pattern` of allowed characters and at most `max` characters; `whyMax` says why the
 * limit is lower than AWS's own, when it is.
 */
function awsName(what: string, max: number, characters: RegExp, charactersInWords: string, whyMax?: string) {
  return z
    .string()
    .min(1, `must be a ${what} (1-${max} characters)`)
    .max(max, `must be at most ${max} characters (${whyMax ?? `AWS's limit for a ${what}`})`)
    .regex(characters, `must be a ${what}: only ${charactersInWords}`);
}

/** Organizations policy name, with room for the "-2".."-99" suffix of split documents. */
const SCP_NAME_MAX = 128 - 3;
export const scpName = () =>
  awsName(
    "policy name",
    SCP_NAME_MAX,
    /^[\w+=,.@-]+$/,
    "letters, digits and +=,.@-_",
    `AWS allows 128 for a policy name; 3 are kept for the "-2".."-99" suffix of a split document`,
  );
export const iamRoleName = () => awsName("IAM role name", 64, /^[\w+=,.@-]+$/, "letters, digits and +=,.@-_");
/** A log group by name or by ARN (another account's group, as Logs Insights takes it). */
export const logGroupName = () =>
  z
    .string()
    .regex(
      /^(arn:[\w-]+:logs:[a-z0-9-]+:\d{12}:log-group:)?[\w.\-/#]{1,512}(:\*)?$/,
      "must be a CloudWatch Logs group name (1-512 letters, digits and ._-/#) or its ARN",
    );
export const eventBusName = () => awsName("EventBridge bus name", 256, /^[\w.\-/]+$/, "letters, digits and ._-/");

/** What a secret-name template's placeholders can grow to: account id 12, IAM user name 64, access key id 128. */
const SECRET_PLACEHOLDERS: Record<string, number> = { "{account}": 12, "{user}": 64, "{accessKeyId}": 128 };
const SECRET_NAME_MAX = 512;

/** A Secrets Manager name template: known placeholders only, allowed characters, within 512 once filled. */
export function secretNameTemplate() {
  return z
    .string()
    .min(1)
    .superRefine((template, ctx) => {
      const unknown = (template.match(/\{[^}]*\}/g) ?? []).filter((p) => !(p in SECRET_PLACEHOLDERS));
      if (unknown.length > 0)
        ctx.addIssue({
          code: "custom",
          message: `unknown placeholder(s) ${unknown.join(", ")}: use ${Object.keys(SECRET_PLACEHOLDERS).join(" ")}`,
        });
      let longest = template;
      for (const [p, n] of Object.entries(SECRET_PLACEHOLDERS)) longest = longest.split(p).join("x".repeat(n));
      if (!/^[\w/+=.@-]+$/.test(longest.replace(/\{[^}]*\}/g, "")))
        ctx.addIssue({ code: "custom", message: "a Secrets Manager name may only hold letters, digits and /_+=.@-" });
      if (longest.length > SECRET_NAME_MAX)
        ctx.addIssue({
          code: "custom",
          message: `can grow to ${longest.length} characters once filled: Secrets Manager allows ${SECRET_NAME_MAX}`,
        });
    });
}
