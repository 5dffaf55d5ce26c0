/**
 * The rule files shipped in policies/rules/, imported statically so that the Lambda bundles and
 * the CLI carry them without reading the file system. A rule the definition names but this map
 * lacks is a config error, so adding a rule file means adding one line here.
 */
import apiKeyCreated from "../../policies/rules/bedrock-api-key-created.json";
import guardrailTampering from "../../policies/rules/bedrock-guardrail-tampering.json";
import invocationLoggingTampering from "../../policies/rules/bedrock-invocation-logging-tampering.json";
import longTermApiKeyUsed from "../../policies/rules/bedrock-long-term-api-key-used.json";
import mantleResourceCreated from "../../policies/rules/bedrock-mantle-resource-created.json";
import modelAccessDenied from "../../policies/rules/bedrock-model-access-denied.json";
import modelAccessEnabled from "../../policies/rules/bedrock-model-access-enabled.json";
import modelAgreementDeleted from "../../policies/rules/bedrock-model-agreement-deleted.json";
import reconByLongTermKey from "../../policies/rules/bedrock-recon-by-long-term-key.json";

export const BUNDLED_RULES: ReadonlyMap<string, unknown> = new Map<string, unknown>(
  [
    modelAccessEnabled,
    modelAccessDenied,
    invocationLoggingTampering,
    guardrailTampering,
    apiKeyCreated,
    mantleResourceCreated,
    modelAgreementDeleted,
    reconByLongTermKey,
    longTermApiKeyUsed,
  ].map((rule) => [rule.id, rule]),
);
