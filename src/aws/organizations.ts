/**
 * Reads what the drift check needs from AWS Organizations, following every NextToken (orgs with
 * hundreds of accounts and OUs have many pages of targets). Read-only.
 */
import {
  DescribePolicyCommand,
  ListPoliciesCommand,
  type ListPoliciesCommandOutput,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  type ListTargetsForPolicyCommandOutput,
  type OrganizationsClient,
} from "@aws-sdk/client-organizations";
import type { PermissionDeclaration } from "./permissions";

/** What the drift check reads of the organization (compared in runtime/drift.ts). */
export interface OrgView {
  roots: { id: string; scpEnabled: boolean }[];
  /** Service control policies whose name is one the guardrail expects (possibly several with one name). */
  policies: { id: string; name: string; content: string }[];
  /** Targets (root, OU, account IDs) each policy ID is attached to. */
  targets: Record<string, string[]>;
}

export const DRIFT_PERMISSIONS: PermissionDeclaration[] = [
  {
    actions: ["organizations:ListRoots", "organizations:ListPolicies"],
    resource: { kind: "any", why: "ListRoots and ListPolicies have no resource type" },
    why: "Find the organization root (is the SCP policy type enabled?) and the guardrail's SCPs by name",
  },
  {
    actions: ["organizations:DescribePolicy", "organizations:ListTargetsForPolicy"],
    resource: { kind: "guardrail-policy" },
    why: "Compare the guardrail SCP's content and attachments with the synthesized ones",
  },
];

const SCP = "SERVICE_CONTROL_POLICY";

export async function readOrganization(client: OrganizationsClient, policyNames: string[]): Promise<OrgView> {
  const roots: OrgView["roots"] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListRootsCommand({ NextToken: token }));
    for (const r of page.Roots ?? []) {
      if (r.Id)
        roots.push({
          id: r.Id,
          scpEnabled: (r.PolicyTypes ?? []).some((t) => t.Type === SCP && t.Status === "ENABLED"),
        });
    }
    token = page.NextToken;
  } while (token);

  const wanted = new Set(policyNames);
  const summaries: { id: string; name: string }[] = [];
  token = undefined;
  do {
    const page: ListPoliciesCommandOutput = await client.send(
      new ListPoliciesCommand({ Filter: SCP, NextToken: token }),
    );
    for (const p of page.Policies ?? [])
      if (p.Id && p.Name && wanted.has(p.Name)) summaries.push({ id: p.Id, name: p.Name });
    token = page.NextToken;
  } while (token);

  const policies: OrgView["policies"] = [];
  const targets: OrgView["targets"] = {};
  for (const s of summaries) {
    const described = await client.send(new DescribePolicyCommand({ PolicyId: s.id }));
    policies.push({ ...s, content: described.Policy?.Content ?? "" });
    const ids: string[] = [];
    token = undefined;
    do {
      const page: ListTargetsForPolicyCommandOutput = await client.send(
        new ListTargetsForPolicyCommand({ PolicyId: s.id, NextToken: token }),
      );
      for (const t of page.Targets ?? []) if (t.TargetId) ids.push(t.TargetId);
      token = page.NextToken;
    } while (token);
    targets[s.id] = ids;
  }
  return { roots, policies, targets };
}
