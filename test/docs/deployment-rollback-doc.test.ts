/**
 * docs/deployment.md's rollback steps name an output, a table and protections of the synthesized stacks, and warn
 * that an empty `targets` attaches at the root. Each is checked against the synth, so the steps stay runnable.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Testing } from "cdktf";
import { OrganizationPolicyStack } from "../../src/infra/organization-policy-stack";
import { guardrailWith, resources, synthMonitor, type Synth } from "../infra/helpers";

const deployment = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "deployment.md"), "utf8");
const rollback = (/^## Rolling back\n([\s\S]*?)^## /m.exec(deployment)?.[1] ?? "").replace(/\s+/g, " ");

const synthPolicy = (targets: string[]): Synth =>
  JSON.parse(
    Testing.synth(
      new OrganizationPolicyStack(Testing.app(), "organization-policy", { guardrail: guardrailWith({ targets }) }),
    ),
  ) as Synth;

test("the SCP's IDs come from the output the steps name", () => {
  const s = synthPolicy(["ou-ab12-34cd56ef"]) as Synth & { output: Record<string, unknown> };
  expect(Object.keys(s.output)).toContain("policy_ids");
  expect(rollback).toContain("terraform -chdir=cdktf.out/stacks/organization-policy output policy_ids");
  expect(rollback).toContain("aws organizations detach-policy --policy-id p-... --target-id");
});

test("an empty targets list attaches at the root, as the steps warn", () => {
  const attachments = resources(synthPolicy([]), "aws_organizations_policy_attachment");
  expect(attachments.length).toBeGreaterThan(0);
  for (const a of attachments) expect(a.target_id).toMatch(/aws_organizations_organization\.[^.]+\.roots\[0\]\.id/);
  expect(rollback).toContain("an empty list attaches the guardrail to the organization root");
});

test("the monitor's destroy protections are the ones the steps lift, on the table they name", () => {
  const s = synthMonitor();
  const [table] = resources(s, "aws_dynamodb_table");
  expect(table.deletion_protection_enabled).toBe(true);
  expect(rollback).toContain(`aws dynamodb update-table --table-name ${table.name} --no-deletion-protection-enabled`);
  const [store] = resources(s, "aws_cloudtrail_event_data_store");
  expect(store.termination_protection_enabled).toBe(true);
  expect(rollback).toContain("`monitor.cloudtrailLake.terminationProtection` to `false`");
});

test("on the athena backend, the destroy's other stops are the bucket and workgroup the steps empty and delete", () => {
  const s = synthMonitor({
    monitor: {
      backend: "athena",
      athena: { bucket: "org-trail", organizationId: "o-a1b2c3d4e5", accounts: ["111122223333"] },
    },
  });
  const [bucket] = resources(s, "aws_s3_bucket");
  expect(bucket.force_destroy).toBe(false);
  expect(rollback).toContain(`\`aws s3 rm s3://${bucket.bucket_prefix}<suffix> --recursive\``);
  const [workgroup] = resources(s, "aws_athena_workgroup");
  expect(workgroup.force_destroy).toBe(false);
  expect(rollback).toContain(
    `\`aws athena delete-work-group --work-group ${workgroup.name} --recursive-delete-option\``,
  );
});
