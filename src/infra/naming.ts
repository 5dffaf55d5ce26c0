/**
 * Names of everything the infrastructure creates. Roles use the tool's IAM path and name prefix
 * (TOOL_ROLE_PATH / TOOL_ROLE_PREFIX), because remediation protects this tool's roles by exactly
 * that pattern and the SCP exempts the member role by name (see toolRolePatterns and
 * memberRolePattern in src/guardrail/guardrail.ts).
 */
import { TOOL_ROLE_PATH, TOOL_ROLE_PREFIX } from "../guardrail/guardrail";

export const STACK_NAMES = { monitor: "monitor", memberRole: "remediation-member-role" } as const;

/** Prefix of every named resource in the security account. */
export const RESOURCE_PREFIX = "bedrock-guardrail";

export const FUNCTION_NAMES = {
  queryJob: `${RESOURCE_PREFIX}-query-job`,
  realtime: `${RESOURCE_PREFIX}-realtime`,
} as const;

export type FunctionKey = keyof typeof FUNCTION_NAMES;

export const ROLE_NAMES = {
  queryJob: `${TOOL_ROLE_PREFIX}query-job`,
  realtime: `${TOOL_ROLE_PREFIX}realtime`,
  scheduler: `${TOOL_ROLE_PREFIX}scheduler`,
  /** Lets the regional default-bus rules put events on the central bus. */
  forwarder: `${TOOL_ROLE_PREFIX}event-forwarder`,
} as const;

export const ROLE_PATH = TOOL_ROLE_PATH;
