/**
 * deactivate-service-credentials: iam:UpdateServiceSpecificCredential Status=Inactive on the
 * user's Bedrock API key(s) (long-term keys are service-specific credentials for
 * bedrock.amazonaws.com): the one that made the call when the record identifies it, otherwise every
 * Bedrock credential of the user (and nothing else). Undo re-activates exactly those it deactivated.
 */
import {
  type IAMClient,
  ListServiceSpecificCredentialsCommand,
  type ServiceSpecificCredentialMetadata,
  UpdateServiceSpecificCredentialCommand,
} from "@aws-sdk/client-iam";
import { z } from "zod";
import { BEDROCK_API_KEY_SERVICE_NAME } from "../../policy/statements";
import { describeError } from "../errors";
import type { DraftOf, ExecutionResult } from "../types";
import type { ActionDefinition, UndoResult } from "./action";

/**
 * A service-specific credential's id as IAM writes it: ACCA (the unique-id prefix IAM's user guide lists for a
 * "context-specific credential"), then upper-case letters and digits, like every IAM unique id in AWS's examples.
 * The API's own pattern ([\w]+, 20 to 128 characters) would also take lower case, and whether IAM matches an id
 * written in another case is not documented (unconfirmed); this tool compares ids exactly, as
 * ListServiceSpecificCredentials gives them. Which id, if any, CloudTrail writes in userIdentity.accessKeyId for a
 * call with a long-term Bedrock API key is not documented either (no published record shows one).
 */
const SERVICE_CREDENTIAL_ID = /^ACCA[A-Z0-9]{8,}$/;

/**
 * Why a finding's key id that reads as a Bedrock API key's (ACCA in any letter case) is not one as IAM writes it, or
 * undefined. Such an id is no credential for this tool (see SERVICE_CREDENTIAL_ID), and planning without it would
 * deactivate every Bedrock API key of the user: CloudTrail writes no such id, so the finding was edited or converted,
 * and it is refused (finding-input.ts) rather than widened or guessed at (uppercased, it might name another key).
 */
export function credentialIdProblem(keyId: string): string | undefined {
  if (!/^acca/i.test(keyId) || SERVICE_CREDENTIAL_ID.test(keyId)) return undefined;
  return (
    `${keyId} reads as a Bedrock API key id but is not written as IAM and CloudTrail write one ` +
    "(ACCA, then upper-case letters and digits): nothing is planned for it, rather than for every Bedrock API key " +
    "of its user; give the id as CloudTrail recorded it"
  );
}

/**
 * Deactivate the Bedrock API key that made the call: the exact credential when the record carries
 * its id, otherwise every Bedrock credential of the user (scoped to bedrock.amazonaws.com, so the
 * user's access keys and other services' credentials keep working).
 */
export function serviceCredentialDraft(
  account: string,
  userName: string,
  keyId: string | undefined,
): DraftOf<"deactivate-service-credentials"> {
  const exact = keyId && SERVICE_CREDENTIAL_ID.test(keyId) ? keyId : undefined;
  // A key id that is no Bedrock API key's (the signing access key of a call whose key type is unknown) says nothing
  // of which Bedrock API key made it: the line says the record names it, not that it names no key.
  const unknown = keyId
    ? `the record names key ${keyId}, which is no Bedrock API key id (ACCA...), so not which one made the call`
    : "the record does not say which one made the call";
  return {
    kind: "deactivate-service-credentials",
    accountId: account,
    target: exact ?? userName,
    reason: exact
      ? `deactivate the Bedrock API key ${exact} of ${userName} that made the call (only that credential)`
      : `deactivate every Bedrock API key of ${userName} (service-specific credentials for ` +
        `${BEDROCK_API_KEY_SERVICE_NAME}): ${unknown}; the user's access ` +
        "keys, password and other services' credentials are untouched",
    params: {
      userName,
      serviceName: BEDROCK_API_KEY_SERVICE_NAME,
      ...(exact ? { serviceSpecificCredentialId: exact } : {}),
    },
  };
}

