/**
 * IAM compares resource ARNs case-sensitively and every model and inference-profile id Bedrock publishes is lower
 * case, so an entry written with capitals (copied from a console label, say) matches no call and silently leaves its
 * model denied to everyone the allow-list should serve.
 */
import { allowListEntryRule } from "./allow-list-entries";

export const allowListUpperCaseId = allowListEntryRule({
  code: "allow-list-upper-case-id",
  prepare:
    () =>
    ({ arn: { resource }, where }) => {
      const kind = ["foundation-model/", "inference-profile/"].find((k) => resource.startsWith(k));
      if (!kind || resource === resource.toLowerCase()) return undefined;
      return {
        level: "warning",
        code: "allow-list-upper-case-id",
        message:
          `${where}: Bedrock's ${kind.slice(0, -1)} ids are lower case and IAM compares resource ARNs case by ` +
          `case, so this entry matches no call; write ${resource.toLowerCase()}`,
      };
    },
});
