/**
 * The AWS provider for one stack, from the config's region and that stack's credentials (a named
 * profile, or a role to assume with an optional external ID). `accountId` becomes Terraform's
 * allowed_account_ids, so applying with the wrong credentials fails before any change.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import {
  Aspects,
  type IAspect,
  TerraformDataSource,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  Token,
} from "cdktf";
import type { Construct, IConstruct } from "constructs";
import { type StackCredentials, stackAccountOf } from "../config/sections/aws";
import { partitionOfRegion, unsupportedPartitionOf } from "../arn/partition";
import { tagWithToolTags } from "./tool-tags";

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

/** What a construct's `awsProvider` prop may be: bring its own provider, or use one of its stack's. */
export type AwsProviderChoice = boolean | AwsProvider;

/** Names every resource and data source under the construct it is added to with `provider` (an aliased one). */
class OnProvider implements IAspect {
  constructor(private readonly provider: TerraformProvider) {}

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource || node instanceof TerraformDataSource)) return;
    if (node.provider === undefined) node.provider = this.provider;
  }
}

/** An AwsProvider, also of another copy of the bindings (instanceof would refuse that one). */
function isAwsProvider(value: unknown): value is AwsProvider {
  return value instanceof TerraformProvider && value.terraformResourceType === "aws";
}

/**
 * The AWS provider a construct's resources deploy with: the one it brought (`true`), its stack's without an alias
 * (`false`), or the AwsProvider it was given. Undefined when the stack has none it could use (refused at synth).
 */
export function providerOf(construct: Construct, awsProvider: AwsProviderChoice): TerraformProvider | undefined {
  if (awsProvider === true) return construct.node.findAll().find(isAwsProvider);
  if (awsProvider === false) return defaultAwsProviders(TerraformStack.of(construct))[0];
  return awsProvider;
}

const literal = (value: unknown): value is string => typeof value === "string" && !Token.isUnresolved(value);

/**
 * The account and region a provider deploys to, as far as the app writes them: the account of its only
 * allowed_account_ids, else of its assume_role's role ARN; undefined where the app leaves it to the environment
 * (a profile, ambient credentials) or to a token.
 */
export function providerTarget(provider: TerraformProvider): { account?: string; region?: string } {
  const { allowedAccountIds, assumeRole, region } = provider as AwsProvider;
  const roleArn = Array.isArray(assumeRole) && assumeRole.length === 1 ? assumeRole[0].roleArn : undefined;
  const account =
    Array.isArray(allowedAccountIds) && allowedAccountIds.length === 1 && literal(allowedAccountIds[0])
      ? allowedAccountIds[0]
      : literal(roleArn)
        ? /^arn:[\w-]+:iam::(\d{12}):role\//.exec(roleArn)?.[1]
        : undefined;
  return { account, region: literal(region) ? region : undefined };
}

/** The config's account for a section, and how to make it `deploysTo`: by the key that names it. */
function configuredAccountFix(
  section: { key: string; credentials: StackCredentials },
  configured: string,
  deploysTo: string,
): string {
  const where = "where the rest of the guardrail expects it";
  if (section.credentials.accountId !== undefined)
    return `${section.key}.accountId is ${configured}, ${where}: set ${section.key}.accountId to ${deploysTo}`;
  return (
    `${section.key}.assumeRoleArn is a role of account ${configured}, ${where}: assume a role of account ` +
    `${deploysTo} there`
  );
}

