/**
 * SDK clients for one member account. The responder assumes `/bedrock-guardrail/<memberRoleName>`
 * in the account with the external id and caches the credentials for the run; the CLI may use
 * the local credentials directly instead (one account, or a role the user already assumed). The member
 * role is never assumed in an account Organizations does not place in the organization (assertMember).
 */
import { BedrockClient } from "@aws-sdk/client-bedrock";
import { IAMClient } from "@aws-sdk/client-iam";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import { globalServiceRegion, partitionOfRegion } from "../arn/partition";
import { memberRoleArn } from "../guardrail/guardrail";
import { clientConfig, type ClientOverrides } from "../aws/clients";
import type { OrganizationMembership } from "./organization";

export interface MemberClients {
  iam: IAMClient;
  bedrock(region: string): BedrockClient;
  /** Secrets Manager in the home region (config.aws.region). */
  secrets: SecretsManagerClient;
}

export interface MemberClientProvider {
  forAccount(accountId: string): Promise<MemberClients>;
}

function clientsWith(homeRegion: string, overrides: ClientOverrides): MemberClients {
  const partition = partitionOfRegion(homeRegion);
  const bedrock = new Map<string, BedrockClient>();
  return {
    // IAM is global: its API lives in one region per partition.
    iam: new IAMClient(
      clientConfig({ ...overrides, region: overrides.region ?? globalServiceRegion(partition, "iam") }),
    ),
    bedrock(region: string) {
      let c = bedrock.get(region);
      if (!c) bedrock.set(region, (c = new BedrockClient(clientConfig({ ...overrides, region }))));
      return c;
    },
    secrets: new SecretsManagerClient(clientConfig({ ...overrides, region: homeRegion })),
  };
}

/**
 * Why a provider will not act in an account: the executor reports the action as skipped with this message
 * (nothing was called), so a later run with credentials that reach the account performs it.
 */
export class AccountRefused extends Error {}

/**
 * Whether the account is in the organization, before the member role is assumed there: the member role's
 * ARN takes any account id, and a findings file or an audit record may name an account outside the organization,
 * where the AssumeRole call alone would hand the external id and the caller's ARN to that account's CloudTrail.
 * Outside: refused (AccountRefused, the action is skipped with the reason). No answer from Organizations: an error
 * naming the account and the permission, never read as either.
 */
async function assertMember(membership: OrganizationMembership, accountId: string): Promise<void> {
  const m = await membership.of(accountId);
  if (m.status === "outside") throw new AccountRefused(`not run: ${m.reason}; nothing is assumed or called there`);
  if (m.status === "unknown") throw new Error(`not run, nothing is assumed or called there: ${m.reason}`);
}

export interface AssumeRoleProviderOptions {
  sts: STSClient;
  /** Asked before AssumeRole: an account outside the organization is never assumed into. */
  membership: OrganizationMembership;
  memberRoleName: string;
  externalId?: string;
  homeRegion: string;
  sessionName?: string;
  /** Endpoint/retry overrides for the member clients (tests). */
  overrides?: Omit<ClientOverrides, "credentials">;
}

export class AssumeRoleClientProvider implements MemberClientProvider {
  private readonly cache = new Map<string, Promise<MemberClients>>();
  constructor(private readonly settings: AssumeRoleProviderOptions) {}

  forAccount(accountId: string): Promise<MemberClients> {
    let p = this.cache.get(accountId);
    if (!p) {
      p = this.assume(accountId);
      // A failed AssumeRole is not cached: the next action in that account may try again.
      p.catch(() => this.cache.delete(accountId));
      this.cache.set(accountId, p);
    }
    return p;
  }

  private async assume(accountId: string): Promise<MemberClients> {
    await assertMember(this.settings.membership, accountId);
    const r = await this.settings.sts.send(
      new AssumeRoleCommand({
        RoleArn: memberRoleArn(this.settings.memberRoleName, {
          partition: partitionOfRegion(this.settings.homeRegion),
          accountId,
        }),
        RoleSessionName: this.settings.sessionName ?? "bedrock-guardrail-responder",
        ExternalId: this.settings.externalId,
        DurationSeconds: 900,
      }),
    );
    const c = r.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole into ${accountId} returned no credentials`);
    return clientsWith(this.settings.homeRegion, {
      ...this.settings.overrides,
      credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
    });
  }
}

/**
 * The caller's own credentials (CLI --no-assume-role; tests with mocked clients). They act in one
 * account, the one they belong to: IAM and Bedrock take names, not ARNs, so the same call sent with
 * them for another account would change a same-named role or user in the caller's own account while
 * the audit record named the other one. Every other account is refused (AccountRefused).
 */
export class LocalClientProvider implements MemberClientProvider {
  private clients?: MemberClients;
  private ownAccount?: Promise<string | undefined>;
  constructor(
    private readonly homeRegion: string,
    /** The account the credentials belong to (STS GetCallerIdentity), asked once; "any" only for mocked clients. */
    private readonly accountOfCredentials: (() => Promise<string | undefined>) | "any",
    private readonly overrides: ClientOverrides = {},
  ) {}

  async forAccount(accountId: string): Promise<MemberClients> {
    if (this.accountOfCredentials !== "any") {
      this.ownAccount ??= this.accountOfCredentials();
      const own = await this.ownAccount;
      if (own !== accountId)
        throw new AccountRefused(
          `not run: the local credentials (--no-assume-role) belong to account ${own ?? "(unknown)"}, ` +
            `not ${accountId}; run it with the member role, or with credentials of ${accountId}`,
        );
    }
    // No organization check: these credentials act only in their own account, which the operator holds them for,
    // and assume nothing, so no external id leaves; ListParents would also deny every operator of a member account.
    this.clients ??= clientsWith(this.homeRegion, this.overrides);
    return this.clients;
  }
}
