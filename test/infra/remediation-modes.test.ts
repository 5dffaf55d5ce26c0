/**
 * What each remediation mode deploys. Only a config in which some account can be in enforce mode gets the member
 * role (IAM write access on every user and role of every member account) and the functions' grant to assume it;
 * dry-run keeps the responder's planning calls (its audit records, the organization look-ups) and off drops the
 * responder's permissions altogether. The app's stacks are synthesized whole, as `synth` writes them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { GuardrailConfigInput } from "../../src/config/schema";
import { remediationReach } from "../../src/infra/declarations";
import { synthApp } from "./helpers";

type Json = Record<string, any>;

const stackJson = (outdir: string, stack: string): Json =>
  JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));

const OU = "ou-abcd-12345678";
const REALTIME = { eventbridge: { enabled: true, regions: ["us-east-1"] } };

/** The app for a config: the member-role stack's StackSets, the functions' actions and the responder output. */
function deployed(config: Partial<GuardrailConfigInput>) {
  const out = synthApp(config);
  const member = stackJson(out, "remediation-member-role");
  const monitor = stackJson(out, "monitor");
  const stackSets = Object.values((member.resource?.aws_cloudformation_stack_set ?? {}) as Json).map((s) => s.name);
  const actionsOf = (role: string): string[] => {
    const policy = Object.values(monitor.resource.aws_iam_role_policy as Json).find((p) =>
      String(p.role).includes(`aws_iam_role.${role}_role_`),
    );
    return JSON.parse(policy.policy).Statement.flatMap((s: { Action: string[] }) => s.Action);
  };
  return {
    member,
    stackSets,
    queryJob: actionsOf("query-job"),
    realtime: config.monitor ? actionsOf("realtime") : [],
    responderRoleArns: monitor.output.responder_role_arns.value as string[],
  };
}

const PLANNING_CALLS = ["organizations:DescribeOrganization", "organizations:ListParents"];

describe("remediationReach", () => {
  test("off everywhere: off; dry-run somewhere and enforce nowhere: plan; enforce anywhere: execute", () => {
    expect(remediationReach("off", [])).toBe("off");
    expect(remediationReach("dry-run", [])).toBe("plan");
    expect(remediationReach("off", [{ target: OU, mode: "dry-run" }])).toBe("plan");
    expect(remediationReach("dry-run", [{ target: "111111111111", mode: "off" }])).toBe("plan");
    expect(remediationReach("enforce", [{ target: OU, mode: "off" }])).toBe("execute");
    expect(remediationReach("off", [{ target: OU, mode: "enforce" }])).toBe("execute");
  });
});

describe("what each remediation mode deploys", () => {
  test("off: no member role, and the query job has no responder permissions", () => {
    const d = deployed({ remediation: { mode: "off" } });
    expect(d.stackSets).toEqual([]);
    // The stack stays (empty), so that applying it removes a member role an earlier config deployed.
    expect(d.member.resource).toBeUndefined();
    expect(d.member.data).toBeUndefined();
    expect(d.member.variable).toBeUndefined();
    expect(d.queryJob).not.toContain("sts:AssumeRole");
    // The drift check lists parents too (accounts that left the targets): the responder's own planning call is this.
    expect(d.queryJob).not.toContain("organizations:DescribeOrganization");
    expect(d.responderRoleArns).toEqual([]);
  });

  test("dry-run (the default): no member role; the query job keeps the planning calls, not AssumeRole", () => {
    const d = deployed({});
    expect(d.stackSets).toEqual([]);
    expect(d.queryJob).not.toContain("sts:AssumeRole");
    expect(d.queryJob).toEqual(expect.arrayContaining(PLANNING_CALLS));
    expect(d.responderRoleArns).toEqual([]);
  });

  test("enforce: the member role with its IAM writes, and the query job may assume it", () => {
    const d = deployed({ remediation: { mode: "enforce" } });
    expect(d.stackSets).toEqual(["bedrock-guardrail-remediation-role"]);
    const template = JSON.parse(d.member.resource.aws_cloudformation_stack_set["stack-set"].template_body);
    const granted = template.Resources.RemediationRole.Properties.Policies.flatMap((p: Json) =>
      p.PolicyDocument.Statement.filter((s: Json) => s.Effect === "Allow").flatMap((s: Json) => s.Action),
    );
    expect(granted).toEqual(expect.arrayContaining(["iam:PutRolePolicy", "iam:PutUserPolicy", "iam:UpdateAccessKey"]));
    expect(d.queryJob).toEqual(expect.arrayContaining(["sts:AssumeRole", ...PLANNING_CALLS]));
    expect(d.responderRoleArns).toHaveLength(1);
  });

  test("off with one OU in enforce: the member role is deployed (the OU can act)", () => {
    const d = deployed({ remediation: { mode: "off", overrides: [{ target: OU, mode: "enforce" }] } });
    expect(d.stackSets).toEqual(["bedrock-guardrail-remediation-role"]);
    expect(d.queryJob).toContain("sts:AssumeRole");
  });

  test("dry-run with the real-time path: the forwarder StackSet only; neither function may assume a role", () => {
    const d = deployed({ monitor: REALTIME } as Partial<GuardrailConfigInput>);
    expect(d.stackSets).toEqual(["bedrock-guardrail-event-forwarder"]);
    expect(d.queryJob).not.toContain("sts:AssumeRole");
    expect(d.realtime).not.toContain("sts:AssumeRole");
    expect(d.realtime).toEqual(expect.arrayContaining(PLANNING_CALLS));
  });
});
