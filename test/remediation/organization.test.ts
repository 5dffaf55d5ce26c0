import { DescribeOrganizationCommand, ListParentsCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { mockClient } from "aws-sdk-client-mock";
import { AwsOrganizationLookup } from "../../src/remediation/organization";

const org = mockClient(OrganizationsClient);
afterEach(() => org.reset());
afterAll(() => org.restore());
const client = () =>
  new OrganizationsClient({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });

describe("AwsOrganizationLookup", () => {
  it("walks ListParents up to the root, nearest first, once per account", async () => {
    org
      .on(ListParentsCommand, { ChildId: "111111111111" })
      .resolves({ Parents: [{ Id: "ou-abcd-22222222", Type: "ORGANIZATIONAL_UNIT" }] });
    org
      .on(ListParentsCommand, { ChildId: "ou-abcd-22222222" })
      .resolves({ Parents: [{ Id: "ou-abcd-11111111", Type: "ORGANIZATIONAL_UNIT" }] });
    org.on(ListParentsCommand, { ChildId: "ou-abcd-11111111" }).resolves({ Parents: [{ Id: "r-abcd", Type: "ROOT" }] });
    const lookup = new AwsOrganizationLookup(client(), "999988887777");
    expect(await lookup.parentChain("111111111111")).toEqual(["ou-abcd-22222222", "ou-abcd-11111111", "r-abcd"]);
    await lookup.parentChain("111111111111");
    expect(org.commandCalls(ListParentsCommand)).toHaveLength(3);
  });

  it("asks again after a failure (an account the realtime path refused once is not refused for good)", async () => {
    org
      .on(ListParentsCommand)
      .rejectsOnce(new Error("throttled"))
      .resolves({ Parents: [{ Id: "r-abcd", Type: "ROOT" }] });
    const lookup = new AwsOrganizationLookup(client(), "999988887777");
    await expect(lookup.parentChain("111111111111")).rejects.toThrow("throttled");
    expect(await lookup.parentChain("111111111111")).toEqual(["r-abcd"]);
    expect(org.commandCalls(ListParentsCommand)).toHaveLength(2);
  });

  it("uses the configured management account, else DescribeOrganization", async () => {
    org.on(DescribeOrganizationCommand).resolves({ Organization: { MasterAccountId: "123456789012" } });
    expect(await new AwsOrganizationLookup(client(), "999988887777").managementAccountId()).toBe("999988887777");
    expect(org.commandCalls(DescribeOrganizationCommand)).toHaveLength(0);
    expect(await new AwsOrganizationLookup(client()).managementAccountId()).toBe("123456789012");
  });
});
