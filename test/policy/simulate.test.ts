/**
 * The decision table's specifics the cell-by-cell simulation (simulate-*.test.ts) does not show: a
 * GovCloud table names only GovCloud ARNs; the full config's Identity Center shapes; calls through
 * inference profiles.
 */
import { decisionTable, type Scenario } from "../../src/policy/decision-table";
import { evaluateScp } from "../../src/policy/evaluate";
import { buildScpStatements } from "../../src/policy/statements";
import { EXAMPLE_MEMBER_ACCOUNT, type RepresentativePrincipal } from "../../src/policy/principals";
import { simulate } from "./decision-table-simulation";
import { FULL_CONFIG, GOVCLOUD_CONFIG, guardrailFor } from "./helpers";

/** GOVCLOUD_CONFIG with every ARN's partition a wildcard: the table's examples take aws.region's partition. */
const GOVCLOUD_ANY_PARTITION = JSON.parse(
  JSON.stringify(GOVCLOUD_CONFIG).replaceAll("arn:aws-us-gov:", "arn:*:"),
) as typeof GOVCLOUD_CONFIG;

describe.each([
  ["GovCloud", GOVCLOUD_CONFIG],
  ["GovCloud, patterns of any partition (arn:*:)", GOVCLOUD_ANY_PARTITION],
])("a %s config's decision table", (_name, config) => {
  it("names only principals and resources in the aws-us-gov partition and GovCloud Regions", () => {
    const table = decisionTable(guardrailFor(config));
    const arns = [
      ...table.principals.map((p) => p.principalArn),
      ...table.rows.map((r) => r.scenario.resource).filter((r) => r !== "*"),
    ];
    expect(arns.length).toBeGreaterThan(20);
    for (const arn of arns) {
      expect(arn).toMatch(/^arn:aws-us-gov:/);
      const region = arn.split(":")[3];
      if (region) expect(region).toMatch(/^us-gov-/);
      expect(arn).not.toMatch(/sso\.amazonaws\.com\/(?!us-gov-)/);
    }
  });
});

describe("full config specifics", () => {
  const guardrail = guardrailFor(FULL_CONFIG);
  it(
    "has the approved Identity Center role in both real shapes (a us-east-1 instance's path has no Region, " +
      "another Region's has it) and a break-glass role",
    () => {
      const principals = decisionTable(guardrail).principals;
      const idc = principals.filter((p) => p.role.startsWith("identity-center-") && !p.role.endsWith("lookalike"));
      expect(idc.map((p) => p.principalArn)).toEqual([
        expect.stringMatching(
          /^arn:aws:iam::\d{12}:role\/aws-reserved\/sso\.amazonaws\.com\/AWSReservedSSO_BedrockAdmin_[^/]{16}$/,
        ),
        expect.stringMatching(
          new RegExp(
            String.raw`^arn:aws:iam::\d{12}:role/aws-reserved/sso\.amazonaws\.com/us-west-2/` +
              String.raw`AWSReservedSSO_BedrockAdmin_[^/]{16}$`,
          ),
        ),
      ]);
      for (const p of idc) expect(p.label).toContain("approved");
      expect(principals.map((p) => p.role)).toContain("break-glass-role");
    },
  );

  it("a call through a profile is decided by its foundation model alone (the simulator agrees)", async () => {
    const principal: RepresentativePrincipal = {
      role: "non-approved-role",
      label: "dev",
      short: "dev",
      principalArn: `arn:aws:iam::${EXAMPLE_MEMBER_ACCOUNT}:role/DeveloperRole`,
      scpApplies: true,
      source: "test",
    };
    const profile: Scenario = {
      id: "p",
      label: "profile",
      action: "bedrock:InvokeModel",
      resource:
        `arn:aws:bedrock:us-east-1:${EXAMPLE_MEMBER_ACCOUNT}:inference-profile/` +
        "us.anthropic.claude-sonnet-4-20250514-v1:0",
    };
    const routedModel: Scenario = {
      id: "m",
      label: "model",
      action: "bedrock:InvokeModel",
      resource: "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
    };
    const globalModel: Scenario = {
      ...routedModel,
      resource: "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
    };
    expect(await simulate(guardrail, profile, principal)).toBe("Allowed");
    expect(await simulate(guardrail, routedModel, principal)).toBe("Allowed");
    // The simulator refuses the empty-Region ARN global profiles authorize on; our evaluator checks it.
    expect(
      evaluateScp(buildScpStatements(guardrail), {
        action: globalModel.action,
        resource: globalModel.resource,
        principalArn: principal.principalArn,
      }).decision,
    ).toBe("allow");
    const profileOnly = guardrailFor({
      ...FULL_CONFIG,
      scp: { modelAllowList: ["arn:aws:bedrock:*:*:inference-profile/us.anthropic.claude-sonnet-4*"] },
    });
    expect(await simulate(profileOnly, profile, principal)).toBe("Allowed");
    expect(await simulate(profileOnly, routedModel, principal)).toBe("ExplicitlyDenied");
    // An unlisted model's profile is not denied, but every Region it routes to is.
    const modelOnly = guardrailFor({
      ...FULL_CONFIG,
      scp: { modelAllowList: ["arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0"] },
    });
    expect(await simulate(modelOnly, profile, principal)).toBe("Allowed");
    expect(await simulate(modelOnly, routedModel, principal)).toBe("ExplicitlyDenied");
  });
});
