/**
 * Key administration without key use, for the key policies this tool writes (the alert topic's key,
 * the rotated-secret key): whoever administers the account can manage the key, never decrypt with it.
 * Only key-resource actions: account-level ones such as kms:ListAliases have no effect in a key policy.
 */
export const KEY_ADMIN_ACTIONS = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
];
