/**
 * The cdktf app: guardrail.config.json (or $GUARDRAIL_CONFIG) + policies/ -> Terraform JSON in
 * cdktf.out/. Run by `npx cdktf synth` and directly by `npm run synth` (compiled, no ts-node).
 * The SCP linter runs first: a lint error (e.g. a policy over the size quota) stops the synth.
 */
import * as path from "node:path";
import { TerraformStack } from "cdktf";
import { ConfigError } from "./src/config/load";
import { loadGuardrail } from "./src/guardrail/guardrail";
import { buildApp } from "./src/infra/app";
import { formatLint, lintScp } from "./src/policy/lint";

try {
  const guardrail = loadGuardrail();
  const lint = lintScp(guardrail);
  // Warnings go to stdout (the cdktf CLI shows an app's stderr as "[ERROR]"); errors to stderr.
  if (lint.findings.length > 0)
    (lint.errors.length > 0 ? process.stderr : process.stdout).write(`${formatLint(lint)}\n`);
  if (lint.errors.length > 0) {
    process.stderr.write("bedrock-guardrail: the SCP failed lint; nothing was synthesized\n");
    process.exit(2);
  }
  const app = buildApp(guardrail);
  app.synth();
  // stdout, not stderr: the cdktf CLI prints an app's stderr as "[ERROR]" lines, even on success.
  for (const stack of app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack)) {
    process.stdout.write(`bedrock-guardrail: ${path.join(app.outdir, "stacks", stack.node.id, "cdk.tf.json")}\n`);
  }
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`bedrock-guardrail: ${e.message}\n`);
    process.exit(2);
  }
  throw e;
}
