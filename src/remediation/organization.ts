/**
 * Organizations look-ups the responder needs at run time, behind an interface so the planner and
 * the tests never need AWS: the management account (never remediated) and an account's OU chain
 * (per-OU modes). Answers are cached for the run.
 */
import {
  DescribeOrganizationCommand,
  ListParentsCommand,
  type OrganizationsClient,
} from "@aws-sdk/client-organizations";
import type { PermissionDeclaration } from "../aws/permissions";

export interface OrganizationLookup {
  managementAccountId(): Promise<string | undefined>;
  /** Parents of the account, nearest first, ending with the root. */
  parentChain(accountId: string): Promise<string[]>;
}

export const ORGANIZATION_PERMISSIONS: PermissionDeclaration[] = [
  {
    actions: ["organizations:DescribeOrganization"],
    resource: { kind: "any", why: "DescribeOrganization takes no resource" },
    why: "find the management account, which remediation never touches",
  },
  {
    actions: ["organizations:ListParents"],
    resource: { kind: "organization" },
    why: "find an account's OUs for per-OU remediation modes",
  },
];

/** Fixed answers: from config, or in tests. */
export class StaticOrganizationLookup implements OrganizationLookup {
  constructor(
    private readonly management: string | undefined,
    private readonly chains: Record<string, string[]> = {},
  ) {}
  async managementAccountId(): Promise<string | undefined> {
    return this.management;
  }
  async parentChain(accountId: string): Promise<string[]> {
    const chain = this.chains[accountId];
    if (!chain) throw new Error(`no OU chain known for account ${accountId}`);
    return chain;
  }
}

export class AwsOrganizationLookup implements OrganizationLookup {
  private management?: Promise<string | undefined>;
  private readonly chains = new Map<string, Promise<string[]>>();

  constructor(
    private readonly client: OrganizationsClient,
    /** From config; when set, DescribeOrganization is never called. */
    private readonly configuredManagementAccountId?: string,
  ) {}

  managementAccountId(): Promise<string | undefined> {
    this.management ??= this.configuredManagementAccountId
      ? Promise.resolve(this.configuredManagementAccountId)
      : this.client.send(new DescribeOrganizationCommand({})).then((r) => r.Organization?.MasterAccountId);
    return this.management;
  }

  parentChain(accountId: string): Promise<string[]> {
    let chain = this.chains.get(accountId);
    if (!chain) {
      chain = this.walk(accountId);
      this.chains.set(accountId, chain);
      // An answer is kept for the container's life; a failure is not (the next event asks again).
      chain.catch(() => this.chains.delete(accountId));
    }
    return chain;
  }

  private async walk(childId: string): Promise<string[]> {
    const chain: string[] = [];
    let current = childId;
    // An organization is at most 5 OU levels deep under the root; 10 bounds a malformed answer.
    for (let depth = 0; depth < 10; depth++) {
      const r = await this.client.send(new ListParentsCommand({ ChildId: current }));
      const parent = r.Parents?.[0];
      if (!parent?.Id) throw new Error(`Organizations returned no parent for ${current}`);
      chain.push(parent.Id);
      if (parent.Type === "ROOT") return chain;
      current = parent.Id;
    }
    throw new Error(`OU chain of ${childId} deeper than 10 levels`);
  }
}
