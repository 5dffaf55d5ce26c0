/**
 * The bedrock-mantle side of the model allow-list. Mantle names a model by a bare model id in the
 * bedrock-mantle:Model condition key (for example anthropic.claude-haiku-4-5 or
 * openai.gpt-oss-120b): no ARN, no Region, no cross-Region geo prefix, no version suffix, and for
 * Claude no snapshot date (Bedrock's anthropic.claude-sonnet-4-5-20250929-v1:0 is mantle's
 * anthropic.claude-sonnet-4-5), though a client may send the id exactly as Bedrock lists it
 * (amazon.nova-pro-v1:0). So the allow-list's one source of truth maps as follows:
 *   - a foundation-model ARN pattern yields its model-id part as listed and, when that is a concrete
 *     id (no `*` or `?`) ending in a version suffix (`-v<n>`, `-v<n>:<n>` or `-<n>:<n>`, as in
 *     openai.gpt-oss-120b-1:0), also the id mantle uses: without the suffix and without an
 *     eight-digit snapshot date before it. A pattern yields just itself: stripping the suffix of
 *     anthropic.claude-*-20250929-v1:0 would leave anthropic.claude-*, every Claude model on mantle,
 *     so a derived id never matches more than the models of its entry (anthropic.claude-sonnet-4*
 *     already matches mantle's ids; anthropic.claude-sonnet-4-5-20250929-v1:* matches none of them,
 *     and the lint says so: mantleNameOfEntry);
 *   - inference-profile, provisioned, custom, imported and every other entry yields nothing: mantle
 *     has no such resource in its model key (and the lint already asks for the foundation model of
 *     every listed profile).
 * Mantle's id carries no date, so a listed dated snapshot allows on mantle whichever snapshot of that
 * model version mantle serves under the undated name (docs/limits.md). If AWS's model key ever
 * differs from this form, a listed model is denied on mantle (fail closed): an unlisted one is never
 * let through by the mapping.
 */
import { parseArn } from "../arn/arn-like";

const FOUNDATION_MODEL_PREFIX = "foundation-model/";
const VERSION_SUFFIX = /-(v\d+(:\d+)?|\d+:\d+)$/;
/** A snapshot date (YYYYMMDD) at the end of an id once its version suffix is gone, as in Claude's ids. */
const SNAPSHOT_DATE = /-\d{8}$/;
const WILDCARD = /[*?]/;
/** A version suffix in a pattern: its digits may be wildcards (-v1:*, -v?:?). */
const VERSION_SUFFIX_PATTERN = /-(v[\d*?]+(:[\d*?]+)?|[\d*?]+:[\d*?]+)$/;
/** A snapshot date followed by a wildcard that stands for the version (-20250929-*, -20250929*). */
const DATE_THEN_ANY_VERSION = /(-[\d?]{8})-?\*$/;
const SNAPSHOT_DATE_PATTERN = /-[\d?]{8}$/;

/**
 * The id bedrock-mantle uses for a model Bedrock lists as `bedrockModelId`: without its version suffix
 * and the snapshot date before it. An id without a version suffix is returned as it is (an id in an
 * unknown form is left to fail closed), and so is a pattern: what is left of it once the suffix is
 * gone can match models it never matched (anthropic.claude-*-20250929-v1:0 would become
 * anthropic.claude-*).
 */
export function mantleModelId(bedrockModelId: string): string {
  if (WILDCARD.test(bedrockModelId) || !VERSION_SUFFIX.test(bedrockModelId)) return bedrockModelId;
  return bedrockModelId.replace(VERSION_SUFFIX, "").replace(SNAPSHOT_DATE, "");
}

/**
 * The names mantle gives the models an allow-list id matches, as a pattern: the version suffix (its
 * digits possibly wildcards, or a wildcard after the snapshot date) and the date removed before any
 * wildcard is filled in. For anthropic.claude-sonnet-4-5-20250929-v1:* it is anthropic.claude-sonnet-4-5,
 * which mantleModelPatterns does not yield: the decision table and the lint show what the listed
 * models are called on mantle, not what the entry's own text happens to match.
 */
export function mantleNameOfEntry(listedModelId: string): string {
  if (!WILDCARD.test(listedModelId)) return mantleModelId(listedModelId);
  const withoutVersion = VERSION_SUFFIX_PATTERN.test(listedModelId)
    ? listedModelId.replace(VERSION_SUFFIX_PATTERN, "")
    : listedModelId.replace(DATE_THEN_ANY_VERSION, "$1");
  return withoutVersion.replace(SNAPSHOT_DATE_PATTERN, "");
}

/** The model-id part of a foundation-model allow-list entry, or undefined for any other entry. */
export function foundationModelIdOf(entry: string): string | undefined {
  const resource = parseArn(entry)?.resource ?? "";
  return resource.startsWith(FOUNDATION_MODEL_PREFIX) ? resource.slice(FOUNDATION_MODEL_PREFIX.length) : undefined;
}

/**
 * The bedrock-mantle:Model patterns (StringLike syntax) the allow-list entries yield, each entry's
 * listed id then mantle's id for it, de-duplicated.
 */
export function mantleModelPatterns(modelAllowList: readonly string[]): string[] {
  // A Set keeps the first-seen order and makes a long list linear (includes() on an array made it quadratic).
  const out = new Set<string>();
  for (const entry of modelAllowList) {
    const listed = foundationModelIdOf(entry);
    if (listed === undefined) continue;
    for (const modelId of [listed, mantleModelId(listed)]) if (modelId) out.add(modelId);
  }
  return [...out];
}
