/**
 * `AWSReservedSSO_<Name>_*` also matches the role of every permission set whose name starts with
 * `<Name>_` (a set named BedrockAdmin_Sandbox gets AWSReservedSSO_BedrockAdmin_Sandbox_<hex>), so
 * whoever may create permission sets can create an exempt one. Sixteen `?` match only the suffix.
 */
import { lintCheck } from "./check";
import { exemptionAndAdminLists } from "./exemption-lists";

/** Length of the random suffix IAM Identity Center appends to a permission-set role name. */
const IDENTITY_CENTER_SUFFIX_LENGTH = 16;

export const identityCenterPrefixExtension = lintCheck({
  codes: ["identity-center-prefix-extension"],
  run: ({ guardrail }) =>
    exemptionAndAdminLists(guardrail).flatMap(([key, patterns]) =>
      patterns.flatMap((pattern, i) => {
        const name = pattern.slice(pattern.lastIndexOf("/") + 1);
        const set = /^AWSReservedSSO_(.+)_\*$/.exec(name)?.[1];
        if (!set) return [];
        const safe = `${pattern.slice(0, -1)}${"?".repeat(IDENTITY_CENTER_SUFFIX_LENGTH)}`;
        return [
          {
            level: "warning" as const,
            code: "identity-center-prefix-extension" as const,
            message:
              `${key}[${i}] ${pattern}: the trailing _* also matches the role of any permission set named ` +
              `${set}_<anything> (for example ${set}_Sandbox), which whoever may create permission sets can add; ` +
              `match only the ${IDENTITY_CENTER_SUFFIX_LENGTH}-character suffix instead: ${safe}`,
          },
        ];
      }),
    ),
});
