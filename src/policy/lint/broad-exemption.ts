/**
 * An exemption config accepts but a reviewer should look at twice: an IAM user (long-term keys), an account's
 * root user, a wildcard in a role's name or path. Every principal a pattern matches is exempt, so a pattern
 * broader than meant opens the guardrail to principals nobody chose (config already refuses `*` and whole-account
 * patterns).
 */
import { parseArn } from "../../arn/arn-like";
import { type Finding, lintCheck } from "./check";
import { exemptionLists } from "./exemption-lists";

function patternFindings(where: string, pattern: string): Finding<"broad-exemption">[] {
  const out: Finding<"broad-exemption">[] = [];
  const resource = parseArn(pattern)?.resource ?? "";
  const name = resource.slice(resource.lastIndexOf("/") + 1);
  const path = resource.slice(resource.indexOf("/") + 1, resource.lastIndexOf("/") + 1);
  if (resource.startsWith("user/"))
    out.push({
      level: "warning",
      code: "broad-exemption",
      message:
        `${where} exempts an IAM user: long-term access keys are the credential most often stolen; prefer ` + `a role`,
    });
  if (resource === "root")
    out.push({ level: "warning", code: "broad-exemption", message: `${where} exempts an account's root user` });
  // Identity Center role names end in a random suffix (AWSReservedSSO_<set>_<hex>): a wildcard there is expected.
  const fixedName = name.startsWith("AWSReservedSSO_") ? name.slice(0, name.lastIndexOf("_")) : name;
  if (/[*?]/.test(fixedName))
    out.push({
      level: "warning",
      code: "broad-exemption",
      message:
        `${where} has a wildcard in the name: every matching ` +
        `principal${parseArn(pattern)?.account === "*" ? " in every account" : ""} is exempt`,
    });
  if (/[*?]/.test(path) && !/[*?]/.test(name))
    out.push({
      level: "warning",
      code: "broad-exemption",
      message: `${where} has a wildcard in the path: a role of that name under any matching path is exempt`,
    });
  return out;
}

export const broadExemption = lintCheck({
  codes: ["broad-exemption"],
  run: ({ guardrail }) =>
    exemptionLists(guardrail).flatMap(([key, patterns]) =>
      patterns.flatMap((pattern, i) => patternFindings(`${key}[${i}] ${pattern}`, pattern)),
    ),
});
