/**
 * docs/cli.md shows a `check --explain` command and what it prints (with a scp.modelAllowList that does not list
 * DeepSeek, as the realistic config's does not): this runs the command shown, with the options as written, and
 * requires the text block after it, so a change to the request, the decision lines or the suggestion shows up there.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runCheck } from "../../src/cli/commands/check";
import { captureOutput } from "../cli/helpers";
import { guardrailFor, REALISTIC_CONFIG } from "../policy/helpers";

const DOC = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "cli.md"), "utf8");

/** The `check --principal ...` command block of docs/cli.md (its continuation lines joined) and the text after it. */
function example(): { command: string; output: string } {
  const match = /```sh\n(npx bedrock-guardrail check --principal[\s\S]*?)```\n```text\n([\s\S]*?)```/.exec(DOC);
  expect(match).not.toBeNull();
  return { command: (match?.[1] ?? "").replace(/\\\n\s*/g, ""), output: match?.[2] ?? "" };
}

/** The value of `--name value` in the command. */
const option = (command: string, name: string) => new RegExp(`--${name} (\\S+)`).exec(command)?.[1];

test("the check --explain example in docs/cli.md is what check prints for the command shown", () => {
  const { command, output } = example();
  const guardrail = guardrailFor(REALISTIC_CONFIG);
  const allowList = (guardrail.config.scp.modelAllowList ?? []).join(" ");
  expect(allowList).not.toContain("deepseek");
  const c = captureOutput();
  const code = runCheck(
    guardrail,
    {
      principal: option(command, "principal"),
      action: option(command, "action"),
      resource: option(command, "resource"),
    },
    c.io,
  );
  expect(code).toBe(0);
  expect(c.out()).toBe(output);
});
