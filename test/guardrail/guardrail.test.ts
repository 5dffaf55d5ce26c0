import { ConfigError, parseConfig } from "../../src/config/load";
import { BUNDLED_DEFINITION, compileGuardrail, parseDefinition } from "../../src/guardrail/guardrail";

describe("guardrail definition + config", () => {
  it("compiles the bundled definition with the minimal config", () => {
    const g = compileGuardrail(
      parseDefinition(BUNDLED_DEFINITION),
      parseConfig({ approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"] }),
    );
    expect(g.eventNames).toEqual([
      "PutUseCaseForModelAccess",
      "CreateFoundationModelAgreement",
      "PutFoundationModelEntitlement",
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

  it("refuses approvedPrincipalArns ['*'] naming the key", () => {
    expect(() => parseConfig({ approvedPrincipalArns: ["*"] })).toThrow(ConfigError);
    expect(() => parseConfig({ approvedPrincipalArns: ["*"] })).toThrow(
      /approvedPrincipalArns\[0\]: "\*" exempts every principal/,
    );
  });
});