/** Every credential of the user for one service (ListServiceSpecificCredentials pages with Marker). */
async function listServiceCredentials(
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

/** The credentials the action is about, as execute records them in `before`. */
async function targetsOf(
  iam: IAMClient,
  userName: string,
  serviceName: string,
  credentialId: string | undefined,
): Promise<ServiceSpecificCredentialMetadata[]> {
  const all = await listServiceCredentials(iam, userName, serviceName);
  return credentialId ? all.filter((c) => c.ServiceSpecificCredentialId === credentialId) : all;
}

const stateOf = (targets: ServiceSpecificCredentialMetadata[]) =>
  targets.map((c) => ({ id: c.ServiceSpecificCredentialId, status: c.Status }));

async function deactivate(
  iam: IAMClient,
  userName: string,
  serviceName: string,
  credentialId: string | undefined,
): Promise<ExecutionResult> {
  const targets = await targetsOf(iam, userName, serviceName, credentialId);
  const before = stateOf(targets);
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
  const after = () => ({
    credentials: before.map((c) => (deactivated.includes(c.id!) ? { ...c, status: "Inactive" } : c)),
    deactivated: [...deactivated],
  });
  for (const c of active) {
    try {
      await iam.send(
        new UpdateServiceSpecificCredentialCommand({
          UserName: userName,
          ServiceSpecificCredentialId: c.ServiceSpecificCredentialId,
          Status: "Inactive",
        }),
      );
    } catch (e) {
      // Nothing changed yet: the executor makes the failure the outcome, as for any other action.
      if (deactivated.length === 0) throw e;
      // Some are off already: the error keeps them (ExecutionResult), so a retry and undo know them.
      return {
        status: "error",
        reason:
          `deactivated ${serviceName} credential(s) ${deactivated.join(", ")} of ${userName}, then ` +
          `${c.ServiceSpecificCredentialId} failed: ${describeError(e)}`,
        before,
        after: after(),
      };
    }
    deactivated.push(c.ServiceSpecificCredentialId!);
  }
  return {
    status: "ok",
    reason: `deactivated ${serviceName} credential(s) ${deactivated.join(", ")} of ${userName}`,
    before,
    after: after(),
  };
}

/**
 * The credentials this action deactivated: those its record lists, and those Active in its `before` that
 * its `after` does not show Active. The two differ when a run continued another's change, recording the
 * state that run saw before: a run that died after its calls (the run that took it over found them off)
 * or one that failed partway (the retry deactivated only the rest).
 */
function deactivatedBy(record: { status: string; before?: unknown; after?: unknown }): unknown {
  const { status, before, after } = record;
  const listed = (after as { deactivated?: unknown } | undefined)?.deactivated;
  if ((status !== "ok" && status !== "error") || !Array.isArray(listed) || !Array.isArray(before)) return listed;
  const credentials = (after as { credentials?: unknown }).credentials;
  const activeAfter = new Set(
    (Array.isArray(credentials) ? credentials : []).flatMap((c: { id?: unknown; status?: unknown }) =>
      c?.status === "Active" ? [c.id] : [],
    ),
  );
  const turnedOff = before.flatMap((c: { id?: unknown; status?: unknown }) =>
    c?.status === "Active" && typeof c.id === "string" && !activeAfter.has(c.id) ? [c.id] : [],
  );
  return [...new Set([...listed, ...turnedOff])];
}

/** Re-activates exactly the credentials the action recorded as deactivated by it (never one that was already off). */
async function reactivate(
  iam: IAMClient,
  { userName, serviceName }: { userName?: string; serviceName?: string },
  ours: unknown,
): Promise<UndoResult> {
  if (!userName || !serviceName || !Array.isArray(ours) || ours.length === 0)
    return { status: "not-reversible", reason: "the record names no credential this tool deactivated" };
  const now = await listServiceCredentials(iam, userName, serviceName);
  const reactivated: string[] = [];
  const problems: string[] = [];
  for (const id of ours as string[]) {
    const c = now.find((x) => x.ServiceSpecificCredentialId === id);
    if (!c) problems.push(`${id} no longer belongs to ${userName}`);
    else if (c.Status === "Expired") problems.push(`${id} has expired`);
    else if (c.Status === "Inactive") {
      await iam.send(
        new UpdateServiceSpecificCredentialCommand({
          UserName: userName,
          ServiceSpecificCredentialId: id,
          Status: "Active",
        }),
      );
      reactivated.push(id);
    }
  }
  const note = problems.length > 0 ? `; not re-activated: ${problems.join(", ")}` : "";
  if (reactivated.length === 0)
    return {
      status: problems.length > 0 ? "error" : "already-done",
      reason: problems.length > 0 ? `nothing re-activated${note}` : `credential(s) ${ours.join(", ")} are active`,
    };
  return {
    status: "ok",
    reason: `re-activated ${serviceName} credential(s) ${reactivated.join(", ")} of ${userName}${note}`,
    before: { inactive: reactivated },
    after: { active: reactivated },
  };
}

export const deactivateServiceCredentials = {
  kind: "deactivate-service-credentials",
  api: "iam:UpdateServiceSpecificCredential",
  mutating: true,
  addresses: { type: "user", nameOf: (params) => params.userName },
  targetOf: (params) => params.serviceSpecificCredentialId ?? params.userName,
  // One call per credential of the user: a run may die between them.
  stepwise: true,
  params: z.looseObject({
    userName: z.string().min(1),
    serviceName: z.string().min(1),
    serviceSpecificCredentialId: z.string().min(1).optional(),
  }),
  permissions: [
    {
      actions: ["iam:ListServiceSpecificCredentials", "iam:UpdateServiceSpecificCredential"],
      resource: { kind: "member-iam-users" },
      why:
        "deactivate the Bedrock API keys (service-specific credentials) that made a call, after listing them " +
        "for bedrock.amazonaws.com only; undo re-activates exactly those",
    },
  ],
  execute: (action, clients) =>
    deactivate(
      clients.iam,
      action.params.userName,
      action.params.serviceName,
      action.params.serviceSpecificCredentialId,
    ),
  async observe(action, clients) {
    const { userName, serviceName, serviceSpecificCredentialId } = action.params;
    return stateOf(await targetsOf(clients.iam, userName, serviceName, serviceSpecificCredentialId));
  },
  // The target is the credential id when the record gave it, else the user name (every Bedrock key of the
  // user): an action of the other form on the same key never shares the target, so undo looks there too.
  targetsAlsoRelyingOn(rec) {
    // Of one credential: an action on every Bedrock key of its user covers it too.
    if (rec.params.serviceSpecificCredentialId) return [rec.params.userName];
    // Of every key of the user: an action on one of those it deactivated relies on that key staying off.
    const ours = deactivatedBy(rec);
    return Array.isArray(ours) ? ours.filter((id): id is string => typeof id === "string") : [];
  },
  // A record read back from the store is checked again: it may predate a field.
  undo: (rec, iam) => reactivate(iam, rec.params, deactivatedBy(rec)),
} satisfies ActionDefinition<"deactivate-service-credentials">;
