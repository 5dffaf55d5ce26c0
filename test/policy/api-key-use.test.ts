/**
 * scp.allowLongTermBedrockApiKeyUse: the platform team hands out long-term Bedrock API keys, developers call with
 * them (on listed models only), and only approved and break-glass principals mint, re-mint or re-activate one.
 * Proven with the IAM simulator against FullAWSAccess and the synthesized SCP; the actions come from the hand-written
 * lists of test/support/denied-actions.ts, not from the definition.
 */
import type { GuardrailConfigInput } from "../../src/config/schema";
import { lintScp } from "../../src/policy/lint";
import { API_KEY_CREATION_ACTIONS, BEDROCK_BEARER_TOKEN_ACTIONS } from "../support/denied-actions";
import { APPROVED, BREAK_GLASS, DEVELOPER, MEMBER, MEMBER_ROLE } from "./bypass-cases";
import { FULL_CONFIG, guardrailFor } from "./helpers";
import { type SimulatedRequest, simulateScp } from "./simulator";

const USE_ALLOWED: GuardrailConfigInput = {
  ...FULL_CONFIG,
  scp: { ...FULL_CONFIG.scp, allowLongTermBedrockApiKeyUse: true },
};
const guardrail = guardrailFor(USE_ALLOWED);
/** The IAM user a long-term key belongs to: its calls are made as that user. */
const KEY_USER = `arn:aws:iam::${MEMBER}:user/BedrockAPIKey-7k2m`;
const PROJECT = `arn:aws:bedrock-mantle:us-east-1:${MEMBER}:project/default`;
const model = (id: string) => `arn:aws:bedrock:us-east-1::foundation-model/${id}`;
const LISTED = "anthropic.claude-sonnet-4-20250514-v1:0";
const UNLISTED = "deepseek.r1-v1:0";

const bearer = (action: string, type?: string): SimulatedRequest => {
  const key = `${action.slice(0, action.indexOf(":"))}:BearerTokenType`;
  return { action, resource: "*", ...(type ? { context: { [key]: [type] } } : {}) };
};
const credential = (action: string, service: string): SimulatedRequest => ({
  action,
  resource: KEY_USER,
  context: { "iam:ServiceSpecificCredentialServiceName": [service] },
});
/** A call with a long-term key on one endpoint: its bearer-token authorization, then the model's. */
const keyCall = (endpoint: string, modelId: string): SimulatedRequest[] =>
  endpoint === "bedrock"
    ? [bearer("bedrock:CallWithBearerToken", "LONG_TERM"), { action: "bedrock:InvokeModel", resource: model(modelId) }]
    : [
        bearer("bedrock-mantle:CallWithBearerToken", "LONG_TERM"),
        // mantle names a model without its version and date.
        { action: "bedrock-mantle:CreateInference", resource: PROJECT, context: { "bedrock-mantle:Model": [modelId] } },
      ];
const MANTLE_IDS: Record<string, string> = { [LISTED]: "anthropic.claude-sonnet-4", [UNLISTED]: "deepseek.r1" };

/** "allow" when the simulator allows every request of the call, else the first denied request. */
async function decide(requests: SimulatedRequest[], principal: string, g = guardrail): Promise<string> {
  for (const r of requests)
    if ((await simulateScp(g, r, principal)) !== "Allowed") return `deny ${r.action} ${r.resource}`;
  return "allow";
}

