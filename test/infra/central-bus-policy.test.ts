/**
 * The central bus's resource policy, from the synthesized stack, proven with the independent IAM simulator
 * (@cloud-copilot/iam-simulate, dev-only): a principal of the organization may put the events the central rules
 * match (the member accounts' forwarding rules deliver those), and nothing else; nobody outside the organization
 * may put anything.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { resources, synthMonitor } from "./helpers";

const SECURITY = "444455556666";
const ORG = "o-a1b2c3d4e5";
const BUS = `arn:aws:events:us-east-1:${SECURITY}:event-bus/bedrock-guardrail`;
const MEMBER_ADMIN = "arn:aws:iam::111122223333:role/Admin";
const OUTSIDER = "arn:aws:iam::999999999999:role/Attacker";
const CLOUDTRAIL = "AWS API Call via CloudTrail";
const FULL_ACCESS = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

describe("the central bus's resource policy", () => {
  const synth = synthMonitor({ monitor: { eventbridge: { enabled: true, regions: ["us-east-1"] } } });
  const [busPolicy] = resources(synth, "aws_cloudwatch_event_bus_policy");
  const policy = JSON.parse(
    busPolicy.policy
      .replace(/\$\{aws_cloudwatch_event_bus\.[\w-]+\.arn\}/g, BUS)
      .replace("${data.aws_organizations_organization.organization.id}", ORG),
  );
  /** Every source the central rules' patterns match (a pattern's own, or its branches'). */
  const ruleSources = [
    ...new Set(
      resources(synth, "aws_cloudwatch_event_rule")
        .filter((r) => r.event_bus_name)
        .flatMap((r) => {
          const pattern = JSON.parse(r.event_pattern);
          return [...(pattern.source ?? []), ...(pattern.$or ?? []).flatMap((b: { source: string[] }) => b.source)];
        }),
    ),
  ];

  async function putEvents(principal: string, sources: string[], detailTypes: string[], orgId = ORG) {
    const result = await runSimulation(
      {
        request: {
          principal,
          action: "events:PutEvents",
          resource: { resource: BUS, accountId: SECURITY },
          contextVariables: {
            "aws:PrincipalArn": principal,
            "aws:PrincipalAccount": principal.split(":")[4],
            "aws:PrincipalOrgID": orgId,
            "events:source": sources,
            "events:detail-type": detailTypes,
          },
        },
        identityPolicies: [{ name: "AdministratorAccess", policy: FULL_ACCESS }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: policy,
      },
      {},
    );
    if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  }

  test("names exactly the sources and the detail-type the central rules match", () => {
    expect(ruleSources.length).toBeGreaterThan(0);
    const condition = policy.Statement[0].Condition["ForAllValues:StringEquals"];
    expect([...condition["events:source"]].sort()).toEqual([...ruleSources].sort());
    expect(condition["events:detail-type"]).toEqual([CLOUDTRAIL]);
  });

  test("a member account forwards the events the rules match", async () => {
    for (const source of ruleSources)
      expect(`${source}: ${await putEvents(MEMBER_ADMIN, [source], [CLOUDTRAIL])}`).toBe(`${source}: Allowed`);
  });

  test("a member account cannot fill the bus with events of its own making", async () => {
    expect(await putEvents(MEMBER_ADMIN, ["com.example.orders"], [CLOUDTRAIL])).toBe("ImplicitlyDenied");
    expect(await putEvents(MEMBER_ADMIN, ["aws.bedrock"], ["Order Placed"])).toBe("ImplicitlyDenied");
    // A batch with one matching entry and one other is refused as a whole.
    expect(await putEvents(MEMBER_ADMIN, ["aws.bedrock", "com.example.orders"], [CLOUDTRAIL])).toBe("ImplicitlyDenied");
  });

  test("nobody outside the organization puts anything", async () => {
    expect(await putEvents(OUTSIDER, ["aws.bedrock"], [CLOUDTRAIL], "o-zzzzzzzzzz")).toBe("ImplicitlyDenied");
  });
});
