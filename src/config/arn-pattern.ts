/**
 * Validation of principal ARN patterns used as exemptions. An exemption that is too broad silently
 * turns the guardrail off, so these rules are hard errors at config load, not lint warnings.
 */
import { z } from "zod";
import { globMatch, splitArn } from "../arn/arn-like";

const PARTITIONS = new Set(["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "*"]);
const onlyWildcards = (s: string) => /^[*?]*$/.test(s);
/** The IAM service each principal type's ARN lives in: aws:PrincipalArn never has any other. */
const SERVICE_OF: Record<string, string> = { role: "iam", user: "iam", root: "iam", "federated-user": "sts" };
/** Characters of IAM user, role and federated-user names, plus ArnLike's two wildcards. */
const NAME_CHARS = /^[\w+=,.@*?-]+$/;
/** IAM paths are printable ASCII (0x21-0x7E); `/` separates their segments. */
const PATH_SEGMENT_CHARS = /^[\x21-\x7e]+$/;
/** Two Identity Center permission-set role names with nothing in common but the AWSReservedSSO_ prefix. */
const SSO_PROBES = ["AWSReservedSSO_ProbeSetA_0123456789abcdef", "AWSReservedSSO_OtherSetB_fedcba9876543210"];

/** Returns why the pattern is unacceptable as an exempted principal, or undefined when it is fine. */
export function principalPatternProblem(pattern: string): string | undefined {
  if (pattern.trim() !== pattern || pattern.length === 0) return "must not be empty or have surrounding spaces";
  if (onlyWildcards(pattern))
    return "exempts every principal; name the roles (for example arn:aws:iam::*:role/BedrockModelAccessAdmin)";
  const parts = splitArn(pattern);
  if (parts?.[0] !== "arn") return "is not an ARN (expected arn:aws:iam::<account>:role/<name>)";
  const [, partition, service, region, account, resource] = parts;
  if (!PARTITIONS.has(partition)) return `has unknown partition "${partition}"`;
  if (service !== "iam" && service !== "sts")
    return `must be an IAM principal ARN (service iam or sts), not "${service}"`;
  if (region !== "") return "must have an empty region component (IAM ARNs are global)";
  if (!/^(\d{12}|\*)$/.test(account)) return `has account "${account}": use a 12-digit account ID or *`;
  if (onlyWildcards(resource)) return "exempts every principal in the account(s); name the roles";
  if (pattern.includes("$"))
    return (
      'contains "$": in an SCP, IAM reads ${...} as a policy variable, so the exemption would not match what it ' +
      "says"
    );
  if (resource === "root") {
    if (service !== SERVICE_OF.root)
      return (
        `names root in service "${service}": a root user's aws:PrincipalArn is ` + `arn:<partition>:iam::<account>:root`
      );
    if (account === "*") return "exempts the root user of every account";
    return undefined;
  }
  const slash = resource.indexOf("/");
  const type = slash < 0 ? resource : resource.slice(0, slash);
  if (!["role", "user", "federated-user", "assumed-role"].includes(type)) {
    return `has resource "${resource}": expected role/..., user/..., federated-user/... or root`;
  }
  if (type === "assumed-role")
    return "names a session ARN; aws:PrincipalArn is the role ARN (arn:aws:iam::<account>:role/<path/><name>)";
  if (service !== SERVICE_OF[type])
    return (
      `names a ${type} in service "${service}": a ${type}'s aws:PrincipalArn is ` +
      `arn:<partition>:${SERVICE_OF[type]}::<account>:${type}/...`
    );
  const name = resource.slice(resource.lastIndexOf("/") + 1);
  if (slash < 0 || onlyWildcards(name)) return `exempts every ${type} (the name after the last / is only wildcards)`;
  if (!NAME_CHARS.test(name))
    return `has name "${name}": IAM names are letters, digits and +=,.@_- (with * and ? as wildcards)`;
  const pathSegments = resource
    .slice(slash + 1)
    .split("/")
    .slice(0, -1);
  if (pathSegments.length > 0) {
    if (type === "federated-user")
      return `has a path: a federated-user ARN is arn:<partition>:sts::<account>:federated-user/<name>`;
    const bad = pathSegments.find((segment) => !PATH_SEGMENT_CHARS.test(segment));
    if (bad !== undefined)
      return bad === ""
        ? "has an empty path segment (//)"
        : `has path segment "${bad}": IAM paths are printable ASCII without spaces`;
  }
  if (type === "role" && SSO_PROBES.every((probe) => globMatch(name, probe))) {
    return (
      "exempts every IAM Identity Center permission set (AWSReservedSSO_ followed only by wildcards); name the " +
      "set: AWSReservedSSO_<PermissionSetName>_ followed by sixteen ? for its suffix"
    );
  }
  return undefined;
}

/**
 * Why an ARN pattern cannot be used with a guardrail deployed in `partition` (the partition of aws.region,
 * which every generated ARN takes), or undefined: a pattern of another partition matches nothing the
 * guardrail's principals or models are, so an exemption would exempt nobody and an allow-list entry
 * would allow nothing, silently. A `*` partition matches every one.
 */
export function partitionMismatch(pattern: string, partition: string, region: string): string | undefined {
  const patternPartition = splitArn(pattern)?.[1];
  // An unknown partition has its own problem (principalPatternProblem, the model pattern's format).
  if (patternPartition === undefined || !PARTITIONS.has(patternPartition)) return undefined;
  if (globMatch(patternPartition, partition)) return undefined;
  return (
    `"${pattern}" is in partition ${patternPartition}, but aws.region ${region} is in ${partition}: ` +
    `set aws.region to a Region of ${patternPartition}, or write the ARN in ${partition}`
  );
}

/** A principal ARN pattern, refused with the reason when principalPatternProblem finds one. */
export const PrincipalPattern = z.string().superRefine((value, ctx) => {
  const problem = principalPatternProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: `"${value}" ${problem}` });
});
