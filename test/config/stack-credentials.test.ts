/**
 * A stack's credentials that Terraform could never use as written are refused at load, naming the key: an accountId
 * (allowed_account_ids) other than the account of the role assumed, whose credentials Terraform checks against it,
 * and an externalId with no role to assume, which would never be sent.
 */
import { TerraformStack, Testing } from "cdktf";
import { GuardrailOrganizationPolicy } from "../../src/index";
import { APPROVED_ROLE, configProblems } from "./helpers";

const withAws = (aws: object) => ({ approvedPrincipalArns: [APPROVED_ROLE], aws });
const role = (account: string) => `arn:aws:iam::${account}:role/OrganizationAdmin`;

describe("a stack's credentials", () => {
  it.each(["organization", "security"])("aws.%s: refuse an accountId other than the assumed role's account", (key) => {
    expect(
      configProblems(withAws({ [key]: { accountId: "111122223333", assumeRoleArn: role("444455556666") } })),
    ).toEqual([
      `aws.${key}.accountId: is 111122223333, but assumeRoleArn is a role of account 444455556666, whose ` +
        "credentials Terraform would refuse: name the same account in both",
    ]);
  });

  it.each(["organization", "security"])("aws.%s: refuse an externalId without a role to assume", (key) => {
    expect(configProblems(withAws({ [key]: { externalId: "bedrock-guardrail" } }))).toEqual([
      `aws.${key}.externalId: is sent only when assuming assumeRoleArn, which is not set: set it, or drop externalId`,
    ]);
  });

  it("accept a role of the account named, with its external ID, and either alone", () => {
    const account = "111122223333";
    for (const organization of [
      { accountId: account, assumeRoleArn: role(account), externalId: "bedrock-guardrail" },
      { accountId: account },
      { assumeRoleArn: role("444455556666") },
    ])
      expect(configProblems(withAws({ organization }))).toEqual([]);
  });

  it("is refused when a construct is built, naming the construct and the key", () => {
    const stack = new TerraformStack(Testing.app(), "management");
    const config = withAws({ organization: { accountId: "111122223333", assumeRoleArn: role("444455556666") } });
    expect(() => new GuardrailOrganizationPolicy(stack, "policy", { config })).toThrow(
      /the config of management\/policy is invalid:\n {2}- aws\.organization\.accountId: is 111122223333/,
    );
  });
});
