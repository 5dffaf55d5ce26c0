/**
 * The monitor's functions call Organizations APIs that AWS answers only in the management account and in a
 * delegated administrator. docs/deployment.md's steps before the first apply must say so and name every such call
 * the functions' roles are granted, or a team deploys a monitor whose drift check and realtime path cannot work.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { MONITOR_BACKENDS } from "../../src/config/backends";
import { codeDeclarations } from "../../src/infra/declarations";

const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "deployment.md"), "utf8").replace(/\s+/g, " ");

/** Every Organizations action of the query job and realtime roles, on every backend, remediation planning or acting. */
const organizationsActions = [
  ...new Set(
    MONITOR_BACKENDS.flatMap((backend) =>
      (["plan", "execute"] as const).flatMap((remediation) => {
        const d = codeDeclarations({ backend, remediation, driftCheck: true, accessKey: "deactivate" });
        return [...d.queryJob, ...d.realtime].flatMap((p) => p.actions);
      }),
    ),
  ),
]
  .filter((a) => a.startsWith("organizations:"))
  .map((a) => a.slice("organizations:".length));

test("the monitor's roles call Organizations (or this test would check nothing)", () => {
  expect(organizationsActions).toEqual(expect.arrayContaining(["ListParents", "DescribePolicy"]));
});

test("the steps before the first apply make the monitor account a delegated administrator and say why", () => {
  expect(doc).toContain("aws cloudtrail register-organization-delegated-admin --member-account-id");
  // DescribeOrganization answers in every account of the organization; the others need the delegation.
  const needDelegation = organizationsActions.filter((a) => a !== "DescribeOrganization");
  expect(needDelegation.filter((a) => !doc.includes(`\`${a}\``))).toEqual([]);
});

test("CloudTrail's trusted access comes before the delegation, which AWS refuses without it", () => {
  // RegisterOrganizationDelegatedAdmin answers CloudTrailAccessNotEnabledException until trusted access is on.
  const trustedAccess = doc.indexOf(
    "aws organizations enable-aws-service-access --service-principal cloudtrail.amazonaws.com",
  );
  expect(trustedAccess).toBeGreaterThanOrEqual(0);
  expect(trustedAccess).toBeLessThan(doc.indexOf("aws cloudtrail register-organization-delegated-admin"));
});

test("the steps name the SCP policy type and StackSets' trusted access", () => {
  expect(doc).toContain("--policy-type SERVICE_CONTROL_POLICY");
  expect(doc).toContain("aws cloudformation activate-organizations-access");
});
