import fc from "fast-check";
import {
  ATHENA_COLUMNS,
  ATHENA_TABLE_DEFAULTS,
  athenaTableDdl,
  athenaTableLocation,
  athenaTableParameters,
  type AthenaTableOptions,
} from "../../../src/detection/backends/athena-table";
import { BackendInputError } from "../../../src/detection/backends/input-error";

const ORG: AthenaTableOptions = {
  bucket: "org-trail-archive",
  organizationId: "o-a1b2c3d4e5",
  ...ATHENA_TABLE_DEFAULTS,
  accounts: ["111122223333", "444455556666"],
  regions: ["us-east-1", "eu-west-1"],
};

describe("athenaTableDdl", () => {
  it("is AWS's CloudTrail table with projection over the organization trail's layout", () => {
    const ddl = athenaTableDdl(ORG);
    expect(ddl.startsWith("CREATE EXTERNAL TABLE IF NOT EXISTS `bedrock_guardrail`.`cloudtrail` (\n")).toBe(true);
    expect(ddl).toContain("PARTITIONED BY (`account` string, `region` string, `timestamp` string)");
    expect(ddl).toContain("ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'");
    expect(ddl).toContain("STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'");
    expect(ddl).toContain("LOCATION 's3://org-trail-archive/AWSLogs/o-a1b2c3d4e5/'");
    expect(ddl).toContain(
      "'storage.location.template'=" +
        "'s3://org-trail-archive/AWSLogs/o-a1b2c3d4e5/${account}/CloudTrail/${region}/${timestamp}'",
    );
    expect(ddl).toContain("'projection.enabled'='true'");
    expect(ddl).toContain("'projection.account.type'='enum'");
    expect(ddl).toContain("'projection.account.values'='111122223333,444455556666'");
    expect(ddl).toContain("'projection.region.values'='us-east-1,eu-west-1'");
    expect(ddl).toContain("'projection.timestamp.type'='date'");
    expect(ddl).toContain("'projection.timestamp.format'='yyyy/MM/dd'");
    expect(ddl).toContain("'projection.timestamp.range'='2024/01/01,NOW'");
    expect(ddl).toContain("'projection.timestamp.interval.unit'='DAYS'");
    expect(ddl).not.toMatch(/;/);
  });

  it("has AWS's documented columns: lower case, the JSON fields as string, useridentity a struct", () => {
    const byName = new Map(ATHENA_COLUMNS.map((c) => [c.name, c.type]));
    for (const c of ATHENA_COLUMNS) expect(c.name).toMatch(/^[a-z]+$/);
    for (const json of ["eventtime", "requestparameters", "responseelements", "additionaleventdata"])
      expect(byName.get(json)).toBe("string");
    expect(byName.get("serviceeventdetails")).toBe("string");
    expect(byName.get("useridentity")).toContain(
      "sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>,sessionissuer:struct<",
    );
    expect(byName.get("useridentity")).toContain("onbehalfof:struct<userid:string,identitystorearn:string>");
    // The columns the detection reads are all there.
    for (const c of ["eventid", "eventsource", "eventname", "errorcode", "awsregion", "recipientaccountid"])
      expect(byName.has(c)).toBe(true);
    // Balanced type expressions (a missing > would make Athena refuse the table).
    for (const c of ATHENA_COLUMNS) expect((c.type.match(/</g) ?? []).length).toBe((c.type.match(/>/g) ?? []).length);
  });

  it("puts a prefix before AWSLogs and leaves the organization out for a single-account trail", () => {
    expect(athenaTableLocation({ bucket: "b-1", prefix: "/trails/main/" })).toBe("s3://b-1/trails/main/AWSLogs/");
    const p = athenaTableParameters({ ...ORG, organizationId: undefined, prefix: "x" });
    expect(p["storage.location.template"]).toBe(
      "s3://org-trail-archive/x/AWSLogs/${account}/CloudTrail/${region}/${timestamp}",
    );
  });

  it.each([
    [{ bucket: "Bad_Bucket" }, "--bucket"],
    [{ bucket: "a'b" }, "--bucket"],
    [{ prefix: "a'/b" }, "--prefix"],
    [{ prefix: "a//b" }, "--prefix"],
    [{ organizationId: "o-x" }, "--organization-id"],
    [{ database: "db-1" }, "--database"],
    [{ table: "t`x" }, "--table"],
    [{ startDate: "2024/02/30" }, "--start-date"],
    [{ startDate: "2024-02-01" }, "--start-date"],
    [{ accounts: [] }, "--accounts"],
    [{ accounts: ["12345"] }, "--accounts[0]"],
    [{ accounts: ["111122223333", "111122223333"] }, "--accounts"],
    [{ regions: ["us-east-1,eu-west-1"] }, "--regions[0]"],
  ] as const)("refuses %j naming %s", (bad, input) => {
    expect(() => athenaTableDdl({ ...ORG, ...(bad as Partial<AthenaTableOptions>) })).toThrow(BackendInputError);
    try {
      athenaTableDdl({ ...ORG, ...(bad as Partial<AthenaTableOptions>) });
    } catch (e) {
      expect((e as BackendInputError).input).toBe(input);
    }
  });

  it("never lets an accepted value change the statement's structure", () => {
    // Drop every quoted literal: what is left must be the same for every accepted input.
    const shape = (ddl: string) => ddl.replace(/'[^']*'/g, "''");
    const reference = shape(athenaTableDdl(ORG));
    const segment = fc.string({ unit: fc.constantFrom("a", "0", "'", "/", ";", "-", ".", "`", "$", "{", " ") });
    fc.assert(
      fc.property(segment, segment, (prefix, bucket) => {
        let ddl: string;
        try {
          ddl = athenaTableDdl({ ...ORG, prefix, bucket: `b${bucket}b` });
        } catch (e) {
          expect(e).toBeInstanceOf(BackendInputError);
          return;
        }
        expect(shape(ddl)).toBe(reference);
      }),
      { numRuns: 300 },
    );
  });
});
