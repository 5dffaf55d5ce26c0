/**
 * `bedrock-guardrail verify`: the monitor's drift check from a laptop with local credentials (an
 * Organizations reader in the management account or the delegated administrator): the SCP(s)
 * exist with the synthesized content, are attached to every configured target (or the root), and
 * SCPs are enabled on the root. verify is a gate: drift always counts as failing findings (exit 3, as
 * --fail-on-findings does for the other commands); 1 when the organization cannot be read; 2 config.
 */
import type { Command } from "commander";
import type { Guardrail } from "../../guardrail/guardrail";
import { checkDrift, type OrganizationReader } from "../../runtime/drift";
import { makeOrganizationReader } from "../../wiring/adapters";
import { loadGuardrailFor, type TextSink } from "../common";
import { addConfigOptions, type ConfigOption } from "../options";
import { EXIT, exitCodeFor } from "../exit-codes";
import { errorKind } from "../../errors/error-text";
import { failureText, reportError } from "../report";

export interface VerifyIO {
  stdout: TextSink;
  stderr: TextSink;
  env?: NodeJS.ProcessEnv;
  readOrganization?: OrganizationReader;
}

export async function verify(g: Guardrail, opts: { json?: boolean }, io: VerifyIO): Promise<number> {
  try {
    const report = await checkDrift(g, io.readOrganization ?? makeOrganizationReader(g.partition));
    if (opts.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (report.ok)
      io.stdout.write(
        `no drift: ${report.expectedPolicies.join(", ")} intact and attached to ` +
          `${report.expectedTargets.join(", ")}; SCPs enabled on the root\n`,
      );
    else for (const p of report.problems) io.stdout.write(`DRIFT ${p.kind}: ${p.detail}\n`);
    return exitCodeFor({ incomplete: false, unapprovedFindings: report.problems.length, failOnFindings: true });
  } catch (e) {
    reportError(io.stderr, "verify: cannot read the organization", e, io.env);
    // --json readers (a pipeline) get an answer on stdout too, never an empty document.
    if (opts.json)
      io.stdout.write(
        `${JSON.stringify({ ok: false, error: { kind: errorKind(e), message: failureText(e, io.env) } }, null, 2)}\n`,
      );
    return EXIT.INCOMPLETE;
  }
}

export function register(program: Command): void {
  addConfigOptions(program.command("verify"))
    .description(
      "Check the guardrail SCP for drift (content, attachments, SCPs enabled) with local credentials (exit 3 on drift)",
    )
    .option("--json", "print the drift report as JSON")
    .action(async (opts: ConfigOption & { json?: boolean }) => {
      const g = loadGuardrailFor(opts, { stderr: process.stderr });
      process.exitCode = g ? await verify(g, opts, { stdout: process.stdout, stderr: process.stderr }) : EXIT.USAGE;
    });
}
