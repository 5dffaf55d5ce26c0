/**
 * docs/deployment.md's upgrade notes tell a team what its pipeline must change before it runs this version: a
 * config or a command line the earlier release took and this one refuses. Each refusal the notes name is made here,
 * so a note that no longer holds (or a refusal taken back) fails.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, parseConfig } from "../../src/config/load";

const ROOT = path.join(__dirname, "..", "..");
const deployment = fs.readFileSync(path.join(ROOT, "docs", "deployment.md"), "utf8");
const upgrading = (/^## Upgrading from an earlier release\n([\s\S]*?)^## /m.exec(deployment)?.[1] ?? "").replace(
  /\s+/g,
  " ",
);

const APPROVED = ["arn:aws:iam::*:role/BedrockModelAccessAdmin"];

test("the config refusals the notes name are config errors", () => {
  expect(upgrading).toContain("names an `accountId` other than its `assumeRoleArn`'s account");
  expect(upgrading).toContain("an `externalId` without an `assumeRoleArn`");
  const other = { accountId: "111111111111", assumeRoleArn: "arn:aws:iam::222222222222:role/Deploy" };
  expect(() => parseConfig({ approvedPrincipalArns: APPROVED, aws: { security: other } })).toThrow(ConfigError);
  expect(() => parseConfig({ approvedPrincipalArns: APPROVED, aws: { organization: other } })).toThrow(ConfigError);
  expect(() => parseConfig({ approvedPrincipalArns: APPROVED, aws: { organization: { externalId: "x1" } } })).toThrow(
    ConfigError,
  );
});

test.each([
  ["an option given twice", ["detect", "--jobs", "1", "--jobs", "2", "x.json"]],
  ["an option of another backend (`query`", ["query", "--backend", "cloudwatch-logs", "--accounts", "111122223333"]],
  ["a comma list or whole number given empty", ["detect", "--baseline-days=", "x.json"]],
  ["`run-once --json` without `--dry-run`", ["run-once", "--json"]],
])("the notes name %s, and the CLI refuses it as a usage error", (named, args) => {
  expect(upgrading).toContain(named);
  const run = spawnSync(process.execPath, [path.join(ROOT, "bin", "bedrock-guardrail.js"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
  });
  expect(run.status).toBe(2);
  expect(run.stderr.split("\n").filter(Boolean)).toHaveLength(1);
});
