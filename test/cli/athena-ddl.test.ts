import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type AthenaDdlOptions, runAthenaDdl } from "../../src/cli/commands/athena-ddl";
import { buildProgram } from "../../src/cli/index";

function run(opts: AthenaDdlOptions, config?: unknown) {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "athena-ddl-"));
  if (config) fs.writeFileSync(path.join(cwd, "guardrail.config.json"), JSON.stringify(config));
  let stdout = "";
  let stderr = "";
  const code = runAthenaDdl(opts, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    cwd,
    env: {},
  });
  fs.rmSync(cwd, { recursive: true, force: true });
  return { code, stdout, stderr };
}

describe("bedrock-guardrail athena-ddl", () => {
  it("prints the table for the given trail with the defaults for database, table and start date", () => {
    const out = run({
      bucket: "org-trail",
      organizationId: "o-a1b2c3d4e5",
      accounts: "111122223333, 444455556666",
      regions: "us-east-1",
    });
    expect(out).toMatchObject({ code: 0, stderr: "" });
    expect(out.stdout).toMatch(/^CREATE EXTERNAL TABLE IF NOT EXISTS `bedrock_guardrail`\.`cloudtrail` \(/);
    expect(out.stdout).toContain("'projection.account.values'='111122223333,444455556666'");
    expect(out.stdout).toContain("'projection.timestamp.range'='2024/01/01,NOW'");
  });

  it("takes the trail and the table from the config's monitor.athena; options still win", () => {
    const athena = {
      bucket: "org-trail",
      prefix: "trails",
      organizationId: "o-a1b2c3d4e5",
      database: "audit",
      table: "trail",
      startDate: "2025/06/01",
      accounts: ["111122223333"],
      regions: ["eu-west-1", "us-east-1"],
    };
    const out = run({}, { approvedPrincipalArns: [], monitor: { athena } });
    expect(out).toMatchObject({ code: 0, stderr: "" });
    expect(out.stdout).toMatch(/^CREATE EXTERNAL TABLE IF NOT EXISTS `audit`\.`trail` \(/);
    expect(out.stdout).toContain("'s3://org-trail/trails/AWSLogs/o-a1b2c3d4e5/");
    expect(out.stdout).toContain("'projection.account.values'='111122223333'");
    expect(out.stdout).toContain("'projection.region.values'='eu-west-1,us-east-1'");
    expect(out.stdout).toContain("'projection.timestamp.range'='2025/06/01,NOW'");
    const overridden = run(
      { bucket: "other-trail", regions: "us-west-2" },
      { approvedPrincipalArns: [], monitor: { athena } },
    );
    expect(overridden.stdout).toContain("'s3://other-trail/trails/AWSLogs/o-a1b2c3d4e5/");
    expect(overridden.stdout).toContain("'projection.region.values'='us-west-2'");
  });

  it("says which option is missing or bad, in one line, exit 2", () => {
    expect(run({ accounts: "111122223333", regions: "us-east-1" })).toEqual({
      code: 2,
      stdout: "",
      stderr: "athena-ddl: --bucket: is required (the organization trail's S3 bucket; or monitor.athena.bucket)\n",
    });
    const bad = run({ bucket: "b-1", accounts: "111122223333", regions: "us-east-1", startDate: "yesterday" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('athena-ddl: --start-date: "yesterday" is not a calendar date YYYY/MM/DD\n');
    expect(run({ bucket: "b-1", regions: "us-east-1" }).stderr).toBe(
      "athena-ddl: --accounts: must list at least one 12-digit account ID\n",
    );
  });

  it("is a registered command", () => {
    expect(buildProgram().commands.map((c) => c.name())).toContain("athena-ddl");
  });
});
