/**
 * Which principal ARN IAM evaluates (`aws:PrincipalArn`) for the identity in a CloudTrail record,
 * and what kind of credential was used. Detection decides "approved?" and remediation decides
 * "what can be acted on?" from this one function, using the same ARN the SCP sees.
 */
import { parseArn } from "./arn-like";
import { formatArn, partitionOfRegion } from "./partition";

export type PrincipalKind =
  | "iam-user"
  | "role"
  | "identity-center-role"
  | "service-linked-role"
  | "root"
  | "federated-user"
  | "aws-service"
  | "unknown";

/**
 * The name prefix of the IAM user the console creates behind a long-term Bedrock API key: it exists only to hold the
 * key (its service-specific credential), so an access key for it is never legitimate (the rule
 * bedrock-api-key-user-access-key-created matches the same prefix; a test keeps the two equal).
 */
export const BEDROCK_API_KEY_USER_PREFIX = "BedrockAPIKey-";

export type CredentialKind = "long-term-key" | "session" | "root" | "none";

export interface ResolvedPrincipal {
  kind: PrincipalKind;
  /** The ARN an SCP condition on aws:PrincipalArn sees; undefined when the record does not say. */
  principalArn?: string;
  /** Account that owns the principal (may differ from recipientAccountId for cross-account calls). */
  accountId?: string;
  /** IAM user name or role name (without path) where there is one. */
  name?: string;
  accessKeyId?: string;
  credentialKind: CredentialKind;
  /** Why principalArn is missing or uncertain, for people reading the finding. */
  note?: string;
}

/**
 * The subset of CloudTrail's userIdentity that the decision depends on; everything optional because records are
 * untrusted.
 */
export interface UserIdentityLike {
  type?: unknown;
  arn?: unknown;
  accountId?: unknown;
  accessKeyId?: unknown;
  userName?: unknown;
  invokedBy?: unknown;
  sessionContext?: {
    sessionIssuer?: { type?: unknown; arn?: unknown; userName?: unknown; accountId?: unknown } | null;
  } | null;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);

function rootArn(accountId: string, region: string | undefined): string {
  return formatArn({
    partition: partitionOfRegion(region ?? ""),
    service: "iam",
    account: accountId,
    resource: "root",
  });
}

export function credentialKindOf(type: string | undefined, accessKeyId: string | undefined): CredentialKind {
  if (type === "Root") return "root";
  if (accessKeyId?.startsWith("AKIA")) return "long-term-key";
  if (accessKeyId?.startsWith("ASIA")) return "session";
  return "none";
}

/**
 * `role/aws-service-role/...` is a service-linked role; `role/aws-reserved/sso.amazonaws.com/...` an Identity Center
 * permission-set role.
 */
export function roleKindOf(roleArn: string): PrincipalKind {
  const resource = parseArn(roleArn)?.resource ?? "";
  if (resource.startsWith("role/aws-service-role/")) return "service-linked-role";
  if (resource.startsWith("role/aws-reserved/sso.amazonaws.com/") || /(^|\/)AWSReservedSSO_[^/]*$/.test(resource))
    return "identity-center-role";
  return "role";
}

const lastSegment = (resource: string): string => resource.slice(resource.lastIndexOf("/") + 1);

/** `region` (the record's awsRegion) gives the partition of ARNs this has to write itself (a root without an arn). */
export function resolvePrincipal(identity: UserIdentityLike | null | undefined, region?: string): ResolvedPrincipal {
  const id = identity ?? {};
  const type = str(id.type);
  const arn = str(id.arn);
  const accessKeyId = str(id.accessKeyId);
  const credentialKind = credentialKindOf(type, accessKeyId);
  const accountId = str(id.accountId) ?? (arn ? parseArn(arn)?.account : undefined);
  const base = { accessKeyId, credentialKind, accountId };

  switch (type) {
    case "IAMUser": {
      if (!arn) return { ...base, kind: "iam-user", name: str(id.userName), note: "IAMUser record without an arn" };
      return {
        ...base,
        kind: "iam-user",
        principalArn: arn,
        name: str(id.userName) ?? lastSegment(parseArn(arn)?.resource ?? ""),
      };
    }
    case "Root":
      return {
        ...base,
        kind: "root",
        principalArn: arn ?? (accountId ? rootArn(accountId, region) : undefined),
      };
    case "AssumedRole": {
      const issuer = id.sessionContext?.sessionIssuer;
      const issuerArn = str(issuer?.arn);
      if (issuerArn) {
        return {
          ...base,
          kind: roleKindOf(issuerArn),
          principalArn: issuerArn,
          name: str(issuer?.userName) ?? lastSegment(parseArn(issuerArn)?.resource ?? ""),
        };
      }
      // Without sessionIssuer the role's path is unknown, so the SCP's view cannot be reproduced exactly.
      const parsed = arn ? parseArn(arn) : undefined;
      const m = parsed?.resource.match(/^assumed-role\/([^/]+)\//);
      if (parsed && m) {
        const guess = `arn:${parsed.partition}:iam::${parsed.account}:role/${m[1]}`;
        return {
          ...base,
          kind: roleKindOf(guess),
          name: m[1],
          note: `no sessionContext.sessionIssuer: role path unknown (role ${guess} if it has no path)`,
        };
      }
      return { ...base, kind: "unknown", note: "AssumedRole record without sessionIssuer or a parsable arn" };
    }
    case "FederatedUser":
      // aws:PrincipalArn of a GetFederationToken session is the sts federated-user ARN itself.
      return {
        ...base,
        kind: "federated-user",
        principalArn: arn,
        name: arn ? lastSegment(parseArn(arn)?.resource ?? "") : undefined,
      };
    case "AWSService":
      return {
        ...base,
        kind: "aws-service",
        name: str(id.invokedBy),
        note: "called by an AWS service principal: SCPs do not apply",
      };
    default:
      return {
        ...base,
        kind: "unknown",
        principalArn: undefined,
        note: `identity type ${type ?? "missing"}: no principal ARN IAM would evaluate`,
      };
  }
}
