/**
 * Names of everything the infrastructure creates. Roles use the tool's IAM path and name prefix
 * (TOOL_ROLE_PATH / TOOL_ROLE_PREFIX), because remediation protects this tool's roles by exactly
 * that pattern and the SCP protects them by name (see toolRolePatterns and
 * memberRolePattern in src/guardrail/guardrail.ts). The names themselves live in
 * src/guardrail/tool-names.ts, so the SCP can protect them without importing infra.
 */
import { TOOL_ROLE_PATH } from "../guardrail/guardrail";

export const STACK_NAMES = { monitor: "monitor", memberRole: "remediation-member-role" } as const;

export {
  ALERT_TOPIC_NAME,
  ATHENA_RESULTS_BUCKET_PREFIX,
  DEAD_LETTER_QUEUE_NAME,
  eventDataStoreName,
  FUNCTION_NAMES,
  functionLogGroupName,
  RESOURCE_PREFIX,
  ROLE_NAMES,
} from "../guardrail/tool-names";

export const ROLE_PATH = TOOL_ROLE_PATH;

/**
 * The name of the `index`th of a set of like resources (the EventBridge rules of a split pattern):
 * the first keeps the plain name, so that a set of one is named as before; the next are `-2`, `-3`...
 */
export const numberedName = (name: string, index: number): string => (index === 0 ? name : `${name}-${index + 1}`);