/**
 * A construct on a provider of its stack (`awsProvider: false`, the stack's provider without an alias, or an
 * AwsProvider of the stack, which every resource and data source under the construct names). Its resources
 * get the tool's tag, which the app's providers set as default tags and a team's provider does not.
 * Refused at synth:
 * - with `false`, a stack whose AWS providers all have an alias: it synthesizes, and Terraform gives the
 *   construct's resources an implied empty default provider, the environment's credentials and region, whichever
 *   account that is;
 * - a provider of another stack: the construct's resources would name a provider their stack does not have;
 * - a provider whose region is written in the app and in another partition than the config's aws.region: the ARNs
 *   the guardrail writes (the SCP's, the roles', the member role's) carry aws.region's partition, and would name
 *   nothing where the provider deploys;
 * - with `mustDeploy: "to aws.region"` (the monitor), a provider whose region is written in the app and differs:
 *   the monitor's resources go where the provider deploys, but the member accounts' event forwarders send to the
 *   central bus in aws.region and the CLI looks for the state table there;
 * - a provider whose account is written in the app (providerTarget) and is not the account the construct's config
 *   section deploys to (stackAccountOf: its accountId, else its assumeRoleArn's account), where the config names one:
 *   the rest of the guardrail takes the config's (the member role trusts the monitor's roles in aws.security's account
 *   and the forwarders send to its bus; the StackSets' call_as follows aws.organization's), so the resources would
 *   deploy where nothing expects them.
 */
export function useStackProvider(
  construct: Construct,
  awsProvider: false | AwsProvider,
  region: string,
  mustDeploy: "to aws.region" | "into its partition",
  section: { key: "aws.security" | "aws.organization"; credentials: StackCredentials },
): void {
  if (awsProvider !== false && !isAwsProvider(awsProvider))
    throw new Error(
      `${construct.node.path}: awsProvider must be true, false or an AwsProvider of its stack, ` +
        `not ${String(awsProvider)}`,
    );
  tagWithToolTags(construct);
  if (awsProvider !== false) Aspects.of(construct).add(new OnProvider(awsProvider));
  const uses =
    awsProvider === false
      ? "uses its stack's AWS provider (awsProvider: false)"
      : `uses the AWS provider ${awsProvider.node.path}`;
  const owner = awsProvider === false ? "the stack" : "it";
  construct.node.addValidation({
    validate: () => {
      const stack = TerraformStack.of(construct);
      if (awsProvider !== false && TerraformStack.of(awsProvider) !== stack)
        return [
          `${construct.node.path} ${uses}, which is in another stack (${TerraformStack.of(awsProvider).node.path}), ` +
            `so Terraform would find no such provider in ${stack.node.path}: give it an AwsProvider of its own stack`,
        ];
      const provider = awsProvider === false ? defaultAwsProviders(stack)[0] : awsProvider;
      if (provider === undefined)
        return [
          `${construct.node.path} ${uses}, but ${stack.node.path} has no ` +
            "AWS provider without an alias, so Terraform would deploy its resources with the environment's " +
            "credentials and region: add the stack a provider without an alias for the right account, give the " +
            "construct one of the stack's providers (awsProvider: <AwsProvider>), or drop awsProvider: false",
        ];
      const deploysToAccount = providerTarget(provider).account;
      const configured = stackAccountOf(section.credentials);
      if (configured !== undefined && deploysToAccount !== undefined && deploysToAccount !== configured)
        return [
          `${construct.node.path} ${uses}, which deploys to account ${deploysToAccount}, but its config's ` +
            configuredAccountFix(section, configured, deploysToAccount) +
            `, or give ${owner} a provider of account ${configured}`,
        ];
      const deploysTo = (provider as { region?: unknown }).region;
      if (typeof deploysTo !== "string" || Token.isUnresolved(deploysTo) || deploysTo === region) return [];
      const partition = partitionOfRegion(region);
      const providerPartition = unsupportedPartitionOf(deploysTo) ?? partitionOfRegion(deploysTo);
      if (providerPartition !== partition)
        return [
          `${construct.node.path} ${uses}, which deploys to ${deploysTo} in partition ${providerPartition}, but its ` +
            `config's aws.region is ${region} in ${partition}, whose ARNs the guardrail writes: ` +
            (unsupportedPartitionOf(deploysTo) === undefined ? `set aws.region to ${deploysTo}, or ` : "") +
            `give ${owner} a provider in ${region}`,
        ];
      if (mustDeploy === "into its partition") return [];
      return [
        `${construct.node.path} ${uses}, which deploys to ${deploysTo}, ` +
          `but its config's aws.region is ${region}, where the member accounts forward real-time events and the ` +
          `CLI looks for the monitor: set aws.region to ${deploysTo}, or give ${owner} a provider in ${region}`,
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
