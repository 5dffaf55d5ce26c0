/**
 * The bedrock-mantle side of the model allow-list. Mantle names a model by a bare model id in the
 * bedrock-mantle:Model condition key (for example anthropic.claude-haiku-4-5 or
 * openai.gpt-oss-120b): no ARN, no Region, no cross-Region geo prefix, no version suffix, and for
 * Claude no snapshot date (Bedrock's anthropic.claude-sonnet-4-5-20250929-v1:0 is mantle's
 * anthropic.claude-sonnet-4-5), though a client may send the id exactly as Bedrock lists it
 * (amazon.nova-pro-v1:0). So the allow-list's one source of truth maps as follows:
 *   - a foundation-model ARN pattern yields its model-id part as listed and, when it ends in a
 *     version suffix (`-v<n>`, `-v<n>:<n>` or `-<n>:<n>`, as in openai.gpt-oss-120b-1:0), also the
 *     id mantle uses: without the suffix and without an eight-digit snapshot date before it
 *     (anthropic.claude-sonnet-4* yields just itself, which matches mantle's ids as well);
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

/**
 * The id bedrock-mantle uses for a model Bedrock lists as `bedrockModelId` (a foundation-model id,
 * concrete or a pattern): without its version suffix and the snapshot date before it. An id without
 * a version suffix is returned as it is (a pattern such as anthropic.claude-sonnet-4* already covers
 * mantle's ids, and an id in an unknown form is left to fail closed).
 */
export function mantleModelId(bedrockModelId: string): string {
  if (!VERSION_SUFFIX.test(bedrockModelId)) return bedrockModelId;
  return bedrockModelId.replace(VERSION_SUFFIX, "").replace(SNAPSHOT_DATE, "");
}

/**
 * The bedrock-mantle:Model patterns (StringLike syntax) the allow-list entries yield, each entry's
 * listed id then mantle's id for it, de-duplicated.
 */
export function mantleModelPatterns(modelAllowList: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of modelAllowList) {
    const resource = parseArn(entry)?.resource ?? "";
    if (!resource.startsWith(FOUNDATION_MODEL_PREFIX)) continue;
    const listed = resource.slice(FOUNDATION_MODEL_PREFIX.length);
    for (const modelId of [listed, mantleModelId(listed)]) if (modelId && !out.includes(modelId)) out.push(modelId);
  }
  return out;
}
