/** The remediation member role, deployed org-wide by a service-managed StackSet. */
import { buildEventPatterns } from "../../src/detection/backends/eventbridge-pattern";
import { memberRoleTemplate, protectedPrincipalDeny } from "../../src/infra/member-role/member-role-template";
import { KEY_ROTATION_PERMISSIONS, MEMBER_ROLE_PERMISSIONS } from "../../src/remediation/permissions";
import { enforcing, guardrailWith, resources, synthMemberRole } from "./helpers";

const template = (s: ReturnType<typeof synthMemberRole>) =>
  JSON.parse(resources(s, "aws_cloudformation_stack_set")[0].template_body);

describe("remediation-member-role stack (remediation.mode enforce)", () => {
  const s = synthMemberRole(enforcing());

  test("service-managed StackSet with auto-deployment, named-IAM capability, parameters from Terraform", () => {
    const [set] = resources(s, "aws_cloudformation_stack_set");
    expect(set).toMatchObject({
      name: "bedrock-guardrail-remediation-role",
      permission_model: "SERVICE_MANAGED",
      call_as: "SELF",
      auto_deployment: { enabled: true, retain_stacks_on_account_removal: false },
      capabilities: ["CAPABILITY_NAMED_IAM"],
      parameters: {
        MonitorAccountId: "${var.monitor_account_id}",
        OrganizationId: "${data.aws_organizations_organization.organization.id}",
        ExternalId: "bedrock-guardrail-responder",
      },
    });
    expect(set.execution_role_name).toBeUndefined();
    expect(s.variable?.monitor_account_id).toBeDefined();
  });

  test(
    "instance targets the organization root by default, in the configured region (v6 " + "stack_set_instance_region)",
    () => {
      const [inst] = resources(s, "aws_cloudformation_stack_set_instance");
      expect(inst).toMatchObject({
        stack_set_instance_region: "us-east-1",
        deployment_targets: {
          organizational_unit_ids: ["${data.aws_organizations_organization.organization.roots[0].id}"],
        },
      });
    },
  );

  test(
    "role on the tool's path, trusted only by the monitor's responder role with ExternalId and " + "PrincipalOrgID",
    () => {
      const role = template(s).Resources.RemediationRole.Properties;
      expect(role).toMatchObject({ RoleName: "BedrockGuardrailRemediation", Path: "/bedrock-guardrail/" });
      const [trust] = role.AssumeRolePolicyDocument.Statement;
      expect(trust.Action).toBe("sts:AssumeRole");
      expect(trust.Condition.StringEquals).toEqual({
        "sts:ExternalId": { Ref: "ExternalId" },
        "aws:PrincipalOrgID": { Ref: "OrganizationId" },
      });
      expect(trust.Condition.ArnEquals["aws:PrincipalArn"]).toEqual([
        {
          "Fn::Join": [
            "",
            [
              "arn:",
              { Ref: "AWS::Partition" },
              ":iam::",
              { Ref: "MonitorAccountId" },
              ":role/bedrock-guardrail/bedrock-guardrail-query-job",
            ],
          ],
        },
      ]);
    },
  );

  test(
    "permissions (default accessKey deactivate): the remediation declarations minus key minting, scoped to this " +
      "account's users and roles",
    () => {
      const statements = template(s).Resources.RemediationRole.Properties.Policies[0].PolicyDocument.Statement;
      const allowed = statements
        .filter((x: any) => x.Effect === "Allow")
        .flatMap((x: any) => x.Action)
        .sort();
      const rotationOnly = KEY_ROTATION_PERMISSIONS.flatMap((p) => p.actions);
      expect(rotationOnly).toEqual(expect.arrayContaining(["iam:CreateAccessKey", "secretsmanager:CreateSecret"]));
      expect(allowed).toEqual(
        MEMBER_ROLE_PERMISSIONS.flatMap((p) => p.actions)
          .filter((a) => !rotationOnly.includes(a))
          .sort(),
      );
      const users = statements.find((x: any) => x.Sid === "MemberIamUsers");
      expect(users.Resource).toEqual([
        { "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":iam::", { Ref: "AWS::AccountId" }, ":user/*"]] },
      ]);
      expect(statements.find((x: any) => x.Sid === "MemberSecrets")).toBeUndefined();
      expect(statements.find((x: any) => x.Sid === "MemberBedrockAgreements").Resource).toEqual(["*"]);
    },
  );

  test(
    "permissions (accessKey rotate): exactly the remediation declarations, secrets scoped to the name " + "prefix",
    () => {
      const statements = template(synthMemberRole(enforcing({ remediation: { accessKey: "rotate" } }))).Resources
        .RemediationRole.Properties.Policies[0].PolicyDocument.Statement;
      const allowed = statements
        .filter((x: any) => x.Effect === "Allow")
        .flatMap((x: any) => x.Action)
        .sort();
      expect(allowed).toEqual(MEMBER_ROLE_PERMISSIONS.flatMap((p) => p.actions).sort());
      const secrets = statements.find((x: any) => x.Sid === "MemberSecrets");
      expect(JSON.stringify(secrets.Resource)).toContain(":secret:bedrock-guardrail/rotated-keys/*");
    },
  );

  test("it may read the real ARN of each role and user an action names (GetRole, GetUser), and only read it", () => {
    const statements = template(s).Resources.RemediationRole.Properties.Policies[0].PolicyDocument.Statement;
    expect(statements.find((x: any) => x.Sid === "MemberIamRoles").Action).toContain("iam:GetRole");
    expect(statements.find((x: any) => x.Sid === "MemberIamUsers").Action).toContain("iam:GetUser");
    const granted = statements.filter((x: any) => x.Effect === "Allow").flatMap((x: any) => x.Action);
    expect(granted.filter((a: string) => /^iam:Get(Role|User)$/.test(a)).sort()).toEqual([
      "iam:GetRole",
      "iam:GetUser",
    ]);
  });

  test(
    "defense in depth: the role is denied IAM changes on approved, break-glass and the tool's own " + "principals",
    () => {
      const statements = template(s).Resources.RemediationRole.Properties.Policies[0].PolicyDocument.Statement;
      const deny = statements.find((x: any) => x.Effect === "Deny");
      expect(deny.Resource).toEqual([
        "arn:aws:iam::*:role/BedrockModelAccessAdmin",
        "arn:aws:iam::111111111111:role/BreakGlass",
        "arn:aws:iam::*:role/bedrock-guardrail/BedrockGuardrailRemediation",
        "arn:aws:iam::*:role/bedrock-guardrail/bedrock-guardrail-*",
      ]);
      expect(deny.Action).toContain("iam:UpdateAccessKey");
      expect(deny.Action.some((a: string) => /^iam:(Get|List)/.test(a))).toBe(false);
    },
  );

  test("no event-forwarder StackSet unless eventbridge is enabled", () => {
    expect(resources(s, "aws_cloudformation_stack_set")).toHaveLength(1);
  });
});

describe("configuration variants", () => {
  test("deployTo OUs, known security account, delegated admin", () => {
    const s = synthMemberRole({
      organization: { managementAccountId: "999999999999" },
      aws: { organization: { accountId: "888888888888" }, security: { accountId: "222222222222" } },
      remediation: { mode: "enforce", deployTo: ["ou-abcd-12345678"], memberRoleName: "GuardrailFixer" },
      monitor: { memberRoleExternalId: "my-secret-external-id" },
    });
    const [set] = resources(s, "aws_cloudformation_stack_set");
    expect(set.call_as).toBe("DELEGATED_ADMIN");
    expect(set.parameters).toMatchObject({ MonitorAccountId: "222222222222", ExternalId: "my-secret-external-id" });
    expect(s.variable).toBeUndefined();
    const [inst] = resources(s, "aws_cloudformation_stack_set_instance");
    expect(inst).toMatchObject({
      call_as: "DELEGATED_ADMIN",
      deployment_targets: { organizational_unit_ids: ["ou-abcd-12345678"] },
    });
    expect(JSON.parse(set.template_body).Resources.RemediationRole.Properties.RoleName).toBe("GuardrailFixer");
  });

  test("the accounts of the roles Terraform assumes count as accountIds: the monitor account, delegated admin", () => {
    const role = (account: string) => ({ assumeRoleArn: `arn:aws:iam::${account}:role/guardrail-terraform` });
    const s = synthMemberRole({
      organization: { managementAccountId: "999999999999" },
      aws: { organization: role("888888888888"), security: role("222222222222") },
      remediation: { mode: "enforce" },
    });
    const [set] = resources(s, "aws_cloudformation_stack_set");
    expect(set.call_as).toBe("DELEGATED_ADMIN");
    expect(set.parameters).toMatchObject({ MonitorAccountId: "222222222222" });
    expect(s.variable).toBeUndefined();
  });

  test("eventbridge: forwarder StackSet with one instance per region, pointing at the central bus", () => {
    const s = synthMemberRole(
      enforcing({
        aws: { security: { accountId: "222222222222" } },
        monitor: { eventbridge: { enabled: true, regions: ["us-east-1", "eu-west-1"] } },
      }),
    );
    const sets = resources(s, "aws_cloudformation_stack_set");
    const fwd = sets.find((x) => x.name === "bedrock-guardrail-event-forwarder")!;
    expect(fwd.parameters.CentralBusArn).toBe(
      "arn:${data.aws_partition.partition.partition}:events:us-east-1:222222222222:event-bus/bedrock-guardrail",
    );
    // One forwarding rule per part of the pattern, each within EventBridge's default pattern size quota.
    const template = JSON.parse(fwd.template_body).Resources;
    const rules = Object.entries(template)
      .filter(([, r]) => (r as { Type: string }).Type === "AWS::Events::Rule")
      .map(([id, r]) => [id, (r as { Properties: { Name: string; EventPattern: object } }).Properties] as const);
    const parts = buildEventPatterns(guardrailWith(enforcing({})), 2048);
    expect(rules.map(([id, rule]) => [id, rule.Name])).toEqual(
      parts.map((_, i) =>
        i === 0
          ? ["ForwardRule", "bedrock-guardrail-forward-org"]
          : [`ForwardRule${i + 1}`, `bedrock-guardrail-forward-org-${i + 1}`],
      ),
    );
    expect(rules.map(([, rule]) => rule.EventPattern)).toEqual(JSON.parse(JSON.stringify(parts)));
    for (const [, rule] of rules) expect(JSON.stringify(rule.EventPattern).length).toBeLessThanOrEqual(2048);
    // A rule merely ENABLED is never matched against read-only management events, which rules read.
    for (const [, rule] of rules)
      expect((rule as { State?: string }).State).toBe("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");
    // Every rule's events: one $or branch per rule outcome, Bedrock, IAM, bedrock-mantle and Claude Platform sources.
    const sources = rules.flatMap(([, rule]) =>
      (rule.EventPattern as { $or: { source: string[] }[] }).$or.map((b) => b.source[0]),
    );
    expect([...new Set(sources)].sort()).toEqual([
      "aws.aws-external-anthropic",
      "aws.bedrock",
      "aws.bedrock-mantle",
      "aws.iam",
    ]);
    const regions = resources(s, "aws_cloudformation_stack_set_instance")
      .filter((i) => i.stack_set_name.includes("forwarder"))
      .map((i) => i.stack_set_instance_region);
    expect(regions).toEqual(["eu-west-1", "us-east-1"]);
    // The realtime function also responds, so the member role trusts it too.
    const trust = JSON.parse(sets.find((x) => x.name === "bedrock-guardrail-remediation-role")!.template_body).Resources
      .RemediationRole.Properties.AssumeRolePolicyDocument.Statement[0];
    expect(JSON.stringify(trust.Condition.ArnEquals)).toContain("bedrock-guardrail-realtime");
  });
});

describe("template builder", () => {
  test("refuses a declaration the member account cannot scope", () => {
    expect(() =>
      memberRoleTemplate({
        memberRoleName: "R",
        trustedRoleNames: ["bedrock-guardrail-query-job"],
        permissions: [{ actions: ["iam:PutRolePolicy"], resource: { kind: "any", why: "x" }, why: "test" }],
        rotatedSecretName: "p/{account}",
        protectedPrincipalArns: [],
      }),
    ).toThrow(/iam:PutRolePolicy.*NO_RESOURCE_LEVEL_ACTIONS/);
  });

  test("no deny statement when nothing mutating is granted on IAM", () => {
    expect(
      protectedPrincipalDeny(
        [{ Effect: "Allow", Action: ["iam:GetRolePolicy"], Resource: ["x"] }],
        ["arn:aws:iam::*:role/A"],
      ),
    ).toBeUndefined();
  });
});
