/**
 * remediation.operatorPrincipalArns: the member role also trusts the incident responders who run
 * `remediate --execute` / `undo` from a laptop, with the same ExternalId and PrincipalOrgID
 * conditions, and the role is denied IAM changes on them. The trust policy is checked by an
 * independent IAM simulator (dev-only) after resolving the template's Ref / Fn::Join.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { enforcing, resources, synthMemberRole } from "./helpers";

const OPERATOR = "arn:aws:iam::222233334444:role/IncidentResponder";
const SSO_OPERATOR = "arn:aws:iam::555566667777:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_IR_*";
const PARAMS: Record<string, string> = {
  "AWS::Partition": "aws",
  "AWS::AccountId": "444455556666",
  MonitorAccountId: "111122223333",
  OrganizationId: "o-abcdefghij",
  ExternalId: "bedrock-guardrail-responder",
};

/** Resolves Ref and Fn::Join the way CloudFormation would for the parameters above. */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.Ref === "string")
      return (
        PARAMS[o.Ref] ??
        (() => {
          throw new Error(`unknown Ref ${String(o.Ref)}`);
        })()
      );
    if (Array.isArray(o["Fn::Join"])) {
      const [sep, parts] = o["Fn::Join"] as [string, unknown[]];
      return parts.map(resolve).join(sep);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v)]));
  }
  return value;
}

function trustPolicy(config: Parameters<typeof synthMemberRole>[0]) {
  const stackSets = resources(synthMemberRole(enforcing(config)), "aws_cloudformation_stack_set");
  const body = JSON.parse(stackSets[0].template_body);
  return {
    body,
    trust: resolve(body.Resources.RemediationRole.Properties.AssumeRolePolicyDocument) as { Statement: any[] },
  };
}

async function canAssume(
  trust: unknown,
  principalArn: string,
  context: { externalId?: string; orgId?: string } = {},
): Promise<string> {
  const account = principalArn.split(":")[4];
  const result = await runSimulation(
    {
      request: {
        principal: principalArn,
        action: "sts:AssumeRole",
        resource: {
          resource: "arn:aws:iam::444455556666:role/bedrock-guardrail/BedrockGuardrailRemediation",
          accountId: "444455556666",
        },
        contextVariables: {
          "aws:PrincipalArn": principalArn,
          "aws:PrincipalAccount": account,
          "aws:PrincipalOrgID": context.orgId ?? "o-abcdefghij",
          ...(context.externalId === undefined ? {} : { "sts:ExternalId": context.externalId }),
        },
      },
      identityPolicies: [
        {
          name: "AssumeAnything",
          policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] },
        },
      ],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: trust,
    },
    {},
  );
  if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

describe("member role trust for remediation operators", () => {
  const { body, trust } = trustPolicy({ remediation: { operatorPrincipalArns: [OPERATOR, SSO_OPERATOR] } });

  test(
    "a second statement: the operators' accounts as principals, their ARNs as ArnLike, same ExternalId and " +
      "PrincipalOrgID",
    () => {
      const raw = body.Resources.RemediationRole.Properties.AssumeRolePolicyDocument.Statement;
      expect(raw.map((s: any) => s.Sid)).toEqual(["MonitorResponderOnly", "RemediationOperators"]);
      const ops = trust.Statement[1];
      expect(ops).toEqual({
        Sid: "RemediationOperators",
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::222233334444:root", "arn:aws:iam::555566667777:root"] },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "sts:ExternalId": "bedrock-guardrail-responder", "aws:PrincipalOrgID": "o-abcdefghij" },
          ArnLike: { "aws:PrincipalArn": [OPERATOR, SSO_OPERATOR] },
        },
      });
      expect(raw[1].Condition.StringEquals).toEqual(raw[0].Condition.StringEquals);
    },
  );

  test(
    "the IAM simulator lets the operator assume the role only with the external ID, from inside the " + "organization",
    async () => {
      expect(await canAssume(trust, OPERATOR, { externalId: "bedrock-guardrail-responder" })).toBe("Allowed");
      expect(
        await canAssume(
          trust,
          "arn:aws:iam::555566667777:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_IR_0123abcd",
          { externalId: "bedrock-guardrail-responder" },
        ),
      ).toBe("Allowed");
      expect(await canAssume(trust, OPERATOR, {})).not.toBe("Allowed");
      expect(await canAssume(trust, OPERATOR, { externalId: "guess" })).not.toBe("Allowed");
      expect(
        await canAssume(trust, OPERATOR, { externalId: "bedrock-guardrail-responder", orgId: "o-zzzzzzzzzz" }),
      ).not.toBe("Allowed");
      // Another role in the operator's account is not trusted.
      expect(
        await canAssume(trust, "arn:aws:iam::222233334444:role/Developer", {
          externalId: "bedrock-guardrail-responder",
        }),
      ).not.toBe("Allowed");
    },
  );

  test(
    "without operators (the default) the laptop role cannot assume the member role: only the responder " + "statement",
    async () => {
      const { trust: plain } = trustPolicy({});
      expect(plain.Statement.map((s) => s.Sid)).toEqual(["MonitorResponderOnly"]);
      expect(await canAssume(plain, OPERATOR, { externalId: "bedrock-guardrail-responder" })).not.toBe("Allowed");
      expect(
        await canAssume(plain, "arn:aws:iam::111122223333:role/bedrock-guardrail/bedrock-guardrail-query-job", {
          externalId: "bedrock-guardrail-responder",
        }),
      ).toBe("Allowed");
    },
  );

  test("the member role is denied IAM changes on the operators (defense in depth)", () => {
    const deny = body.Resources.RemediationRole.Properties.Policies[0].PolicyDocument.Statement.find(
      (s: any) => s.Effect === "Deny",
    );
    expect(deny.Resource).toEqual(expect.arrayContaining([OPERATOR, SSO_OPERATOR]));
  });
});