describe("long-term Bedrock API keys usable, their creation kept to approved principals", () => {
  it.each(["bedrock", "bedrock-mantle"])("on %s: a key's call on a listed model passes", async (endpoint) => {
    const id = endpoint === "bedrock" ? LISTED : MANTLE_IDS[LISTED];
    for (const principal of [KEY_USER, DEVELOPER])
      expect(`${principal}: ${await decide(keyCall(endpoint, id), principal)}`).toBe(`${principal}: allow`);
  });

  it.each(["bedrock", "bedrock-mantle"])("on %s: a key's call on an unlisted model stays denied", async (endpoint) => {
    const [bearerRequest, onModel] = keyCall(endpoint, endpoint === "bedrock" ? UNLISTED : MANTLE_IDS[UNLISTED]);
    expect(await simulateScp(guardrail, bearerRequest, KEY_USER)).toBe("Allowed");
    expect(await simulateScp(guardrail, onModel, KEY_USER)).toBe("ExplicitlyDenied");
  });

  it.each(API_KEY_CREATION_ACTIONS)("%s for bedrock.amazonaws.com: denied to others, not approved ones", async (a) => {
    const request = credential(a, "bedrock.amazonaws.com");
    for (const principal of [DEVELOPER, KEY_USER])
      expect(`${principal}: ${await simulateScp(guardrail, request, principal)}`).toBe(
        `${principal}: ExplicitlyDenied`,
      );
    for (const principal of [APPROVED, BREAK_GLASS])
      expect(`${principal}: ${await simulateScp(guardrail, request, principal)}`).toBe(`${principal}: Allowed`);
  });

  it("the member role may still deactivate a leaked key", async () => {
    const request = credential("iam:UpdateServiceSpecificCredential", "bedrock.amazonaws.com");
    expect(await simulateScp(guardrail, request, MEMBER_ROLE)).toBe("Allowed");
  });

  it.each(API_KEY_CREATION_ACTIONS)("%s for another service (CodeCommit) is untouched", async (action) => {
    const request = credential(action, "codecommit.amazonaws.com");
    expect(await simulateScp(guardrail, request, DEVELOPER)).toBe("Allowed");
  });

  it("a short-term key's call and a call of no stated type pass as well", async () => {
    for (const action of BEDROCK_BEARER_TOKEN_ACTIONS)
      for (const type of ["SHORT_TERM", undefined])
        expect(`${action} ${type}: ${await simulateScp(guardrail, bearer(action, type), DEVELOPER)}`).toBe(
          `${action} ${type}: Allowed`,
        );
  });

  it("without the setting (the default), the same key's call is denied on both endpoints", async () => {
    const byDefault = guardrailFor(FULL_CONFIG);
    for (const action of BEDROCK_BEARER_TOKEN_ACTIONS)
      expect(await simulateScp(byDefault, bearer(action, "LONG_TERM"), KEY_USER)).toBe("ExplicitlyDenied");
  });
});

describe("Claude Platform on AWS allowed: its own long-term keys stay denied (they are no IAM credentials)", () => {
  const CLAUDE_PLATFORM = "aws-external-anthropic:CallWithBearerToken";
  const withClaudePlatform = (scp: GuardrailConfigInput["scp"]) =>
    guardrailFor({ ...USE_ALLOWED, scp: { ...USE_ALLOWED.scp, allowClaudePlatform: true, ...scp } });

  it("a Claude Platform long-term key is denied, a short-term one passes, a Bedrock long-term key passes", async () => {
    const g = withClaudePlatform({});
    expect(await decide([bearer(CLAUDE_PLATFORM, "LONG_TERM")], DEVELOPER, g)).toBe(`deny ${CLAUDE_PLATFORM} *`);
    expect(await decide([bearer(CLAUDE_PLATFORM, "SHORT_TERM")], DEVELOPER, g)).toBe("allow");
    for (const action of BEDROCK_BEARER_TOKEN_ACTIONS)
      expect(`${action}: ${await decide([bearer(action, "LONG_TERM")], DEVELOPER, g)}`).toBe(`${action}: allow`);
    expect(await decide([bearer(CLAUDE_PLATFORM, "LONG_TERM")], APPROVED, g)).toBe("allow");
  });

  it("with short-term keys denied too: only a Bedrock long-term key's call passes", async () => {
    const g = withClaudePlatform({ denyShortTermBedrockApiKeys: true });
    for (const action of BEDROCK_BEARER_TOKEN_ACTIONS) {
      expect(`${action}: ${await decide([bearer(action, "LONG_TERM")], DEVELOPER, g)}`).toBe(`${action}: allow`);
      for (const type of ["SHORT_TERM", undefined])
        expect(`${action} ${type}: ${await decide([bearer(action, type)], DEVELOPER, g)}`).toBe(
          `${action} ${type}: deny ${action} *`,
        );
    }
    for (const type of ["LONG_TERM", "SHORT_TERM"])
      expect(`${type}: ${await decide([bearer(CLAUDE_PLATFORM, type)], DEVELOPER, g)}`).toBe(
        `${type}: deny ${CLAUDE_PLATFORM} *`,
      );
  });
});

describe("the setting without the creation control it relaxes", () => {
  const codes = (scp: GuardrailConfigInput["scp"]) =>
    lintScp(guardrailFor({ ...USE_ALLOWED, scp: { ...USE_ALLOWED.scp, ...scp } })).warnings.map((w) => w.code);

  it("lint warns that it changes nothing while scp.denyLongTermBedrockApiKeys is off (creation is open)", () => {
    expect(codes({ denyLongTermBedrockApiKeys: false })).toContain("api-key-use-without-creation-control");
    expect(codes({})).not.toContain("api-key-use-without-creation-control");
  });
});
