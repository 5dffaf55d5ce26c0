/**
 * The CloudTrail identities the tests share: one of each kind a finding or a plan has to handle, in the
 * member account 494659789341 unless the name says otherwise.
 */
import { BREAK_GLASS_ROLE } from "./fixtures";

export const MEMBER_ACCOUNT = "494659789341";
const MEMBER = MEMBER_ACCOUNT;
const OTHER = "210987654321";

/** One identity of each kind. */
export const IDENTITIES = {
  iamUser: {
    type: "IAMUser",
    principalId: "AIDAEXAMPLE",
    arn: `arn:aws:iam::${MEMBER}:user/ci-bot`,
    accountId: MEMBER,
    accessKeyId: "AKIAEXAMPLEKEY000001",
    userName: "ci-bot",
  },
  assumedRole: {
    type: "AssumedRole",
    principalId: "AROAEXAMPLE:session",
    arn: `arn:aws:sts::${MEMBER}:assumed-role/test-role/session`,
    accountId: MEMBER,
    accessKeyId: "ASIAEXAMPLEKEY000002",
    sessionContext: {
      sessionIssuer: {
        type: "Role",
        principalId: "AROAEXAMPLE",
        arn: `arn:aws:iam::${MEMBER}:role/test-role`,
        accountId: MEMBER,
        userName: "test-role",
      },
    },
  },
  approvedRole: {
    type: "AssumedRole",
    arn: `arn:aws:sts::${MEMBER}:assumed-role/BedrockModelAccessAdmin/alice`,
    accountId: MEMBER,
    accessKeyId: "ASIAEXAMPLEKEY000003",
    sessionContext: {
      sessionIssuer: {
        type: "Role",
        arn: `arn:aws:iam::${MEMBER}:role/BedrockModelAccessAdmin`,
        accountId: MEMBER,
        userName: "BedrockModelAccessAdmin",
      },
    },
  },
  identityCenter: {
    type: "AssumedRole",
    arn: `arn:aws:sts::${MEMBER}:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/bob@example.com`,
    accountId: MEMBER,
    accessKeyId: "ASIAEXAMPLEKEY000004",
    sessionContext: {
      sessionIssuer: {
        type: "Role",
        arn:
          `arn:aws:iam::${MEMBER}:role/aws-reserved/sso.amazonaws.com/` +
          "eu-west-1/AWSReservedSSO_Admin_0123456789abcdef",
        accountId: MEMBER,
        userName: "AWSReservedSSO_Admin_0123456789abcdef",
      },
    },
  },
  root: {
    type: "Root",
    principalId: MEMBER,
    arn: `arn:aws:iam::${MEMBER}:root`,
    accountId: MEMBER,
    accessKeyId: "ASIAEXAMPLEKEY000005",
  },
  crossAccount: {
    type: "AssumedRole",
    arn: `arn:aws:sts::${OTHER}:assumed-role/partner-role/x`,
    accountId: OTHER,
    accessKeyId: "ASIAEXAMPLEKEY000006",
    sessionContext: {
      sessionIssuer: {
        type: "Role",
        arn: `arn:aws:iam::${OTHER}:role/partner-role`,
        accountId: OTHER,
        userName: "partner-role",
      },
    },
  },
  breakGlass: {
    type: "AssumedRole",
    arn: "arn:aws:sts::111122223333:assumed-role/BreakGlass/oncall",
    accountId: "111122223333",
    sessionContext: {
      sessionIssuer: { type: "Role", arn: BREAK_GLASS_ROLE, accountId: "111122223333", userName: "BreakGlass" },
    },
  },
  federated: {
    type: "FederatedUser",
    arn: `arn:aws:sts::${MEMBER}:federated-user/carol`,
    accountId: MEMBER,
    accessKeyId: "ASIAEXAMPLEKEY000007",
  },
  iamUserKey: {
    type: "IAMUser",
    arn: "arn:aws:iam::494659789341:user/alice",
    accountId: "494659789341",
    accessKeyId: "AKIAEXAMPLEALICE0001",
    userName: "alice",
  },
  iamUserSession: {
    type: "IAMUser",
    arn: "arn:aws:iam::494659789341:user/alice",
    accountId: "494659789341",
    accessKeyId: "ASIAEXAMPLEALICE0001",
    userName: "alice",
  },
  serviceLinked: {
    type: "AssumedRole",
    arn: "arn:aws:sts::494659789341:assumed-role/AWSServiceRoleForExample/session",
    accountId: "494659789341",
    accessKeyId: "ASIAEXAMPLESLR000001",
    sessionContext: {
      sessionIssuer: {
        type: "Role",
        arn: "arn:aws:iam::494659789341:role/aws-service-role/example.amazonaws.com/AWSServiceRoleForExample",
        userName: "AWSServiceRoleForExample",
        accountId: "494659789341",
      },
    },
  },
  roleWithoutIssuer: {
    type: "AssumedRole",
    arn: "arn:aws:sts::494659789341:assumed-role/test-role/cli",
    accountId: "494659789341",
    accessKeyId: "ASIAEXAMPLEROLE00001",
  },
  awsService: { type: "AWSService", invokedBy: "bedrock.amazonaws.com" },
} as const;
