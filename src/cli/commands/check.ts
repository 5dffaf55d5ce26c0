/**
 * `check`: validate the config, lint the SCP and run the definition's rule tests, and print the
 * decision table: what the SCP decides for each guarded request and principal. A config error, a
 * lint error (an SCP AWS would reject) and a failing rule test are all config problems: exit 2.
 */
import type { Command } from "commander";
import { partitionOfRegion } from "../../arn/partition";
import { partitionMismatch, principalPatternProblem } from "../../config/arn-pattern";
import { shown } from "../../detection/backends/input-error";
import { monitorGaps } from "../../detection/backends/monitor-gaps";
import { formatRuleTests, ruleTestFailureLines, runRuleTests } from "../../detection/rule-tests";
import type { Guardrail } from "../../guardrail/guardrail";
import { bundledClassification } from "../../policy/classification-data";
import { coverageCounts, coverageRows } from "../../policy/classification-table";
import { decisionTable, formatDecisionTable } from "../../policy/decision-table";
import { buildScpDocuments } from "../../policy/documents";
import { actionMatches, type ScpRequest } from "../../policy/evaluate";
import { explainedAction, explainRequest, formatExplanation, previewerFor } from "../../policy/explain";
import { formatLint, lintScp } from "../../policy/lint";
import { authorizesOnModel } from "../../policy/request-model";
import { formatSlots, slotBudget } from "../../policy/slots";
import { buildScpStatements } from "../../policy/statements";
import type { ScpDocument } from "../../policy/types";
import { loadGuardrailFor } from "../common";
import { addConfigOptions, type ConfigOption, givenFlags } from "../options";
import { EXIT } from "../exit-codes";
import { prefixLines } from "../report";
import { type Output, processOutput } from "../format/output";
import { renderTable } from "../format/table";

export interface CheckOptions {
  json?: boolean;
  coverage?: boolean;
  explain?: boolean;
  principal?: string;
  action?: string;
  resource?: string;
  context?: string[];
}

/**
 * `check --explain`: the request from the options, or the problem with them. `region`: the config's
 * aws.region, whose partition a principal the suggestion could add must be in.
 */
