/**
 * Invoking an inference profile is authorized on the profile ARN *and* on the foundation-model ARN
 * in every Region the profile routes to (global profiles use a foundation-model ARN with an empty
 * Region). An allow-list with the profile but not the model denies every call through the profile.
 */
import { arnLike, parseArn } from "../../arn/arn-like";
import { instantiatePattern } from "../principals";
import { PROFILE_GEO_PREFIX } from "../request-model";
import { allowListEntryRule } from "./allow-list-entries";

export const allowListProfileWithoutModel = allowListEntryRule({
  code: "allow-list-profile-without-model",
  prepare: ({ guardrail }) => {
    const list = guardrail.config.scp.modelAllowList ?? [];
    const modelPatterns = list.filter((p) => parseArn(p)?.resource.startsWith("foundation-model/"));
    return ({ arn, where }) => {
      if (!arn.resource.startsWith("inference-profile/")) return undefined;
      const modelId = arn.resource.slice("inference-profile/".length).replace(PROFILE_GEO_PREFIX, "");
      const partition = arn.partition === "*" ? "aws" : arn.partition;
      // The model must be allowed in a routed Region and in the empty-Region form global profiles use.
      const routed = [
        `arn:${partition}:bedrock:us-east-1::foundation-model/${modelId}`,
        `arn:${partition}:bedrock:::foundation-model/${modelId}`,
      ].map((a) => instantiatePattern(a));
      if (routed.every((m) => modelPatterns.some((p) => arnLike(p, m)))) return undefined;
      return {
        level: "warning",
        code: "allow-list-profile-without-model",
        message:
          `${where}: invoking a profile is also authorized on the underlying foundation model in every ` +
          `Region it routes to; add arn:${partition}:bedrock:*::foundation-model/${modelId} or calls through the ` +
          `profile are denied`,
      };
    };
  },
});
