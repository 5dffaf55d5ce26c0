/**
 * A config file is named the same way in every message about it: relative to the working
 * directory when it is inside it, else absolute (never a ../../ walk).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, displayPath, loadConfig, parseConfig } from "../../src/config/load";

function errorOf(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("displayPath", () => {
  const cwd = path.join(os.tmpdir(), "project");
  it.each([
    [path.join(cwd, "guardrail.config.json"), "guardrail.config.json"],
    [path.join(cwd, "conf", "prod.json"), path.join("conf", "prod.json")],
    ["conf/prod.json", path.join("conf", "prod.json")],
    [path.join(os.tmpdir(), "elsewhere", "c.json"), path.join(os.tmpdir(), "elsewhere", "c.json")],
    ["../other/c.json", path.join(os.tmpdir(), "other", "c.json")],
    [cwd, cwd],
  ])("%s -> %s", (file, shown) => {
    expect(displayPath(file, cwd)).toBe(shown);
  });
});

describe("loadConfig names a file outside the working directory by its absolute path in every kind of error", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "r1-load-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it.each([
    ["invalid.json", '{"approvedPrincipalArns":["*"]}', /exempts every principal/],
    ["broken.json", '{"approvedPrincipalArns":[', /is not valid JSON/],
  ])("%s", (name, text, problem) => {
    const file = write(name, text);
    const error = errorOf(() => loadConfig(file));
    expect(error.source).toBe(file);
    expect(error.message.startsWith(`${file} is invalid:\n`)).toBe(true);
    expect(error.problems.join("\n")).toMatch(problem);
  });

  it("absent file", () => {
    const file = path.join(dir, "absent.json");
    const error = errorOf(() => loadConfig(file));
    expect(error.source).toBe(file);
    expect(error.problems).toEqual(["cannot be read: ENOENT"]);
  });
});

describe("every region key says what a region looks like", () => {
  it.each([
    [{ aws: { region: "Mars" } }, "aws.region"],
    [{ monitor: { eventbridge: { enabled: true, regions: ["Mars"] } } }, "monitor.eventbridge.regions[0]"],
    [{ remediation: { regions: ["Mars"] } }, "remediation.regions[0]"],
  ])("%j", (section, key) => {
    const error = errorOf(() =>
      parseConfig({ approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"], ...section }),
    );
    expect(error.problems).toEqual([`${key}: must be an AWS region such as us-east-1`]);
  });
});

describe("monitor.cloudtrailLake.eventDataStoreArn", () => {
  const withArn = (arn: string) => () =>
    parseConfig({
      approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"],
      monitor: { cloudtrailLake: { eventDataStoreArn: arn } },
    });
  it("accepts an event data store ARN", () => {
    expect(
      withArn("arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE")().monitor
        .cloudtrailLake.eventDataStoreArn,
    ).toContain("EXAMPLE-f852");
  });
  // The ID goes unquoted after FROM: refuse at load what the query builder would refuse on every run.
  it.each(["eds--comment", "eds-", "-eds"])("refuses the ID %s", (id) => {
    expect(errorOf(withArn(`arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/${id}`)).problems).toEqual([
      "monitor.cloudtrailLake.eventDataStoreArn: must be a CloudTrail Lake event data store ARN",
    ]);
  });
});
