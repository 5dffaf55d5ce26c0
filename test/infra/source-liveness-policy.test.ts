/**
 * The drift check that the job's source is live reads it with the query job's role only: GetEventDataStore on the
 * store it queries, GetTrail, GetTrailStatus and GetEventSelectors on monitor.trailArn's trail, and nothing with
 * monitor.driftCheck off. The generated statements are proven with @cloud-copilot/iam-simulate (the trail and store
 * in the job's own account: the simulator would want a resource policy for another account's).
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { resources, synthMonitor } from "./helpers";

type Doc = { Statement: { Sid: string; Action: string[]; Resource: string[] }[] };
const policyOf = (s: ReturnType<typeof synthMonitor>, roleName: string): Doc => {
  const roleKey = Object.entries(s.resource.aws_iam_role).find(([, r]) => r.name === roleName)![0];
  const p = resources(s, "aws_iam_role_policy").find((x) => x.role === `\${aws_iam_role.${roleKey}.id}`)!;
  return JSON.parse(p.policy) as Doc;
};
const JOB = "bedrock-guardrail-query-job";
const TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail";
const STORE_ARN = "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/abcd-1234";
const TRAIL_READS = ["cloudtrail:GetEventSelectors", "cloudtrail:GetTrail", "cloudtrail:GetTrailStatus"];
const actions = (doc: Doc) => doc.Statement.flatMap((st) => st.Action);

async function decide(doc: Doc, action: string, resource: string): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: "arn:aws:iam::111122223333:role/bedrock-guardrail/bedrock-guardrail-query-job",
        action,
        resource: { resource, accountId: resource.split(":")[4] },
        contextVariables: {},
      },
      identityPolicies: [{ name: "job", policy: doc }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

const athena = (extra: Record<string, unknown> = {}) =>
  synthMonitor({ monitor: { backend: "athena", athena: { bucket: "org-trail-archive" }, ...extra } });

describe("the source liveness check's permissions", () => {
  test("cloudtrail-lake: GetEventDataStore on the queried store only, for the query job only", async () => {
    const s = synthMonitor({
      monitor: {
        cloudtrailLake: { eventDataStoreArn: STORE_ARN },
        eventbridge: { enabled: true, regions: ["us-east-1"] },
      },
    });
    const job = policyOf(s, JOB);
    expect(await decide(job, "cloudtrail:GetEventDataStore", STORE_ARN)).toBe("Allowed");
    const other = "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/other-1234";
    expect(await decide(job, "cloudtrail:GetEventDataStore", other)).toBe("ImplicitlyDenied");
    expect(actions(policyOf(s, "bedrock-guardrail-realtime"))).not.toContain("cloudtrail:GetEventDataStore");
    const off = synthMonitor({ monitor: { cloudtrailLake: { eventDataStoreArn: STORE_ARN }, driftCheck: false } });
    expect(actions(policyOf(off, JOB))).not.toContain("cloudtrail:GetEventDataStore");
  });

  test.each([
    ["athena", () => athena({ trailArn: TRAIL_ARN })],
    [
      "cloudwatch-logs",
      () =>
        synthMonitor({
          monitor: {
            backend: "cloudwatch-logs",
            cloudwatchLogs: { logGroups: ["aws-cloudtrail-logs-org"] },
            trailArn: TRAIL_ARN,
          },
        }),
    ],
  ])("%s with monitor.trailArn: the trail's reads on that trail only", async (_, synth) => {
    const job = policyOf(synth(), JOB);
    expect(job.Statement.filter((st) => st.Action.some((a) => TRAIL_READS.includes(a)))).toEqual([
      { Sid: "OrganizationTrail", Effect: "Allow", Action: TRAIL_READS, Resource: [TRAIL_ARN] },
    ]);
    for (const action of TRAIL_READS) {
      expect(await decide(job, action, TRAIL_ARN)).toBe("Allowed");
      expect(await decide(job, action, "arn:aws:cloudtrail:us-east-1:111122223333:trail/other")).toBe(
        "ImplicitlyDenied",
      );
    }
  });

  test("without monitor.trailArn, or with the drift check off, the role reads no trail", () => {
    expect(actions(policyOf(athena(), JOB)).filter((a) => TRAIL_READS.includes(a))).toEqual([]);
    const off = athena({ trailArn: TRAIL_ARN, driftCheck: false });
    expect(actions(policyOf(off, JOB)).filter((a) => TRAIL_READS.includes(a))).toEqual([]);
  });
});
