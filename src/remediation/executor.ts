/**
 * The thin SDK adapter: performs one planned action in its member account and says what became
 * of it. Each action first reads the current state, so running it again after a crash changes
 * nothing that is already done ("already-done"), and records the state before and after.
 */
import { DeleteFoundationModelAgreementCommand } from "@aws-sdk/client-bedrock";
import {
  type AccessKeyMetadata,
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListServiceSpecificCredentialsCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  type ServiceSpecificCredentialMetadata,
  UpdateAccessKeyCommand,
  UpdateServiceSpecificCredentialCommand,
} from "@aws-sdk/client-iam";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
} from "@aws-sdk/client-secrets-manager";
import { classifyError, describeError } from "./errors";
import type { MemberClients } from "./member-clients";
import { REVOCATION_POLICY_NAME } from "./planner";
import { effectiveCutoff, mergeRevocation, parsePolicyDocument, type PolicyDocument } from "./revocation-policy";
import { ROTATION_KEY_ALIAS, rotatedSecretPolicy } from "./secret-policy";
import type { PlannedAction } from "./types";

export interface ExecutionResult {
  status: "ok" | "already-done" | "skipped" | "error";
  reason: string;
  before?: unknown;
  after?: unknown;
}

async function listKeys(iam: IAMClient, userName: string): Promise<AccessKeyMetadata[]> {
  return (await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? [];
}

async function deactivateKey(iam: IAMClient, userName: string, keyId: string): Promise<ExecutionResult> {
  const key = (await listKeys(iam, userName)).find((k) => k.AccessKeyId === keyId);
  if (!key) return { status: "skipped", reason: `access key ${keyId} no longer belongs to user ${userName}` };
  if (key.Status === "Inactive")
    return {
      status: "already-done",
      reason: `access key ${keyId} is already inactive`,
      before: { status: "Inactive" },
      after: { status: "Inactive" },
    };
  await iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: keyId, Status: "Inactive" }));
  return {
    status: "ok",
    reason: `deactivated access key ${keyId} of ${userName}`,
    before: { status: key.Status },
    after: { status: "Inactive" },
  };
}

