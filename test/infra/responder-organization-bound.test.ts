/**
 * The responder's sts:AssumeRole is bounded by the organization: its declaration carries
 * aws:ResourceOrgID = ${aws:PrincipalOrgID}, the generated role policy keeps the condition (written
 * $${...} so Terraform leaves the IAM policy variable alone), and an independent IAM simulator
 * allows the member role inside the organization only. Conditions are generic: a declaration's
 * condition narrows exactly its own grants.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { PermissionDeclaration } from "../../src/aws/permissions";
import { policyJson, statementsFromDeclarations } from "../../src/infra/iam/policy-document";
import { RESPONDER_PERMISSIONS } from "../../src/remediation/permissions";
import { enforcing, resources, synthMonitor } from "./helpers";

const ORG = { StringEquals: { "aws:ResourceOrgID": "${aws:PrincipalOrgID}" } };

describe("declaration conditions", () => {
  const arns = { "member-role": ["arn:aws:iam::*:role/bedrock-guardrail/R"], "state-table": ["arn:t"] };

  test("the responder's AssumeRole is declared with the organization condition", () => {
    const assume = RESPONDER_PERMISSIONS.find((d) => d.actions.includes("sts:AssumeRole"))!;
    expect(assume.condition).toEqual(ORG);
  });

  test("a condition stays on its own grants; the Sid is the kind's as before", () => {
    const decls: PermissionDeclaration[] = [
      { actions: ["sts:AssumeRole"], resource: { kind: "member-role" }, why: "x", condition: ORG },
      { actions: ["dynamodb:GetItem"], resource: { kind: "state-table" }, why: "y" },
    ];
    expect(statementsFromDeclarations("r", decls, arns)).toEqual([
      {
        Sid: "MemberRole",
        Effect: "Allow",
        Action: ["sts:AssumeRole"],
        Resource: ["arn:aws:iam::*:role/bedrock-guardrail/R"],
        Condition: ORG,
      },
      { Sid: "StateTable", Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: ["arn:t"] },
    ]);
  });

  test("the same action with and without a condition on the same resources is refused", () => {
    const decls: PermissionDeclaration[] = [
      { actions: ["sts:AssumeRole"], resource: { kind: "member-role" }, why: "x", condition: ORG },
      { actions: ["sts:AssumeRole"], resource: { kind: "member-role" }, why: "y" },
    ];
    expect(() => statementsFromDeclarations("r", decls, arns)).toThrow(/both with and without the condition/);
  });

  test("Terraform sees $${aws:PrincipalOrgID}; cdktf tokens stay tokens", () => {
    const json = policyJson([
      { Sid: "A", Effect: "Allow", Action: ["sts:AssumeRole"], Resource: ["${TfToken[TOKEN.12]}"], Condition: ORG },
    ]);
    expect(json).toContain('"aws:ResourceOrgID":"$${aws:PrincipalOrgID}"');
    expect(json).toContain('"${TfToken[TOKEN.12]}"');
  });
});

describe("the responder roles in the synthesized monitor stack", () => {
  const s = synthMonitor(enforcing({ monitor: { eventbridge: { enabled: true, regions: ["us-east-1"] } } } as never));
  const memberRoleStatements = resources(s, "aws_iam_role_policy")
    .map((p) => JSON.parse(p.policy) as { Statement: { Sid: string; Action: string[]; Condition?: unknown }[] })
    .flatMap((d) => d.Statement)
    .filter((st) => st.Action.includes("sts:AssumeRole"));

  test("query job and realtime: AssumeRole only with aws:ResourceOrgID = the caller's organization", () => {
    expect(memberRoleStatements).toHaveLength(2);
    for (const st of memberRoleStatements)
      expect(st.Condition).toEqual({ StringEquals: { "aws:ResourceOrgID": "$${aws:PrincipalOrgID}" } });
  });

  async function assume(resourceOrgId: string | undefined): Promise<string> {
    // What IAM receives after Terraform turns $${ back into ${.
    const policy = JSON.parse(
      JSON.stringify({ Version: "2012-10-17", Statement: memberRoleStatements }).replace(/\$\$\{/g, "${"),
    ) as { Statement: Record<string, unknown>[] };
    for (const st of policy.Statement)
      st.Resource = (st.Resource as string[]).map((r) => r.replace(/\$\{data\.aws_partition\.[^}]+\}/, "aws"));
    const principal = "arn:aws:iam::222222222222:role/bedrock-guardrail/bedrock-guardrail-query-job";
    const result = await runSimulation(
      {
        request: {
          principal,
          action: "sts:AssumeRole",
          resource: {
            resource: "arn:aws:iam::333333333333:role/bedrock-guardrail/BedrockGuardrailRemediation",
            accountId: "333333333333",
          },
          contextVariables: {
            "aws:PrincipalOrgID": "o-abcdefghij",
            ...(resourceOrgId ? { "aws:ResourceOrgID": resourceOrgId } : {}),
          },
        },
        identityPolicies: [{ name: "responder", policy }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        // The member role's own trust policy allows the responder; what is tested here is the responder's side.
        resourcePolicy: {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: "arn:aws:iam::222222222222:root" },
              Action: "sts:AssumeRole",
            },
          ],
        },
      },
      {},
    );
    if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  }

  test("the IAM simulator: inside the organization allowed; outside it, or unknown, not", async () => {
    expect(await assume("o-abcdefghij")).toBe("Allowed");
    expect(await assume("o-zzzzzzzzzz")).not.toBe("Allowed");
    expect(await assume(undefined)).not.toBe("Allowed");
  });
});
