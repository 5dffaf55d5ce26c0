/**
 * The remediation-member-role stack, deployed from the management account (or a CloudFormation
 * StackSets delegated administrator): a service-managed StackSet that auto-deploys the member
 * remediation role to the configured OUs (default: the root). StackSets never deploy into the
 * management account itself, which is also the one account remediation never touches.
 * The role exists only when some account can be in enforce mode (the declarations give it
 * permissions): in off and dry-run nothing ever calls it, and its IAM write access would only be
 * there to be misused. With the real-time path enabled, a second StackSet deploys the default-bus
 * forwarding rules. With neither the stack is empty, and applying it removes what an earlier
 * config deployed.
 */
import {
  CloudformationStackSet,
  type CloudformationStackSetConfig,
} from "@cdktf/provider-aws/lib/cloudformation-stack-set";
import { CloudformationStackSetInstance } from "@cdktf/provider-aws/lib/cloudformation-stack-set-instance";
import { DataAwsOrganizationsOrganization } from "@cdktf/provider-aws/lib/data-aws-organizations-organization";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { buildEventPatterns } from "../../detection/backends/eventbridge-pattern";
import { stackAccountOf } from "../../config/sections/aws";
import type { Guardrail } from "../../guardrail/guardrail";
import { type GuardrailConstructProps, monitorGuardrail } from "../construct-props";
import { registerMemberRole } from "../responder-agreement";
import { type FunctionDeclarations, guardrailDeclarations, responderRoleNames } from "../declarations";
import { RESOURCE_PREFIX, STACK_NAMES } from "../naming";
import { MANAGED_BY_TAG } from "../organization-policy-stack";
import { guardrailProvider, useStackProvider } from "../provider";
import { eventForwarderTemplateBody, FORWARDER_PARAMETERS } from "./event-forwarder-template";
import { memberRoleTemplateBody, TEMPLATE_PARAMETERS } from "./member-role-template";

export const MEMBER_ROLE_STACK = STACK_NAMES.memberRole;
const MEMBER_ROLE_STACK_SET = `${RESOURCE_PREFIX}-remediation-role`;
const EVENT_FORWARDER_STACK_SET = `${RESOURCE_PREFIX}-event-forwarder`;

export interface MemberRoleStackProps {
  guardrail: Guardrail;
  declarations?: FunctionDeclarations;
}

/** What both StackSets share: service-managed, auto-deployed to new accounts, parallel across regions. */
const SERVICE_MANAGED_STACK_SET = {
  permissionModel: "SERVICE_MANAGED",
  autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
  capabilities: ["CAPABILITY_NAMED_IAM"],
  operationPreferences: {
    failureTolerancePercentage: 10,
    maxConcurrentPercentage: 25,
    regionConcurrencyType: "PARALLEL",
  },
  managedExecution: { active: true },
  // The provider reports an administration role for SERVICE_MANAGED stack sets; it is AWS's.
  lifecycle: { ignoreChanges: ["administration_role_arn"] },
} satisfies Partial<CloudformationStackSetConfig>;

/**
 * SELF from the management account; DELEGATED_ADMIN when the config says the organization
 * credentials reach an account other than the management account (aws.organization's accountId, or the account of
 * the role it assumes).
 */
function callAsFor(guardrail: Guardrail): "SELF" | "DELEGATED_ADMIN" {
  const mgmt = guardrail.config.organization.managementAccountId;
  const deployer = stackAccountOf(guardrail.config.aws.organization);
  return mgmt && deployer && mgmt !== deployer ? "DELEGATED_ADMIN" : "SELF";
}

/** What the member-role part adds (read after construction); undefined when no account can enforce. */
interface MemberRoleParts {
  stackSet?: CloudformationStackSet;
  instance?: CloudformationStackSetInstance;
}

/** The management account's provider, with the tool's tags on every resource. */
function memberRoleProvider(scope: Construct, guardrail: Guardrail) {
  guardrailProvider(scope, "aws", {
    region: guardrail.config.aws.region,
    credentials: guardrail.config.aws.organization,
    defaultTags: { ...MANAGED_BY_TAG },
  });
}

/** Where both StackSets go and what they refer to: data sources and the variable, made only when one is added. */
interface Placement {
  org: DataAwsOrganizationsOrganization;
  partition: string;
  monitorAccountId: string;
  callAs: "SELF" | "DELEGATED_ADMIN";
  targets: string[];
}

/**
 * The monitor account's ID, asked for at apply when the config names none (aws.security's accountId or the account of
 * its assumeRoleArn). Its Terraform name is
 * `monitor_account_id` in the app's stack, but under a construct's path in a team's stack (cdktf makes it unique),
 * so the validation names the variable by the name it got: a condition on another variable fails `terraform validate`.
 */
function monitorAccountVariable(scope: Construct): TerraformVariable {
  const variable = new TerraformVariable(scope, "monitor_account_id", {
    type: "string",
    description:
      "Account ID of the security / delegated-admin account running the monitor (or set aws.security.accountId " +
      "in guardrail.config.json)",
  });
  const name = variable.friendlyUniqueId;
  // In Terraform JSON an expression is only an expression inside "${...}"; a bare string is a literal
  // and `terraform validate` rejects a condition that does not refer to the variable.
  variable.addValidation({
    condition: `\${can(regex("^\\\\d{12}$", var.${name}))}`,
    errorMessage: `${name} must be a 12-digit account ID`,
  });
  return variable;
}

