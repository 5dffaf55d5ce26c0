import {
  ChildNotFoundException,
  DescribeOrganizationCommand,
  ListParentsCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { mockClient } from "aws-sdk-client-mock";
import { AwsOrganizationLookup, OrganizationMembership } from "../../src/remediation/organization";

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

  it("keeps a run's answers: outside and no answer are each asked once, and no answer stays an error", async () => {
    org.on(ListParentsCommand, { ChildId: "111111111111" }).rejects(new Error("throttled"));
    org
      .on(ListParentsCommand, { ChildId: "222222222222" })
      .rejects(new ChildNotFoundException({ message: "no such child", $metadata: {} }));
    const membership = OrganizationMembership.of(new AwsOrganizationLookup(client(), "999988887777"));
    for (let ask = 0; ask < 2; ask++) {
      expect(await membership.of("111111111111")).toMatchObject({ status: "unknown", reason: /: throttled$/ });
      expect(await membership.of("222222222222")).toMatchObject({ status: "outside" });
    }
    expect(org.commandCalls(ListParentsCommand)).toHaveLength(2);
  });

  it("keeps nothing beyond its run: the next run's lookup asks again after no answer", async () => {
    org
      .on(ListParentsCommand)
      .rejectsOnce(new Error("throttled"))
      .resolves({ Parents: [{ Id: "r-abcd", Type: "ROOT" }] });
    const run = () => OrganizationMembership.of(new AwsOrganizationLookup(client(), "999988887777"));
    expect(await run().of("111111111111")).toMatchObject({ status: "unknown" });
    expect(await run().of("111111111111")).toEqual({ status: "member" });
    expect(org.commandCalls(ListParentsCommand)).toHaveLength(2);
  });

  it("reads an OU that vanished while the chain was read as no answer, not as an account outside", async () => {
    org
      .on(ListParentsCommand, { ChildId: "111111111111" })
      .resolves({ Parents: [{ Id: "ou-abcd-22222222", Type: "ORGANIZATIONAL_UNIT" }] });
    org
      .on(ListParentsCommand, { ChildId: "ou-abcd-22222222" })
      .rejects(new ChildNotFoundException({ message: "no such child", $metadata: {} }));
    const membership = OrganizationMembership.of(new AwsOrganizationLookup(client(), "999988887777"));
    expect(await membership.of("111111111111")).toMatchObject({
      status: "unknown",
      reason: /Organizations no longer has ou-abcd-22222222, a parent of 111111111111, while its chain was read$/,
    });
  });

  it("uses the configured management account, else DescribeOrganization", async () => {
    org.on(DescribeOrganizationCommand).resolves({ Organization: { MasterAccountId: "123456789012" } });
    expect(await new AwsOrganizationLookup(client(), "999988887777").managementAccountId()).toBe("999988887777");
    expect(org.commandCalls(DescribeOrganizationCommand)).toHaveLength(0);
    expect(await new AwsOrganizationLookup(client()).managementAccountId()).toBe("123456789012");
  });
});
