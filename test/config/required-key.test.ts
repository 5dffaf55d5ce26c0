/** The one required key: a config without it says which key and what to put there. */
import { ConfigError, parseConfig } from "../../src/config/load";

const problemsOf = (value: unknown): string[] => {
  try {
    parseConfig(value, "guardrail.config.json");
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a ConfigError");
};

describe("approvedPrincipalArns is required", () => {
  it("names the key and gives an example when it is missing", () => {
    expect(problemsOf({})).toEqual([
      "approvedPrincipalArns: is required: the roles allowed to enable Bedrock models, e.g. " +
        '["arn:aws:iam::*:role/BedrockModelAccessAdmin"]',
    ]);
  });

  it("still says what is wrong when it is present with the wrong type", () => {
    expect(problemsOf({ approvedPrincipalArns: "arn:aws:iam::*:role/BedrockModelAccessAdmin" })).toEqual([
      "approvedPrincipalArns: Invalid input: expected array, received string",
    ]);
  });
});
