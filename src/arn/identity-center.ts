/**
 * The two shapes of an IAM Identity Center permission-set role. An instance in us-east-1 creates
 * its roles under `/aws-reserved/sso.amazonaws.com/` with no Region; an instance in any other
 * Region under `/aws-reserved/sso.amazonaws.com/<region>/`. The documented pattern
 * `.../sso.amazonaws.com/*\/AWSReservedSSO_<Name>_<suffix>` needs the second slash, so it never
 * matches a us-east-1 instance's roles. Every principal list (SCP exemptions, detection's
 * "approved?", remediation's "protected?") is expanded here, once, so all three agree.
 *
 * A single pattern `.../sso.amazonaws.com/*AWSReservedSSO_<Name>_...` would match both shapes, but
 * also a permission set named `<Other>_AWSReservedSSO_<Name>` (underscores are legal in set names),
 * so the region-less form is added as a second pattern instead.
 */
import { splitArn } from "./arn-like";

const ANY_REGION_SEGMENT = "role/aws-reserved/sso.amazonaws.com/*/";
const NO_REGION_SEGMENT = "role/aws-reserved/sso.amazonaws.com/";

/** The us-east-1 (region-less) form of a pattern whose Region segment is `*`, or undefined. */
function regionlessIdentityCenterForm(pattern: string): string | undefined {
  const parts = splitArn(pattern);
  if (!parts?.[5].startsWith(ANY_REGION_SEGMENT)) return undefined;
  const rest = parts[5].slice(ANY_REGION_SEGMENT.length);
  // `*/*/Name` or a nested path is not a permission-set pattern; leave it as written.
  if (rest.includes("/")) return undefined;
  return [...parts.slice(0, 5), `${NO_REGION_SEGMENT}${rest}`].join(":");
}

/** Each pattern, followed by its region-less Identity Center form where it has one; de-duplicated, in order. */
export function withIdentityCenterForms(patterns: readonly string[]): string[] {
  return [
    ...new Set(
      patterns.flatMap((p) => {
        const regionless = regionlessIdentityCenterForm(p);
        return regionless ? [p, regionless] : [p];
      }),
    ),
  ];
}
