import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, parseConfig } from "../../src/config/load";
import {
  BUNDLED_DEFINITION,
  bundledDefinition,
  compileGuardrail,
  parseDefinition,
  selectRules,
} from "../../src/guardrail/guardrail";

describe("guardrail definition + config", () => {
  it("compiles the bundled definition with the minimal config", () => {
    const g = compileGuardrail(
      bundledDefinition(),
      parseConfig({ approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"] }),
    );
    expect(g.iamActions).toEqual([
      "bedrock:PutUseCaseForModelAccess",
      "bedrock:CreateFoundationModelAgreement",
      "bedrock:PutFoundationModelEntitlement",
    ]);
    expect(g.eventSources).toEqual([
      "bedrock.amazonaws.com",
      "iam.amazonaws.com",
      "bedrock-mantle.amazonaws.com",
      "aws-external-anthropic.amazonaws.com",
    ]);
    expect(g.eventNames.slice(0, 3)).toEqual([
      "PutUseCaseForModelAccess",
      "CreateFoundationModelAgreement",
      "PutFoundationModelEntitlement",
    ]);
    expect(g.eventNames).toContain("CreateServiceSpecificCredential");
    const files = fs.readdirSync(path.join(__dirname, "../../policies/rules")).map((f) => path.basename(f, ".json"));
    const all = [...g.rules, ...g.correlationRules];
    expect(all.map((r) => r.id).sort()).toEqual(files.sort());
    const precedences = all.map((r) => r.precedence);
    expect(precedences).toEqual([...precedences].sort((a, b) => a - b));
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
    const g = compileGuardrail(bundledDefinition(), parseConfig({ approvedPrincipalArns: [] }));
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

  it("refuses a rule that breaks the rule schema, naming the rule's path", () => {
    const copy = () => JSON.parse(JSON.stringify(BUNDLED_DEFINITION));
    const indexOf = (def: { detection: { rules: { id: string }[] } }, id: string) =>
      def.detection.rules.findIndex((r) => r.id === id);
    const broken = copy();
    const apiKey = indexOf(broken, "bedrock-api-key-created");
    broken.detection.rules[apiKey].where = [{ field: "requestParameters.serviceName", equals: ["x' OR 1=1"] }];
    expect(() => parseDefinition(broken)).toThrow(`detection.rules[${apiKey}].where[0]`);
    // A condition kind must fit the field's type: is on a boolean field, equals/startsWith on a string one.
    const conditionOf = (where: unknown[]) => {
      const def = copy();
      def.detection.rules[apiKey].where = where;
      return () => parseDefinition(def);
    };
    expect(conditionOf([{ field: "requestParameters.serviceName", is: true }])).toThrow(
      "requestParameters.serviceName is a string field: is tests a boolean field",
    );
    expect(conditionOf([{ field: "additionalEventData.callWithBearerToken", equals: ["true"] }])).toThrow(
      "additionalEventData.callWithBearerToken is a boolean field: test it with is or exists",
    );
    expect(conditionOf([{ field: "requestParameters.serviceName", exists: "yes" }])).toThrow(
      `detection.rules[${apiKey}].where[0]`,
    );
    expect(conditionOf([{ field: "requestParameters.userName", exists: false }])).not.toThrow();
    // A condition that fits none of the four shapes says which part is wrong, not only "Invalid input".
    expect(conditionOf([{ field: "requestParameters.modelName", equals: ["x"] }])).toThrow(
      `where[0]: field "requestParameters.modelName" is not one a rule can test: one of userIdentity.type, `,
    );
    expect(conditionOf([{ equals: ["x"] }])).toThrow("where[0]: field is missing: one of userIdentity.type, ");
    expect(conditionOf([{ field: "requestParameters.userName", equal: ["x"] }])).toThrow(
      'where[0]: unknown key(s) "equal": must be { "field": ..., and one of "equals": [...], "startsWith": "...",',
    );
    expect(conditionOf([{ field: "requestParameters.userName", equals: ["x"], exists: true }])).toThrow(
      "where[0]: has equals and exists: must be {",
    );
    expect(conditionOf([{ field: "requestParameters.serviceName", exists: "yes" }])).toThrow(
      "where[0]: exists must be true or false",
    );
    // ignoreCase qualifies the two string tests only, and is a boolean.
    expect(conditionOf([{ field: "requestParameters.userName", startsWith: "B", ignoreCase: true }])).not.toThrow();
    expect(conditionOf([{ field: "requestParameters.status", equals: ["Active"], ignoreCase: true }])).not.toThrow();
    expect(conditionOf([{ field: "requestParameters.userName", exists: true, ignoreCase: true }])).toThrow(
      'where[0]: unknown key(s) "ignoreCase"',
    );
    expect(conditionOf([{ field: "requestParameters.userName", exists: "x", ignoreCase: true }])).toThrow(
      "where[0]: ignoreCase qualifies equals or startsWith, not exists",
    );
    expect(conditionOf([{ field: "requestParameters.userName", startsWith: "B", ignoreCase: "yes" }])).toThrow(
      "where[0]: ignoreCase must be true or false",
    );
    // anyOf: two or more non-empty lists of plain conditions, each mistake in one line at its own path.
    const signed = { field: "requestParameters.callWithBearerToken", is: false };
    const unsigned = { field: "additionalEventData.callWithBearerToken", exists: false };
    expect(conditionOf([{ anyOf: [[signed], [unsigned, signed]] }])).not.toThrow();
    expect(conditionOf([{ anyOf: [[signed]] }])).toThrow("where[0].anyOf: anyOf needs two or more lists of conditions");
    expect(conditionOf([{ anyOf: [[signed], []] }])).toThrow(
      "where[0].anyOf[1]: is empty: each list of anyOf needs at least one condition",
    );
    expect(conditionOf([{ anyOf: [[signed], signed] }])).toThrow("where[0].anyOf[1]: must be a list of conditions");
    expect(conditionOf([{ anyOf: "x" }])).toThrow("where[0].anyOf: anyOf must be a list of lists of conditions");
    expect(conditionOf([{ anyOf: [[signed], [{ anyOf: [[signed], [signed]] }]] }])).toThrow(
      "where[0].anyOf[1][0]: anyOf cannot hold another anyOf: its lists hold plain conditions (one level deep)",
    );
    expect(conditionOf([{ anyOf: [[signed], [{ ...signed, is: "yes" }]] }])).toThrow(
      "where[0].anyOf[1][0]: is must be true or false",
    );
    expect(conditionOf([{ anyOf: [[signed], [{ field: "requestParameters.serviceName", is: true }]] }])).toThrow(
      "where[0].anyOf[1][0]: requestParameters.serviceName is a string field: is tests a boolean field",
    );
    expect(conditionOf([{ anyOf: [[signed], [unsigned]], field: "requestParameters.userName" }])).toThrow(
      'where[0]: unknown key(s) "field"',
    );
    // A correlation rule's step reads where entries with the same schema (and the same matcher and queries).
    const stepWith = (where: unknown[]) => {
      const def = copy();
      def.detection.correlations[1].select[0].where = where;
      return () => parseDefinition(def);
    };
    expect(stepWith([{ anyOf: [[signed], [unsigned]] }])).not.toThrow();
    expect(stepWith([{ anyOf: [[signed], []] }])).toThrow(
      "detection.correlations[1].select[0].where[0].anyOf[1]: is empty",
    );
    const failureWithoutCodes = copy();
    const denied = indexOf(failureWithoutCodes, "bedrock-model-access-denied");
    delete failureWithoutCodes.detection.rules[denied].errorCodes;
    expect(() => parseDefinition(failureWithoutCodes)).toThrow(
      `detection.rules[${denied}].errorCodes: a failure rule needs`,
    );
    const duplicate = copy();
    const count = duplicate.detection.rules.length;
    duplicate.detection.rules.push(duplicate.detection.rules[indexOf(duplicate, "bedrock-guardrail-tampering")]);
    expect(() => parseDefinition(duplicate)).toThrow(
      `detection.rules[${count}].id: duplicate rule bedrock-guardrail-tampering`,
    );
    const samePrecedence = copy();
    const enabled = samePrecedence.detection.rules[indexOf(samePrecedence, "bedrock-model-access-enabled")];
    samePrecedence.detection.rules[indexOf(samePrecedence, "bedrock-guardrail-tampering")].precedence =
      enabled.precedence;
    expect(() => parseDefinition(samePrecedence)).toThrow(
      "bedrock-guardrail-tampering has the precedence of bedrock-model-access-enabled",
    );
  });

  it("refuses approvedPrincipalArns ['*'] naming the key", () => {
    expect(() => parseConfig({ approvedPrincipalArns: ["*"] })).toThrow(ConfigError);
    expect(() => parseConfig({ approvedPrincipalArns: ["*"] })).toThrow(
      /approvedPrincipalArns\[0\]: "\*" exempts every principal/,
    );
  });
});
