/**
 * Prevention: the guardrail's SCP document(s) as aws_organizations_policy resources, each attached
 * to every target. Deployed from the management account (or an Organizations delegated
 * administrator). With no explicit targets the policy goes on the organization root, read from the
 * aws_organizations_organization data source at plan time, so synth needs no AWS access.
 */
import { DataAwsOrganizationsOrganization } from "@cdktf/provider-aws/lib/data-aws-organizations-organization";
import { OrganizationsPolicy } from "@cdktf/provider-aws/lib/organizations-policy";
import { OrganizationsPolicyAttachment } from "@cdktf/provider-aws/lib/organizations-policy-attachment";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { TOOL_TAGS } from "../config/aws-limits";
import type { StackCredentials } from "../config/sections/aws";
import type { Guardrail } from "../guardrail/guardrail";
import { buildScpDocuments } from "../policy/documents";
import type { ScpDocument } from "../policy/types";
import { constructGuardrail, type GuardrailConstructProps, registerOrganizationPolicy } from "./construct-props";
import { listOutput } from "./list-output";
import { guardrailProvider, useStackProvider } from "./provider";

export const ORGANIZATION_POLICY_STACK = "organization-policy";
/** The tool's own tags (config/aws-limits.ts: they count against AWS's limit; a user tag cannot change them). */
export const MANAGED_BY_TAG = TOOL_TAGS;

export interface GuardrailScpProps {
  /** The SCP documents to create (from buildScpDocuments). */
  documents: ScpDocument[];
  description?: string;
  /** Extra tags; managed-by=bedrock-guardrail is always added. */
  tags?: Record<string, string>;
  /** Root, OU or account IDs. Default: the organization root. */
  targets?: string[];
  /** Keep the policy (and its attachments) in AWS when removed from Terraform. Default false. */
  skipDestroy?: boolean;
}

const DEFAULT_SCP_DESCRIPTION = "Denies unapproved Amazon Bedrock model enablement (managed by bedrock-guardrail)";

/** The reusable part: policies + attachments, usable inside any stack that has an AWS provider. */
export class GuardrailScp extends Construct {
  readonly policies: OrganizationsPolicy[];
  readonly attachments: OrganizationsPolicyAttachment[] = [];
  /** Target IDs as Terraform expressions or literals. */
  readonly targetIds: string[];

  constructor(scope: Construct, id: string, props: GuardrailScpProps) {
    super(scope, id);
    if (props.documents.length === 0) throw new Error("GuardrailScp needs at least one SCP document");
    const tags = { ...(props.tags ?? {}), ...MANAGED_BY_TAG };
    const skipDestroy = props.skipDestroy ?? false;
    this.targetIds = props.targets && props.targets.length > 0 ? [...props.targets] : [this.organizationRootId()];
    this.policies = props.documents.map(
      (doc, i) =>
        new OrganizationsPolicy(this, `policy-${i + 1}`, {
          name: doc.name,
          description: props.description ?? DEFAULT_SCP_DESCRIPTION,
          type: "SERVICE_CONTROL_POLICY",
          content: doc.content,
          tags,
          skipDestroy,
        }),
    );
    for (const [p, policy] of this.policies.entries()) {
      for (const targetId of this.targetIds) {
        const label = props.targets && props.targets.length > 0 ? targetId : "root";
        this.attachments.push(
          new OrganizationsPolicyAttachment(this, `attach-${p + 1}-${label}`, {
            policyId: policy.id,
            targetId,
            skipDestroy,
          }),
        );
      }
    }
  }

  private organizationRootId(): string {
    const org = new DataAwsOrganizationsOrganization(this, "organization", {});
    return org.roots.get(0).id;
  }
}

export interface OrganizationPolicyStackProps {
  guardrail: Guardrail;
  /** Default: the config's aws.region. */
  region?: string;
  /** Default: the config's aws.organization credentials. */
  credentials?: StackCredentials;
}

/** The management account's provider: the config's aws.region and aws.organization credentials. */
function organizationProvider(
  scope: Construct,
  guardrail: Guardrail,
  props: Omit<OrganizationPolicyStackProps, "guardrail">,
) {
  const { config } = guardrail;
  guardrailProvider(scope, "aws", {
    region: props.region ?? config.aws.region,
    credentials: props.credentials ?? config.aws.organization,
  });
}

/** GuardrailScp from the guardrail's config, and the policy_ids output: the same in the stack and the construct. */
function addOrganizationPolicy(scope: Construct, guardrail: Guardrail): GuardrailScp {
  const { config } = guardrail;
  const scp = new GuardrailScp(scope, "guardrail-scp", {
    documents: buildScpDocuments(guardrail),
    description: config.scp.description,
    tags: config.scp.tags,
    targets: config.targets,
  });
  listOutput(
    scope,
    "policy_ids",
    scp.policies.map((p) => p.id),
    "IDs of the guardrail SCP(s)",
  );
  return scp;
}

/** Stack `organization-policy`: provider for the management account + GuardrailScp from the guardrail's config. */
export class OrganizationPolicyStack extends TerraformStack {
  readonly scp: GuardrailScp;

  constructor(scope: Construct, id: string, props: OrganizationPolicyStackProps) {
    super(scope, id);
    organizationProvider(this, props.guardrail, props);
    this.scp = addOrganizationPolicy(this, props.guardrail);
  }
}

/**
 * The guardrail's SCP(s) and their attachments (the organization root, or the config's targets), in any
 * stack deployed with the management account's (or an Organizations delegated administrator's) credentials.
 */
export class GuardrailOrganizationPolicy extends Construct {
  readonly scp: GuardrailScp;

  constructor(scope: Construct, id: string, props: GuardrailConstructProps) {
    super(scope, id);
    const guardrail = constructGuardrail(this, props);
    registerOrganizationPolicy(this, guardrail);
    const awsProvider = props.awsProvider ?? true;
    if (awsProvider === true) organizationProvider(this, guardrail, {});
    else
      useStackProvider(this, awsProvider, guardrail.config.aws.region, "into its partition", {
        key: "aws.organization",
        credentials: guardrail.config.aws.organization,
      });
    this.scp = addOrganizationPolicy(this, guardrail);
  }
}
