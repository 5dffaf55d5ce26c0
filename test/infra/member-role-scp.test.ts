/**
 * The member role and the SCP: every call the role is granted passes the SCP in a member account,
 * and the role is exempt only from statements that deny an action it is granted (a principal is
 * exempt only from what it needs). Today that is the API-key statement, whose
 * iam:UpdateServiceSpecificCredential the role needs to deactivate a Bedrock API key (and to
 * re-activate it on undo). It is granted nothing the model-access statements deny
 * (DeleteFoundationModelAgreement undoes an agreement; it is not a denied action).
 */
import { memberRoleArn } from "../../src/guardrail/guardrail";
import { actionMatches, evaluateScp } from "../../src/policy/evaluate";
import { buildScpStatements } from "../../src/policy/statements";
import { memberRolePermissions } from "../../src/remediation/permissions";
import { guardrailWith } from "../remediation/helpers";

const MEMBER = "111122223333";
const RESOURCE_OF: Record<string, string> = {
  "member-iam-users": `arn:aws:iam::${MEMBER}:user/alice`,
  "member-iam-roles": `arn:aws:iam::${MEMBER}:role/test-role`,
  "member-secrets": `arn:aws:secretsmanager:us-east-1:${MEMBER}:secret:bedrock-guardrail/rotated-keys/x-AbCdEf`,
  "member-bedrock-agreements": "*",
};

describe.each(["deactivate", "rotate"] as const)("member role (remediation.accessKey %s)", (accessKey) => {
  const g = guardrailWith({
    remediation: { accessKey },
    scp: { modelAllowList: ["arn:aws:bedrock:*::foundation-model/amazon.titan-*"] },
  } as never);
  const statements = buildScpStatements(g);
  const role = memberRoleArn(g.config.remediation.memberRoleName, { partition: g.partition, accountId: MEMBER });
  const pattern = memberRoleArn(g.config.remediation.memberRoleName, { partition: g.partition });
  const granted = memberRolePermissions(accessKey).flatMap((d) =>
    d.actions.map((action) => ({ action, resource: RESOURCE_OF[d.resource.kind] })),
  );

  test("every call it is granted passes the SCP in a member account", () => {
    const denied = granted
      .map(({ action, resource }) => ({
        action,
        verdict: evaluateScp(statements, {
          action,
          resource,
          principalArn: role,
          context: { "iam:ServiceSpecificCredentialServiceName": ["bedrock.amazonaws.com"] },
        }),
      }))
      .filter((x) => x.verdict.decision === "deny")
      .map((x) => `${x.action} (${x.verdict.deniedBy})`);
    expect(denied).toEqual([]);
  });

  test("it is exempt only from statements that deny an action it is granted", () => {
    const exempting = statements.filter((s) =>
      JSON.stringify(s.Condition?.ArnNotLike?.["aws:PrincipalArn"] ?? []).includes(pattern),
    );
    for (const s of exempting)
      expect(granted.filter(({ action }) => s.Action.some((p) => actionMatches(p, action))).length).toBeGreaterThan(0);
  });

  test("it is granted nothing the model-access (Bedrock, mantle, Marketplace) statements deny", () => {
    const modelAccess = statements.filter((s) =>
      s.Action.some((a) => /^(bedrock|bedrock-mantle|aws-marketplace):/.test(a)),
    );
    expect(modelAccess.length).toBeGreaterThan(0);
    expect(granted.map((x) => x.action)).toContain("bedrock:DeleteFoundationModelAgreement");
    const conflicts = granted.flatMap(({ action }) =>
      modelAccess.filter((s) => s.Action.some((p) => actionMatches(p, action))).map((s) => `${action} (${s.Sid})`),
    );
    expect(conflicts).toEqual([]);
  });
});
