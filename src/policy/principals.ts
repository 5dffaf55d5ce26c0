/**
 * Representative principals for the decision table: concrete ARNs taken from the user's own
 * patterns where possible, so the table shows what the SCP does for *their* config.
 */
import { splitArn } from "../arn/arn-like";
import { formatArn, type Partition } from "../arn/partition";
import { type Guardrail, TOOL_ROLE_PATH } from "../guardrail/guardrail";
import { ROLE_NAMES } from "../guardrail/tool-names";
import { stackSetsExecRolePattern } from "./protect-exempted";

/** The member account used in examples (AWS's documentation account). */
export const EXAMPLE_MEMBER_ACCOUNT = "111122223333";
/** The security account (monitor and responder) in examples. */
export const EXAMPLE_SECURITY_ACCOUNT = "444455556666";
/** Stands in for the management account when the config does not name it. */
const EXAMPLE_MANAGEMENT_ACCOUNT = "999988887777";
const SSO_PREFIX = "role/aws-reserved/sso.amazonaws.com/";
/** The rewritten Identity Center pattern that matches both path shapes (src/arn/identity-center.ts). */
const SSO_EITHER_SHAPE = "role/aws-reserved/sso.amazonaws.com*/";

/** Where the examples live: a partition and a Region of it. */
export interface ExampleSite {
  partition: Partition;
  region: string;
}

const COMMERCIAL: ExampleSite = { partition: "aws", region: "us-east-1" };
/** The one Region whose Identity Center instance puts no Region in its roles' path. */
const IDENTITY_CENTER_REGIONLESS = "us-east-1";

/** The Region segment of an Identity Center role path for an instance at this site ("" in us-east-1). */
const regionSegmentAt = (site: ExampleSite): string =>
  site.region === IDENTITY_CENTER_REGIONLESS ? "" : `${site.region}/`;

/** Another Region of the site's partition (a cross-Region profile's destination, another Identity Center's home). */
export function otherRegionOf(site: ExampleSite): string {
  const others: Record<string, string> = { "us-east-1": "us-west-2", "us-gov-west-1": "us-gov-east-1" };
  return others[site.region] ?? (site.partition === "aws-us-gov" ? "us-gov-west-1" : "us-east-1");
}

/** The guardrail's partition and home Region: the table's examples are where its SCP applies. */
export function exampleSite(guardrail: Guardrail): ExampleSite {
  return { partition: guardrail.partition, region: guardrail.config.aws.region };
}

/** ARNs at a site: a concrete one matched by a pattern of the config, and an IAM one of an example account. */
export function siteArns(site: ExampleSite) {
  return {
    concrete: (pattern: string): string => instantiatePattern(pattern, EXAMPLE_MEMBER_ACCOUNT, site),
    iam: (account: string, resource: string): string =>
      formatArn({ partition: site.partition, service: "iam", account, resource }),
  };
}

/**
 * A concrete ARN matched by `pattern`: wildcards filled with plausible text (the site's partition
 * and Region, a 12-digit account, "Example" elsewhere).
 */
export function instantiatePattern(pattern: string, account = EXAMPLE_MEMBER_ACCOUNT, site = COMMERCIAL): string {
  const parts = splitArn(pattern);
  if (!parts) return pattern.replace(/\*/g, "Example").replace(/\?/g, "X");
  const [, partition, service, region, acct, resource] = parts;
  const fill = (s: string) => s.replace(/\*/g, "Example").replace(/\?/g, "X");
  const concreteAccount = /^[*?]+$/.test(acct) ? account : acct.replace(/\*/g, "").replace(/\?/g, "0");
  let res = resource;
  if (res.startsWith(SSO_PREFIX) || res.startsWith(SSO_EITHER_SHAPE)) {
    // role/aws-reserved/sso.amazonaws.com/<region>/AWSReservedSSO_<set>_<hex>; a us-east-1 instance has no <region>/.
    // Both the written form (.../sso.amazonaws.com/*/...) and the rewritten one (.../sso.amazonaws.com*/...).
    res = res.replace(
      /^role\/aws-reserved\/sso\.amazonaws\.com\/[*?][^/]*\/|^role\/aws-reserved\/sso\.amazonaws\.com\*\//,
      `${SSO_PREFIX}${regionSegmentAt(site)}`,
    );
  }
  return [
    "arn",
    partition.replace(/[*?]/g, "") || site.partition,
    service,
    /^[*?]+$/.test(region) ? site.region : fill(region),
    concreteAccount,
    fill(res),
  ].join(":");
}

