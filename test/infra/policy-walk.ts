/**
 * Finds every IAM policy document in synthesized Terraform JSON: inline role policies, managed
 * policies, assume-role policies, KMS key policies, bus / queue / topic policies, and the IAM
 * policies inside StackSet (CloudFormation) templates.
 */
import type { Synth } from "./helpers";

export interface FoundPolicy {
  where: string;
  /** Key policies and resource policies: `Resource: "*"` there means the resource itself. */
  kind: "identity" | "trust" | "resource" | "key";
  document: { Statement: Array<Record<string, any>> };
}

const POLICY_FIELDS: Record<string, { field: string; kind: FoundPolicy["kind"] }[]> = {
  aws_iam_role_policy: [{ field: "policy", kind: "identity" }],
  aws_iam_policy: [{ field: "policy", kind: "identity" }],
  aws_iam_role: [{ field: "assume_role_policy", kind: "trust" }],
  aws_kms_key: [{ field: "policy", kind: "key" }],
  aws_cloudwatch_event_bus_policy: [{ field: "policy", kind: "resource" }],
  aws_sqs_queue_policy: [{ field: "policy", kind: "resource" }],
  aws_sns_topic_policy: [{ field: "policy", kind: "resource" }],
};

function fromTemplate(where: string, body: string): FoundPolicy[] {
  const template = JSON.parse(body) as { Resources: Record<string, { Type: string; Properties: any }> };
  const found: FoundPolicy[] = [];
  for (const [name, r] of Object.entries(template.Resources)) {
    if (r.Type === "AWS::IAM::Role") {
      found.push({
        where: `${where}/${name}/AssumeRolePolicyDocument`,
        kind: "trust",
        document: r.Properties.AssumeRolePolicyDocument,
      });
      for (const p of r.Properties.Policies ?? [])
        found.push({ where: `${where}/${name}/${p.PolicyName}`, kind: "identity", document: p.PolicyDocument });
    }
  }
  return found;
}

export function findPolicies(synth: Synth): FoundPolicy[] {
  const found: FoundPolicy[] = [];
  for (const [type, byName] of Object.entries(synth.resource ?? {})) {
    for (const [name, res] of Object.entries(byName)) {
      for (const { field, kind } of POLICY_FIELDS[type] ?? []) {
        if (typeof res[field] === "string")
          found.push({ where: `${type}.${name}.${field}`, kind, document: JSON.parse(res[field]) });
      }
      if (type === "aws_cloudformation_stack_set") found.push(...fromTemplate(`${type}.${name}`, res.template_body));
    }
  }
  return found;
}

export const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
