/**
 * A foundation-model entry whose Region segment leaves some cross-Region profiles of the model denied: those of
 * each geography whose Regions it does not all match (a call through a profile is authorized on the model in every
 * Region it may route to) and the global ones (whose model ARN has an empty Region).
 */
import { globMatch } from "../../arn/arn-like";
import { geographyRegions, profileGeographies } from "../request-model";
import { allowListEntryRule } from "./allow-list-entries";

export const allowListRegionalModel = allowListEntryRule({
  code: "allow-list-regional-model",
  prepare:
    ({ guardrail: { partition } }) =>
    ({ arn: { resource, region }, where }) => {
      if (!resource.startsWith("foundation-model/")) return undefined;
      const partial = profileGeographies(partition).filter(
        (geography) => !geographyRegions(geography, partition).every((r) => globMatch(region, r)),
      );
      // Global profiles route to every commercial Region and exist in that partition only.
      const global = partition === "aws" && !globMatch(region, "") ? ["global"] : [];
      const denied = [...partial, ...global].map((g) => `${g}.`);
      if (denied.length === 0) return undefined;
      const scope =
        region === ""
          ? "names the empty Region only"
          : /[*?]/.test(region)
            ? `matches the Regions ${region} only`
            : `names one Region, ${region}`;
      return {
        level: "warning",
        code: "allow-list-regional-model",
        message:
          `${where}: ${scope}; a call through a cross-Region profile is authorized on the model in every Region ` +
          `the profile may route to (a global profile's with an empty Region), so calls through the ` +
          `${denied.join(", ")} profiles of this model stay denied unless other entries allow it there`,
      };
    },
});
