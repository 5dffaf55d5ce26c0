import { type AthenaDdlOptions, runAthenaDdl } from "../../src/cli/commands/athena-ddl";
import { buildProgram } from "../../src/cli/index";

function run(opts: AthenaDdlOptions) {
  let stdout = "";
  let stderr = "";
  const code = runAthenaDdl(opts, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
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

  it("says which option is missing or bad, in one line, exit 2", () => {
    expect(run({ accounts: "111122223333", regions: "us-east-1" })).toEqual({
      code: 2,
      stdout: "",
      stderr: "athena-ddl: --bucket: is required (the organization trail's S3 bucket)\n",
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
