/**
 * The bedrock-mantle side of the model allow-list. Mantle names a model by a bare model id in the
 * bedrock-mantle:Model condition key (for example anthropic.claude-haiku-4-5 or
 * openai.gpt-oss-120b): no ARN, no Region, no cross-Region geo prefix and no `-v1:0` version
 * suffix. So the allow-list's one source of truth maps as follows:
 *   - a foundation-model ARN pattern yields its model-id part, with a trailing `-v<n>` or
 *     `-v<n>:<n>` version suffix removed (anthropic.claude-sonnet-4* stays anthropic.claude-sonnet-4*);
 *   - inference-profile, provisioned, custom, imported and every other entry yields nothing: mantle
 *     has no such resource in its model key (and the lint already asks for the foundation model of
 *     every listed profile).
 * If AWS's model key ever differs from this form, a listed model is denied on mantle (fail closed):
 * an unlisted one is never let through by the mapping.
 */
import { parseArn } from "../arn/arn-like";

const FOUNDATION_MODEL_PREFIX = "foundation-model/";
const VERSION_SUFFIX = /-v\d+(:\d+)?$/;

/** The bedrock-mantle:Model patterns (StringLike syntax) the allow-list entries yield, de-duplicated. */
export function mantleModelPatterns(modelAllowList: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of modelAllowList) {
    const resource = parseArn(entry)?.resource ?? "";
    if (!resource.startsWith(FOUNDATION_MODEL_PREFIX)) continue;
    const modelId = resource.slice(FOUNDATION_MODEL_PREFIX.length).replace(VERSION_SUFFIX, "");
    if (modelId && !out.includes(modelId)) out.push(modelId);
  }
  return out;
}
