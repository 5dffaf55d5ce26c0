/**
 * The independent IAM simulator (@cloud-copilot/iam-simulate, dev-only) against FullAWSAccess as
 * the identity policy and FullAWSAccess + the synthesized SCP document(s) as the organization's SCPs.
 */
import { runSimulation, runUnsafeSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import type { Guardrail } from "../../src/guardrail/guardrail";
import { buildScpDocuments } from "../../src/policy/documents";
import type { ScpDocument } from "../../src/policy/types";

const OPEN_KEY_POLICY = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:*", Resource: "*" }],
};
const FULL_AWS_ACCESS = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

export interface SimulatedRequest {
  action: string;
  resource: string;
  context?: Record<string, string[]>;
}

/** Each guardrail's documents and each document list's parsed policies, built once (suites simulate thousands). */
const documentsOf = new WeakMap<Guardrail, readonly ScpDocument[]>();
const policiesOf = new WeakMap<readonly ScpDocument[], { name: string; policy: unknown }[]>();

function parsedPolicies(documents: readonly ScpDocument[]): { name: string; policy: unknown }[] {
  let policies = policiesOf.get(documents);
  if (!policies) {
    policies = documents.map((d) => ({ name: d.name, policy: JSON.parse(d.content) }));
    policiesOf.set(documents, policies);
  }
  return policies;
}

function guardrailDocuments(guardrail: Guardrail): readonly ScpDocument[] {
  let documents = documentsOf.get(guardrail);
  if (!documents) {
    documents = buildScpDocuments(guardrail);
    documentsOf.set(guardrail, documents);
  }
  return documents;
}

/** Results per document list and request: generated histories repeat requests (a third, in preview's). */
const resultsOf = new WeakMap<readonly ScpDocument[], Map<string, Promise<string>>>();

/** "Allowed" or "ExplicitlyDenied" (or another overall result) for one request by one principal. */
export function simulateScp(
  guardrail: Guardrail,
  request: SimulatedRequest,
  principalArn: string,
  scpApplies = true,
  documents: readonly ScpDocument[] = guardrailDocuments(guardrail),
): Promise<string> {
  let results = resultsOf.get(documents);
  if (!results) {
    results = new Map();
    resultsOf.set(documents, results);
  }
  const key = JSON.stringify([request.action, request.resource, request.context ?? {}, principalArn, scpApplies]);
  let result = results.get(key);
  if (!result) {
    result = simulateOnce(request, principalArn, scpApplies, documents);
    results.set(key, result);
  }
  return result;
}

async function simulateOnce(
  request: SimulatedRequest,
  principalArn: string,
  scpApplies: boolean,
  documents: readonly ScpDocument[],
): Promise<string> {
  const accountId = principalArn.split(":")[4];
  const sim: Simulation = {
    request: {
      principal: principalArn,
      action: request.action,
      resource: { resource: request.resource, accountId },
      contextVariables: { "aws:PrincipalArn": principalArn, ...(request.context ?? {}) },
    },
    identityPolicies: [{ name: "AdministratorAccess", policy: FULL_AWS_ACCESS }],
    // Management account and service-linked roles: SCPs are not evaluated at all (empty list).
    serviceControlPolicies: scpApplies
      ? [
          {
            orgIdentifier: "r-ab12",
            policies: [{ name: "FullAWSAccess", policy: FULL_AWS_ACCESS }, ...parsedPolicies(documents)],
          },
        ]
      : [],
    resourceControlPolicies: [],
    // A KMS key is usable only as its key policy allows; one that allows everyone leaves the SCP to decide.
    ...(request.action.startsWith("kms:") ? { resourcePolicy: OPEN_KEY_POLICY } : {}),
  };
  // aws-marketplace:ProductId is documented by Bedrock for Subscribe, but the service authorization
  // data the simulator validates against does not list it for that action, so the validating entry
  // point would drop the key; the unvalidated one evaluates it as given.
  if (request.context && "aws-marketplace:ProductId" in request.context) {
    // Unvalidated, the simulator takes each value as given: a single-valued key must be a string.
    const single = Object.entries(request.context).map(([k, v]) => [k, k === "aws-marketplace:ProductId" ? v : v[0]]);
    sim.request.contextVariables = { "aws:PrincipalArn": principalArn, ...Object.fromEntries(single) };
    return runUnsafeSimulation(sim, {});
  }
  const result = await runSimulation(sim, {});
  if (result.resultType === "error")
    throw new Error(`simulation error for ${request.action} by ${principalArn}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}
