/**
 * Names of what the infrastructure creates in the security account, kept at the guardrail level so
 * the SCP (src/policy) can protect exactly the names src/infra deploys, without importing infra.
 * src/infra/naming.ts re-exports them; nothing else spells these names.
 */
import { TOOL_ROLE_PATH, TOOL_ROLE_PREFIX } from "./guardrail";

/** Prefix of every named resource in the security account. */
export const RESOURCE_PREFIX = "bedrock-guardrail";

export const FUNCTION_NAMES = {
  queryJob: `${RESOURCE_PREFIX}-query-job`,
  realtime: `${RESOURCE_PREFIX}-realtime`,
} as const;

export const ROLE_NAMES = {
  queryJob: `${TOOL_ROLE_PREFIX}query-job`,
  realtime: `${TOOL_ROLE_PREFIX}realtime`,
  scheduler: `${TOOL_ROLE_PREFIX}scheduler`,
  /** Lets the regional default-bus rules put events on the central bus. */
  forwarder: `${TOOL_ROLE_PREFIX}event-forwarder`,
} as const;

/** ARN of a role this tool creates in the security account. */
export function toolRoleArn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role${TOOL_ROLE_PATH}${roleName}`;
}

/** Every Lambda function this tool creates (in any account and Region), as an ArnLike pattern. */
export function toolFunctionPattern(partition = "aws"): string {
  return `arn:${partition}:lambda:*:*:function:${RESOURCE_PREFIX}-*`;
}
