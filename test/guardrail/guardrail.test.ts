import { ConfigError, parseConfig } from "../../src/config/load";
import { BUNDLED_DEFINITION, compileGuardrail, parseDefinition, selectRules } from "../../src/guardrail/guardrail";

describe("guardrail definition + config", () => {
  it("compiles the bundled definition with the minimal config", () => {
    const g = compileGuardrail(
      parseDefinition(BUNDLED_DEFINITION),
      parseConfig({ approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"] }),
    );
    expect(g.iamActions).toEqual([
      "bedrock:PutUseCaseForModelAccess",
      "bedrock:CreateFoundationModelAgreement",
      "bedrock:PutFoundationModelEntitlement",
    ]);
    expect(g.eventSources).toEqual(["bedrock.amazonaws.com", "iam.amazonaws.com", "bedrock-mantle.amazonaws.com"]);
    expect(g.eventNames.slice(0, 3)).toEqual([
      "PutUseCaseForModelAccess",
      "CreateFoundationModelAgreement",
      "PutFoundationModelEntitlement",
    ]);
    expect(g.eventNames).toContain("CreateServiceSpecificCredential");
    expect(g.rules.map((r) => r.id)).toEqual([
      "bedrock-model-access-enabled",
      "bedrock-model-access-denied",
      "bedrock-invocation-logging-tampering",
      "bedrock-guardrail-tampering",
      "bedrock-api-key-created",
      "bedrock-mantle-resource-created",
      "bedrock-model-agreement-deleted",
      "bedrock-recon-by-long-term-key",
      "bedrock-long-term-api-key-used",
    ]);
    expect(g.primaryRule).toMatchObject({ id: "bedrock-model-access-enabled", severity: "medium", riskScore: 47 });
    expect(g.definition.detection.schedule).toEqual({ intervalMinutes: 5, lookbackMinutes: 6, maxAlertsPerRun: 100 });
    expect(g.remediation.mode).toBe("dry-run");
    expect(g.exemptions.all[0]).toBe("arn:aws:iam::*:role/BedrockModelAccessAdmin");
  });

  it("names the broken field of a definition", () => {
    const broken = JSON.parse(JSON.stringify(BUNDLED_DEFINITION));
    broken.detection.rules[0].riskScore = 470;
    expect(() => parseDefinition(broken)).toThrow(/detection\.rules\[0\]\.riskScore/);
  });

  it("narrows to the rules --rule names, with their sources and names, and names an unknown id", () => {
    const g = compileGuardrail(parseDefinition(BUNDLED_DEFINITION), parseConfig({ approvedPrincipalArns: [] }));
    const narrowed = selectRules(g, ["bedrock-api-key-created", "bedrock-model-access-denied"]);
    expect(narrowed.rules.map((r) => r.id)).toEqual(["bedrock-model-access-denied", "bedrock-api-key-created"]);
    expect(narrowed.eventSources).toEqual(["bedrock.amazonaws.com", "iam.amazonaws.com"]);
    expect(narrowed.eventNames).toEqual([
      "PutUseCaseForModelAccess",
      "CreateFoundationModelAgreement",
      "PutFoundationModelEntitlement",
      "CreateServiceSpecificCredential",
    ]);
    expect(narrowed.primaryRule).toBe(g.primaryRule);
    expect(selectRules(g, [])).toBe(g);
    expect(() => selectRules(g, ["bedrock-model-access-enabld"])).toThrow(
      /--rule is invalid:\n {2}- no rule "bedrock-model-access-enabld" \(rules: bedrock-model-access-enabled, /,
    );
  });

  it("refuses a rule file that breaks the rule schema, naming the rule's path", () => {
    const broken = JSON.parse(JSON.stringify(BUNDLED_DEFINITION));
    broken.detection.rules[4].where = [{ field: "requestParameters.serviceName", equals: ["x' OR 1=1"] }];
    expect(() => parseDefinition(broken)).toThrow(/detection\.rules\[4\]\.where\[0\]/);
    const failureWithoutCodes = JSON.parse(JSON.stringify(BUNDLED_DEFINITION));
    delete failureWithoutCodes.detection.rules[1].errorCodes;
    expect(() => parseDefinition(failureWithoutCodes)).toThrow(
      /detection\.rules\[1\]\.errorCodes: a failure rule needs/,
    );
    const duplicate = JSON.parse(JSON.stringify(BUNDLED_DEFINITION));
    duplicate.detection.rules.push(duplicate.detection.rules[3]);
    expect(() => parseDefinition(duplicate)).toThrow(
      /detection\.rules\[9\]\.id: duplicate rule bedrock-guardrail-tampering/,
    );
  });

  it("refuses approvedPrincipalArns ['*'] naming the key", () => {
    expect(() => parseConfig({ approvedPrincipalArns: ["*"] })).toThrow(ConfigError);
    expect(() => parseConfig({ approvedPrincipalArns: ["*"] })).toThrow(
      /approvedPrincipalArns\[0\]: "\*" exempts every principal/,
    );
  });
});
