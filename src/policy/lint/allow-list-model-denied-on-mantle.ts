/**
 * A wildcard foundation-model entry yields only itself on bedrock-mantle (mantle-models.ts: a derived
 * pattern could match models the entry does not), so when its text cannot match the name mantle gives
 * its models (a wildcard in or before the version suffix) and no other entry yields that name, those
 * models are denied on mantle.
 */
import { globMatch } from "../../arn/arn-like";
import { foundationModelIdOf, mantleModelPatterns, mantleNameOfEntry } from "../mantle-models";
import { instantiatePattern } from "../principals";
import { lintCheck } from "./check";

export const allowListModelDeniedOnMantle = lintCheck({
  codes: ["allow-list-model-denied-on-mantle"],
  comparesAllowListEntries: true,
  run: ({ guardrail }) => {
    const list = guardrail.config.scp.modelAllowList ?? [];
    const mantlePatterns = mantleModelPatterns(list);
    return list.flatMap((entry, i) => {
      const listed = foundationModelIdOf(entry);
      if (listed === undefined) return [];
      const mantleName = mantleNameOfEntry(listed);
      const example = instantiatePattern(mantleName);
      if (mantlePatterns.some((p) => globMatch(p, example))) return [];
      const add = /[*?]/.test(mantleName)
        ? "list each model it should allow by its exact id (no wildcard), which yields mantle's id as well"
        : `add arn:${guardrail.partition}:bedrock:*::foundation-model/${mantleName}, which matches that name only`;
      return [
        {
          level: "warning" as const,
          code: "allow-list-model-denied-on-mantle" as const,
          message:
            `scp.modelAllowList[${i}] ${entry}: bedrock-mantle names its models ${mantleName} (no version suffix ` +
            `or snapshot date), which this pattern does not match, so they are denied on mantle; ${add}`,
        },
      ];
    });
  },
});
