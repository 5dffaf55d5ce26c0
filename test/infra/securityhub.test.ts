/**
 * monitor.securityHub in the monitor stack: only the query job (the one that exports) may call
 * securityhub:BatchImportFindings, only on the monitor account's default product, and gets the
 * product ARN in its environment; with the default config nothing about Security Hub is there.
 * The generated statement is proven with @cloud-copilot/iam-simulate.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { resources, synthMonitor } from "./helpers";

type Doc = { Statement: { Sid: string; Action: string[]; Resource: string[] }[] };
const policyOf = (s: ReturnType<typeof synthMonitor>, roleName: string): Doc => {
  const roleKey = Object.entries(s.resource.aws_iam_role).find(([, r]) => r.name === roleName)![0];
  const p = resources(s, "aws_iam_role_policy").find((x) => x.role === `\${aws_iam_role.${roleKey}.id}`)!;
  return JSON.parse(p.policy) as Doc;
};
const PARTITION = "${data.aws_partition.partition.partition}";
const REGION = "${data.aws_region.region.region}";
const ACCOUNT = "${data.aws_caller_identity.caller.account_id}";
const TOKEN_PRODUCT = `arn:${PARTITION}:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`;

/** The policy with the stack's tokens replaced by one concrete account, region and partition. */
const concrete = (doc: Doc) =>
  JSON.parse(
    JSON.stringify(doc)
      .replaceAll(PARTITION, "aws")
      .replaceAll(REGION, "eu-west-1")
      .replaceAll(ACCOUNT, "111122223333"),
  );

async function allows(doc: Doc, resource: string): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: "arn:aws:iam::111122223333:role/bedrock-guardrail/bedrock-guardrail-query-job",
        action: "securityhub:BatchImportFindings",
        resource: { resource, accountId: resource.split(":")[4] },
        contextVariables: {},
      },
      identityPolicies: [{ name: "job", policy: concrete(doc) }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

describe("monitor stack with monitor.securityHub.enabled", () => {
  const s = synthMonitor({
    monitor: { securityHub: { enabled: true }, eventbridge: { enabled: true, regions: ["us-east-1"] } },
  });
  const job = policyOf(s, "bedrock-guardrail-query-job");

  test("the query job may import on the account's default product, the realtime function may not", () => {
    const statements = job.Statement.filter((st) => st.Action.some((a) => a.startsWith("securityhub:")));
    expect(statements).toEqual([
      {
        Sid: "SecurityhubProduct",
        Effect: "Allow",
        Action: ["securityhub:BatchImportFindings"],
        Resource: [TOKEN_PRODUCT],
      },
    ]);
    expect(JSON.stringify(policyOf(s, "bedrock-guardrail-realtime"))).not.toContain("securityhub");
  });

  test("the query job's environment names the product ARN", () => {
    const fns = resources(s, "aws_lambda_function");
    const queryJob = fns.find((f) => f.function_name === "bedrock-guardrail-query-job")!;
    const realtime = fns.find((f) => f.function_name === "bedrock-guardrail-realtime")!;
    expect(queryJob.environment.variables.SECURITY_HUB_PRODUCT_ARN).toBe(TOKEN_PRODUCT);
    expect(realtime.environment.variables).not.toHaveProperty("SECURITY_HUB_PRODUCT_ARN");
  });

  test("IAM simulation: allowed on its own default product only", async () => {
    expect(await allows(job, "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default")).toBe(
      "Allowed",
    );
    expect(await allows(job, "arn:aws:securityhub:eu-west-1:444455556666:product/444455556666/default")).toBe(
      "ImplicitlyDenied",
    );
    expect(await allows(job, "arn:aws:securityhub:eu-west-1:111122223333:product/aws/guardduty")).toBe(
      "ImplicitlyDenied",
    );
    expect(await allows(job, "arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default")).toBe(
      "ImplicitlyDenied",
    );
  });
});

describe("monitor stack, default config", () => {
  test("no Security Hub permission and no product ARN", () => {
    const s = synthMonitor();
    expect(JSON.stringify(s)).not.toContain("securityhub");
    expect(JSON.stringify(s)).not.toContain("SECURITY_HUB_PRODUCT_ARN");
  });
});
