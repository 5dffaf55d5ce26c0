/**
 * The AWS provider for one stack, from the config's region and that stack's credentials (a named
 * profile, or a role to assume with an optional external ID). `accountId` becomes Terraform's
 * allowed_account_ids, so applying with the wrong credentials fails before any change.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { Construct } from "constructs";
import type { StackCredentials } from "../config/sections/aws";

export interface GuardrailProviderProps {
  region: string;
  credentials?: StackCredentials;
  /** Tags every resource of the stack gets (provider default_tags). */
  defaultTags?: Record<string, string>;
  /** Session name for assume_role, visible in CloudTrail of the target account. */
  sessionName?: string;
}

const DEFAULT_SESSION_NAME = "bedrock-guardrail-terraform";

export function guardrailProvider(scope: Construct, id: string, props: GuardrailProviderProps): AwsProvider {
  const c = props.credentials ?? {};
  return new AwsProvider(scope, id, {
    region: props.region,
    ...(c.profile ? { profile: c.profile } : {}),
    ...(c.assumeRoleArn
      ? {
          assumeRole: [
            {
              roleArn: c.assumeRoleArn,
              sessionName: props.sessionName ?? DEFAULT_SESSION_NAME,
              ...(c.externalId ? { externalId: c.externalId } : {}),
            },
          ],
        }
      : {}),
    ...(c.accountId ? { allowedAccountIds: [c.accountId] } : {}),
    ...(props.defaultTags && Object.keys(props.defaultTags).length > 0
      ? { defaultTags: [{ tags: props.defaultTags }] }
      : {}),
  });
}
