/**
 * The bedrock-mantle side of the model allow-list. Mantle names a model by a bare model id in the
 * bedrock-mantle:Model condition key (for example anthropic.claude-haiku-4-5 or
 * openai.gpt-oss-120b): no ARN, no Region, no cross-Region geo prefix, and usually no version
 * suffix, though a client may send the id exactly as Bedrock lists it (amazon.nova-pro-v1:0). So the
 * allow-list's one source of truth maps as follows:
 *   - a foundation-model ARN pattern yields its model-id part as listed and, when it ends in a
 *     version suffix (`-v<n>`, `-v<n>:<n>` or `-<n>:<n>`, as in openai.gpt-oss-120b-1:0), also the
 *     bare id without it (anthropic.claude-sonnet-4* yields just itself);
 *   - inference-profile, provisioned, custom, imported and every other entry yields nothing: mantle
 *     has no such resource in its model key (and the lint already asks for the foundation model of
 *     every listed profile).
 * If AWS's model key ever differs from this form, a listed model is denied on mantle (fail closed):
 * an unlisted one is never let through by the mapping.
 */
import { parseArn } from "../arn/arn-like";

const FOUNDATION_MODEL_PREFIX = "foundation-model/";
const VERSION_SUFFIX = /-(v\d+(:\d+)?|\d+:\d+)$/;

/**
 * The bedrock-mantle:Model patterns (StringLike syntax) the allow-list entries yield, listed then bare,
 * de-duplicated.
 */
export function mantleModelPatterns(modelAllowList: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of modelAllowList) {
    const resource = parseArn(entry)?.resource ?? "";
    if (!resource.startsWith(FOUNDATION_MODEL_PREFIX)) continue;
    const listed = resource.slice(FOUNDATION_MODEL_PREFIX.length);
    for (const modelId of [listed, listed.replace(VERSION_SUFFIX, "")])
      if (modelId && !out.includes(modelId)) out.push(modelId);
  }
  return out;
}
