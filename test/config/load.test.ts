/**
 * A config file is named the same way in every message about it: relative to the working
 * directory when it is inside it, else absolute (never a ../../ walk).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  ConfigError,
  displayPath,
  loadConfig,
  parseConfig,
  readJsonFile,
  resolveConfigPath,
} from "../../src/config/load";
import { CLASSIFICATION_FILE } from "../../src/policy/classification";
import { MINIMAL_CONFIG } from "../support/fixtures";
import { findingOf, fixture, guardrailWith, IAM_USER_RECORD } from "../remediation/helpers";

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

  it("a schema problem is listed under the file", () => {
    const file = write("invalid.json", '{"approvedPrincipalArns":["*"]}');
    const error = errorOf(() => loadConfig(file));
    expect(error.source).toBe(file);
    expect(error.message.startsWith(`${file} is invalid:\n`)).toBe(true);
    expect(error.problems.join("\n")).toMatch(/exempts every principal/);
  });

  it("a value from the file is shown in its problem's line: escaped, never a line or colour, and cut", () => {
    const key = `a\nb\u001b[31m${"k".repeat(5000)}`;
    const file = write(
      "values.json",
      JSON.stringify({ approvedPrincipalArns: [], [key]: 1, scp: { tags: { "x\ny": "v" } } }),
    );
    const error = errorOf(() => loadConfig(file));
    expect(error.message.split("\n")).toEqual([
      `${file} is invalid:`,
      `  - scp.tags: "x\\ny": keys and values may only hold letters, digits, spaces and _ . : / = + - @`,
      `  - (top level): unknown key(s) "a\\nb\\u001b[31m${"k".repeat(63)}..." (4937 more characters)`,
    ]);
    expect(error.problems[1]).toContain(key);
    // A message shown again (a construct names its definition's) keeps its lines and its cut values as they are.
    expect(ConfigError.within("construct", error).message).toBe(`construct: ${error.message}`);
  });

  it("a value holding a quote of its own cannot end its quotes early and start a line of its own", () => {
    const file = write("quote.json", JSON.stringify({ approvedPrincipalArns: [], 'x"\n  - forged "y': 1 }));
    expect(errorOf(() => loadConfig(file)).message.split("\n")).toEqual([
      `${file} is invalid:`,
      `  - (top level): unknown key(s) "x"\\n  - forged "y"`,
    ]);
  });

  it.each([
    ["truncated", '{"approvedPrincipalArns":[', "line 1, column 27: Unexpected end of JSON input"],
    ["a bad token", '{\n  "approvedPrincipalArns": [],\n}\n', "line 3, column 1: Expected double-quoted property name"],
    ["an unexpected token", '{\n  "approvedPrincipalArns": [x]\n}', "line 2, column 29: Unexpected token 'x'"],
  ])("malformed JSON (%s) names the line and column once, in one line", (_, text, where) => {
    const file = write("broken.json", text);
    const error = errorOf(() => loadConfig(file));
    expect(error.message).toBe(`${file}: is not valid JSON at ${where}`);
  });

  it("refuses a key an object names twice, which JSON.parse would keep only the last of, naming it and where", () => {
    const allowList = '"scp": { "modelAllowList": ["arn:aws:bedrock:*::foundation-model/amazon.nova-*"] }';
    const text = `{\n  "approvedPrincipalArns": [],\n  ${allowList},\n  "scp": { "tags": {} }\n}\n`;
    const error = errorOf(() => loadConfig(write("twice.json", text)));
    expect(error.message).toBe(
      `${path.join(dir, "twice.json")}: names key "scp" twice in one object (at line 4, column 3): ` +
        "JSON keeps only the last; merge them into one",
    );
    // Equal once decoded, as JSON.parse compares them; in nested objects too.
    const nested = '{"approvedPrincipalArns": [], "aws": {"region": "us-east-1", "\\u0072egion": "eu-west-1"}}';
    expect(errorOf(() => loadConfig(write("nested.json", nested))).message).toMatch(/names key "region" twice/);
  });

  it.each([
    ["a long value", "x".repeat(20_000_000)],
    ["a value of many escapes", "\n".repeat(10_000_000)],
  ])("reads a config with %s (tens of MB) to its problem, not a stack overflow", (_, long) => {
    const text = `{"approvedPrincipalArns": [], "note": ${JSON.stringify(long)}, "scp": {}, "scp": {}}`;
    expect(errorOf(() => loadConfig(write("long.json", text))).message).toMatch(/names key "scp" twice/);
  });

  it("accepts one key in several objects, and key-like strings among values", () => {
    const value = {
      a: ["a", "a", { a: 1 }, { a: 2 }],
      b: { a: "a", '"a"': ",", "{": "[", "\\": '"' },
      c: { b: { a: [] } },
    };
    expect(readJsonFile(write("once.json", JSON.stringify(value, null, 1)))).toEqual(value);
  });

  it("accepts a UTF-8 byte order mark", () => {
    const file = write("bom.json", '\ufeff{"approvedPrincipalArns":["arn:aws:iam::*:role/A"]}');
    expect(loadConfig(file).approvedPrincipalArns).toEqual(["arn:aws:iam::*:role/A"]);
  });

  it("refuses a file that is not UTF-8, naming the first bad byte's place, not a config with U+FFFD in it", () => {
    const latin1 = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), Buffer.from(text, "latin1"));
      return path.join(dir, name);
    };
    const cafe = latin1("latin1.json", '{"approvedPrincipalArns":["arn:aws:iam::*:role/A"],\n "scp": {"x": "Café"}}');
    expect(errorOf(() => loadConfig(cafe)).message).toBe(
      `${cafe}: is not UTF-8 text (byte 0xe9 at line 2, column 19, byte offset 70): save it as UTF-8`,
    );
    // A character cut off at the end, after a BOM.
    const cut = path.join(dir, "cut.json");
    fs.writeFileSync(cut, Buffer.concat([Buffer.from('\ufeff{"a": "x'), Buffer.from([0xe2, 0x82])]));
    expect(errorOf(() => readJsonFile(cut)).message).toBe(
      `${cut}: is not UTF-8 text (byte 0xe2 at line 1, column 9, byte offset 11): save it as UTF-8`,
    );
    // UTF-16 without a byte order mark is valid UTF-8 byte for byte (NUL bytes are): named as not text all the same.
    const utf16 = path.join(dir, "utf16.json");
    fs.writeFileSync(utf16, Buffer.from('{"a": 1}', "utf16le"));
    expect(errorOf(() => readJsonFile(utf16)).message).toBe(
      `${utf16}: is not UTF-8 text (byte 0x00 at line 1, column 2, byte offset 1): save it as UTF-8`,
    );
    // U+FFFD written in UTF-8, and other non-ASCII text, are read as they are.
    const utf8 = write("utf8.json", '{"a": "\ufffd Café \u{1f600}"}');
    expect(readJsonFile(utf8)).toEqual({ a: "\ufffd Café \u{1f600}" });
  });

  it.each([
    ["absent file", () => path.join(dir, "absent.json"), "no such file or directory"],
    ["directory", () => dir, "is a directory, not a file"],
    ["empty file", () => write("empty.json", " \n"), "is empty (expected a JSON object)"],
  ])("%s: one line in words, no errno code", (_, file, words) => {
    const error = errorOf(() => loadConfig(file()));
    expect(error.message).toBe(`${file()}: ${words}`);
  });

  it("an empty $GUARDRAIL_CONFIG or --config says so", () => {
    expect(errorOf(() => resolveConfigPath(undefined, { GUARDRAIL_CONFIG: "" }, dir)).message).toBe(
      "$GUARDRAIL_CONFIG: is set but empty: unset it or name a config file",
    );
    expect(errorOf(() => resolveConfigPath("", {}, dir)).message).toBe("--config: is empty: name a config file");
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

test("the documents a process reads parse without zod generating code (its JIT, slower for a few parses)", () => {
  const finding = JSON.stringify(findingOf(guardrailWith(), fixture(IAM_USER_RECORD)));
  const classificationJson: unknown = JSON.parse(fs.readFileSync(CLASSIFICATION_FILE, "utf8"));
  jest.isolateModules(() => {
    // Fresh modules: no schema has parsed (and compiled a parser) before the count starts.
    const load = require("../../src/config/load") as typeof import("../../src/config/load");
    const guardrail = require("../../src/guardrail/guardrail") as typeof import("../../src/guardrail/guardrail");
    const policy = require("../../src/policy/classification") as typeof import("../../src/policy/classification");
    const input =
      require("../../src/remediation/finding-input") as typeof import("../../src/remediation/finding-input");
    const realFunction = globalThis.Function;
    let generated = 0;
    globalThis.Function = new Proxy(realFunction, {
      construct(target, args) {
        generated++;
        return Reflect.construct(target, args);
      },
    });
    try {
      load.parseConfig(MINIMAL_CONFIG);
      guardrail.parseDefinition(guardrail.BUNDLED_DEFINITION);
      policy.parseClassification(classificationJson);
      expect(input.parseFindings(finding, "findings.json", "aws").findings).toHaveLength(1);
    } finally {
      globalThis.Function = realFunction;
    }
    expect(generated).toBe(0);
  });
});
