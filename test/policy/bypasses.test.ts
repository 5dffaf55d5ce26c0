/**
 * The walk-arounds (bypass-cases.ts), each proven closed (or deliberately open) by the IAM simulator
 * and by the tool's own evaluator: FullAWSAccess + the generated SCPs, aws:PrincipalArn set.
 */
import { buildFinding } from "../../src/detection/finding";
import { decisionTable } from "../../src/policy/decision-table";
import { evaluateScp } from "../../src/policy/evaluate";
import { mantleModelId, mantleModelPatterns } from "../../src/policy/mantle-models";
import { buildScpStatements } from "../../src/policy/statements";
import { CASES, DEVELOPER, MEMBER } from "./bypass-cases";
import { GUARDRAIL_CASES } from "./bypass-cases-guardrail";
import { FULL_CONFIG, guardrailFor } from "./helpers";
import { simulateScp } from "./simulator";

describe.each([...CASES, ...GUARDRAIL_CASES])("%s", (_label, config, principal, request, expected) => {
  const guardrail = guardrailFor(config);
  it(`is ${expected === "deny" ? "denied" : "allowed"} by the simulator and by the evaluator`, async () => {
    expect(await simulateScp(guardrail, request, principal)).toBe(expected === "deny" ? "ExplicitlyDenied" : "Allowed");
    const verdict = evaluateScp(buildScpStatements(guardrail), { ...request, principalArn: principal });
    expect(verdict.decision).toBe(expected);
  });
});

describe("the mantle model patterns derived from scp.modelAllowList", () => {
  it("take each foundation-model entry's model id as listed and as mantle names it; others yield nothing", () => {
    expect(
      mantleModelPatterns([
        "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4*",
        "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
        "arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0",
        "arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-3-70b-instruct-v1",
        "arn:aws:bedrock:*::foundation-model/openai.gpt-oss-120b-1:0",
        "arn:aws:bedrock:*:*:inference-profile/us.anthropic.claude-sonnet-4*",
        "arn:aws:bedrock:*:*:provisioned-model/*",
        "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-sonnet-4*",
      ]),
    ).toEqual([
      "anthropic.claude-sonnet-4*",
      "anthropic.claude-sonnet-4-5-20250929-v1:0",
      "anthropic.claude-sonnet-4-5",
      "amazon.nova-pro-v1:0",
      "amazon.nova-pro",
      "meta.llama3-3-70b-instruct-v1",
      "meta.llama3-3-70b-instruct",
      "openai.gpt-oss-120b-1:0",
      "openai.gpt-oss-120b",
    ]);
  });

  it("name a Claude model by mantle's id: no snapshot date, no version suffix (AWS's mantle model list)", () => {
    expect(mantleModelId("anthropic.claude-sonnet-4-5-20250929-v1:0")).toBe("anthropic.claude-sonnet-4-5");
    expect(mantleModelId("anthropic.claude-haiku-4-5-20251001-v1:0")).toBe("anthropic.claude-haiku-4-5");
    expect(mantleModelId("anthropic.claude-sonnet-4-20250514-v1:0")).toBe("anthropic.claude-sonnet-4");
    expect(mantleModelId("openai.gpt-oss-120b-1:0")).toBe("openai.gpt-oss-120b");
    // A date is only stripped with the version suffix after it; a pattern is left as it is.
    expect(mantleModelId("anthropic.claude-sonnet-4-5*")).toBe("anthropic.claude-sonnet-4-5*");
    expect(mantleModelId("mistral.mistral-large-2407-v1:0")).toBe("mistral.mistral-large-2407");
  });

  it("take nothing but the listed id from a pattern: its suffix stripped could name models it does not match", () => {
    const model = (id: string) => `arn:aws:bedrock:*::foundation-model/${id}`;
    for (const id of [
      "anthropic.claude-*-20250929-v1:0",
      "*-20250929-v1:0",
      "anthropic.claude-*-v1:0",
      "anthropic.claude-sonnet-4-5-20250929-v1:*",
      "anthropic.claude-sonnet-4-5-20250929-*",
      "amazon.nova-pr?-v1:0",
    ])
      expect(mantleModelPatterns([model(id)])).toEqual([id]);
  });
});

