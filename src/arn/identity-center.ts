/**
 * The two shapes of an IAM Identity Center permission-set role. An instance in us-east-1 creates
 * its roles under `/aws-reserved/sso.amazonaws.com/` with no Region; an instance in any other
 * Region under `/aws-reserved/sso.amazonaws.com/<region>/`. The documented pattern
 * `.../sso.amazonaws.com/*\/AWSReservedSSO_<Name>_<suffix>` needs the second slash, so it never
 * matches a us-east-1 instance's roles. Every principal list (SCP exemptions, detection's
 * "approved?", remediation's "protected?") is rewritten here, once, so all three agree.
 *
 * The rewrite moves the wildcard before the slash: `.../sso.amazonaws.com*\/AWSReservedSSO_<Name>_...`
 * matches the region-less path (`*` empty) and every Region's (`*` = `/<region>`), in one pattern.
 * The slash stays right before the role name, and a role name cannot contain one, so a permission
 * set named `<Other>_AWSReservedSSO_<Name>` (underscores are legal in set names) still does not
 * match, as it would with `.../sso.amazonaws.com/*AWSReservedSSO_<Name>_...`. Nobody but Identity
 * Center creates roles under `/aws-reserved/`.
 */
import { splitArn } from "./arn-like";

const ANY_REGION_SEGMENT = "role/aws-reserved/sso.amazonaws.com/*/";
const EITHER_SHAPE = "role/aws-reserved/sso.amazonaws.com*/";

/** The pattern, matching both role-path shapes when its Region segment is `*`; otherwise as written. */
function withBothIdentityCenterShapes(pattern: string): string {
  const parts = splitArn(pattern);
  if (!parts?.[5].startsWith(ANY_REGION_SEGMENT)) return pattern;
  const rest = parts[5].slice(ANY_REGION_SEGMENT.length);
  // `*/*/Name` or a nested path is not a permission-set pattern; leave it as written.
  if (rest.includes("/")) return pattern;
  return [...parts.slice(0, 5), `${EITHER_SHAPE}${rest}`].join(":");
}

/** Each pattern rewritten to match both Identity Center shapes where it names a permission-set role; de-duplicated. */
export function withIdentityCenterForms(patterns: readonly string[]): string[] {
  return [...new Set(patterns.map(withBothIdentityCenterShapes))];
}
