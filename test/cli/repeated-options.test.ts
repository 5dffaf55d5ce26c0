/**
 * An option given twice is a usage error naming it, on the built CLI (commander alone keeps the last value, unsaid:
 * `--principal a --principal b` would explain b's request), except the options whose help says "repeatable", which
 * collect every value; and every option that collects its values says so.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import type { Option } from "commander";
import { buildProgram } from "../../src/cli/index";

const ROOT = path.join(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "bedrock-guardrail.js");

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8" });
}

describe("an option given twice", () => {
  it.each([
    ["detect", "-j, --jobs <n>", ["--jobs", "1", "--jobs", "2", "x.json"]],
    ["detect", "-j, --jobs <n>", ["-j", "1", "--jobs=2", "x.json"]],
    ["detect", "--check-every-record", ["--check-every-record", "--check-every-record", "x.json"]],
    ["check", "--principal <arn>", ["--principal", "arn:aws:iam::123456789012:role/a", "--principal", "b"]],
    ["query", "-c, --config <file>", ["-c", "a.json", "--config", "b.json"]],
  ])("%s %s: one line naming it, exit 2", (command, flags, args) => {
    const run = cli(command, ...args);
    expect(run.stderr).toBe(
      `${command}: option '${flags}' given more than once (it is not repeatable) ` +
        `(see bedrock-guardrail ${command} --help)\n`,
    );
    expect(run).toMatchObject({ status: 2, stdout: "" });
  });

  it("before the command too (--debug)", () => {
    expect(cli("--debug", "--debug", "policy")).toMatchObject({
      status: 2,
      stderr:
        "bedrock-guardrail: option '--debug' given more than once (it is not repeatable) " +
        "(see bedrock-guardrail --help)\n",
    });
  });

  it("a repeatable option collects every value", () => {
    expect(cli("detect", "--rule", "no-such-a", "--rule", "no-such-b", "x.json").stderr).toContain(
      'no rule "no-such-a", "no-such-b"',
    );
    const explained = cli(
      "check",
      "--principal",
      "arn:aws:iam::123456789012:role/r",
      "--action",
      "bedrock:InvokeModel",
      "--resource",
      "anthropic.claude-3-haiku-20240307-v1:0",
      "--context",
      "aws:CalledViaLast=bedrock.amazonaws.com",
      "--context",
      "bedrock:BearerTokenType=LONG_TERM",
      "--json",
    );
    expect(explained.status).toBe(0);
    expect(JSON.parse(explained.stdout).request.context).toEqual({
      "aws:CalledViaLast": ["bedrock.amazonaws.com"],
      "bedrock:BearerTokenType": ["LONG_TERM"],
    });
  });

  it("every option whose parser collects its values says (repeatable in its help", () => {
    const collecting: string[] = [];
    for (const command of buildProgram().commands)
      for (const option of command.options as Option[]) {
        let values: unknown;
        try {
          values = option.parseArg?.("b", option.parseArg("a", undefined as never));
        } catch {
          continue; // a parser that refuses "a" or "b" takes one value of a shape of its own
        }
        if (Array.isArray(values) && values.length === 2) collecting.push(`${command.name()} ${option.long}`);
        if (Array.isArray(values))
          expect(`${command.name()} ${option.long}: ${option.description}`).toMatch(/\(repeatable\b/);
      }
    expect(collecting).toEqual(expect.arrayContaining(["detect --rule", "query --rule", "check --context"]));
  });
});
