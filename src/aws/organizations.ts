/**
 * Reads what the drift check needs from AWS Organizations, following every NextToken (orgs with
 * hundreds of accounts and OUs have many pages of targets). Read-only.
 */
import {
  DescribePolicyCommand,
  ListAccountsForParentCommand,
  type ListAccountsForParentCommandOutput,
  ListOrganizationalUnitsForParentCommand,
  type ListOrganizationalUnitsForParentCommandOutput,
  ListParentsCommand,
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
  /** The accounts under the OU and account targets, when asked for (readOrganization's `coverage`). */
  coverage?: Coverage;
  /** Targets asked about that the organization does not have (a deleted OU, a typo): they cover nothing. */
  missingTargets?: string[];
}

/** Which accounts the guardrail's targets cover now, and where the remembered ones that left went. */
interface Coverage {
  /** Each covered account, with the configured target it is under. */
  covered: Record<string, string>;
  /** Each remembered account not covered now: its parent now (root or OU), or null when it left the organization. */
  departed: Record<string, string | null>;
}

/** What the coverage read needs: the OU and account targets, and the accounts they covered before. */
export interface CoverageRequest {
  targets: string[];
  remembered: string[];
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
  {
    actions: [
      "organizations:ListAccountsForParent",
      "organizations:ListOrganizationalUnitsForParent",
      "organizations:ListParents",
    ],
    resource: { kind: "organization" },
    why: "List the accounts under the OU targets, and find where an account that left them went",
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
  coverage?: CoverageRequest,
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
  const missing = new Set<string>();
  for (const target of slotTargets) {
    const attached = await notFoundAs(policiesAttachedTo(client, target), "TargetNotFoundException", undefined);
    if (attached) attachedAt[target] = attached;
    else missing.add(target);
  }
  const read = coverage && (await readCoverage(client, coverage, missing));
  return {
    roots,
    policies,
    targets,
    ...(Object.keys(attachedAt).length > 0 ? { attachedAt } : {}),
    ...(read ? { coverage: read } : {}),
    ...(missing.size > 0 ? { missingTargets: [...missing] } : {}),
  };
}

/** The call's answer, or `fallback` when AWS answers that the thing named is not there (that error's name). */
async function notFoundAs<T, F>(call: Promise<T>, notFound: string, fallback: F): Promise<T | F> {
  try {
    return await call;
  } catch (e) {
    if ((e as { name?: string }).name === notFound) return fallback;
    throw e;
  }
}

/**
 * The accounts each OU target holds, in its child OUs too (an SCP applies to the whole subtree), and the account
 * targets themselves; then, for each remembered account not among them, its parent now.
 */
async function readCoverage(
  client: OrganizationsClient,
  request: CoverageRequest,
  missing: Set<string>,
): Promise<Coverage> {
  const covered: Record<string, string> = {};
  for (const target of request.targets) {
    if (/^\d{12}$/.test(target)) {
      covered[target] ??= target;
      continue;
    }
    const ous = [target];
    for (let ou = ous.pop(); ou !== undefined; ou = ous.pop()) {
      // An OU deleted meanwhile holds nothing; a target that is not there is reported as missing.
      const accounts = await notFoundAs(listAll(client, "accounts", ou), "ParentNotFoundException", undefined);
      if (!accounts) {
        if (ou === target) missing.add(target);
        continue;
      }
      for (const account of accounts) covered[account] ??= target;
      ous.push(...((await notFoundAs(listAll(client, "ous", ou), "ParentNotFoundException", undefined)) ?? []));
    }
  }
  const departed: Record<string, string | null> = {};
  for (const account of request.remembered)
    if (covered[account] === undefined) departed[account] = await parentOf(client, account);
  return { covered, departed };
}

/** Every page of a parent's accounts or child OUs. */
async function listAll(client: OrganizationsClient, kind: "accounts" | "ous", parent: string): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    let items: { Id?: string }[] | undefined;
    if (kind === "accounts") {
      const page: ListAccountsForParentCommandOutput = await client.send(
        new ListAccountsForParentCommand({ ParentId: parent, NextToken: token }),
      );
      [items, token] = [page.Accounts, page.NextToken];
    } else {
      const page: ListOrganizationalUnitsForParentCommandOutput = await client.send(
        new ListOrganizationalUnitsForParentCommand({ ParentId: parent, NextToken: token }),
      );
      [items, token] = [page.OrganizationalUnits, page.NextToken];
    }
    for (const item of items ?? []) if (item.Id) ids.push(item.Id);
  } while (token);
  return ids;
}

/** An account's parent (root or OU), or null when it is no longer in the organization. */
async function parentOf(client: OrganizationsClient, account: string): Promise<string | null> {
  const page = await notFoundAs(
    client.send(new ListParentsCommand({ ChildId: account })),
    "ChildNotFoundException",
    null,
  );
  return page?.Parents?.[0]?.Id ?? null;
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
