/**
 * scp.allowLongTermBedrockApiKeyUse while scp.denyLongTermBedrockApiKeys is off: the key only relaxes the use half of
 * that switch, so without it the key changes nothing, and whoever wrote it believes keys are still minted centrally.
 */
import { lintCheck } from "./check";

export const apiKeyUseWithoutCreationControl = lintCheck({
  codes: ["api-key-use-without-creation-control"],
  run: ({ guardrail }) => {
    const { allowLongTermBedrockApiKeyUse, denyLongTermBedrockApiKeys } = guardrail.config.scp;
    if (!allowLongTermBedrockApiKeyUse || denyLongTermBedrockApiKeys) return [];
    return [
      {
        level: "warning",
        code: "api-key-use-without-creation-control",
        message:
          "scp.allowLongTermBedrockApiKeyUse has no effect while scp.denyLongTermBedrockApiKeys is false: every " +
          "principal may already call with a long-term Bedrock API key, and create one; set " +
          "denyLongTermBedrockApiKeys to true to keep creating keys to approved and break-glass principals",
      },
    ];
  },
});