function placement(scope: Construct, guardrail: Guardrail): Placement {
  const config = guardrail.config;
  const org = new DataAwsOrganizationsOrganization(scope, "organization");
  const partition = new DataAwsPartition(scope, "partition").partition;
  const monitorAccountId = stackAccountOf(config.aws.security) ?? monitorAccountVariable(scope).stringValue;
  const targets = config.remediation.deployTo.length > 0 ? [...config.remediation.deployTo] : [org.roots.get(0).id];
  return { org, partition, monitorAccountId, callAs: callAsFor(guardrail), targets };
}

/**
 * The StackSets and their instances, added to `this` (the stack or the construct, so that the stack's
 * resources keep their paths and Terraform addresses).
 */
function addMemberRole(this: Construct & MemberRoleParts, props: MemberRoleStackProps): void {
  const { guardrail } = props;
  const declarations = props.declarations ?? guardrailDeclarations(guardrail);
  const realtime = guardrail.config.monitor.eventbridge.enabled;
  if (declarations.memberRole.length === 0 && !realtime) return;
  const where = placement(this, guardrail);
  if (declarations.memberRole.length > 0) addRoleStackSet.call(this, guardrail, declarations, where);
  if (realtime) addForwarderStackSet(this, guardrail, where);
}

/** The member role's StackSet and its one instance (the role is global: one region is enough). */
function addRoleStackSet(
  this: Construct & MemberRoleParts,
  guardrail: Guardrail,
  declarations: FunctionDeclarations,
  { org, monitorAccountId, callAs, targets }: Placement,
): void {
  const config = guardrail.config;
  const stackSet = new CloudformationStackSet(this, "stack-set", {
    name: MEMBER_ROLE_STACK_SET,
    description: "bedrock-guardrail remediation role in every member account",
    ...SERVICE_MANAGED_STACK_SET,
    callAs,
    templateBody: memberRoleTemplateBody({
      memberRoleName: config.remediation.memberRoleName,
      trustedRoleNames: responderRoleNames(declarations, config.monitor.eventbridge.enabled),
      operatorPrincipalArns: guardrail.exemptions.operators,
      permissions: declarations.memberRole,
      rotatedSecretName: config.remediation.rotatedSecretName,
      protectedPrincipalArns: guardrail.exemptions.all,
      rotatedSecretReaders: config.remediation.rotatedSecretReaders,
    }),
    parameters: {
      [TEMPLATE_PARAMETERS.monitorAccountId]: monitorAccountId,
      [TEMPLATE_PARAMETERS.organizationId]: org.id,
      [TEMPLATE_PARAMETERS.externalId]: config.monitor.memberRoleExternalId,
    },
  });
  this.stackSet = stackSet;
  this.instance = new CloudformationStackSetInstance(this, "stack-set-instance", {
    stackSetName: stackSet.name,
    callAs,
    stackSetInstanceRegion: config.aws.region,
    deploymentTargets: { organizationalUnitIds: targets },
    operationPreferences: { failureTolerancePercentage: 10, maxConcurrentPercentage: 25 },
  });
}

/** The default-bus forwarding rules' StackSet, one instance per region of the real-time path. */
function addForwarderStackSet(
  scope: Construct,
  guardrail: Guardrail,
  { partition, monitorAccountId, callAs, targets }: Placement,
): void {
  const config = guardrail.config;
  const eb = config.monitor.eventbridge;
  const forwarder = new CloudformationStackSet(scope, "forwarder-stack-set", {
    name: EVENT_FORWARDER_STACK_SET,
    description: "bedrock-guardrail: forward Bedrock model-access calls to the central bus",
    ...SERVICE_MANAGED_STACK_SET,
    callAs,
    templateBody: eventForwarderTemplateBody({ patterns: buildEventPatterns(guardrail, eb.maxPatternChars) }),
    parameters: {
      [FORWARDER_PARAMETERS.centralBusArn]:
        `arn:${partition}:events:${config.aws.region}:${monitorAccountId}:` + `event-bus/${eb.centralBusName}`,
    },
  });
  for (const region of [...new Set(eb.regions)].sort()) {
    new CloudformationStackSetInstance(scope, `forwarder-${region}`, {
      stackSetName: forwarder.name,
      callAs,
      stackSetInstanceRegion: region,
      deploymentTargets: { organizationalUnitIds: targets },
    });
  }
}

export class MemberRoleStack extends TerraformStack implements MemberRoleParts {
  readonly stackSet?: CloudformationStackSet;
  readonly instance?: CloudformationStackSetInstance;

  constructor(scope: Construct, id: string, props: MemberRoleStackProps) {
    super(scope, id);
    memberRoleProvider(this, props.guardrail);
    addMemberRole.call(this, props);
  }
}

/**
 * The remediation role in every member account (a service-managed StackSet; with the real-time path, the
 * event-forwarding StackSet too), in any stack deployed with the management account's (or a StackSets
 * delegated administrator's) credentials.
 */
export class GuardrailMemberRole extends Construct implements MemberRoleParts {
  readonly stackSet?: CloudformationStackSet;
  readonly instance?: CloudformationStackSetInstance;

  constructor(scope: Construct, id: string, props: GuardrailConstructProps) {
    super(scope, id);
    const guardrail = monitorGuardrail(this, props);
    registerMemberRole(this, guardrail);
    const awsProvider = props.awsProvider ?? true;
    if (awsProvider === true) memberRoleProvider(this, guardrail);
    else
      useStackProvider(this, awsProvider, guardrail.config.aws.region, "into its partition", {
        key: "aws.organization",
        credentials: guardrail.config.aws.organization,
      });
    addMemberRole.call(this, { guardrail });
  }
}
