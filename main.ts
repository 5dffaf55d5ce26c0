/**
 * The cdktf app: guardrail.config.json (or $GUARDRAIL_CONFIG) + policies/ -> Terraform JSON in
 * cdktf.out/. Run by `npx cdktf synth` and directly by `npm run synth` (compiled, no ts-node).
 * The SCP linter runs first: a lint error (e.g. a policy over the size quota) stops the synth.
 * A synth that fails (config or lint error) removes the previous output, so that a pipeline cannot
 * apply a stale plan after a failed synth.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { TerraformStack } from "cdktf";
import { ConfigError } from "./src/config/load";
import { loadGuardrail } from "./src/guardrail/guardrail";
import { buildApp } from "./src/infra/app";
import { formatLint, lintScp } from "./src/policy/lint";

/** Where cdktf writes: the CLI's $CDKTF_OUTDIR, else cdktf.out (the App's default). */
const OUTDIR = process.env.CDKTF_OUTDIR || "cdktf.out";

/** Ends a failed synth; the previous output (a cdktf output: it has manifest.json) is removed, and that is said. */
function fail(message: string, code: number): never {
  const stale = fs.existsSync(path.join(OUTDIR, "manifest.json"));
  if (stale) fs.rmSync(OUTDIR, { recursive: true, force: true });
  process.stderr.write(`bedrock-guardrail: ${message}\n`);
  const removed = stale ? `; the previous ${OUTDIR} was removed (no stale plan)` : "";
  process.stderr.write(`bedrock-guardrail: nothing was synthesized${removed}\n`);
  process.exit(code);
}

try {
  const guardrail = loadGuardrail();
  const lint = lintScp(guardrail);
  // Warnings go to stdout (the cdktf CLI shows an app's stderr as "[ERROR]"); errors to stderr.
  if (lint.findings.length > 0)
    (lint.errors.length > 0 ? process.stderr : process.stdout).write(`${formatLint(lint)}\n`);
  if (lint.errors.length > 0) fail("the SCP failed lint", 2);
  const app = buildApp(guardrail);
  app.synth();
  // stdout, not stderr: the cdktf CLI prints an app's stderr as "[ERROR]" lines, even on success.
  for (const stack of app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack)) {
    process.stdout.write(`bedrock-guardrail: ${path.join(app.outdir, "stacks", stack.node.id, "cdk.tf.json")}\n`);
  }
} catch (e) {
  if (e instanceof ConfigError) fail(e.message, 2);
  throw e;
}