export type PrincipalRole =
  | "approved-role"
  | "identity-center-role"
  /** The approved permission set's role as an instance in another Region names it (the other real path shape). */
  | "identity-center-other-region"
  | "identity-center-lookalike"
  | "break-glass-role"
  | "principal-admin"
  | "tool-role"
  /** The query job's role in the security account: the one that writes state and the metrics. */
  | "monitor-role"
  | "stacksets-exec-role"
  | "non-approved-role"
  | "iam-user"
  | "member-root"
  | "management-account"
  | "service-linked-role";

export interface RepresentativePrincipal {
  role: PrincipalRole;
  label: string;
  /** Column heading in the printed table. */
  short: string;
  principalArn: string;
  /** False for the management account and service-linked roles: SCPs never apply to them. */
  scpApplies: boolean;
  /** Where the ARN came from, for people reading the table. */
  source: string;
}

/** `AWSReservedSSO_<set>_<16 hex>`: the permission-set name, then an underscore and a 16-character suffix. */
const SSO_ROLE_NAME = /^AWSReservedSSO_(.+)_[^_]*$/;

/**
 * The role of a permission set named `<approved set>_Sandbox`: `AWSReservedSSO_<set>_*` matches it
 * too (the prefix-extension risk lint warns about); `AWSReservedSSO_<set>_` + sixteen `?` does not.
 */
function identityCenterLookalike(pattern: string, site: ExampleSite): string | undefined {
  const concrete = instantiatePattern(pattern, EXAMPLE_MEMBER_ACCOUNT, site);
  const slash = concrete.lastIndexOf("/");
  const set = SSO_ROLE_NAME.exec(concrete.slice(slash + 1))?.[1];
  return set ? `${concrete.slice(0, slash + 1)}AWSReservedSSO_${set}_Sandbox_0123456789abcdef` : undefined;
}

const isRolePattern = (p: string) => /^role\//.test(splitArn(p)?.[5] ?? "");
const isSsoPattern = (p: string) => (splitArn(p)?.[5] ?? "").startsWith(SSO_PREFIX) || /AWSReservedSSO_/.test(p);

/** The approved principals the config lists: a plain role, both shapes of an Identity Center role, its lookalike. */
function approvedPrincipals(guardrail: Guardrail, site: ExampleSite): RepresentativePrincipal[] {
  // Indices name config entries; the exemptions hold each entry rewritten to match both Identity Center shapes.
  const approved = guardrail.config.approvedPrincipalArns;
  const { concrete, iam } = siteArns(site);
  const out: RepresentativePrincipal[] = [];
  const approvedIndex = approved.findIndex((p) => isRolePattern(p) && !isSsoPattern(p));
  if (approvedIndex >= 0) {
    out.push({
      role: "approved-role",
      label: "approved role",
      short: "approved",
      principalArn: concrete(approved[approvedIndex]),
      scpApplies: true,
      source: `approvedPrincipalArns[${approvedIndex}]`,
    });
  }
  const ssoIndex = approved.findIndex(isSsoPattern);
  if (ssoIndex < 0)
    return [
      ...out,
      {
        role: "identity-center-role",
        label: "Identity Center role",
        short: "IdC role",
        principalArn: iam(
          EXAMPLE_MEMBER_ACCOUNT,
          `${SSO_PREFIX}${regionSegmentAt(site)}AWSReservedSSO_DataScientist_0123456789abcdef`,
        ),
        scpApplies: true,
        source: "example permission-set role (not in approvedPrincipalArns)",
      },
    ];
  // Both real shapes of an approved permission-set role: the home Region's instance and another Region's
  // (one of the two is us-east-1's, whose role path has no Region, unless the partition has no us-east-1).
  const ssoSites = [site, { ...site, region: otherRegionOf(site) }];
  out.push(
    ...ssoSites.map((at, i) => ({
      role: i === 0 ? ("identity-center-role" as const) : ("identity-center-other-region" as const),
      label: `Identity Center role (approved), instance in ${at.region}`,
      short: `IdC ${at.region}`,
      principalArn: instantiatePattern(approved[ssoIndex], EXAMPLE_MEMBER_ACCOUNT, at),
      scpApplies: true,
      source: `approvedPrincipalArns[${ssoIndex}]`,
    })),
  );
  const lookalike = identityCenterLookalike(approved[ssoIndex], site);
  if (lookalike)
    out.push({
      role: "identity-center-lookalike",
      label: "Identity Center set whose name extends the approved one",
      short: "IdC lookalike",
      principalArn: lookalike,
      scpApplies: true,
      source: `a permission set named like approvedPrincipalArns[${ssoIndex}] plus "_Sandbox"`,
    });
  return out;
}

