import { App, Testing } from "cdktf";
import "cdktf/lib/testing/adapters/jest";
import { DataAwsOrganizationsOrganization } from "@cdktf/provider-aws/lib/data-aws-organizations-organization";
import { OrganizationsPolicy } from "@cdktf/provider-aws/lib/organizations-policy";
import { OrganizationsPolicyAttachment } from "@cdktf/provider-aws/lib/organizations-policy-attachment";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  GuardrailScp,
  MANAGED_BY_TAG,
  ORGANIZATION_POLICY_STACK,
  OrganizationPolicyStack,
} from "../../src/infra/organization-policy-stack";
import { guardrailProvider } from "../../src/infra/provider";
import { buildScpDocuments } from "../../src/policy/documents";
import { FULL_CONFIG, guardrailFor, MINIMAL_CONFIG } from "../policy/helpers";

Testing.setupJest();

type Resources = Record<string, Record<string, Record<string, unknown>>>;
const synthStack = (config = MINIMAL_CONFIG) => {
  const app = Testing.app();
  const stack = new OrganizationPolicyStack(app, ORGANIZATION_POLICY_STACK, { guardrail: guardrailFor(config) });
  return Testing.synth(stack);
};
const parsed = (json: string) =>
  JSON.parse(json) as { resource: Resources; data?: Resources; provider: Record<string, unknown[]> };

describe("organization-policy stack", () => {
  it("creates one SERVICE_CONTROL_POLICY with the minified document, name, description and managed-by tag", () => {
    const synth = synthStack();
    const doc = buildScpDocuments(guardrailFor(MINIMAL_CONFIG))[0];
    expect(synth).toHaveResourceWithProperties(OrganizationsPolicy, {
      name: "bedrock-model-access-guardrail",
      type: "SERVICE_CONTROL_POLICY",
      content: doc.content,
      description: "Denies unapproved Amazon Bedrock model enablement (managed by bedrock-guardrail)",
      tags: MANAGED_BY_TAG,
    });
    expect(Object.keys(parsed(synth).resource.aws_organizations_policy)).toHaveLength(1);
  });

  it("attaches to the organization root from the data source by default (no AWS access at synth)", () => {
    const synth = synthStack();
    expect(synth).toHaveDataSource(DataAwsOrganizationsOrganization);
    const attachments = Object.values(parsed(synth).resource.aws_organizations_policy_attachment);
    expect(attachments).toHaveLength(1);
    expect(attachments[0].target_id).toMatch(/^\$\{data\.aws_organizations_organization\.[\w-]+\.roots\[0\]\.id\}$/);
    expect(attachments[0].policy_id).toMatch(/^\$\{aws_organizations_policy\.[\w-]+\.id\}$/);
  });

  it("attaches every policy to every explicit target, without the data source", () => {
    const targets = ["ou-ab12-34cd56ef", "123456789012"];
    const config = {
      ...MINIMAL_CONFIG,
      targets,
      scp: {
        maxPolicySize: 1200,
        modelAllowList: ["arn:aws:bedrock:*::foundation-model/amazon.nova-*"],
        tags: { team: "security" },
      },
    };
    const synth = synthStack(config);
    const out = parsed(synth);
    const policies = Object.values(out.resource.aws_organizations_policy);
    expect(policies.length).toBeGreaterThan(1);
    expect(policies.map((p) => p.name)).toEqual(buildScpDocuments(guardrailFor(config)).map((d) => d.name));
    for (const p of policies) expect(p.tags).toEqual({ team: "security", "managed-by": "bedrock-guardrail" });
    const attachments = Object.values(out.resource.aws_organizations_policy_attachment);
    expect(attachments).toHaveLength(policies.length * targets.length);
    expect(new Set(attachments.map((a) => a.target_id))).toEqual(new Set(targets));
    expect(out.data?.aws_organizations_organization).toBeUndefined();
    expect(synth).toHaveResourceWithProperties(OrganizationsPolicyAttachment, { target_id: "ou-ab12-34cd56ef" });
  });

  it("configures the provider from aws.region and the organization credentials", () => {
    const config = {
      ...MINIMAL_CONFIG,
      aws: {
        region: "eu-west-1",
        organization: {
          assumeRoleArn: "arn:aws:iam::999988887777:role/OrgAdmin",
          externalId: "guardrail-ext",
          accountId: "999988887777",
        },
      },
    };
    const synth = synthStack(config);
    expect(synth).toHaveProviderWithProperties(AwsProvider, {
      region: "eu-west-1",
      allowed_account_ids: ["999988887777"],
      assume_role: [
        {
          role_arn: "arn:aws:iam::999988887777:role/OrgAdmin",
          external_id: "guardrail-ext",
          session_name: "bedrock-guardrail-terraform",
        },
      ],
    });
  });

  it("uses a named profile when given", () => {
    const synth = synthStack({ ...MINIMAL_CONFIG, aws: { organization: { profile: "org-management" } } });
    expect(synth).toHaveProviderWithProperties(AwsProvider, { region: "us-east-1", profile: "org-management" });
    expect(parsed(synth).provider.aws[0]).not.toHaveProperty("assume_role");
  });

  it("GuardrailScp is reusable in any stack with its own props and defaults", () => {
    const synth = Testing.synthScope((scope) => {
      guardrailProvider(scope, "aws", { region: "us-west-2" });
      new GuardrailScp(scope, "scp", { documents: buildScpDocuments(guardrailFor(FULL_CONFIG)), targets: ["r-ab12"] });
    });
    expect(synth).toHaveResourceWithProperties(OrganizationsPolicy, {
      type: "SERVICE_CONTROL_POLICY",
      tags: MANAGED_BY_TAG,
    });
    expect(synth).toHaveResourceWithProperties(OrganizationsPolicyAttachment, { target_id: "r-ab12" });
    expect(() => Testing.synthScope((scope) => new GuardrailScp(scope, "empty", { documents: [] }))).toThrow(
      /at least one SCP document/,
    );
  });

  it("an App synth writes stacks/organization-policy/cdk.tf.json, byte-identical across synths", () => {
    const synthOnce = () => {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "guardrail-synth-"));
      const app = new App({ outdir });
      new OrganizationPolicyStack(app, ORGANIZATION_POLICY_STACK, { guardrail: guardrailFor(FULL_CONFIG) });
      app.synth();
      const file = path.join(outdir, "stacks", ORGANIZATION_POLICY_STACK, "cdk.tf.json");
      const text = fs.readFileSync(file, "utf8");
      fs.rmSync(outdir, { recursive: true, force: true });
      return text;
    };
    const a = synthOnce();
    expect(a).toBe(synthOnce());
    expect(JSON.parse(a).resource.aws_organizations_policy).toBeDefined();
  });
});
