/**
 * The Athena table over an organization trail's S3 archive: AWS's documented CloudTrail table
 * (lower-case columns, `useridentity` a struct, the JSON fields as STRING, the CloudTrail input
 * format and the Hive JSON SerDe) with partition projection over the trail's layout
 * `AWSLogs/[o-orgid/]<account>/CloudTrail/<region>/<yyyy>/<MM>/<dd>/`, so no crawler and no
 * MSCK REPAIR is ever needed.
 *
 * One definition, two renderings: `athenaTableDdl` prints the CREATE EXTERNAL TABLE for
 * `athena-ddl`, and the monitor stack builds its aws_glue_catalog_table from the same
 * `athenaTable` (src/infra/monitor/athena.ts), so the two can never describe different tables.
 */
import { isCalendarDay } from "../../config/sections/monitor";
import { BackendInputError, shown } from "./input-error";

/** The partition columns, named as AWS's table names them so any tool that knows that table can query ours. */
export const ATHENA_PARTITIONS = { account: "account", region: "region", day: "timestamp" } as const;

/** The `timestamp` partition's format: the trail's `<yyyy>/<MM>/<dd>` path segments. */
const ATHENA_DAY_FORMAT = "yyyy/MM/dd";

const ISSUER = "struct<type:string,principalid:string,arn:string,accountid:string,username:string>";
const WEB_ID = "struct<federatedprovider:string,attributes:map<string,string>>";
const SESSION_CONTEXT =
  "struct<attributes:struct<mfaauthenticated:string,creationdate:string>," +
  `sessionissuer:${ISSUER},ec2roledelivery:string,webidfederationdata:${WEB_ID}>`;
const USER_IDENTITY =
  "struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,accesskeyid:string," +
  `username:string,onbehalfof:struct<userid:string,identitystorearn:string>,sessioncontext:${SESSION_CONTEXT}>`;

/**
 * The data columns of AWS's "CloudTrail table with partition projection" (Athena User Guide),
 * in its order and with its types, written in the Glue type syntax (lower case, no spaces) that
 * both the DDL and aws_glue_catalog_table accept.
 */
export const ATHENA_COLUMNS: ReadonlyArray<{ name: string; type: string }> = [
  { name: "eventversion", type: "string" },
  { name: "useridentity", type: USER_IDENTITY },
  { name: "eventtime", type: "string" },
  { name: "eventsource", type: "string" },
  { name: "eventname", type: "string" },
  { name: "awsregion", type: "string" },
  { name: "sourceipaddress", type: "string" },
  { name: "useragent", type: "string" },
  { name: "errorcode", type: "string" },
  { name: "errormessage", type: "string" },
  { name: "requestparameters", type: "string" },
  { name: "responseelements", type: "string" },
  { name: "additionaleventdata", type: "string" },
  { name: "requestid", type: "string" },
  { name: "eventid", type: "string" },
  { name: "readonly", type: "string" },
  { name: "resources", type: "array<struct<arn:string,accountid:string,type:string>>" },
  { name: "eventtype", type: "string" },
  { name: "apiversion", type: "string" },
  { name: "recipientaccountid", type: "string" },
  { name: "serviceeventdetails", type: "string" },
  { name: "sharedeventid", type: "string" },
  { name: "vpcendpointid", type: "string" },
  { name: "vpcendpointaccountid", type: "string" },
  { name: "eventcategory", type: "string" },
  {
    name: "addendum",
    type: "struct<reason:string,updatedfields:string,originalrequestid:string,originaleventid:string>",
  },
  { name: "sessioncredentialfromconsole", type: "string" },
  { name: "edgedevicedetails", type: "string" },
  { name: "tlsdetails", type: "struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>" },
];

export const ATHENA_SERDE = "org.apache.hive.hcatalog.data.JsonSerDe";
export const ATHENA_INPUT_FORMAT = "com.amazon.emr.cloudtrail.CloudTrailInputFormat";
export const ATHENA_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";

export interface AthenaTableOptions {
  /** The trail's S3 bucket. */
  bucket: string;
  /** Key prefix the trail writes under (before AWSLogs/), if any. */
  prefix?: string;
  /** The organization ID for an organization trail (its path has `o-.../` after AWSLogs/). */
  organizationId?: string;
  database: string;
  table: string;
  /** First day projected, YYYY/MM/DD. */
  startDate: string;
  /** Account IDs the `account` partition projects (enum projection). */
  accounts: readonly string[];
  /** Regions the `region` partition projects (enum projection). */
  regions: readonly string[];
}

export const ATHENA_TABLE_DEFAULTS = {
  database: "bedrock_guardrail",
  table: "cloudtrail",
  startDate: "2024/01/01",
} as const;

const BUCKET = /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Prefix segments: S3 key characters that are safe inside a quoted literal and in a Glue location. */
const PREFIX = /^[A-Za-z0-9!_.*()-]+(\/[A-Za-z0-9!_.*()-]+)*$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/** Glue database and table names: lower case letters, digits and underscores. */
const GLUE_NAME = /^[a-z0-9_]{1,255}$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

