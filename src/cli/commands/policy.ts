/** `policy`: print the SCP document(s) the guardrail synthesizes, after lint and the rule tests. */
import type { Command } from "commander";
import { failedRuleTestLines } from "../../detection/rule-tests";
import type { Guardrail } from "../../guardrail/guardrail";
import { formatLint, lintScp } from "../../policy/lint";
import { loadGuardrailFor } from "../common";
import { addConfigOptions, type ConfigOption } from "../options";
import { EXIT } from "../exit-codes";
import { prefixLines } from "../report";
import { type Output, processOutput } from "../format/output";

export interface PolicyOptions {
  /** One minified document per line, exactly as Organizations stores it. */
  minified?: boolean;
}

/**
 * Prints the documents (even with lint errors or a failing rule test, for review); either is a config
 * problem: exit 2.
 */
export function runPolicy(guardrail: Guardrail, options: PolicyOptions, io: Output = processOutput): number {
  const lint = lintScp(guardrail);
  if (options.minified) io.out(lint.documents.map((d) => `${d.content}\n`).join(""));
  else
    io.out(
      `${JSON.stringify(
        lint.documents.map((d) => ({ name: d.name, size: d.size, policy: d.policy })),
        null,
        2,
      )}\n`,
    );
  if (lint.findings.length > 0) io.err(`${prefixLines(formatLint(lint))}\n`);
  // The same definition drives the monitor: rules that fail their own examples make it a config problem too.
  const failedRuleTests = failedRuleTestLines(guardrail);
  if (failedRuleTests.length > 0) io.err(`${prefixLines(failedRuleTests.join("\n"))}\n`);
  return lint.errors.length > 0 || failedRuleTests.length > 0 ? EXIT.USAGE : EXIT.OK;
}

export function register(program: Command): void {
  addConfigOptions(program.command("policy"))
    .description("Print the SCP document(s) as JSON ([{name, size, policy}], or one minified document per line)")
    .option("--minified", "one minified document per line, as stored by AWS Organizations")
    .action((opts: ConfigOption & PolicyOptions) => {
      const guardrail = loadGuardrailFor(opts, { stderr: process.stderr });
      process.exitCode = guardrail ? runPolicy(guardrail, opts) : EXIT.USAGE;
    });
}
