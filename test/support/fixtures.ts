/**
 * The one vocabulary the tests share: the approved and break-glass principals every area uses, and the one
 * way a test turns a config into a compiled Guardrail. Each area's helpers pass their own config on top.
 */
import { parseConfig } from "../../src/config/load";
import type { GuardrailConfigInput } from "../../src/config/schema";
import { bundledDefinition, compileGuardrail, type Guardrail } from "../../src/guardrail/guardrail";

/** The approved-role pattern of the default config (any account). */
export const APPROVED_ROLE_PATTERN = "arn:aws:iam::*:role/BedrockModelAccessAdmin";
/** A break-glass role in one account. */
export const BREAK_GLASS_ROLE = "arn:aws:iam::111122223333:role/BreakGlass";

export const MINIMAL_CONFIG: GuardrailConfigInput = { approvedPrincipalArns: [APPROVED_ROLE_PATTERN] };

/** The bundled definition compiled with a config: the minimal one unless the test gives its own keys. */
export function guardrailFrom(config: Partial<GuardrailConfigInput> = {}): Guardrail {
  return compileGuardrail(bundledDefinition(), parseConfig({ ...MINIMAL_CONFIG, ...config }));
}