function check(value: string | undefined, pattern: RegExp, input: string, what: string): void {
  if (typeof value !== "string" || !pattern.test(value))
    throw new BackendInputError(input, `${shown(value)} is not ${what}`);
}

/** A Glue database or table name; throws BackendInputError naming the input. */
export function glueName(value: string, input: string): string {
  check(value, GLUE_NAME, input, "a Glue name (lower-case letters, digits and underscores)");
  return value;
}

/** The trail's key prefix without surrounding slashes, or "" when there is none. */
export function trailPrefix(prefix: string | undefined): string {
  const p = (prefix ?? "").replace(/^\/+|\/+$/g, "");
  if (p === "") return "";
  check(p, PREFIX, "--prefix", "an S3 key prefix of letters, digits and !_.*()- separated by /");
  return p;
}

function checkDate(value: string): void {
  if (!isCalendarDay(value))
    throw new BackendInputError("--start-date", `${shown(value)} is not a calendar date YYYY/MM/DD`);
}

function checkList(values: readonly string[], pattern: RegExp, input: string, what: string): void {
  if (values.length === 0) throw new BackendInputError(input, `must list at least one ${what}`);
  values.forEach((v, i) => {
    check(v, pattern, `${input}[${i}]`, `a ${what}`);
  });
  const dup = values.find((v, i) => values.indexOf(v) !== i);
  if (dup) throw new BackendInputError(input, `lists ${dup} more than once`);
}

/** Checks every option (each value ends up inside a quoted literal, so each must be one plain token). */
function validateAthenaTable(o: AthenaTableOptions): void {
  check(o.bucket, BUCKET, "--bucket", "an S3 bucket name");
  trailPrefix(o.prefix);
  if (o.organizationId !== undefined)
    check(o.organizationId, ORGANIZATION_ID, "--organization-id", "an organization ID (o-...)");
  glueName(o.database, "--database");
  glueName(o.table, "--table");
  checkDate(o.startDate);
  checkList(o.accounts, ACCOUNT, "--accounts", "12-digit account ID");
  checkList(o.regions, REGION, "--regions", "region such as us-east-1");
}

/** `s3://bucket/[prefix/]AWSLogs/[o-xxxx/]`: where the trail's per-account folders start. */
export function athenaTableLocation(o: Pick<AthenaTableOptions, "bucket" | "prefix" | "organizationId">): string {
  const prefix = trailPrefix(o.prefix);
  return `s3://${o.bucket}/${prefix ? `${prefix}/` : ""}AWSLogs/${o.organizationId ? `${o.organizationId}/` : ""}`;
}

/**
 * The table parameters: partition projection for the three partition columns and the location
 * template that maps a partition to its S3 folder. The day range runs to NOW (projected in UTC).
 */
export function athenaTableParameters(o: AthenaTableOptions): Record<string, string> {
  const { account, region, day } = ATHENA_PARTITIONS;
  return {
    "projection.enabled": "true",
    [`projection.${account}.type`]: "enum",
    [`projection.${account}.values`]: o.accounts.join(","),
    [`projection.${region}.type`]: "enum",
    [`projection.${region}.values`]: o.regions.join(","),
    [`projection.${day}.type`]: "date",
    [`projection.${day}.format`]: ATHENA_DAY_FORMAT,
    [`projection.${day}.range`]: `${o.startDate},NOW`,
    [`projection.${day}.interval`]: "1",
    [`projection.${day}.interval.unit`]: "DAYS",
    "storage.location.template": `${athenaTableLocation(o)}\${${account}}/CloudTrail/\${${region}}/\${${day}}`,
  };
}

/** The CREATE EXTERNAL TABLE statement Athena runs once (or that the monitor stack's Glue table equals). */
export function athenaTableDdl(o: AthenaTableOptions): string {
  validateAthenaTable(o);
  const columns = ATHENA_COLUMNS.map((c) => `  ${c.name} ${c.type}`).join(",\n");
  const partitions = Object.values(ATHENA_PARTITIONS)
    .map((p) => `\`${p}\` string`)
    .join(", ");
  const properties = Object.entries(athenaTableParameters(o))
    .map(([k, v]) => `  '${k}'='${v}'`)
    .join(",\n");
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS \`${o.database}\`.\`${o.table}\` (`,
    columns,
    ")",
    `PARTITIONED BY (${partitions})`,
    `ROW FORMAT SERDE '${ATHENA_SERDE}'`,
    `STORED AS INPUTFORMAT '${ATHENA_INPUT_FORMAT}'`,
    `OUTPUTFORMAT '${ATHENA_OUTPUT_FORMAT}'`,
    `LOCATION '${athenaTableLocation(o)}'`,
    "TBLPROPERTIES (",
    properties,
    ")",
  ].join("\n");
}
