/**
 * manual: the exact steps a person takes when no API action is possible or allowed. Worded from
 * AWS's IAM and IAM Identity Center user guides ("Revoke IAM role temporary security credentials",
 * "Revoke active IAM role sessions created by permission sets"). It calls nothing.
 */
import { z } from "zod";
import type { Finding } from "../../detection/finding";
import { shellWord } from "../shell-word";
import type { DraftOf } from "../types";
import { type ActionDefinition, callsNothing } from "./action";

/**
 * Why a person acts on an IAM user, which decides the step: a session whose long-term key the record does
 * not name, a Bedrock API key whose signing key it does not name, no access key at all (a console
 * sign-in), a rotation nobody could read, or a user the record does not identify safely.
 */
export type IamUserCase =
  | "session"
  | "unsigned-api-key"
  | "no-access-key"
  | "no-rotation"
  | "api-key-user-access-key"
  | "unidentified";

function iamUserSteps(finding: Finding, which: IamUserCase, account: string, who: string): string[] {
  const user = finding.guardrail.principal_arn ?? who;
  const key = finding.aws.cloudtrail.user_identity.access_key_id;
  switch (which) {
    case "session":
      return [
        `Find the long-term access key of ${user} that minted session ${key ?? "(unknown)"} (its GetSessionToken ` +
          "call in CloudTrail) and deactivate that key.",
      ];
    case "unsigned-api-key":
      return [
        `A short-term Bedrock API key carries the permissions of the credentials of ${user} that generated it, ` +
          "for at most 12 hours (less when a session generated it), and the record does not name them.",
        `Review the user's access keys (when each was last used, and CloudTrail) and deactivate the one that ` +
          "generated the key, or every one of them if it cannot be told.",
      ];
    case "no-access-key":
      return [
        `${user} made the call without an access key in the record (a console sign-in?): reset its console ` +
          "password and check its MFA devices.",
        "Review its access keys and Bedrock API keys, and deactivate any it should not have.",
      ];
    case "no-rotation":
      return [
        `Create a replacement access key for ${user} by hand if it is needed, once ${key ?? "the offending key"} ` +
          "is inactive, and give it only to the key's owner.",
      ];
    case "api-key-user-access-key":
      return [
        `${user} is the IAM user behind a long-term Bedrock API key: it needs no access key. Delete ` +
          `${key ?? "the offending key"} (and any other access key of the user) once it is inactive.`,
        "Find who created the key (iam:CreateAccessKey for the user in CloudTrail; the rule " +
          "bedrock-api-key-user-access-key-created alerts on it) and treat that principal as compromised too.",
      ];
    case "unidentified":
      return [
        `The record does not identify the IAM user safely: investigate ${who} in account ${account} by hand ` +
          "before acting on any user.",
      ];
  }
}

