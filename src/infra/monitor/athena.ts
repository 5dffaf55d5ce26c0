/**
 * What `monitor.backend: "athena"` needs in the security account: the Glue database and the
 * CloudTrail table (partition projection over the organization trail's S3 layout), a workgroup that
 * enforces its settings (engine 3, a bytes-scanned cutoff per query, SSE-S3 encrypted results) and
 * a private results bucket whose objects expire.
 *
 * The table is an aws_glue_catalog_table, not an Athena named query: Terraform then owns it (a
 * plan shows drift, an apply updates the projected accounts as the organization grows), nothing has
 * to run a CREATE TABLE at deploy time, and it is built from the same definition as `athena-ddl`
 * (src/detection/backends/athena-table.ts), so the printed DDL and the deployed table are one table.
 */
import { AthenaWorkgroup } from "@cdktf/provider-aws/lib/athena-workgroup";
import { DataAwsOrganizationsOrganization } from "@cdktf/provider-aws/lib/data-aws-organizations-organization";
import { DataAwsRegions } from "@cdktf/provider-aws/lib/data-aws-regions";
import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import { GlueCatalogTable } from "@cdktf/provider-aws/lib/glue-catalog-table";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import * as sse from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import type { MonitorConfig } from "../../config/sections/monitor";
import {
  ATHENA_COLUMNS,
  ATHENA_INPUT_FORMAT,
  ATHENA_OUTPUT_FORMAT,
  ATHENA_PARTITIONS,
  ATHENA_SERDE,
  athenaTableLocation,
  athenaTableParameters,
  trailPrefix,
} from "../../detection/backends/athena-table";
import type { ResourceArns } from "../iam/policy-document";
import { ATHENA_RESULTS_BUCKET_PREFIX } from "../naming";

type AthenaMonitorConfig = MonitorConfig["athena"];

/** Where the workgroup writes results, inside the results bucket. */
const ATHENA_RESULTS_PREFIX = "results/";
/** Results are only read back by the run that wrote them; a week is plenty for a look after a failure. */
const ATHENA_RESULTS_EXPIRY_DAYS = 7;
const GB = 1_000_000_000;

export interface AthenaQueryInfraProps {
  athena: AthenaMonitorConfig;
  partition: string;
  accountId: string;
  region: string;
}

