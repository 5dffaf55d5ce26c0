/**
 * The cdktf app: guardrail.config.json (or $GUARDRAIL_CONFIG) + policies/ -> Terraform JSON in
 * cdktf.out/. Run by `npx cdktf synth` and directly by `npm run synth` (compiled, no ts-node).
 */
import { ConfigError } from "./src/config/load";
import { loadGuardrail } from "./src/guardrail/guardrail";
import { buildApp } from "./src/infra/app";

try {
  const app = buildApp(loadGuardrail());
  app.synth();
  process.stderr.write(`bedrock-guardrail: Terraform written to ${app.outdir}/stacks/<stack>/cdk.tf.json\n`);
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`bedrock-guardrail: ${e.message}\n`);
    process.exit(2);
  }
  throw e;
}