export function explainOptions(options: CheckOptions, region?: string): ScpRequest | string {
  if (!options.principal || !options.action) return "--explain needs --principal ARN and --action SERVICE:ACTION";
  // The ARN the config would accept (its suggestion adds it to approvedPrincipalArns), of one principal.
  const principalProblem = /[*?]/.test(options.principal)
    ? "has a wildcard (* or ?): --explain takes one principal's ARN"
    : (principalPatternProblem(options.principal) ??
      (region === undefined
        ? undefined
        : partitionMismatch(options.principal, partitionOfRegion(region), region)?.replace(/^"[^"]*" is/, "is")));
  if (!/^arn:[^:]+:(iam|sts)::\d{12}:.+/.test(options.principal) || principalProblem)
    return (
      "--principal must be the aws:PrincipalArn (an IAM role, user or root ARN), got " +
      `${shown(options.principal)}${principalProblem ? `, which ${principalProblem}` : ""}`
    );
  if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(options.action))
    return `--action must be SERVICE:ACTION (an IAM action or a CloudTrail event name), got ${shown(options.action)}`;
  const context: Record<string, string[]> = {};
  for (const pair of options.context ?? []) {
    const at = pair.indexOf("=");
    if (at < 1)
      return `--context takes key=value (for example aws:CalledViaLast=bedrock.amazonaws.com), got ${shown(pair)}`;
    const key = pair.slice(0, at);
    context[key] = [...(context[key] ?? []), pair.slice(at + 1)];
  }
  // Without the model there is nothing to match the allow-list against (and no entry to suggest).
  if (!options.resource && authorizesOnModel(explainedAction(options.action).action))
    return `--resource is needed with ${options.action}: the model id or ARN the call names`;
  return { action: options.action, resource: options.resource ?? "*", principalArn: options.principal, context };
}

/** Explains one request: the decision, every statement that denies it, the change that allows it. */
export function runExplain(guardrail: Guardrail, options: CheckOptions, io: Output = processOutput): number {
  const request = explainOptions(options, guardrail.config.aws.region);
  if (typeof request === "string") {
    io.err(`check: ${request}\n`);
    return EXIT.USAGE;
  }
  const explanation = explainRequest(previewerFor(guardrail), request);
  io.out(options.json ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(explanation));
  return EXIT.OK;
}

/**
 * `check --coverage`: every classified action with its decision, as policies/action-classification.json
 * states it (access levels as recorded there; the test suite checks them against the IAM reference).
 */
export function runCoverage(guardrail: Guardrail, options: CheckOptions, io: Output = processOutput): number {
  const { actions } = bundledClassification();
  const statements = buildScpStatements(guardrail);
  // By Sid and action: a statement a setting narrows (scp.allowClaudePlatform) is emitted without some actions.
  const inScp = (sid: string, action: string) =>
    statements.some((s) => s.Sid === sid && s.Action.some((a) => actionMatches(a, action)));
  const rows = coverageRows(actions, inScp);
  const counts = coverageCounts(actions, inScp);
  if (options.json) {
    io.out(`${JSON.stringify({ actions: rows, counts }, null, 2)}\n`);
    return EXIT.OK;
  }
  io.out(
    renderTable(
      ["action", "access level", "decision", "statement", "basis", "decided by", "reason"],
      rows.map((r) => [r.action, r.accessLevel, r.decision, r.statements.join(", "), r.basis, r.decidedBy, r.reason]),
    ),
  );
  io.out(
    `\n${renderTable(
      ["service", "denied", "of them not in this SCP", "allowed", "waived", "total"],
      counts.map((c) => [
        c.service,
        ...[c.counts.denied, c.deniedNotInScp, c.counts.allowed, c.counts.waived, c.total].map(String),
      ]),
    )}`,
  );
  io.out(
    "\n[not in this SCP]: the statement is only emitted with the setting it depends on (scp.modelAllowList, " +
      "scp.denyMarketplaceProductIds ...), or without the action (scp.allowClaudePlatform). Waivers are explained " +
      "in docs/limits.md.\n",
  );
  return EXIT.OK;
}

/** The documents, the largest one's size against the quota, and each target's slot budget. */
function scpSummary(guardrail: Guardrail, documents: ScpDocument[]): string {
  const max = guardrail.config.scp.maxPolicySize;
  const largest = documents.reduce((a, b) => (b.size > a.size ? b : a));
  const lines = [
    `SCP: ${documents.length} document(s) (${documents.map((d) => `${d.name} ${d.size}`).join(", ")} characters); ` +
      `largest ${largest.size} of ${max} characters`,
    ...slotBudget(guardrail.config, documents).map((t) => `  target ${formatSlots(t)}`),
  ];
  return lines.join("\n");
}

/** The --explain options, by their flags: the request's parts, each of which asks for its explanation. */
const EXPLAIN_FLAGS = {
  explain: "--explain",
  principal: "--principal",
  action: "--action",
  resource: "--resource",
  context: "--context",
} as const satisfies Partial<Record<keyof CheckOptions, string>>;

export function runCheck(guardrail: Guardrail, options: CheckOptions, io: Output = processOutput): number {
  // Each is a report of its own: any part of a request asks for its explanation, never silently dropped.
  const explaining = givenFlags(options, EXPLAIN_FLAGS);
  if (options.coverage && explaining.length > 0) {
    io.err(`check: --coverage and an --explain request (${explaining.join(", ")}) are two reports: give one\n`);
    return EXIT.USAGE;
  }
  if (options.coverage) return runCoverage(guardrail, options, io);
  if (explaining.length > 0) return runExplain(guardrail, options, io);
  // Built once, for the lint's documents and the table (which decides in the builder's order): with a generated
  // allow-list of many thousand models, building them is most of check's time.
  const statements = buildScpStatements(guardrail);
  const documents = buildScpDocuments(guardrail, statements);
  const lint = lintScp(guardrail, { rulesOffMonitor: monitorGaps(guardrail), documents });
  const table = decisionTable(guardrail, statements);
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
      `${JSON.stringify(
        {
          ok,
          findings: lint.findings,
          documents: lint.documents.map((d) => ({ name: d.name, size: d.size, statements: d.policy.Statement.length })),
          maxPolicySize: guardrail.config.scp.maxPolicySize,
          slots: slotBudget(guardrail.config, lint.documents),
          disabledRules: [...guardrail.disabled.rules, ...guardrail.disabled.correlationRules].map((r) => r.id),
          ruleTests,
          principals: table.principals,
          rows,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    io.out(`${scpSummary(guardrail, lint.documents)}\n\n${formatDecisionTable(table)}\n`);
    io.out(`\n${formatRuleTests(guardrail, ruleTests)}\n`);
    // Only the lint lines and the failing rule tests, each with the prefix as every stderr line (no blank
    // line before them): the reason for exit 2 reaches stderr also when stdout goes to a file.
    if (lint.findings.length > 0) io.err(`${prefixLines(formatLint(lint))}\n`);
    const failures = ruleTestFailureLines(ruleTests);
    if (failures.length > 0) io.err(`${prefixLines(failures.join("\n"))}\n`);
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
    .option("--coverage", "print how the SCP classifies every model-reaching IAM action, with counts per decision")
    .option("--explain", "explain the decision for one request (--principal, --action, --resource, --context)")
    .option("--principal <arn>", "--explain: the aws:PrincipalArn (for an assumed role, the role ARN with its path)")
    .option("--action <action>", "--explain: the IAM action, or a CloudTrail event name such as bedrock:Converse")
    .option("--resource <arn>", "--explain: the resource ARN (default *)")
    .option(
      "--context <key=value>",
      "--explain: a condition key the request carries (repeatable), e.g. aws:CalledViaLast=bedrock.amazonaws.com",
      (v: string, all: string[] = []) => [...all, v],
    )
    .action((opts: ConfigOption & CheckOptions) => {
      const guardrail = loadGuardrailFor(opts, { stderr: process.stderr });
      process.exitCode = guardrail ? runCheck(guardrail, opts) : EXIT.USAGE;
    });
}