function manualSteps(finding: Finding, iamUserCase: IamUserCase): string[] {
  const g = finding.guardrail;
  const account = g.principal_account_id ?? finding.cloud.account.id ?? "the account";
  const who = finding.aws.cloudtrail.user_identity.arn ?? g.principal_arn ?? "the caller";
  const key = finding.aws.cloudtrail.user_identity.access_key_id;
  switch (g.principal_kind) {
    case "identity-center-role":
      return [
        `IAM Identity Center permission-set roles (AWSReservedSSO_*) cannot be changed with IAM; act in IAM Identity ` +
          `Center (management or delegated administrator account).`,
        `Identify the Identity Center user from the session name at the end of ${who}.`,
        `Add a deny-all statement conditioned on "identitystore:userId" = that user's ID to the permission set ` +
          `${g.principal_arn ?? ""} (or to an SCP) and re-provision it, so the user's active role sessions stop ` +
          `working.`,
        `Disable the user's sign-in, end its active AWS access portal sessions, and remove its account assignments ` +
          `until the investigation ends.`,
      ];
    case "service-linked-role":
      return [
        `${g.principal_arn ?? who} is a service-linked role: its sessions cannot be revoked and SCPs do not apply to ` +
          `it.`,
        `Find which service and which resource in account ${account} made the call, and who configured that service; ` +
          `remediate that configuration or principal.`,
      ];
    case "aws-service":
      return [
        `An AWS service (${finding.aws.cloudtrail.user_identity.invoked_by ?? finding.user.name ?? "not named"}) ` +
          "made the call on someone's behalf; find the principal " +
          `that configured it in account ${account} and remediate that principal.`,
      ];
    case "root":
      return [
        `The root user of account ${account} made the call${key ? ` with access key ${key}` : ""}; root cannot be ` +
          `remediated by API from a member role.`,
        ...(key
          ? [
              `Delete root access key ${key} (from the management account: Organizations centralized root access, ` +
                `sts:AssumeRoot with IAMDeleteRootUserCredentials).`,
            ]
          : []),
        `Reset the root password, check and re-register root MFA, and delete any other root access keys or signing ` +
          `certificates.`,
      ];
    case "federated-user":
      return [
        `${who} is a GetFederationToken session; its permissions are limited by the IAM user that requested it ` +
          `(userIdentity.sessionContext.sessionIssuer in the CloudTrail record).`,
        `Put an inline deny with "DateLessThan": {"aws:TokenIssueTime": "<now>"} on that IAM user and deactivate the ` +
          `access key it used to call GetFederationToken.`,
      ];
    case "iam-user":
      return iamUserSteps(finding, iamUserCase, account, who);
    case "role":
      return [
        `Revoke the sessions of ${g.principal_arn ?? who}: in the IAM console, Roles > the role > Revoke sessions ` +
          `(inline policy AWSRevokeOlderSessions).`,
        `Find who assumed the role (the AssumeRole event with the session name in ${who}) and remediate that ` +
          `principal.`,
      ];
    default: {
      const onBehalfOf = finding.aws.cloudtrail.user_identity.on_behalf_of;
      if (onBehalfOf?.user_id)
        return [
          `${g.actor ?? `Identity Center user ${onBehalfOf.user_id}`} made the call; IAM cannot act on an Identity ` +
            "Center user: act in IAM Identity Center (management or delegated administrator account).",
          `Look the user up with aws identitystore describe-user --identity-store-id <the id at the end of ` +
            `${onBehalfOf.identity_store_arn ?? "the identity store ARN"}> --user-id ${shellWord(onBehalfOf.user_id)}.`,
          "Disable the user's sign-in, end its active sessions, and remove its account assignments and " +
            "application access until the investigation ends.",
        ];
      return [
        `The caller's identity type (${finding.aws.cloudtrail.user_identity.type ?? "missing"}) gives no principal ` +
          `IAM can act on; investigate ${g.actor ?? who} in account ${account} by hand.`,
      ];
    }
  }
}

/**
 * Steps for a person about the finding's principal, with why no API action is taken. For an IAM user,
 * `iamUserCase` says which case it is (the step differs); without it the user is taken as unidentified.
 */
export function manualDraft(
  finding: Finding,
  accountId: string,
  reason: string,
  iamUserCase: IamUserCase = "unidentified",
): DraftOf<"manual"> {
  const g = finding.guardrail;
  return {
    kind: "manual",
    accountId,
    target: g.principal_arn ?? finding.aws.cloudtrail.user_identity.arn ?? g.principal_kind,
    reason,
    params: {},
    steps: manualSteps(finding, iamUserCase),
  };
}

export const manual = {
  kind: "manual",
  api: "manual",
  mutating: false,
  addresses: null, // nothing is called
  params: z.looseObject({ modelId: z.string().min(1).optional() }),
  permissions: [],
  execute: callsNothing,
  notReversible: () => "manual actions change nothing, so there is nothing to undo",
} satisfies ActionDefinition<"manual">;
