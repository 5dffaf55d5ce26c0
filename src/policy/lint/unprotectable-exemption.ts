/**
 * An exemption ProtectExemptedPrincipals cannot cover: it stops others from creating or changing the exempted IAM
 * roles and users, but a pattern that names neither (a federated user, a principal of another service) names
 * nothing IAM could refuse to create, so whoever may choose such a name (any IAM user allowed
 * sts:GetFederationToken chooses its federated-user name) is exempt.
 */
import { parseArn } from "../../arn/arn-like";
import { protectedKind } from "../protect-exempted";
import { lintCheck } from "./check";
import { exemptionAndAdminLists } from "./exemption-lists";

export const unprotectableExemption = lintCheck({
  codes: ["unprotectable-exemption"],
  run: ({ guardrail }) => {
    if (!guardrail.config.scp.protectExemptedPrincipals) return [];
    return exemptionAndAdminLists(guardrail).flatMap(([key, patterns]) =>
      patterns.flatMap((pattern, i) =>
        // Root is already reported as a broad exemption; anything else without a role/user resource cannot be
        // protected.
        protectedKind(pattern) || parseArn(pattern)?.resource === "root"
          ? []
          : [
              {
                level: "warning" as const,
                code: "unprotectable-exemption" as const,
                message:
                  `${key}[${i}] ${pattern} names no IAM role or user, so ProtectExemptedPrincipals cannot stop ` +
                  `others from taking that name (any IAM user allowed sts:GetFederationToken chooses its ` +
                  `federated-user name)`,
              },
            ],
      ),
    );
  },
});