describe.each(["anthropic.claude-sonnet-4-5-20250929-v1:*", "anthropic.claude-sonnet-4-5-20250929-*"])(
  "an allow-list entry with a wildcard version, %s",
  (listed) => {
    const entry = `arn:aws:bedrock:*::foundation-model/${listed}`;
    const guardrail = guardrailFor({ ...FULL_CONFIG, scp: { modelAllowList: [entry] } });
    const mantleRow = decisionTable(guardrail).rows.find((r) => r.scenario.id === "listed-model:mantle")!;

    it("has a decision-table mantle row naming the model as mantle does: denied, as simulated", async () => {
      expect(mantleRow.scenario.context).toEqual({ "bedrock-mantle:Model": ["anthropic.claude-sonnet-4-5"] });
      expect(mantleRow.cells.find((c) => c.principal.role === "non-approved-role")!.cell).toBe("deny");
      for (const { principal, cell } of mantleRow.cells.filter((c) => c.principal.scpApplies))
        expect([principal.label, await simulateScp(guardrail, mantleRow.scenario, principal.principalArn)]).toEqual([
          principal.label,
          cell === "deny" ? "ExplicitlyDenied" : "Allowed",
        ]);
    });

    it("is allowed on mantle by the entry the lint names, which matches that id only", async () => {
      const fixed = guardrailFor({
        ...FULL_CONFIG,
        scp: { modelAllowList: [entry, "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-5"] },
      });
      const onMantle = (model: string) => ({ ...mantleRow.scenario, context: { "bedrock-mantle:Model": [model] } });
      expect(await simulateScp(fixed, onMantle("anthropic.claude-sonnet-4-5"), DEVELOPER)).toBe("Allowed");
      expect(await simulateScp(fixed, onMantle("anthropic.claude-sonnet-4-6"), DEVELOPER)).toBe("ExplicitlyDenied");
      const unlisted = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20251201-v1:0";
      expect(await simulateScp(fixed, { action: "bedrock:InvokeModel", resource: unlisted }, DEVELOPER)).toBe(
        "ExplicitlyDenied",
      );
    });
  },
);

describe("in GovCloud", () => {
  const gov = guardrailFor({
    approvedPrincipalArns: ["arn:aws-us-gov:iam::*:role/BedrockModelAccessAdmin"],
    aws: { region: "us-gov-west-1" },
    scp: { modelAllowList: ["arn:aws-us-gov:bedrock:*::foundation-model/anthropic.claude-sonnet-4*"] },
  });
  it("the StackSets execution role may still manage the protected roles (its pattern is in the partition)", () => {
    const stackSets = "arn:aws-us-gov:iam::111122223333:role/stacksets-exec-0123abcd";
    const memberRole = "arn:aws-us-gov:iam::111122223333:role/bedrock-guardrail/BedrockGuardrailRemediation";
    const request = { action: "iam:UpdateAssumeRolePolicy", resource: memberRole };
    expect(evaluateScp(buildScpStatements(gov), { ...request, principalArn: stackSets }).decision).toBe("allow");
    expect(evaluateScp(buildScpStatements(gov), { ...request, principalArn: DEVELOPER }).decision).toBe("deny");
  });

  it("the decision table's StackSets column is a GovCloud role, allowed on the tool's roles only", () => {
    const table = decisionTable(gov);
    const stackSets = table.principals.find((p) => p.role === "stacksets-exec-role")!;
    expect(stackSets.principalArn.startsWith("arn:aws-us-gov:iam::")).toBe(true);
    const cell = (prefix: string) =>
      table.rows
        .filter((r) => r.scenario.id.startsWith(prefix))
        .map((r) => r.cells.find((c) => c.principal.role === "stacksets-exec-role")!.cell);
    expect(cell("guard-deploy:").length).toBeGreaterThan(2);
    expect(new Set(cell("guard-deploy:"))).toEqual(new Set(["allow"]));
    expect(cell("protect:").length).toBeGreaterThan(2);
    expect(new Set(cell("protect:"))).toEqual(new Set(["deny"]));
  });
});

describe("Identity Center roles of a us-east-1 instance: the detector approves whom the SCP exempts", () => {
  const guardrail = guardrailFor(FULL_CONFIG);
  const statements = buildScpStatements(guardrail);
  const roleOf = (path: string) => `arn:aws:iam::${MEMBER}:role/aws-reserved/sso.amazonaws.com/${path}`;
  const record = (roleArn: string) => ({
    eventVersion: "1.09",
    eventSource: "bedrock.amazonaws.com",
    eventName: "CreateFoundationModelAgreement",
    awsRegion: "us-east-1",
    recipientAccountId: MEMBER,
    userIdentity: {
      type: "AssumedRole",
      arn: `arn:aws:sts::${MEMBER}:assumed-role/${roleArn.split("/").pop()}/alice`,
      accountId: MEMBER,
      sessionContext: { sessionIssuer: { type: "Role", arn: roleArn, accountId: MEMBER } },
    },
  });

  it.each([
    [roleOf("AWSReservedSSO_BedrockAdmin_0123456789abcdef"), true],
    [roleOf("eu-west-1/AWSReservedSSO_BedrockAdmin_0123456789abcdef"), true],
    [roleOf("AWSReservedSSO_BedrockAdmin_Sandbox_0123456789abcdef"), false],
    [roleOf("AWSReservedSSO_Other_AWSReservedSSO_BedrockAdmin_0123456789abcdef"), false],
  ])("%s: approved %s", (roleArn, approved) => {
    const finding = buildFinding(guardrail, guardrail.primaryRule, record(roleArn), "e1", "2026-12-06T00:00:00Z");
    expect(finding.guardrail.approved).toBe(approved);
    const verdict = evaluateScp(statements, {
      action: "bedrock:CreateFoundationModelAgreement",
      resource: "*",
      principalArn: roleArn,
    });
    expect(verdict.decision).toBe(approved ? "allow" : "deny");
  });
});
