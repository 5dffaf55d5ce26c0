/**
 * `check`: validate the config, lint the SCP and run the definition's rule tests, and print the
 * decision table: what the SCP decides for each guarded request and principal. A config error, a
 * lint error (an SCP AWS would reject) and a failing rule test are all config problems: exit 2.
 */
import type { Command } from "commander";
import { formatRuleTests, runRuleTests } from "../../detection/rule-tests";
import type { Guardrail } from "../../guardrail/guardrail";
import { decisionTable, formatDecisionTable } from "../../policy/decision-table";
import { formatLint, lintScp } from "../../policy/lint";
import { addConfigOptions, type ConfigOption, loadGuardrailFor } from "../common";
import { EXIT } from "../exit-codes";
import { type Output, processOutput } from "../format/output";

export interface CheckOptions {
  json?: boolean;
}

export function runCheck(guardrail: Guardrail, options: CheckOptions, io: Output = processOutput): number {
  const lint = lintScp(guardrail);
  const table = decisionTable(guardrail);
  const ruleTests = runRuleTests(guardrail);
  const failedRuleTests = ruleTests.filter((t) => !t.passed).length;
  const ok = lint.errors.length === 0 && failedRuleTests === 0;
  if (options.json) {
    const rows = table.rows.map((r) => ({
      request: r.scenario.label,
      action: r.scenario.action,
      resource: r.scenario.resource,
      context: r.scenario.context ?? {},
      decisions: Object.fromEntries(r.cells.map((c) => [c.principal.role, c.cell])),
    }));
    io.out(
      `${JSON.stringify({ ok, findings: lint.findings, ruleTests, principals: table.principals, rows }, null, 2)}\n`,
    );
  } else {
    const sizes = lint.documents
      .map((d) => `${d.name} ${d.size}/${guardrail.config.scp.maxPolicySize} characters`)
      .join(", ");
    io.out(`SCP: ${lint.documents.length} document(s): ${sizes}\n\n${formatDecisionTable(table)}\n`);
    io.out(`\n${formatRuleTests(ruleTests)}\n`);
    if (lint.findings.length > 0) io.err(`\n${formatLint(lint)}\n`);
    const problems = [
      lint.errors.length > 0 ? `${lint.errors.length} lint error(s)` : "",
      failedRuleTests > 0 ? `${failedRuleTests} failing rule test(s)` : "",
    ].filter(Boolean);
    io.out(
      problems.length > 0
        ? `\ncheck failed: ${problems.join(", ")}\n`
        : `\ncheck passed${lint.warnings.length ? ` with ${lint.warnings.length} warning(s)` : ""}\n`,
    );
  }
  return ok ? EXIT.OK : EXIT.USAGE;
}

export function register(program: Command): void {
  addConfigOptions(program.command("check"))
    .description(
      "Validate the config, lint the SCP, run the rule tests and print the decision table " +
        "(exit 0 ok; 2 config error, lint error or failing rule test)",
    )
    .option("--json", "machine-readable output")
    .action((opts: ConfigOption & CheckOptions) => {
      const guardrail = loadGuardrailFor(opts, { stderr: process.stderr });
      process.exitCode = guardrail ? runCheck(guardrail, opts) : EXIT.USAGE;
    });
}
