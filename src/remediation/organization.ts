/**
 * Organizations look-ups the responder needs at run time, behind an interface so the planner and
 * the tests never need AWS: the management account (never remediated), an account's OU chain
 * (per-OU modes) and whether an account is in the organization at all (nothing is assumed or called
 * in one that is not). One lookup serves one run, and is the one place its answers are kept.
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

/** Organizations' answer for a child it does not have: for an account, "not in the organization". */
const CHILD_NOT_FOUND = "ChildNotFoundException";
const errorName = (e: unknown) => (e as { name?: string } | undefined)?.name;

/**
 * The Organizations look-ups of one run (an invocation of a monitor function, a command), made once per account and
 * kept in this object alone: the realtime path's checks, the per-OU modes and the membership check before every
 * AssumeRole all ask the run's one lookup, so one account costs one ListParents walk per run.
 *
 * Why a run and not a warm Lambda container (which lives for hours, as long as events keep it warm): an account that
 * leaves the organization would stay a member in a kept answer for that long, and the member role would be assumed
 * there (the external id and the caller's ARN go to that account's CloudTrail) and its events acted on; an account
 * moved to another OU would keep its old OU's mode. Asked once per run, the answer is as old as the run (at most the
 * function's timeout), at the cost of one ListParents per OU level per account and invocation, which the realtime path
 * pays per event: a throttled call fails that run, and Lambda retries the event.
 *
 * What Organizations said of an account is kept for the run, whatever it was: the chain; ChildNotFoundException for
 * the account itself (outside); or no answer (any other error, or ChildNotFoundException further up the chain: an OU
 * deleted meanwhile says nothing of the account), which stays an error, read neither as "outside" nor as "member",
 * and is not asked again within the run (AccessDenied would answer the same, and a throttled API is not asked harder;
 * the realtime run fails and Lambda retries the event, the scheduled job's actions there are errors until its next
 * run). The next run's lookup asks again.
 */
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

  /** The account's parents, nearest first, ending with the root; rejects with ChildNotFoundException outside. */
  parentChain(accountId: string): Promise<string[]> {
    let chain = this.chains.get(accountId);
    if (!chain) {
      chain = this.walk(accountId);
      this.chains.set(accountId, chain);
    }
    return chain;
  }

  private async walk(childId: string): Promise<string[]> {
    const chain: string[] = [];
    let current = childId;
    // An organization is at most 5 OU levels deep under the root; 10 bounds a malformed answer.
    for (let depth = 0; depth < 10; depth++) {
      const r = await this.client.send(new ListParentsCommand({ ChildId: current })).catch((e: unknown) => {
        if (depth === 0 || errorName(e) !== CHILD_NOT_FOUND) throw e;
        throw new Error(`Organizations no longer has ${current}, a parent of ${childId}, while its chain was read`);
      });
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
        if (errorName(e) === CHILD_NOT_FOUND) return false;
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
 * Whether an account is in the organization, as the run's lookup answers it (which asks once per account for the
 * run, no answer included, and the next run's lookup asks again: OrganizationMembership keeps nothing itself). The
 * member-role provider asks it before any AssumeRole, so no entry point (the scheduled job, the realtime path,
 * remediate, undo) assumes a role in an account outside the organization: a findings file or an audit record may name
 * any account. The realtime path also asks it before its claim (handlers/realtime.ts), to refuse the event or alert
 * only, of the same run's lookup.
 */
export class OrganizationMembership {
  constructor(private readonly isMember: (accountId: string) => Promise<boolean>) {}

  static of(organization: OrganizationLookup): OrganizationMembership {
    return new OrganizationMembership(inOrganization(organization));
  }

  of(accountId: string): Promise<Membership> {
    return this.isMember(accountId).then(
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
  }
}
