/**
 * The AWS provider for one stack, from the config's region and that stack's credentials (a named
 * profile, or a role to assume with an optional external ID). `accountId` becomes Terraform's
 * allowed_account_ids, so applying with the wrong credentials fails before any change.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformProvider, TerraformStack, Token } from "cdktf";
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

/**
 * The hashicorp/aws versions the synthesized Terraform asks for. The cdktf provider bindings would
 * pin exactly the version they were generated from (6.25.0, their last: CDK for Terraform is
 * archived); every argument used exists from 6.25.0 on, and the CDK Terrain proof synthesizes the same
 * resources with bindings of a later 6.x (docs/deployment.md). A new major may rename arguments.
 */
export const AWS_PROVIDER_VERSIONS = ">= 6.25.0, < 7.0.0";
const AWS_PROVIDER_REQUIREMENT = { source: "hashicorp/aws", version: AWS_PROVIDER_VERSIONS };

/** The stack's AWS providers without an alias: the one its resources use unless they name another. */
function defaultAwsProviders(stack: TerraformStack): TerraformProvider[] {
  return stack.node
    .findAll()
    .filter((c): c is TerraformProvider => c instanceof TerraformProvider && c.terraformResourceType === "aws")
    .filter((p) => p.alias === undefined);
}

/**
 * A construct on its stack's own provider (`awsProvider: false`) in a stack whose AWS providers all have an alias
 * synthesizes, and Terraform gives its resources an implied empty default provider: the environment's credentials
 * and region, whichever account that is. Refused at synth instead, naming the construct and the way out.
 * With `region` (the monitor: the config's aws.region), a provider whose region is written in the app and differs is
 * refused too: the monitor's resources go where the provider deploys, but the member accounts' event forwarders
 * send to the central bus in aws.region and the CLI looks for the state table there.
 */
export function requireStackProvider(construct: Construct, region?: string): void {
  construct.node.addValidation({
    validate: () => {
      const stack = TerraformStack.of(construct);
      const defaults = defaultAwsProviders(stack);
      if (defaults.length === 0)
        return [
          `${construct.node.path} uses its stack's AWS provider (awsProvider: false), but ${stack.node.path} has no ` +
            "AWS provider without an alias, so Terraform would deploy its resources with the environment's " +
            "credentials and region: add the stack a provider without an alias for the right account, or drop " +
            "awsProvider: false",
        ];
      const [provider] = defaults;
      const deploysTo = provider instanceof AwsProvider ? provider.region : undefined;
      if (region === undefined || deploysTo === undefined || Token.isUnresolved(deploysTo) || deploysTo === region)
        return [];
      return [
        `${construct.node.path} uses its stack's AWS provider (awsProvider: false), which deploys to ${deploysTo}, ` +
          `but its config's aws.region is ${region}, where the member accounts forward real-time events and the ` +
          `CLI looks for the monitor: set aws.region to ${deploysTo}, or give the stack a provider in ${region}`,
      ];
    },
  });
}

/**
 * A stack with two AWS providers without an alias synthesizes, and Terraform refuses it at init ("Duplicate
 * provider configuration"): a construct that brings its provider into a stack that has one (the team's own, or
 * another guardrail construct's) is refused at synth instead, naming the providers and the way out.
 */
function duplicateProviderProblems(stack: TerraformStack): string[] {
  const defaults = defaultAwsProviders(stack);
  if (defaults.length < 2) return [];
  return [
    `${stack.node.path} has ${defaults.length} AWS providers without an alias ` +
      `(${defaults.map((p) => p.node.path).join(", ")}), which Terraform refuses: give the guardrail's ` +
      "constructs in this stack awsProvider: false, all but one of them if the stack has no provider of its own",
  ];
}

/** The stacks whose providers are checked once (a second construct in the same stack adds no second check). */
const VALIDATED_STACKS = new WeakSet<TerraformStack>();

export function guardrailProvider(scope: Construct, id: string, props: GuardrailProviderProps): AwsProvider {
  const c = props.credentials ?? {};
  const stack = TerraformStack.of(scope);
  // The source in full: cdktf writes "aws", CDK Terrain "hashicorp/aws" (the same provider).
  stack.addOverride("terraform.required_providers.aws", AWS_PROVIDER_REQUIREMENT);
  const provider = new AwsProvider(scope, id, {
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
  if (!VALIDATED_STACKS.has(stack)) {
    VALIDATED_STACKS.add(stack);
    stack.node.addValidation({ validate: () => duplicateProviderProblems(stack) });
  }
  return provider;
}
