/**
 * A platform team's existing cdktf app: one stack per account, each with the team's own provider,
 * state backend and resources. The Bedrock guardrail is added as three constructs beside them, from
 * the same guardrail.config.json the bedrock-guardrail CLI reads. The constructs use the stacks' own
 * providers (`awsProvider: false`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsOrganizationsOrganization } from "@cdktf/provider-aws/lib/data-aws-organizations-organization";
import { OrganizationsOrganizationalUnit } from "@cdktf/provider-aws/lib/organizations-organizational-unit";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import {
  type GuardrailConfig,
  GuardrailMemberRole,
  GuardrailMonitor,
  GuardrailOrganizationPolicy,
} from "bedrock-guardrail";
import { App, S3Backend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";

const guardrailConfig: GuardrailConfig = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "guardrail.config.json"), "utf8"),
);

/** The team's conventions: a provider per account (assumed role) and S3 state. */
function platformStack(scope: Construct, id: string, accountRole: string): TerraformStack {
  const stack = new TerraformStack(scope, id);
  new AwsProvider(stack, "aws", {
    region: "us-east-1",
    assumeRole: [{ roleArn: accountRole, sessionName: "platform-terraform" }],
    defaultTags: [{ tags: { team: "platform" } }],
  });
  new S3Backend(stack, { bucket: "platform-terraform-state", key: `${id}.tfstate`, region: "us-east-1" });
  return stack;
}

const app = new App({ outdir: process.env.CDKTF_OUTDIR || "cdktf.out" });

const management = platformStack(app, "management", "arn:aws:iam::111122223333:role/platform-terraform");
const organization = new DataAwsOrganizationsOrganization(management, "organization");
new OrganizationsOrganizationalUnit(management, "sandbox", { name: "Sandbox", parentId: organization.roots.get(0).id });
new GuardrailOrganizationPolicy(management, "bedrock-guardrail-policy", { config: guardrailConfig, awsProvider: false });
new GuardrailMemberRole(management, "bedrock-guardrail-member-role", { config: guardrailConfig, awsProvider: false });

const security = platformStack(app, "security", "arn:aws:iam::222233334444:role/platform-terraform");
new CloudwatchLogGroup(security, "audit", { name: "/platform/security-audit", retentionInDays: 365 });
new GuardrailMonitor(security, "bedrock-guardrail-monitor", { config: guardrailConfig, awsProvider: false });

app.synth();