/** Every credential of the user for one service (ListServiceSpecificCredentials pages with Marker). */
export async function listServiceCredentials(
  iam: IAMClient,
  userName: string,
  serviceName: string,
): Promise<ServiceSpecificCredentialMetadata[]> {
  const all: ServiceSpecificCredentialMetadata[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.send(
      new ListServiceSpecificCredentialsCommand({ UserName: userName, ServiceName: serviceName, Marker: marker }),
    );
    all.push(...(page.ServiceSpecificCredentials ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  // Filtered again: only this service's credentials may ever be touched, whatever the endpoint returns.
  return all.filter((c) => c.ServiceName === serviceName);
}

async function deactivateServiceCredentials(
  iam: IAMClient,
  userName: string,
  serviceName: string,
  credentialId: string | undefined,
): Promise<ExecutionResult> {
  const all = await listServiceCredentials(iam, userName, serviceName);
  const targets = credentialId ? all.filter((c) => c.ServiceSpecificCredentialId === credentialId) : all;
  const before = targets.map((c) => ({ id: c.ServiceSpecificCredentialId, status: c.Status }));
  if (targets.length === 0)
    return {
      status: "skipped",
      reason: credentialId
        ? `${serviceName} credential ${credentialId} no longer belongs to user ${userName}`
        : `user ${userName} has no ${serviceName} credentials (deleted since the call?)`,
      before,
    };
  const active = targets.filter((c) => c.Status === "Active");
  if (active.length === 0)
    return {
      status: "already-done",
      reason: `no ${serviceName} credential of ${userName} is active`,
      before,
      after: { credentials: before, deactivated: [] },
    };
  const deactivated: string[] = [];
  for (const c of active) {
    await iam.send(
      new UpdateServiceSpecificCredentialCommand({
        UserName: userName,
        ServiceSpecificCredentialId: c.ServiceSpecificCredentialId,
        Status: "Inactive",
      }),
    );
    deactivated.push(c.ServiceSpecificCredentialId!);
  }
  return {
    status: "ok",
    reason: `deactivated ${serviceName} credential(s) ${deactivated.join(", ")} of ${userName}`,
    before,
    after: {
      credentials: before.map((c) => (deactivated.includes(c.id!) ? { ...c, status: "Inactive" } : c)),
      deactivated,
    },
  };
}

/** undefined: no such secret; otherwise whether it holds a value yet (a crash may leave it empty). */
async function secretState(clients: MemberClients, name: string): Promise<{ hasValue: boolean } | undefined> {
  try {
    const d = await clients.secrets.send(new DescribeSecretCommand({ SecretId: name }));
    return { hasValue: Object.keys(d.VersionIdsToStages ?? {}).length > 0 };
  } catch (e) {
    if (classifyError(e) === "not-found") return undefined;
    throw e;
  }
}

/**
 * The last action of a plan. Refused while the offending key is still active (containment first).
 * The secret is created empty under the rotation KMS key, locked to its readers by its resource
 * policy, and only then is the key created and its value stored: at no moment does a readable
 * copy exist outside those two guards.
 */
async function rotateKey(
  clients: MemberClients,
  userName: string,
  keyId: string,
  secretName: string,
  readers: string[],
): Promise<ExecutionResult> {
  const keys = await listKeys(clients.iam, userName);
  const offending = keys.find((k) => k.AccessKeyId === keyId);
  if (!offending)
    return {
      status: "skipped",
      reason: `access key ${keyId} no longer belongs to user ${userName}: nothing to rotate`,
    };
  // Containment before replacement: while the stolen key works, a new key would be one more for the thief.
  if (offending.Status === "Active")
    return {
      status: "skipped",
      reason: `rotation refused: access key ${keyId} of ${userName} is still active (its deactivation did not run)`,
      before: { keys: keys.map((k) => ({ id: k.AccessKeyId, status: k.Status })) },
    };
  const secret = await secretState(clients, secretName);
  if (secret?.hasValue)
    return { status: "already-done", reason: `secret ${secretName} exists: the key was rotated by an earlier run` };
  if (keys.length >= 2) {
    return {
      status: "skipped",
      reason:
        `rotation refused: user ${userName} already has two access keys ` +
        `(${keys.map((k) => k.AccessKeyId).join(", ")}); the offending key is deactivated without a replacement`,
      before: { keys: keys.map((k) => ({ id: k.AccessKeyId, status: k.Status })) },
    };
  }
  if (readers.length === 0)
    return { status: "skipped", reason: "rotation refused: nobody is configured to read the new key's secret" };
  if (!secret)
    await clients.secrets.send(
      new CreateSecretCommand({
        Name: secretName,
        Description: `bedrock-guardrail: replacement for access key ${keyId} of IAM user ${userName}`,
        KmsKeyId: ROTATION_KEY_ALIAS,
      }),
    );
  await clients.secrets.send(
    new PutResourcePolicyCommand({
      SecretId: secretName,
      ResourcePolicy: rotatedSecretPolicy(readers),
      BlockPublicPolicy: true,
    }),
  );
  const created = (await clients.iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey;
  if (!created?.AccessKeyId || !created.SecretAccessKey)
    return { status: "error", reason: `CreateAccessKey for ${userName} returned no key` };
  try {
    await clients.secrets.send(
      new PutSecretValueCommand({
        SecretId: secretName,
        SecretString: JSON.stringify({
          UserName: userName,
          AccessKeyId: created.AccessKeyId,
          SecretAccessKey: created.SecretAccessKey,
          Replaces: keyId,
        }),
      }),
    );
  } catch (e) {
    // The secret exists nowhere else: a key nobody can read must not stay behind.
    await clients.iam
      .send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: created.AccessKeyId }))
      .catch(() => undefined);
    return {
      status: "error",
      reason:
        `could not store the replacement key in Secrets Manager (${describeError(e)}); ` +
        `the new key ${created.AccessKeyId} was deleted again`,
    };
  }
  return {
    status: "ok",
    reason:
      `created access key ${created.AccessKeyId} for ${userName}; secret stored as ${secretName} ` +
      `(KMS key ${ROTATION_KEY_ALIAS}, readable by ${readers.join(", ")})`,
    before: { keys: keys.map((k) => k.AccessKeyId) },
    after: { newAccessKeyId: created.AccessKeyId, secretName, readers },
  };
}

interface PolicyTarget {
  get(): Promise<string | undefined>;
  put(doc: string): Promise<void>;
  what: string;
}

async function revokeSessions(
  target: PolicyTarget,
  cutoff: string,
  eventTime: string | undefined,
): Promise<ExecutionResult> {
  const raw = await target.get();
  const existing: PolicyDocument | undefined = raw ? parsePolicyDocument(raw) : undefined;
  const current = effectiveCutoff(existing);
  if (current && eventTime && current > new Date(eventTime)) {
    return {
      status: "already-done",
      reason: `${target.what} already denies sessions issued before ${current.toISOString()}, after the offending call`,
      before: existing,
      after: existing,
    };
  }
  const merged = mergeRevocation(existing, cutoff);
  await target.put(JSON.stringify(merged));
  return {
    status: "ok",
    reason: `${target.what}: sessions issued before ${effectiveCutoff(merged)!.toISOString()} are denied`,
    before: existing ?? null,
    after: merged,
  };
}

const orUndefinedIfMissing = async (read: () => Promise<string | undefined>): Promise<string | undefined> => {
  try {
    return await read();
  } catch (e) {
    if (classifyError(e) === "not-found") return undefined;
    throw e;
  }
};

export function userPolicyTarget(iam: IAMClient, userName: string): PolicyTarget {
  return {
    what: `user ${userName} inline policy ${REVOCATION_POLICY_NAME}`,
    get: () =>
      orUndefinedIfMissing(
        async () =>
          (await iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: REVOCATION_POLICY_NAME })))
            .PolicyDocument,
      ),
    put: async (doc) =>
      void (await iam.send(
        new PutUserPolicyCommand({ UserName: userName, PolicyName: REVOCATION_POLICY_NAME, PolicyDocument: doc }),
      )),
  };
}

