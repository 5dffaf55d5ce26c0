import type { GuardrailConfigInput } from "../../src/config/schema";
import type { Guardrail } from "../../src/guardrail/guardrail";
import { guardrailFrom, MINIMAL_CONFIG } from "../support/fixtures";

export { MINIMAL_CONFIG };

/** Every SCP control on, an Identity Center approved role and a break-glass role. */
export const FULL_CONFIG: GuardrailConfigInput = {
  approvedPrincipalArns: [
    "arn:aws:iam::*:role/BedrockModelAccessAdmin",
    // The safe Identity Center form: the permission-set name, then sixteen ? for the random suffix.
    "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_BedrockAdmin_????????????????",
  ],
  breakGlassPrincipalArns: ["arn:aws:iam::123456789012:role/BreakGlass"],
  scp: {
    denyMarketplaceProductIds: ["prod-abcdefgh12345"],
    modelAllowList: [
      "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4*",
      "arn:aws:bedrock:*:*:inference-profile/us.anthropic.claude-sonnet-4*",
    ],
  },
};

export function guardrailFor(config: GuardrailConfigInput): Guardrail {
  return guardrailFrom(config);
}
