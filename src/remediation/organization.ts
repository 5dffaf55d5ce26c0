/**
 * Organizations look-ups the responder needs at run time, behind an interface so the planner and
 * the tests never need AWS: the management account (never remediated), an account's OU chain
 * (per-OU modes) and whether an account is in the organization at all (nothing is assumed or called
 * in one that is not). Answers are cached for the run.
 */
import {
  DescribeOrganizationCommand,
  ListParentsCommand,
  type OrganizationsClient,
} from "@aws-sdk/client-organizations";
import type { PermissionDeclaration } from "../aws/permissions";
import { errorText } from "../errors/error-text";

export interface OrganizationLookup {
  managementAccountId(): Promise<string | undefined>;
  /** Parents of the account, nearest first, ending with the root. */
  parentChain(accountId: string): Promise<string[]>;
}

/** The call membership (and the OU chain) makes: named in the line that says Organizations did not answer. */
export const MEMBERSHIP_PERMISSION = "organizations:ListParents";

export const ORGANIZATION_PERMISSIONS: PermissionDeclaration[] = [
  {
    actions: ["organizations:DescribeOrganization"],
    resource: { kind: "any", why: "DescribeOrganization takes no resource" },
    why: "find the management account, which remediation never touches",
  },
  {
    actions: [MEMBERSHIP_PERMISSION],
    resource: { kind: "organization" },
    why:
      "find an account's OUs for per-OU remediation modes, and whether an account is in the organization at all " +
      "(OrganizationMembership: the member role is never assumed in one that is not)",
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

/**
 * Membership from the account's OU chain: ListParents answers ChildNotFoundException for an account that is not in
 * the organization, which is "no"; any other error rejects (AccessDenied outside the management account and the
 * delegated administrators, throttling, the network): no answer, never read as "no" nor as "yes".
 */
function inOrganization(organization: OrganizationLookup): (accountId: string) => Promise<boolean> {
  return (accountId) =>
    organization.parentChain(accountId).then(
      (chain) => chain.length > 0,
      (e: unknown) => {
        if ((e as { name?: string } | undefined)?.name === "ChildNotFoundException") return false;
        throw e;
      },
    );
}

/** What Organizations said of an account: in the organization, or why nothing may be done there. */
export type Membership =
  | { status: "member" }
  /** Organizations places it outside the organization. */
  | { status: "outside"; reason: string }
  /** Organizations gave no answer: neither member nor outside. */
  | { status: "unknown"; reason: string };

/**
 * Whether an account is in the organization, asked once per account for the run (a run's answers, failures
 * included, are kept: one lookup per account). The member-role provider asks it before any AssumeRole, so no
 * entry point (the scheduled job, the realtime path, remediate, undo) assumes a role in an account outside the
 * organization: a findings file or an audit record may name any account. The realtime path also
 * asks it before its claim (handlers/realtime.ts), to refuse the event or alert only.
 */
export class OrganizationMembership {
  private readonly answers = new Map<string, Promise<Membership>>();
  constructor(private readonly isMember: (accountId: string) => Promise<boolean>) {}

  static of(organization: OrganizationLookup): OrganizationMembership {
    return new OrganizationMembership(inOrganization(organization));
  }

  of(accountId: string): Promise<Membership> {
    let answer = this.answers.get(accountId);
    if (!answer) {
      answer = this.isMember(accountId).then(
        (member): Membership =>
          member
            ? { status: "member" }
            : { status: "outside", reason: `account ${accountId} is not an account of the organization` },
        // The account and the permission first: a long error is cut at the end of the line.
        (e: unknown): Membership => ({
          status: "unknown",
          reason:
            `Organizations did not say whether account ${accountId} is in the organization (the credentials need ` +
            `${MEMBERSHIP_PERMISSION}, in the management account or a delegated administrator): ${errorText(e)}`,
        }),
      );
      this.answers.set(accountId, answer);
    }
    return answer;
  }
}
