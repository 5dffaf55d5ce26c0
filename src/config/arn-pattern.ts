/**
 * Validation of principal ARN patterns used as exemptions. An exemption that is too broad silently
 * turns the guardrail off, so these rules are hard errors at config load, not lint warnings.
 */
import { z } from "zod";
import { splitArn } from "../arn/arn-like";

const PARTITIONS = new Set(["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "*"]);
const onlyWildcards = (s: string) => /^[*?]*$/.test(s);

/** Returns why the pattern is unacceptable as an exempted principal, or undefined when it is fine. */
export function principalPatternProblem(pattern: string): string | undefined {
  if (pattern.trim() !== pattern || pattern.length === 0) return "must not be empty or have surrounding spaces";
  if (onlyWildcards(pattern)) return "exempts every principal; name the roles (for example arn:aws:iam::*:role/BedrockModelAccessAdmin)";
  const parts = splitArn(pattern);
  if (!parts || parts[0] !== "arn") return "is not an ARN (expected arn:aws:iam::<account>:role/<name>)";
  const [, partition, service, region, account, resource] = parts;
  if (!PARTITIONS.has(partition)) return `has unknown partition "${partition}"`;
  if (service !== "iam" && service !== "sts") return `must be an IAM principal ARN (service iam or sts), not "${service}"`;
  if (region !== "") return "must have an empty region component (IAM ARNs are global)";
  if (!/^(\d{12}|\*)$/.test(account)) return `has account "${account}": use a 12-digit account ID or *`;
  if (onlyWildcards(resource)) return "exempts every principal in the account(s); name the roles";
  if (resource === "root") {
    if (account === "*") return "exempts the root user of every account";
    return undefined;
  }
  const slash = resource.indexOf("/");
  const type = slash < 0 ? resource : resource.slice(0, slash);
  if (!["role", "user", "federated-user", "assumed-role"].includes(type)) {
    return `has resource "${resource}": expected role/..., user/..., federated-user/... or root`;
  }
  if (type === "assumed-role") return "names a session ARN; aws:PrincipalArn is the role ARN (arn:aws:iam::<account>:role/<path/><name>)";
  const name = resource.slice(resource.lastIndexOf("/") + 1);
  if (slash < 0 || onlyWildcards(name)) return `exempts every ${type} (the name after the last / is only wildcards)`;
  return undefined;
}

/** A principal ARN pattern, refused with the reason when principalPatternProblem finds one. */
export const PrincipalPattern = z.string().superRefine((value, ctx) => {
  const problem = principalPatternProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: `"${value}" ${problem}` });
});
