/**
 * The independent IAM simulator (@cloud-copilot/iam-simulate, dev-only) against FullAWSAccess as
 * the identity policy and FullAWSAccess + the synthesized SCP document(s) as the organization's SCPs.
 */
import { runSimulation, runUnsafeSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import type { Guardrail } from "../../src/guardrail/guardrail";
import { buildScpDocuments } from "../../src/policy/documents";
import type { ScpDocument } from "../../src/policy/types";
import { installSimulatorSpeedups } from "./simulator-speed";

installSimulatorSpeedups();

const OPEN_KEY_POLICY = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:*", Resource: "*" }],
};
/** An Identity Center role (any letter case: the simulator compares it lower-cased). */
const AWS_RESERVED_ROLE = /^arn:[^:]+:iam::[^:]*:role\/aws-reserved\//i;
const FULL_AWS_ACCESS = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

export interface SimulatedRequest {
  action: string;
  resource: string;
  context?: Record<string, string[]>;
}

/** The value cached under `key`, made once (suites simulate thousands of requests on a few document lists). */
function cached<K extends WeakKey | string, V>(
  cache: { get(k: K): V | undefined; set(k: K, v: V): unknown },
  key: K,
  make: () => V,
): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    cache.set(key, value);
  }
  return value;
}

const documentsOf = new WeakMap<Guardrail, readonly ScpDocument[]>();
const policiesOf = new WeakMap<readonly ScpDocument[], { name: string; policy: unknown }[]>();
/** Results per document list and request: generated histories repeat requests (a third, in preview's). */
const resultsOf = new WeakMap<readonly ScpDocument[], Map<string, Promise<string>>>();

const parsedPolicies = (documents: readonly ScpDocument[]) =>
  cached(policiesOf, documents, () => documents.map((d) => ({ name: d.name, policy: JSON.parse(d.content) })));

/** "Allowed" or "ExplicitlyDenied" (or another overall result) for one request by one principal. */
export function simulateScp(
  guardrail: Guardrail,
  request: SimulatedRequest,
  principalArn: string,
  scpApplies = true,
  documents: readonly ScpDocument[] = cached(documentsOf, guardrail, () => buildScpDocuments(guardrail)),
): Promise<string> {
  const results = cached(resultsOf, documents, () => new Map<string, Promise<string>>());
  const key = JSON.stringify([request.action, request.resource, request.context ?? {}, principalArn, scpApplies]);
  return cached(results, key, () => simulateOnce(request, principalArn, scpApplies, documents));
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
    // A KMS key is usable only as its key policy allows; one that allows everyone leaves the SCP to decide (for the
    // action in any letter case, as IAM matches it).
    ...(request.action.toLowerCase().startsWith("kms:") ? { resourcePolicy: OPEN_KEY_POLICY } : {}),
  };
  // aws-marketplace:ProductId is documented by Bedrock for Subscribe, but the service authorization
  // data the simulator validates against does not list it for that action, so the validating entry
  // point would drop the key; and a global cross-Region profile is authorized on its model with an empty
  // Region (arn:<partition>:bedrock:::foundation-model/<id>), which that entry point refuses as matching no
  // resource type. The unvalidated one evaluates both as given, and an SNS subscription's ARN (the topic's with the
  // subscription id after it), for which the authorization data has no resource type.
  const emptyRegionModel = /^arn:[^:]+:bedrock:::foundation-model\//.test(request.resource);
  const snsSubscription = /^arn:[^:]+:sns:[^:]+:\d{12}:[^:]+:[^:]+$/.test(request.resource);
  // Condition key names are case-insensitive: the key in any case.
  const isProductId = (key: string) => key.toLowerCase() === "aws-marketplace:productid";
  if (emptyRegionModel || snsSubscription || Object.keys(request.context ?? {}).some(isProductId)) {
    // Unvalidated, the simulator takes each value as given: a single-valued key must be a string.
    const single = Object.entries(request.context ?? {}).map(([k, v]) => [k, isProductId(k) ? v : v[0]]);
    sim.request.contextVariables = { "aws:PrincipalArn": principalArn, ...Object.fromEntries(single) };
    return runUnsafeSimulation(sim, {});
  }
  const result = await runSimulation(sim, {});
  if (result.resultType === "error")
    throw new Error(`simulation error for ${request.action} by ${principalArn}: ${JSON.stringify(result.errors)}`);
  // Identity Center's service-linked role manages its roles (role/aws-reserved/...): for any other caller the simulator
  // answers ImplicitlyDenied whatever the policies say (its IamServiceAuthorizer), which hides the SCP's own decision;
  // that decision is read instead.
  if (
    result.overallResult === "ImplicitlyDenied" &&
    result.resultType === "single" &&
    AWS_RESERVED_ROLE.test(request.resource)
  )
    return result.result.analysis?.scpAnalysis?.result === "ExplicitlyDenied" ? "ExplicitlyDenied" : "Allowed";
  return result.overallResult;
}
