/**
 * Reads what the drift check needs from AWS Organizations, following every NextToken (orgs with
 * hundreds of accounts and OUs have many pages of targets). Read-only.
 */
import {
  DescribePolicyCommand,
  ListPoliciesCommand,
  type ListPoliciesCommandOutput,
  ListPoliciesForTargetCommand,
  type ListPoliciesForTargetCommandOutput,
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
  /**
   * The IDs of every SCP attached to each target asked about (readOrganization's `slotsAt`): where
   * the guardrail is still to be attached, whether the target has room for it.
   */
  attachedAt?: Record<string, string[]>;
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
  {
    actions: ["organizations:ListPoliciesForTarget"],
    resource: { kind: "organization" },
    why: "Count the SCPs at a target the guardrail is not attached to yet: would attaching it exceed the quota?",
  },
];

const SCP = "SERVICE_CONTROL_POLICY";

/**
 * Which targets to count the SCPs of, given the roots, the guardrail's policies and their attachments
 * (the drift check asks for those still missing a guardrail document).
 */
export type SlotTargets = (roots: string[], policies: OrgView["policies"], targets: OrgView["targets"]) => string[];

export async function readOrganization(
  client: OrganizationsClient,
  policyNames: string[],
  slotsAt?: SlotTargets,
): Promise<OrgView> {
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
  const slotTargets =
    slotsAt?.(
      roots.map((r) => r.id),
      policies,
      targets,
    ) ?? [];
  const attachedAt: Record<string, string[]> = {};
  for (const target of slotTargets) attachedAt[target] = await policiesAttachedTo(client, target);
  return { roots, policies, targets, ...(slotTargets.length > 0 ? { attachedAt } : {}) };
}

/** The IDs of the SCPs attached directly to a root, OU or account. */
async function policiesAttachedTo(client: OrganizationsClient, target: string): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page: ListPoliciesForTargetCommandOutput = await client.send(
      new ListPoliciesForTargetCommand({ TargetId: target, Filter: SCP, NextToken: token }),
    );
    for (const p of page.Policies ?? []) if (p.Id) ids.push(p.Id);
    token = page.NextToken;
  } while (token);
  return ids;
}