/** The exempted principals: break-glass, the exempted principals' admin, the tool's role, the StackSets role. */
function exemptedPrincipals(guardrail: Guardrail, site: ExampleSite): RepresentativePrincipal[] {
  const { breakGlass, tool } = guardrail.exemptions;
  const scp = guardrail.config.scp;
  const { concrete, iam } = siteArns(site);
  const out: RepresentativePrincipal[] = [];
  if (breakGlass.length > 0) {
    out.push({
      role: "break-glass-role",
      label: "break-glass role",
      short: "break-glass",
      principalArn: concrete(breakGlass[0]),
      scpApplies: true,
      source: "breakGlassPrincipalArns[0]",
    });
  }
  if (scp.exemptedPrincipalAdminArns.length > 0) {
    out.push({
      role: "principal-admin",
      label: "exempted-principal admin",
      short: "IAM admin",
      principalArn: concrete(scp.exemptedPrincipalAdminArns[0]),
      scpApplies: true,
      source: "scp.exemptedPrincipalAdminArns[0]",
    });
  }
  out.push({
    role: "tool-role",
    label: "bedrock-guardrail member role",
    short: "tool role",
    principalArn: concrete(tool[0]),
    scpApplies: true,
    source: "the tool's own role",
  });
  out.push({
    role: "monitor-role",
    label: "bedrock-guardrail query-job role",
    short: "monitor",
    principalArn: iam(EXAMPLE_SECURITY_ACCOUNT, `role${TOOL_ROLE_PATH}${ROLE_NAMES.queryJob}`),
    scpApplies: true,
    source: "the monitor's own role (security account)",
  });
  if (scp.protectExemptedPrincipals) {
    out.push({
      role: "stacksets-exec-role",
      label: "StackSets execution role",
      short: "StackSets",
      principalArn: concrete(stackSetsExecRolePattern(guardrail.partition)),
      scpApplies: true,
      source: "deploys the member role (service-managed StackSets)",
    });
  }
  return out;
}

/** Principals the config does not name: other roles, users and root, and the two the SCP never applies to. */
function examplePrincipals(guardrail: Guardrail, site: ExampleSite): RepresentativePrincipal[] {
  const mgmt = guardrail.config.organization.managementAccountId ?? EXAMPLE_MANAGEMENT_ACCOUNT;
  const { iam } = siteArns(site);
  const example = (role: RepresentativePrincipal["role"], label: string, short: string, resource: string) => ({
    role,
    label,
    short,
    principalArn: iam(EXAMPLE_MEMBER_ACCOUNT, resource),
    scpApplies: true,
    source: "example",
  });
  return [
    example("non-approved-role", "non-approved role", "other role", "role/DeveloperRole"),
    example("iam-user", "IAM user", "IAM user", "user/ci-deploy"),
    example("member-root", "member-account root", "root", "root"),
    {
      role: "management-account",
      label: "management account (any principal)",
      short: "mgmt acct",
      principalArn: iam(mgmt, "role/OrganizationAdmin"),
      scpApplies: false,
      source: "SCPs never apply to the management account",
    },
    {
      role: "service-linked-role",
      label: "service-linked role",
      short: "SLR",
      principalArn: iam(
        EXAMPLE_MEMBER_ACCOUNT,
        "role/aws-service-role/bedrock.amazonaws.com/AWSServiceRoleForAmazonBedrock",
      ),
      scpApplies: false,
      source: "SCPs never apply to service-linked roles",
    },
  ];
}

export function representativePrincipals(guardrail: Guardrail): RepresentativePrincipal[] {
  const site = exampleSite(guardrail);
  return [
    ...approvedPrincipals(guardrail, site),
    ...exemptedPrincipals(guardrail, site),
    ...examplePrincipals(guardrail, site),
  ];
}
