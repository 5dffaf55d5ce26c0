/**
 * delete-agreement: bedrock:DeleteFoundationModelAgreement in the event's account and region, for
 * the event that created the agreement only. Not re-created on undo: an approved principal accepts
 * the model's offer again if the model is wanted.
 */
import { DeleteFoundationModelAgreementCommand } from "@aws-sdk/client-bedrock";
import { z } from "zod";
import type { Finding } from "../../detection/finding";
import type { Guardrail } from "../../guardrail/guardrail";
import { classifyError } from "../errors";
import type { MemberClients } from "../member-clients";
import { shellWord } from "../shell-word";
import type { DraftOf, ExecutionResult } from "../types";
import type { ActionDefinition } from "./action";

/**
 * The agreement is only deleted for the event that created it: deleting on any other event could remove an agreement an
 * approved principal made.
 */
const AGREEMENT_EVENT = "CreateFoundationModelAgreement";

/**
 * The deletion of the agreement the finding's event accepted, or, outside remediation.regions, the
 * manual step that does it; undefined for any other event or when remediation.deleteAgreement is off.
 */
export function agreementDraft(
  finding: Finding,
  guardrail: Guardrail,
): DraftOf<"delete-agreement"> | DraftOf<"manual"> | undefined {
  const r = guardrail.remediation;
  const modelId = finding.guardrail.model_id;
  const account = finding.cloud.account.id;
  const region = finding.cloud.region;
  if (finding.event.action !== AGREEMENT_EVENT || !r.deleteAgreement || !modelId || !account || !region)
    return undefined;
  if (r.regions.length > 0 && !r.regions.includes(region))
    return {
      kind: "manual",
      accountId: account,
      region,
      target: modelId,
      reason: `region ${region} is not in remediation.regions: delete the agreement for ${modelId} by hand`,
      params: { modelId },
      steps: [
        `In account ${account}, region ${region}: aws bedrock delete-foundation-model-agreement --region ${region} ` +
          `--model-id ${shellWord(modelId)}`,
      ],
    };
  return {
    kind: "delete-agreement",
    accountId: account,
    region,
    target: modelId,
    reason:
      `delete the agreement for ${modelId} accepted in ${account} ${region} (no agreement = already done; the ` +
      `SCP prevents re-enablement)`,
    params: { modelId },
  };
}

async function deleteIn(clients: MemberClients, region: string, modelId: string): Promise<ExecutionResult> {
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

export const deleteAgreement = {
  kind: "delete-agreement",
  api: "bedrock:DeleteFoundationModelAgreement",
  mutating: true,
  addresses: null, // an agreement: no role or user named
  params: z.looseObject({ modelId: z.string().min(1) }),
  permissions: [
    {
      actions: ["bedrock:DeleteFoundationModelAgreement"],
      resource: { kind: "member-bedrock-agreements" },
      why: "revoke the model agreement the unapproved principal accepted",
    },
  ],
  execute(action, clients) {
    if (action.region === undefined) throw new Error("planned action lacks region");
    return deleteIn(clients, action.region, action.params.modelId);
  },
  notReversible: () =>
    `a deleted agreement is not re-created by this tool: an approved principal accepts the model's offer ` +
    `again if the model is wanted`,
} satisfies ActionDefinition<"delete-agreement">;
