/**
 * monitor.backend "athena": the synthesized Glue table equals the `athena-ddl` table, the workgroup
 * enforces a cutoff and encrypted results, and the query job's role holds exactly the Athena, Glue,
 * S3 and (when the trail is encrypted) KMS permissions its code declares, on exactly these resources.
 */
import { ATHENA_COLUMNS, athenaTableParameters } from "../../src/detection/backends/athena-table";
import { synthMonitor } from "./helpers";

const ATHENA = {
  backend: "athena" as const,
  athena: {
    bucket: "org-trail-archive",
    organizationId: "o-a1b2c3d4e5",
    accounts: ["111122223333"],
    regions: ["us-east-1"],
  },
};

function queryJobPolicy(synth: ReturnType<typeof synthMonitor>) {
  const policies = Object.values(synth.resource.aws_iam_role_policy ?? {}) as Array<{ name: string; policy: string }>;
  const all = policies.map((p) => JSON.parse(p.policy) as { Statement: Array<Record<string, any>> });
  return all.flatMap((d) => d.Statement).filter((s) => String(s.Action).includes("athena:") || s.Sid);
}

describe("monitor stack on Athena", () => {
  const synth = synthMonitor({ monitor: ATHENA });

  it("creates the table athena-ddl prints: same columns, partitions and projection", () => {
    const [table] = Object.values(synth.resource.aws_glue_catalog_table);
    expect(table.name).toBe("cloudtrail");
    expect(table.table_type).toBe("EXTERNAL_TABLE");
    expect(table.partition_keys.map((k: { name: string }) => k.name)).toEqual(["account", "region", "timestamp"]);
    expect(table.storage_descriptor.columns).toEqual(ATHENA_COLUMNS);
    expect(table.storage_descriptor.location).toBe("s3://org-trail-archive/AWSLogs/o-a1b2c3d4e5/");
    expect(table.parameters).toEqual({
      EXTERNAL: "TRUE",
      ...athenaTableParameters({
        bucket: "org-trail-archive",
        organizationId: "o-a1b2c3d4e5",
        database: "bedrock_guardrail",
        table: "cloudtrail",
        startDate: "2024/01/01",
        accounts: ["111122223333"],
        regions: ["us-east-1"],
      }),
    });
  });

  it("projects the organization's accounts and every region when the config lists none", () => {
    const s = synthMonitor({ monitor: { ...ATHENA, athena: { ...ATHENA.athena, accounts: [], regions: [] } } });
    const [table] = Object.values(s.resource.aws_glue_catalog_table);
    expect(table.parameters["projection.account.values"]).toMatch(
      /^\$\{join\(",", data\.aws_organizations_organization\.[\w-]+\.accounts\[\*\]\.id\)\}$/,
    );
    expect(table.parameters["projection.region.values"]).toMatch(
      /^\$\{join\(",", tolist\(data\.aws_regions\.[\w-]+\.names\)\)\}$/,
    );
    expect(Object.values(s.data!.aws_regions)[0]).toMatchObject({ all_regions: true });
  });

  it("has a workgroup that enforces engine 3, a bytes-scanned cutoff and SSE-S3 results in a private bucket", () => {
    const [wg] = Object.values(synth.resource.aws_athena_workgroup);
    expect(wg.name).toBe("bedrock-guardrail");
    expect(wg.configuration).toMatchObject({
      enforce_workgroup_configuration: true,
      bytes_scanned_cutoff_per_query: 10_000_000_000,
      engine_version: { selected_engine_version: "Athena engine version 3" },
      result_configuration: { encryption_configuration: { encryption_option: "SSE_S3" } },
    });
    expect(wg.configuration.result_configuration.output_location).toMatch(
      /^s3:\/\/\$\{aws_s3_bucket\.[\w-]+\.bucket\}\/results\/$/,
    );
    const [block] = Object.values(synth.resource.aws_s3_bucket_public_access_block);
    expect(block).toMatchObject({ block_public_acls: true, block_public_policy: true, restrict_public_buckets: true });
    expect(Object.values(synth.resource.aws_s3_bucket_server_side_encryption_configuration)).toHaveLength(1);
  });

  it("grants the query job Athena on its workgroup, Glue on its table, S3 on the trail prefix and results only", () => {
    const statements = queryJobPolicy(synth);
    const bySid = new Map(statements.map((s) => [s.Sid, s]));
    expect(bySid.get("AthenaWorkgroup")).toMatchObject({
      Action: [
        "athena:GetQueryExecution",
        "athena:GetQueryResults",
        "athena:StartQueryExecution",
        "athena:StopQueryExecution",
      ],
    });
    expect(bySid.get("AthenaWorkgroup")!.Resource[0]).toMatch(/:athena:.*:workgroup\/bedrock-guardrail$/);
    expect(bySid.get("AthenaTable")!.Resource.map((r: string) => r.replace(/^.*:glue:[^:]*:[^:]*:/, ""))).toEqual([
      "catalog",
      "database/bedrock_guardrail",
      "table/bedrock_guardrail/cloudtrail",
    ]);
    expect(bySid.get("TrailObjects")).toMatchObject({ Action: ["s3:GetObject"] });
    expect(bySid.get("TrailObjects")!.Resource[0]).toMatch(/:s3:::org-trail-archive\/AWSLogs\/o-a1b2c3d4e5\/\*$/);
    expect(bySid.get("AthenaResultsObjects")!.Resource[0]).toMatch(/\/results\/\*$/);
    expect(bySid.has("TrailKey")).toBe(false);
    expect(statements.some((s) => String(s.Action).includes("cloudtrail:StartQuery"))).toBe(false);
  });

  it("adds kms:Decrypt on the trail's key only when the trail is encrypted", () => {
    const key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const s = synthMonitor({ monitor: { ...ATHENA, athena: { ...ATHENA.athena, kmsKeyArn: key } } });
    expect(new Map(queryJobPolicy(s).map((st) => [st.Sid, st])).get("TrailKey")).toMatchObject({
      Action: ["kms:Decrypt"],
      Resource: [key],
    });
  });

  it("runs the job every monitor.athena.scheduleMinutes", () => {
    const s = synthMonitor({ monitor: { ...ATHENA, athena: { ...ATHENA.athena, scheduleMinutes: 15 } } });
    const [schedule] = Object.values(s.resource.aws_scheduler_schedule);
    expect(schedule.schedule_expression).toBe("rate(15 minutes)");
    const job = Object.values(s.resource.aws_lambda_function).find((f) => f.environment.variables.BACKEND);
    expect(job.environment.variables.BACKEND).toBe("athena");
  });
});