export function rolePolicyTarget(iam: IAMClient, roleName: string): PolicyTarget {
  return {
    what: `role ${roleName} inline policy ${REVOCATION_POLICY_NAME}`,
    get: () =>
      orUndefinedIfMissing(
        async () =>
          (await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: REVOCATION_POLICY_NAME })))
            .PolicyDocument,
      ),
    put: async (doc) =>
      void (await iam.send(
        new PutRolePolicyCommand({ RoleName: roleName, PolicyName: REVOCATION_POLICY_NAME, PolicyDocument: doc }),
      )),
  };
}

async function deleteAgreement(clients: MemberClients, region: string, modelId: string): Promise<ExecutionResult> {
  try {
    await clients.bedrock(region).send(new DeleteFoundationModelAgreementCommand({ modelId }));
    return {
      status: "ok",
      reason: `deleted the agreement for ${modelId} in ${region}`,
      before: { agreement: "present" },
      after: { agreement: "deleted" },
    };
  } catch (e) {
    if (classifyError(e) === "not-found")
      return {
        status: "already-done",
        reason: `no agreement for ${modelId} exists in ${region}`,
        before: { agreement: "absent" },
        after: { agreement: "absent" },
      };
    throw e;
  }
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`planned action lacks ${what}`);
  return value;
}

async function perform(action: PlannedAction, clients: MemberClients): Promise<ExecutionResult> {
  const p = action.params;
  switch (action.kind) {
    case "deactivate-key":
      return deactivateKey(clients.iam, required(p.userName, "userName"), required(p.accessKeyId, "accessKeyId"));
    case "deactivate-service-credentials":
      return deactivateServiceCredentials(
        clients.iam,
        required(p.userName, "userName"),
        required(p.serviceName, "serviceName"),
        p.serviceSpecificCredentialId,
      );
    case "rotate-key":
      return rotateKey(
        clients,
        required(p.userName, "userName"),
        required(p.accessKeyId, "accessKeyId"),
        required(p.secretName, "secretName"),
        p.secretReaders ?? [],
      );
    case "revoke-user-sessions":
      return revokeSessions(
        userPolicyTarget(clients.iam, required(p.userName, "userName")),
        required(p.cutoff, "cutoff"),
        p.eventTime,
      );
    case "revoke-role-sessions":
      return revokeSessions(
        rolePolicyTarget(clients.iam, required(p.roleName, "roleName")),
        required(p.cutoff, "cutoff"),
        p.eventTime,
      );
    case "delete-agreement":
      return deleteAgreement(clients, required(action.region, "region"), required(p.modelId, "modelId"));
    default:
      return { status: "skipped", reason: `${action.kind} actions are not executed` };
  }
}

/** Never throws: every failure is this action's outcome, so the other actions still run. */
export async function executeAction(
  action: PlannedAction,
  clients: () => Promise<MemberClients>,
): Promise<ExecutionResult> {
  try {
    return await perform(action, await clients());
  } catch (e) {
    if (classifyError(e) === "not-found" && action.kind !== "delete-agreement")
      return { status: "skipped", reason: `${action.target} no longer exists: ${describeError(e)}` };
    return { status: "error", reason: describeError(e) };
  }
}
