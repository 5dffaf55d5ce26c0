/**
 * Every AWS call the runtime or the responder makes is declared next to its code as a
 * PermissionDeclaration. The cdktf IAM policies are generated from these declarations
 * (src/infra), so a role can never drift from what the code calls.
 */

/** A resource the infrastructure knows how to turn into an ARN. "any" is for APIs that take no resource ARN. */
export type ResourceRef =
  | { kind: "event-data-store" }
  | { kind: "query-log-groups" }
  | { kind: "athena-workgroup" }
  | { kind: "athena-table" }
  | { kind: "trail-bucket" }
  | { kind: "trail-objects" }
  | { kind: "trail-key" }
  /** The organization trail monitor.trailArn names (the source of the Athena archive or the log groups). */
  | { kind: "organization-trail" }
  | { kind: "athena-results-bucket" }
  | { kind: "athena-results-objects" }
  | { kind: "state-table" }
  | { kind: "alert-topic" }
  | { kind: "alert-key" }
  | { kind: "securityhub-product" }
  | { kind: "guardrail-policy" }
  | { kind: "organization" }
  | { kind: "member-role" }
  | { kind: "member-iam-users" }
  | { kind: "member-iam-roles" }
  | { kind: "member-bedrock-agreements" }
  | { kind: "member-secrets" }
  | { kind: "any"; why: string };

export interface PermissionDeclaration {
  /** IAM actions, fully named (service:Action). Never a wildcard. */
  actions: string[];
  resource: ResourceRef;
  /** Why the code needs it; becomes the statement's Sid context in docs. */
  why: string;
  /**
   * An IAM Condition block the grant carries (e.g. aws:ResourceOrgID = ${aws:PrincipalOrgID}).
   * Values may be IAM policy variables; the infrastructure keeps them literal for Terraform.
   */
  condition?: Record<string, Record<string, string | string[]>>;
}
