/**
 * The member role is exempt from the SCP's model-access statements only if it needs a denied
 * action. It does not: in either access-key mode it is granted no action that any of the SCP's
 * Bedrock or Marketplace statements denies (DeleteFoundationModelAgreement undoes an agreement, it
 * is not one of the denied ones). If this test fails, the exemption is needed again (or the grant
 * is wrong).
 */
import { actionMatches } from "../../src/policy/evaluate";
import { buildScpStatements } from "../../src/policy/statements";
import { memberRolePermissions } from "../../src/remediation/permissions";
import { guardrailWith } from "../remediation/helpers";

const MODEL_ACCESS = /^(bedrock|bedrock-mantle|aws-marketplace):/;

describe.each(["deactivate", "rotate"] as const)("member role (remediation.accessKey %s)", (accessKey) => {
  test("is granted no action that the SCP's Bedrock or Marketplace statements deny", () => {
    const g = guardrailWith({
      remediation: { accessKey },
      scp: { modelAllowList: ["arn:aws:bedrock:*::foundation-model/amazon.titan-*"] },
    } as never);
    const denying = buildScpStatements(g).filter((s) => s.Action.some((a) => MODEL_ACCESS.test(a)));
    expect(denying.length).toBeGreaterThan(0);
    const granted = memberRolePermissions(accessKey).flatMap((d) => d.actions);
    expect(granted).toContain("bedrock:DeleteFoundationModelAgreement");
    const conflicts = granted.flatMap((action) =>
      denying.filter((s) => s.Action.some((p) => actionMatches(p, action))).map((s) => `${action} (${s.Sid})`),
    );
    expect(conflicts).toEqual([]);
  });
});