/** The IAM resource ARNs of the Athena kinds (pure, for the policy builder and its tests). */
function athenaResourceArns(i: {
  athena: AthenaMonitorConfig;
  partition: string;
  accountId: string;
  region: string;
  resultsBucketArn: string;
}): ResourceArns {
  const { athena, partition, accountId, region } = i;
  const glue = `arn:${partition}:glue:${region}:${accountId}`;
  const trailBucket = `arn:${partition}:s3:::${athena.bucket}`;
  const logs = athenaTableLocation({ ...athena, bucket: athena.bucket ?? "" }).replace(/^s3:\/\/[^/]+\//, "");
  return {
    "athena-workgroup": [`arn:${partition}:athena:${region}:${accountId}:workgroup/${athena.workgroup}`],
    "athena-table": [
      `${glue}:catalog`,
      `${glue}:database/${athena.database}`,
      `${glue}:table/${athena.database}/${athena.table}`,
    ],
    "trail-bucket": [trailBucket],
    "trail-objects": [`${trailBucket}/${logs}*`],
    ...(athena.kmsKeyArn ? { "trail-key": [athena.kmsKeyArn] } : {}),
    "athena-results-bucket": [i.resultsBucketArn],
    "athena-results-objects": [`${i.resultsBucketArn}/${ATHENA_RESULTS_PREFIX}*`],
  };
}

export class AthenaQueryInfra extends Construct {
  readonly database: GlueCatalogDatabase;
  readonly table: GlueCatalogTable;
  readonly workgroup: AthenaWorkgroup;
  readonly results: S3Bucket;
  readonly resourceArns: ResourceArns;

  constructor(scope: Construct, id: string, props: AthenaQueryInfraProps) {
    super(scope, id);
    const { athena, partition, accountId, region } = props;
    if (!athena.bucket) throw new Error("monitor.athena.bucket is required when monitor.backend is athena");
    const trail = { bucket: athena.bucket, prefix: trailPrefix(athena.prefix), organizationId: athena.organizationId };
    const projected = this.projectedAccountsAndRegions(athena);
    this.database = new GlueCatalogDatabase(this, "database", {
      name: athena.database,
      description: "bedrock-guardrail: the organization trail's CloudTrail table for Athena",
    });
    this.table = new GlueCatalogTable(this, "table", {
      name: athena.table,
      databaseName: this.database.name,
      tableType: "EXTERNAL_TABLE",
      description: "CloudTrail records of the organization trail (partition projection; docs/athena.md)",
      parameters: {
        EXTERNAL: "TRUE",
        ...athenaTableParameters({
          ...trail,
          database: athena.database,
          table: athena.table,
          startDate: athena.startDate,
          ...projected,
        }),
      },
      partitionKeys: Object.values(ATHENA_PARTITIONS).map((name) => ({ name, type: "string" })),
      storageDescriptor: {
        location: athenaTableLocation(trail),
        inputFormat: ATHENA_INPUT_FORMAT,
        outputFormat: ATHENA_OUTPUT_FORMAT,
        serDeInfo: { serializationLibrary: ATHENA_SERDE },
        columns: ATHENA_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
      },
    });
    this.results = this.resultsBucket();
    this.workgroup = new AthenaWorkgroup(this, "workgroup", {
      name: athena.workgroup,
      description: "bedrock-guardrail scheduled detection query",
      state: "ENABLED",
      forceDestroy: false,
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: Math.round(athena.bytesScannedCutoffGb * GB),
        engineVersion: { selectedEngineVersion: "Athena engine version 3" },
        resultConfiguration: {
          outputLocation: `s3://${this.results.bucket}/${ATHENA_RESULTS_PREFIX}`,
          expectedBucketOwner: accountId,
          encryptionConfiguration: { encryptionOption: "SSE_S3" },
        },
      },
    });
    this.resourceArns = athenaResourceArns({
      athena,
      partition,
      accountId,
      region,
      resultsBucketArn: this.results.arn,
    });
  }

  /**
   * Projected accounts and regions: the config's lists, or the organization's accounts and the
   * partition's regions as Terraform reads them at plan time (so a new account is one apply away).
   */
  private projectedAccountsAndRegions(athena: AthenaMonitorConfig): { accounts: string[]; regions: string[] } {
    const organization = () => {
      const org = new DataAwsOrganizationsOrganization(this, "organization");
      return `data.${org.terraformResourceType}.${org.friendlyUniqueId}`;
    };
    const accounts =
      athena.accounts.length > 0
        ? athena.accounts
        : // A splat over the organization's account objects: a Terraform expression cdktf has no builder for.
          [`\${join(",", ${organization()}.accounts[*].id)}`];
    const regions =
      athena.regions.length > 0
        ? athena.regions
        : [Fn.join(",", new DataAwsRegions(this, "regions", { allRegions: true }).names)];
    return { accounts, regions };
  }

  /** The private results bucket: no public access, owner-enforced, encrypted, TLS only, results expire. */
  private resultsBucket(): S3Bucket {
    const results = new S3Bucket(this, "results", {
      bucketPrefix: ATHENA_RESULTS_BUCKET_PREFIX,
      forceDestroy: false,
    });
    new S3BucketPublicAccessBlock(this, "results-public-access", {
      bucket: results.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "results-ownership", {
      bucket: results.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new sse.S3BucketServerSideEncryptionConfigurationA(this, "results-encryption", {
      bucket: results.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    new S3BucketLifecycleConfiguration(this, "results-expiry", {
      bucket: results.id,
      rule: [
        {
          id: "expire-query-results",
          status: "Enabled",
          filter: [{ prefix: ATHENA_RESULTS_PREFIX }],
          expiration: [{ days: ATHENA_RESULTS_EXPIRY_DAYS }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });
    new S3BucketPolicy(this, "results-tls-only", {
      bucket: results.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [results.arn, `${results.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    });
    return results;
  }
}
