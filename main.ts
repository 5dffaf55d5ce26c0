/**
 * The cdktf app: guardrail.config.json (or $GUARDRAIL_CONFIG) + policies/ -> Terraform JSON in
 * cdktf.out/ (or the cdktf CLI's $CDKTF_OUTDIR). Run by `npx cdktf synth` and directly by
 * `npm run synth` (compiled, no ts-node); `bedrock-guardrail synth` runs the same synth.
 */
import { loadGuardrail } from "./src/guardrail/guardrail";
import { prefixedLines, synthGuardrail } from "./src/infra/synth";

/** Set by the cdktf CLI for the app it runs (never by `npm run synth`). */
const underCdktfCli = process.env.CDKTF_CONTEXT_JSON !== undefined;

process.exitCode = synthGuardrail(() => loadGuardrail(), process.env.CDKTF_OUTDIR || "cdktf.out", {
  stdout: process.stdout,
  stderr: prefixedLines("bedrock-guardrail", process.stderr),
  // The cdktf CLI would show the lint warnings as "[ERROR]" lines: on its stdout they are shown as they are.
  ...(underCdktfCli ? { warnings: prefixedLines("bedrock-guardrail", process.stdout) } : {}),
});
